/*
 * Open files (see file.h): tree files and directories served from the boot
 * archive, /dev/console with a line-buffered terminal, /dev/null, and pipes. Runs in
 * system calls, under the process lock (proc.h); reads that must wait sleep
 * on their object. tty_input, from the shell task, takes that lock itself.
 */
#include "kernel/arch.h"
#include "kernel/console/console.h"
#include "kernel/kprintf.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/proc/file.h"
#include "kernel/proc/files.h"
#include "kernel/proc/linux_abi.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/tmpfs.h"
#include "kernel/proc/uaccess.h"
#include "lib/string.h"

#define PIPE_SIZE  4096
#define TTY_SIZE   1024
#define LX_ICANON  0000002
#define LX_ECHO    0000010

struct pipe {
	uint8_t buf[PIPE_SIZE];
	uint32_t head, tail;       /* free-running; tail - head bytes held */
	int readers, writers;
};

static struct {
	uint8_t buf[TTY_SIZE];
	uint32_t head, tail;       /* bytes ready for read() */
	uint8_t line[TTY_SIZE];    /* the line being typed (canonical mode) */
	uint32_t line_len;
	struct lx_termios tio;
	bool eof;                  /* Ctrl+D on an empty line */
} tty = { .tio = { .c_lflag = LX_ICANON | LX_ECHO } };

static unsigned live;

/* ---- files ------------------------------------------------------------------ */

static struct file *file_new(enum file_kind kind, int flags)
{
	struct file *f = kcalloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->kind = kind;
	f->refs = 1;
	f->flags = flags;
	live++;
	return f;
}

struct file *file_console(void)
{
	return file_new(FILE_CONSOLE, LX_O_RDWR);
}

/* /tmp/NAME: create, truncate, open. */
static struct file *open_tmp(const char *name, int flags, int *err)
{
	int i = tmpfs_open(name, flags & LX_O_CREAT, flags & LX_O_TRUNC);
	struct file *f;

	if (i < 0) {
		*err = i;
		return NULL;
	}
	f = file_new(FILE_TMP, flags);
	if (!f) {
		tmpfs_close(i);
		*err = -LX_ENOMEM;
		return NULL;
	}
	f->tmp = i;
	return f;
}

struct file *file_open(const char *path, int flags, int *err)
{
	struct ftree_node n;
	struct file *f;

	if (!strncmp(path, "/tmp/", 5))
		return open_tmp(path + 5, flags, err);
	if (!strcmp(path, "/tmp"))
		f = file_new(FILE_TMPDIR, flags);
	else if (!strcmp(path, "/dev/console") || !strcmp(path, "/dev/tty"))
		f = file_new(FILE_CONSOLE, flags);
	else if (!strcmp(path, "/dev/null"))
		f = file_new(FILE_NULL, flags);
	else if (!strcmp(path, "/dev"))
		f = file_new(FILE_DEVDIR, flags);
	else if (files_lookup(path, &n)) {
		*err = (flags & LX_O_CREAT) ? -LX_EROFS : -LX_ENOENT;
		return NULL;
	} else if ((flags & LX_O_ACCMODE) != LX_O_RDONLY || (flags & (LX_O_CREAT | LX_O_TRUNC))) {
		*err = n.type == FTREE_DIR ? -LX_EISDIR : -LX_EROFS;
		return NULL;
	} else if ((flags & LX_O_DIRECTORY) && n.type != FTREE_DIR) {
		*err = -LX_ENOTDIR;
		return NULL;
	} else if ((f = file_new(n.type == FTREE_DIR ? FILE_DIR : FILE_TREE, flags)))
		f->node = n;
	if (!f)
		*err = -LX_ENOMEM;
	return f;
}

int file_pipe(struct file **rd, struct file **wr, int flags)
{
	struct pipe *p = kcalloc(1, sizeof(*p));

	*rd = p ? file_new(FILE_PIPE_R, LX_O_RDONLY | flags) : NULL;
	*wr = *rd ? file_new(FILE_PIPE_W, LX_O_WRONLY | flags) : NULL;
	if (!*wr) {
		if (*rd)
			file_put(*rd);
		kfree(p);
		return -LX_ENOMEM;
	}
	p->readers = p->writers = 1;
	(*rd)->pipe = (*wr)->pipe = p;
	return 0;
}

