/*
 * Kernel command line look-ups. The command line is a space-separated list of
 * words, each either "flag" or "key=value" (values have no spaces). Pure code:
 * the loader and the kernel both use it. Any context.
 */
#ifndef EMBER_LIB_CMDLINE_H
#define EMBER_LIB_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/* True when a word equals `word` exactly ("quiet", or "heap=list"). */
bool cmdline_has(const char *cmdline, const char *word);

/*
 * Copy the value of "key=value" into val (NUL-terminated, cut to cap - 1).
 * Returns the value's length, or -1 when the key is absent. The last one wins.
 */
int cmdline_get(const char *cmdline, const char *key, char *val, size_t cap);

#endif
