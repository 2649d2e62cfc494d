/*
 * /tmp: a small writable directory in kernel memory, flat (no
 * subdirectories), for programs that need to write files. TMPFS_FILES
 * files of at most TMPFS_FILE_MAX bytes each; its contents are lost at
 * reboot. A file unlinked while open lives until its last close.
 *
 * Context: system calls (interrupts off); no sleeping.
 */
#ifndef EMBER_KERNEL_PROC_TMPFS_H
#define EMBER_KERNEL_PROC_TMPFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TMPFS_FILES     16
#define TMPFS_FILE_MAX  (256u * 1024)
#define TMPFS_NAME_MAX  32

/*
 * The index of /tmp/name, creating it (create) and emptying it (trunc);
 * takes a reference. -LX_ENOENT, -LX_ENOSPC (all slots used),
 * -LX_ENAMETOOLONG, -LX_EINVAL (empty or with '/').
 */
int tmpfs_open(const char *name, bool create, bool trunc);
void tmpfs_close(int i);
long tmpfs_read(int i, uint64_t off, uint64_t ubuf, size_t n);
/* Writes at off (grows the file, zero-filling a gap): bytes written or -LX_EFBIG / -LX_ENOMEM / -LX_EFAULT. */
long tmpfs_write(int i, uint64_t off, uint64_t ubuf, size_t n);
uint64_t tmpfs_size(int i);
int tmpfs_unlink(const char *name);
/*
 * Renames /tmp/from to /tmp/to, replacing a file there (unless noreplace: -LX_EEXIST);
 * open files follow. -LX_ENOENT, -LX_EINVAL, -LX_ENAMETOOLONG for a bad new name.
 */
int tmpfs_rename(const char *from, const char *to, bool noreplace);
/* The name of the live file at or after *cursor (advanced past it), or NULL. */
const char *tmpfs_next(uint32_t *cursor);
/* Files with data held, for leak checks. */
unsigned tmpfs_count(void);

#endif