struct file *file_get(struct file *f)
{
	f->refs++;
	return f;
}

void file_put(struct file *f)
{
	struct pipe *p = f->pipe;

	if (--f->refs > 0)
		return;
	if (f->kind == FILE_TMP)
		tmpfs_close(f->tmp);
	if (p) {
		if (f->kind == FILE_PIPE_R)
			p->readers--;
		else
			p->writers--;
		proc_wake_all((uint64_t)p);
		if (!p->readers && !p->writers)
			kfree(p);
	}
	live--;
	kfree(f);
}

unsigned file_live_count(void)
{
	return live;
}

/* ---- reading and writing ------------------------------------------------------- */

static long tree_read(struct file *f, uint64_t ubuf, size_t n)
{
	uint64_t left = f->off < f->node.size ? f->node.size - f->off : 0;

	if (n > left)
		n = left;
	if (n && copy_to_user(ubuf, f->node.data + f->off, n))
		return -LX_EFAULT;
	f->off += n;
	return (long)n;
}

static long tty_read(uint64_t ubuf, size_t n)
{
	size_t got = 0;

	while (tty.head == tty.tail && !tty.eof) {
		proc_sleep_on((uint64_t)&tty);
		if (proc_current()->kill_sig)
			return -LX_EINTR;
	}
	while (got < n && tty.head != tty.tail) {
		uint8_t c = tty.buf[tty.head % TTY_SIZE];

		if (copy_to_user(ubuf + got, &c, 1))
			return got ? (long)got : -LX_EFAULT;
		tty.head++;
		got++;
		if (c == '\n' && (tty.tio.c_lflag & LX_ICANON))
			break;
	}
	if (!got)
		tty.eof = false;   /* the EOF is consumed by this read of 0 */
	return (long)got;
}

static void tty_push(uint8_t c)
{
	if (tty.tail - tty.head < TTY_SIZE)
		tty.buf[tty.tail++ % TTY_SIZE] = c;
}

void tty_input(uint32_t ch)
{
	unsigned long irq = proc_lock_take();
	char c = (char)ch;

	if (ch == '\r')
		c = '\n';
	if (!(tty.tio.c_lflag & LX_ICANON)) {
		tty_push((uint8_t)c);
	} else if (ch == 4) {            /* Ctrl+D: the line so far, or end of file */
		for (uint32_t i = 0; i < tty.line_len; i++)
			tty_push(tty.line[i]);
		tty.eof = tty.line_len == 0;
		tty.line_len = 0;
	} else if (ch == 8 || ch == 127) {
		if (tty.line_len) {
			tty.line_len--;
			if (tty.tio.c_lflag & LX_ECHO)
				kputs_n("\b \b", 3);
		}
		c = 0;
	} else if (tty.line_len < TTY_SIZE) {
		tty.line[tty.line_len++] = (uint8_t)c;
		if (c == '\n') {
			for (uint32_t i = 0; i < tty.line_len; i++)
				tty_push(tty.line[i]);
			tty.line_len = 0;
		}
	}
	if (c && ch != 4 && (tty.tio.c_lflag & LX_ECHO))
		kputs_n(&c, 1);
	proc_wake_all((uint64_t)&tty);
	proc_lock_give(irq);
}

void tty_flush_input(void)
{
	unsigned long irq = proc_lock_take();

	tty.head = tty.tail;
	tty.line_len = 0;
	tty.eof = false;
	proc_lock_give(irq);
}

static long pipe_read(struct pipe *p, uint64_t ubuf, size_t n, bool nonblock)
{
	size_t got = 0;

	if (nonblock && p->head == p->tail && p->writers)
		return -LX_EAGAIN;
	while (p->head == p->tail && p->writers) {
		proc_sleep_on((uint64_t)p);
		if (proc_current()->kill_sig)
			return -LX_EINTR;
	}
	while (got < n && p->head != p->tail) {
		uint32_t at = p->head % PIPE_SIZE, chunk = PIPE_SIZE - at;

		if (chunk > p->tail - p->head)
			chunk = p->tail - p->head;
		if (chunk > n - got)
			chunk = (uint32_t)(n - got);
		if (copy_to_user(ubuf + got, p->buf + at, chunk))
			return got ? (long)got : -LX_EFAULT;
		p->head += chunk;
		got += chunk;
	}
	proc_wake_all((uint64_t)p);
	return (long)got;
}

