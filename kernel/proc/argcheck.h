/*
 * The pure checks system calls make on their arguments before anything is
 * touched: user ranges and paths. Plain memory only, any context; the same
 * file builds into host tests.
 */
#ifndef EMBER_KERNEL_PROC_ARGCHECK_H
#define EMBER_KERNEL_PROC_ARGCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARGCHECK_USER_TOP 0x0000800000000000ull  /* = ARCH_USER_TOP on x86_64 */
#define PATH_MAX_LEN      256

/* [addr, addr + len) lies inside the user half and does not wrap. */
bool uaccess_range_ok(uint64_t addr, uint64_t len);

/*
 * Joins cwd (absolute) and path, resolving ".", ".." and repeated '/', into
 * out[0..size): an absolute path without a trailing '/'. 0, or
 * -LX_ENAMETOOLONG / -LX_ENOENT (empty path).
 */
int path_normalise(const char *cwd, const char *path, char *out, size_t size);

#endif
