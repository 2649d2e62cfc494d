/*
 * Open files of processes: the read-only root tree (files and directories),
 * the writable /tmp (tmpfs.h), the console (/dev/console, the terminal of
 * fds 0-2), /dev/null and pipes. A struct
 * file is shared by every descriptor that dup/fork made from one open
 * (refs counts them); descriptors live in struct proc.
 *
 * Reads and writes take user addresses and copy through uaccess.h; they may
 * sleep (console input, pipes) and so run in a process's system call.
 */
#ifndef EMBER_KERNEL_PROC_FILE_H
#define EMBER_KERNEL_PROC_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/proc/argcheck.h"
#include "lib/filetree.h"

enum file_kind { FILE_TREE, FILE_DIR, FILE_CONSOLE, FILE_PIPE_R, FILE_PIPE_W, FILE_DEVDIR,
		 FILE_TMP, FILE_TMPDIR, FILE_NULL };

struct pipe;
struct lx_stat;

struct file {
	enum file_kind kind;
	int refs;
	int flags;                 /* LX_O_* given to open */
	uint64_t off;              /* files: byte offset; dirs: next child cursor */
	struct ftree_node node;    /* FILE_TREE, FILE_DIR */
	struct pipe *pipe;         /* FILE_PIPE_* */
	int tmp;                   /* FILE_TMP: the tmpfs slot */
};


/* Opens an absolute normalised path. The file, or NULL with *err a negative errno. */
struct file *file_open(const char *path, int flags, int *err);
struct file *file_console(void);
/* Two ends of a new pipe (flags: LX_O_NONBLOCK or 0): 0 or -LX_ENOMEM. */
int file_pipe(struct file **rd, struct file **wr, int flags);

struct file *file_get(struct file *f);   /* one more reference */
void file_put(struct file *f);           /* one fewer; frees at zero */

long file_read(struct file *f, uint64_t ubuf, size_t n);
long file_write(struct file *f, uint64_t ubuf, size_t n);
long file_lseek(struct file *f, int64_t off, int whence);
int file_stat(struct file *f, struct lx_stat *st);
int path_stat(const char *path, struct lx_stat *st);
long file_getdents64(struct file *f, uint64_t ubuf, size_t n);
long file_ioctl(struct file *f, uint64_t req, uint64_t arg);

/*
 * Readiness for poll: the LX_POLL* bits that hold now (IN: a read would not block;
 * OUT: a write would not block; HUP: a pipe's other end is gone, ERR: no reader for a
 * write end). Tree, /tmp and directory files are always ready, as Linux's regular
 * files. *obj gets what a sleeper on this file would be woken by (proc_wake_all), or 0.
 */
unsigned file_poll(struct file *f, uint64_t *obj);

/* unlink of an absolute normalised path: /tmp files only (else -LX_EROFS / -LX_ENOENT). */
int file_unlink(const char *path);
/*
 * rename of absolute normalised paths: within /tmp only; one side in /tmp is -LX_EXDEV
 * (mv then copies), neither is -LX_EROFS (or -LX_ENOENT when from does not exist).
 */
int file_rename(const char *from, const char *to, bool noreplace);

/* Terminal input from the shell while a program runs in the foreground. */
void tty_input(uint32_t ch);
/*
 * Drops what was typed and not yet read: the line being edited, whole
 * lines waiting for read() and a pending end of file. The shell calls it
 * on Ctrl+C (as a Linux terminal flushes its input on SIGINT) and when it
 * takes the keyboard back from an ended program, so half a line typed for
 * one program is never glued to the first line the next one reads.
 */
void tty_flush_input(void);
/* Live struct files and pipes, for leak checks. */
unsigned file_live_count(void);

#endif