static long pipe_write(struct pipe *p, uint64_t ubuf, size_t n, bool nonblock)
{
	size_t put = 0;

	while (put < n) {
		uint32_t at = p->tail % PIPE_SIZE, chunk = PIPE_SIZE - at;

		if (!p->readers)
			return put ? (long)put : -LX_EPIPE;
		if (p->tail - p->head == PIPE_SIZE) {
			if (nonblock)
				return put ? (long)put : -LX_EAGAIN;
			proc_wake_all((uint64_t)p);
			proc_sleep_on((uint64_t)p);
			if (proc_current()->kill_sig)
				return put ? (long)put : -LX_EINTR;
			continue;
		}
		if (chunk > PIPE_SIZE - (p->tail - p->head))
			chunk = PIPE_SIZE - (p->tail - p->head);
		if (chunk > n - put)
			chunk = (uint32_t)(n - put);
		if (copy_from_user(p->buf + at, ubuf + put, chunk))
			return put ? (long)put : -LX_EFAULT;
		p->tail += chunk;
		put += chunk;
	}
	proc_wake_all((uint64_t)p);
	return (long)put;
}

static long console_write_user(uint64_t ubuf, size_t n)
{
	char chunk[256];
	size_t done = 0;

	while (done < n) {
		size_t k = n - done < sizeof(chunk) ? n - done : sizeof(chunk);

		if (copy_from_user(chunk, ubuf + done, k))
			return done ? (long)done : -LX_EFAULT;
		kputs_n(chunk, k);
		done += k;
	}
	return (long)n;
}

static long tmp_rw(struct file *f, uint64_t ubuf, size_t n, bool write)
{
	long r;

	if (write && (f->flags & LX_O_APPEND))
		f->off = tmpfs_size(f->tmp);
	r = write ? tmpfs_write(f->tmp, f->off, ubuf, n) : tmpfs_read(f->tmp, f->off, ubuf, n);
	if (r > 0)
		f->off += (uint64_t)r;
	return r;
}

long file_read(struct file *f, uint64_t ubuf, size_t n)
{
	if ((f->flags & LX_O_ACCMODE) == LX_O_WRONLY)
		return -LX_EBADF;
	switch (f->kind) {
	case FILE_TREE:
		return tree_read(f, ubuf, n);
	case FILE_CONSOLE:
		return tty_read(ubuf, n);
	case FILE_PIPE_R:
		return pipe_read(f->pipe, ubuf, n, f->flags & LX_O_NONBLOCK);
	case FILE_TMP:
		return tmp_rw(f, ubuf, n, false);
	case FILE_NULL:
		return 0;                  /* /dev/null: always at its end */
	case FILE_DIR:
	case FILE_DEVDIR:
	case FILE_TMPDIR:
		return -LX_EISDIR;
	default:
		return -LX_EBADF;
	}
}

long file_write(struct file *f, uint64_t ubuf, size_t n)
{
	switch (f->kind) {
	case FILE_CONSOLE:
		return console_write_user(ubuf, n);
	case FILE_PIPE_W:
		return pipe_write(f->pipe, ubuf, n, f->flags & LX_O_NONBLOCK);
	case FILE_TMP:
		if ((f->flags & LX_O_ACCMODE) == LX_O_RDONLY)
			return -LX_EBADF;
		return tmp_rw(f, ubuf, n, true);
	case FILE_NULL:
		return (f->flags & LX_O_ACCMODE) == LX_O_RDONLY ? -LX_EBADF : (long)n;
	default:
		return -LX_EBADF;
	}
}

long file_lseek(struct file *f, int64_t off, int whence)
{
	int64_t base;

	if (f->kind == FILE_NULL)
		return 0;                  /* as Linux: any seek on /dev/null gives 0 */
	if (f->kind != FILE_TREE && f->kind != FILE_TMP)
		return (f->kind == FILE_DIR || f->kind == FILE_TMPDIR) && off == 0 && whence == 0 ?
		       (long)(f->off = 0) : -LX_ESPIPE;
	if (whence == 0)
		base = 0;
	else if (whence == 1)
		base = (int64_t)f->off;
	else if (whence == 2)
		base = (int64_t)(f->kind == FILE_TMP ? tmpfs_size(f->tmp) : f->node.size);
	else
		return -LX_EINVAL;
	if (off > INT64_MAX - base || base + off < 0)
		return -LX_EINVAL;
	f->off = (uint64_t)(base + off);
	return (long)f->off;
}

