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

/*
 * Append the words of src[0..len) (stopping at a NUL) to the NUL-terminated
 * command line in dst (capacity cap), one space between words. Control
 * characters separate words; other bytes outside printable ASCII become '?'.
 * A word that does not fit is dropped with all after it, never cut. Returns
 * the new length of dst. Used by the loader to join ember/cmdline.txt and
 * the firmware's load options; pure, any context.
 */
size_t cmdline_append(char *dst, size_t cap, const char *src, size_t len);

#endif