/* ---- readiness ----------------------------------------------------------------- */

unsigned file_poll(struct file *f, uint64_t *obj)
{
	struct pipe *p = f->pipe;

	*obj = 0;
	switch (f->kind) {
	case FILE_CONSOLE:
		*obj = (uint64_t)&tty;
		return LX_POLLOUT | LX_POLLWRNORM |
		       (tty.head != tty.tail || tty.eof ? LX_POLLIN | LX_POLLRDNORM : 0);
	case FILE_PIPE_R:
		*obj = (uint64_t)p;
		return (p->head != p->tail ? LX_POLLIN | LX_POLLRDNORM : 0) |
		       (p->writers ? 0 : LX_POLLHUP);
	case FILE_PIPE_W:
		*obj = (uint64_t)p;
		if (!p->readers)
			return LX_POLLERR;
		return p->tail - p->head < PIPE_SIZE ? LX_POLLOUT | LX_POLLWRNORM : 0;
	default:
		return LX_POLLIN | LX_POLLRDNORM | LX_POLLOUT | LX_POLLWRNORM;
	}
}

/* ---- metadata ---------------------------------------------------------------- */

static void stat_node(const struct ftree_node *n, struct lx_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = n->index == FTREE_ROOT ? 1 : n->index + 2;
	st->st_nlink = 1;
	st->st_mode = n->type == FTREE_DIR ? (LX_S_IFDIR | 0555) : (LX_S_IFREG | 0555);
	st->st_size = (int64_t)n->size;
	st->st_blksize = 4096;
	st->st_blocks = (int64_t)((n->size + 511) / 512);
}

int file_stat(struct file *f, struct lx_stat *st)
{
	if (f->kind == FILE_TREE || f->kind == FILE_DIR) {
		stat_node(&f->node, st);
		return 0;
	}
	memset(st, 0, sizeof(*st));
	st->st_nlink = 1;
	st->st_blksize = 4096;
	st->st_mode = f->kind == FILE_CONSOLE ? (LX_S_IFCHR | 0620) :
		      f->kind == FILE_NULL ? (LX_S_IFCHR | 0666) :
		      f->kind == FILE_DEVDIR ? (LX_S_IFDIR | 0555) :
		      f->kind == FILE_TMPDIR ? (LX_S_IFDIR | 01777) :
		      f->kind == FILE_TMP ? (LX_S_IFREG | 0666) : (LX_S_IFIFO | 0600);
	if (f->kind == FILE_TMP)
		st->st_size = (int64_t)tmpfs_size(f->tmp);
	st->st_rdev = f->kind == FILE_CONSOLE ? (5u << 8 | 1) : f->kind == FILE_NULL ? (1u << 8 | 3) : 0;
	return 0;
}

int path_stat(const char *path, struct lx_stat *st)
{
	int err = 0;
	struct file *f = file_open(path, LX_O_RDONLY, &err);

	if (!f)
		return err;
	err = file_stat(f, st);
	file_put(f);
	return err;
}

/* One dirent64 record into a kernel buffer; its length, or 0 if it does not fit. */
static size_t dirent_put(uint8_t *out, size_t room, uint64_t ino, int64_t off, uint8_t type,
			 const char *name, size_t len)
{
	struct lx_dirent64_head h = { .d_ino = ino, .d_off = off, .d_type = type };
	size_t rec = (sizeof(h) + len + 1 + 7) & ~7ull;

	if (rec > room)
		return 0;
	h.d_reclen = (uint16_t)rec;
	memset(out, 0, rec);
	memcpy(out, &h, sizeof(h));
	memcpy(out + sizeof(h), name, len);
	return rec;
}

static long tmpdir_getdents(struct file *f, uint64_t ubuf, uint8_t *kbuf, size_t room)
{
	size_t used = 0, rec;
	uint32_t cur = (uint32_t)f->off;
	const char *name;

	while ((name = tmpfs_next(&cur))) {
		rec = dirent_put(kbuf + used, room - used, 1000 + cur, cur, LX_DT_REG, name,
				 strlen(name));
		if (!rec)
			break;
		used += rec;
		f->off = cur;
	}
	if (!used && name)
		return -LX_EINVAL;
	return copy_to_user(ubuf, kbuf, used) ? -LX_EFAULT : (long)used;
}

int file_unlink(const char *path)
{
	struct ftree_node n;

	if (!strncmp(path, "/tmp/", 5))
		return tmpfs_unlink(path + 5);
	return files_lookup(path, &n) && strcmp(path, "/tmp") ? -LX_ENOENT : -LX_EROFS;
}

int file_rename(const char *from, const char *to, bool noreplace)
{
	struct ftree_node n;
	bool tmp_from = !strncmp(from, "/tmp/", 5), tmp_to = !strncmp(to, "/tmp/", 5);

	if (tmp_from && tmp_to)
		return tmpfs_rename(from + 5, to + 5, noreplace);
	if (tmp_from || tmp_to)
		return -LX_EXDEV;
	return files_lookup(from, &n) ? -LX_ENOENT : -LX_EROFS;
}

/* /dev's entries from f->off on, as many as fit; EINVAL when not even one does. */
static long devdir_getdents(struct file *f, uint64_t ubuf, uint8_t *kbuf, size_t room)
{
	static const char *const names[] = { "console", "null" };
	size_t used = 0, rec;

	while (f->off < 2) {
		const char *name = names[f->off];

		rec = dirent_put(kbuf + used, room - used, f->off + 2, (int64_t)f->off + 1,
				 LX_DT_CHR, name, strlen(name));
		if (!rec)
			break;
		used += rec;
		f->off++;
	}
	if (!used && f->off < 2)
		return -LX_EINVAL;
	return copy_to_user(ubuf, kbuf, used) ? -LX_EFAULT : (long)used;
}

long file_getdents64(struct file *f, uint64_t ubuf, size_t n)
{
	uint8_t kbuf[512];
	size_t used = 0, rec = 0, room = n < sizeof(kbuf) ? n : sizeof(kbuf);
	struct ftree_node c;
	uint32_t cur;
	bool end = false;

	if (f->kind == FILE_DEVDIR)
		return devdir_getdents(f, ubuf, kbuf, room);
	if (f->kind == FILE_TMPDIR)
		return tmpdir_getdents(f, ubuf, kbuf, room);
	if (f->kind != FILE_DIR)
		return -LX_ENOTDIR;
	for (;;) {
		cur = (uint32_t)f->off;
		if (ftree_next_child(files_tree(), &f->node, &cur, &c)) {
			end = true;
			break;
		}
		rec = dirent_put(kbuf + used, room - used, c.index + 2, cur,
				 c.type == FTREE_DIR ? LX_DT_DIR : LX_DT_REG, c.name, c.name_len);
		if (!rec)
			break;
		used += rec;
		f->off = cur;
	}
	if (!used && !end)
		return -LX_EINVAL;   /* the caller's buffer cannot hold one entry */
	return copy_to_user(ubuf, kbuf, used) ? -LX_EFAULT : (long)used;
}

long file_ioctl(struct file *f, uint64_t req, uint64_t arg)
{
	struct lx_winsize ws = { 25, 80, 0, 0 };
	unsigned cols = 0, rows = 0;

	if (f->kind != FILE_CONSOLE)
		return -LX_ENOTTY;
	switch (req) {
	case LX_TIOCGWINSZ:
		console_get_size(&cols, &rows);
		if (cols && rows) {
			ws.ws_col = (uint16_t)cols;
			ws.ws_row = (uint16_t)rows;
		}
		return copy_to_user(arg, &ws, sizeof(ws));
	case LX_TCGETS:
		return copy_to_user(arg, &tty.tio, sizeof(tty.tio));
	case LX_TCSETS:
	case LX_TCSETSW:
	case LX_TCSETSF:
		return copy_from_user(&tty.tio, arg, sizeof(tty.tio));
	default:
		return -LX_ENOTTY;
	}
}
