/*
 * File system calls (see syscall.h): descriptors, paths, pipes, the
 * console's ioctls. Descriptors index the current process's fd[] table.
 */
#include "kernel/arch.h"
#include "kernel/proc/file.h"
#include "kernel/proc/linux_abi.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/syscall.h"
#include "kernel/proc/uaccess.h"
#include "lib/string.h"

#define IO_MAX      (1ull << 30)   /* bytes one read or write may ask for */
#define IOV_MAX     1024
#define F_DUPFD     0
#define F_GETFD     1
#define F_SETFD     2
#define F_GETFL     3
#define F_SETFL     4
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC  1

struct iovec_u { uint64_t base, len; };

static struct file *arg_file(uint64_t fd)
{
	struct proc *p = proc_current();

	return fd < PROC_MAX_FDS ? p->fd[fd] : NULL;
}

/* The lowest free descriptor >= from for f (a reference the caller gives away). */
static long fd_install(struct file *f, uint64_t from, bool cloexec)
{
	struct proc *p = proc_current();

	for (uint64_t i = from; i < PROC_MAX_FDS; i++) {
		if (!p->fd[i]) {
			p->fd[i] = f;
			p->cloexec[i] = cloexec;
			return (long)i;
		}
	}
	file_put(f);
	return -LX_EMFILE;
}

/* A user path, made absolute against dirfd (AT_FDCWD: the working directory). */
static int arg_path(uint64_t dirfd, uint64_t upath, char *out)
{
	char raw[PATH_MAX_LEN], base[PATH_MAX_LEN];
	struct proc *p = proc_current();
	struct file *d;
	long n = strncpy_from_user(raw, upath, sizeof(raw));

	if (n < 0)
		return (int)n;
	if (raw[0] == '/' || (int)dirfd == LX_AT_FDCWD)
		return path_normalise(p->cwd, raw, out, PATH_MAX_LEN);
	d = arg_file(dirfd);
	if (!d)
		return -LX_EBADF;
	if (d->kind != FILE_DIR)
		return -LX_ENOTDIR;
	base[0] = '/';
	memcpy(base + 1, d->node.name, d->node.name_len);
	base[1 + d->node.name_len] = '\0';
	return path_normalise(base, raw, out, PATH_MAX_LEN);
}

long sys_read(const uint64_t a[6], struct interrupt_frame *fr)
{
	struct file *f = arg_file(a[0]);

	if (!f)
		return -LX_EBADF;
	if (a[2] > IO_MAX || !uaccess_range_ok(a[1], a[2]))
		return -LX_EFAULT;
	return file_read(f, a[1], a[2]);
}

long sys_write(const uint64_t a[6], struct interrupt_frame *fr)
{
	struct file *f = arg_file(a[0]);

	if (!f)
		return -LX_EBADF;
	if (a[2] > IO_MAX || !uaccess_range_ok(a[1], a[2]))
		return -LX_EFAULT;
	return file_write(f, a[1], a[2]);
}

static long vector_io(const uint64_t a[6], bool write)
{
	struct file *f = arg_file(a[0]);
	struct iovec_u v;
	long total = 0, r;

	if (!f)
		return -LX_EBADF;
	if (a[2] > IOV_MAX)
		return -LX_EINVAL;
	for (uint64_t i = 0; i < a[2]; i++) {
		if (copy_from_user(&v, a[1] + i * sizeof(v), sizeof(v)))
			return total ? total : -LX_EFAULT;
		if (v.len > IO_MAX || !uaccess_range_ok(v.base, v.len))
			return total ? total : -LX_EFAULT;
		if (!v.len)
			continue;
		r = write ? file_write(f, v.base, v.len) : file_read(f, v.base, v.len);
		if (r < 0)
			return total ? total : r;
		total += r;
		if ((uint64_t)r < v.len)
			break;
	}
	return total;
}

long sys_readv(const uint64_t a[6], struct interrupt_frame *fr)
{
	return vector_io(a, false);
}

long sys_writev(const uint64_t a[6], struct interrupt_frame *fr)
{
	return vector_io(a, true);
}

long sys_openat(const uint64_t a[6], struct interrupt_frame *fr)
{
	char path[PATH_MAX_LEN];
	int err = arg_path(a[0], a[1], path);
	struct file *f;

	if (err)
		return err;
	f = file_open(path, (int)a[2], &err);
	if (!f)
		return err;
	return fd_install(f, 0, a[2] & LX_O_CLOEXEC);
}

long sys_open(const uint64_t a[6], struct interrupt_frame *fr)
{
	uint64_t b[6] = { (uint64_t)(int64_t)LX_AT_FDCWD, a[0], a[1], a[2], 0, 0 };

	return sys_openat(b, fr);
}

long sys_close(const uint64_t a[6], struct interrupt_frame *fr)
{
	struct proc *p = proc_current();
	struct file *f = arg_file(a[0]);

	if (!f)
		return -LX_EBADF;
	p->fd[a[0]] = NULL;
	file_put(f);
	return 0;
}

long sys_lseek(const uint64_t a[6], struct interrupt_frame *fr)
{
	struct file *f = arg_file(a[0]);

	return f ? file_lseek(f, (int64_t)a[1], (int)a[2]) : -LX_EBADF;
}

long sys_fstat(const uint64_t a[6], struct interrupt_frame *fr)
{
	struct file *f = arg_file(a[0]);
	struct lx_stat st;

	if (!f)
		return -LX_EBADF;
	file_stat(f, &st);
	return copy_to_user(a[1], &st, sizeof(st));
}

long sys_newfstatat(const uint64_t a[6], struct interrupt_frame *fr)
{
	char path[PATH_MAX_LEN], first;
	struct lx_stat st;
	int err;

	if ((a[3] & LX_AT_EMPTY_PATH) && !copy_from_user(&first, a[1], 1) && !first) {
		uint64_t b[6] = { a[0], a[2], 0, 0, 0, 0 };
		return sys_fstat(b, fr);
	}
	err = arg_path(a[0], a[1], path);
	if (!err)
		err = path_stat(path, &st);
	return err ? err : copy_to_user(a[2], &st, sizeof(st));
}

long sys_stat(const uint64_t a[6], struct interrupt_frame *fr)
{
	uint64_t b[6] = { (uint64_t)(int64_t)LX_AT_FDCWD, a[0], a[1], 0, 0, 0 };

	return sys_newfstatat(b, fr);
}

long sys_access(const uint64_t a[6], struct interrupt_frame *fr)
{
	char path[PATH_MAX_LEN];
	struct lx_stat st;
	int err = arg_path((uint64_t)(int64_t)LX_AT_FDCWD, a[0], path);

	if (!err)
		err = path_stat(path, &st);
	if (!err && (a[1] & 2) && !(st.st_mode & 0200))
		err = -LX_EROFS;    /* W_OK: the tree is read-only; /tmp and the console are not */
	return err;
}

/* The times utimensat was handed: NULL (now) or two timespecs, each nsec < 1e9 or UTIME_*. */
static int utime_args_ok(uint64_t utimes)
{
	struct lx_timespec t[2];

	if (!utimes)
		return 0;
	if (copy_from_user(t, utimes, sizeof(t)))
		return -LX_EFAULT;
	for (int i = 0; i < 2; i++)
		if (t[i].tv_nsec != LX_UTIME_NOW && t[i].tv_nsec != LX_UTIME_OMIT &&
		    (t[i].tv_nsec < 0 || t[i].tv_nsec >= 1000000000))
			return -LX_EINVAL;
	return 0;
}

/*
 * utimensat(dirfd, path, times, flags): Ember keeps no file times, so a file that may be
 * written (/tmp, the console, /dev/null) takes any time and keeps none; the tree is
 * EROFS. path NULL is futimens on dirfd. Lets busybox's touch create /tmp files.
 */
long sys_utimensat(const uint64_t a[6], struct interrupt_frame *fr)
{
	char path[PATH_MAX_LEN];
	struct lx_stat st;
	struct file *f;
	int err;

	if (a[3] & ~(uint64_t)(LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH))
		return -LX_EINVAL;
	err = utime_args_ok(a[2]);
	if (err)
		return err;
	if (!a[1]) {
		f = arg_file(a[0]);
		err = f ? file_stat(f, &st) : -LX_EBADF;
	} else {
		err = arg_path(a[0], a[1], path);
		if (!err)
			err = path_stat(path, &st);
	}
	if (!err && !(st.st_mode & 0200))
		err = -LX_EROFS;
	return err;
}

/* renameat2(olddirfd, old, newdirfd, new, flags): flags 0 or RENAME_NOREPLACE (1). */
long sys_renameat2(const uint64_t a[6], struct interrupt_frame *fr)
{
	char from[PATH_MAX_LEN], to[PATH_MAX_LEN];
	int err;

	if (a[4] & ~1ull)
		return -LX_EINVAL;
	err = arg_path(a[0], a[1], from);
	if (!err)
		err = arg_path(a[2], a[3], to);
	return err ? err : file_rename(from, to, a[4] & 1);
}

long sys_renameat(const uint64_t a[6], struct interrupt_frame *fr)
{
	uint64_t b[6] = { a[0], a[1], a[2], a[3], 0, 0 };

	return sys_renameat2(b, fr);
}

long sys_rename(const uint64_t a[6], struct interrupt_frame *fr)
{
	uint64_t b[6] = { (uint64_t)(int64_t)LX_AT_FDCWD, a[0], (uint64_t)(int64_t)LX_AT_FDCWD, a[1],
			  0, 0 };

	return sys_renameat2(b, fr);
}

long sys_unlinkat(const uint64_t a[6], struct interrupt_frame *fr)
{
	char path[PATH_MAX_LEN];
	int err = arg_path(a[0], a[1], path);

	if (a[2] & ~(uint64_t)LX_AT_REMOVEDIR)
		return -LX_EINVAL;
	return err ? err : file_unlink(path);
}

long sys_unlink(const uint64_t a[6], struct interrupt_frame *fr)
{
	uint64_t b[6] = { (uint64_t)(int64_t)LX_AT_FDCWD, a[0], 0, 0, 0, 0 };

	return sys_unlinkat(b, fr);
}

/*
 * readlink(path, buf, size): no symbolic links (EINVAL), but /proc/self/exe reads as
 * the program's path, cut to size without a NUL, as Linux does.
 */
long sys_readlink(const uint64_t a[6], struct interrupt_frame *fr)
{
	char path[PATH_MAX_LEN];
	const char *exe;
	int err = arg_path((uint64_t)(int64_t)LX_AT_FDCWD, a[0], path);
	size_t n;

	if (err)
		return err;
	if ((int)a[2] <= 0)
		return -LX_EINVAL;
	exe = proc_exe_path(path);
	if (exe == path)
		return -LX_EINVAL;
	n = strlen(exe) < (size_t)(int)a[2] ? strlen(exe) : (size_t)(int)a[2];
	return copy_to_user(a[1], exe, n) ? -LX_EFAULT : (long)n;
}

long sys_getdents64(const uint64_t a[6], struct interrupt_frame *fr)
{
	struct file *f = arg_file(a[0]);

	if (!f)
		return -LX_EBADF;
	if (!uaccess_range_ok(a[1], a[2]))
		return -LX_EFAULT;
	return file_getdents64(f, a[1], a[2]);
}

long sys_getcwd(const uint64_t a[6], struct interrupt_frame *fr)
{
	struct proc *p = proc_current();
	size_t n = strlen(p->cwd) + 1;

	if (a[1] < n)
		return -LX_ERANGE;
	return copy_to_user(a[0], p->cwd, n) ? -LX_EFAULT : (long)n;
}

long sys_chdir(const uint64_t a[6], struct interrupt_frame *fr)
{
	char path[PATH_MAX_LEN];
	struct proc *p = proc_current();
	struct lx_stat st;
	int err = arg_path((uint64_t)(int64_t)LX_AT_FDCWD, a[0], path);

	if (!err)
		err = path_stat(path, &st);
	if (!err && !(st.st_mode & LX_S_IFDIR))
		err = -LX_ENOTDIR;
	if (!err && strlen(path) >= sizeof(p->cwd))
		err = -LX_ENAMETOOLONG;
	if (!err)
		memcpy(p->cwd, path, strlen(path) + 1);
	return err;
}

long sys_dup(const uint64_t a[6], struct interrupt_frame *fr)
{
	struct file *f = arg_file(a[0]);

	return f ? fd_install(file_get(f), 0, false) : -LX_EBADF;
}

long sys_dup3(const uint64_t a[6], struct interrupt_frame *fr)
{
	struct proc *p = proc_current();
	struct file *f = arg_file(a[0]);

	if (!f || a[1] >= PROC_MAX_FDS)
		return -LX_EBADF;
	if (a[2] & ~(uint64_t)LX_O_CLOEXEC)
		return -LX_EINVAL;
	if (a[0] == a[1])
		return -LX_EINVAL;
	if (p->fd[a[1]])
		file_put(p->fd[a[1]]);
	p->fd[a[1]] = file_get(f);
	p->cloexec[a[1]] = a[2] & LX_O_CLOEXEC;
	return (long)a[1];
}

long sys_dup2(const uint64_t a[6], struct interrupt_frame *fr)
{
	uint64_t b[6] = { a[0], a[1], 0, 0, 0, 0 };

	if (!arg_file(a[0]))
		return -LX_EBADF;
	if (a[0] == a[1])
		return (long)a[1];
	return sys_dup3(b, fr);
}

long sys_pipe2(const uint64_t a[6], struct interrupt_frame *fr)
{
	struct proc *p = proc_current();
	struct file *r, *w;
	int fds[2];
	long err;
	bool ce = a[1] & LX_O_CLOEXEC;

	if (a[1] & ~(uint64_t)(LX_O_CLOEXEC | LX_O_NONBLOCK))
		return -LX_EINVAL;
	if (!uaccess_range_ok(a[0], sizeof(fds)))
		return -LX_EFAULT;
	if (file_pipe(&r, &w, (int)(a[1] & LX_O_NONBLOCK)))
		return -LX_ENOMEM;
	err = fd_install(r, 0, ce);
	if (err < 0) {
		file_put(w);
		return err;
	}
	fds[0] = (int)err;
	err = fd_install(w, 0, ce);
	if (err < 0) {
		sys_close((uint64_t[6]){ (uint64_t)fds[0] }, fr);
		return err;
	}
	fds[1] = (int)err;
	if (copy_to_user(a[0], fds, sizeof(fds))) {
		p->fd[fds[0]] = p->fd[fds[1]] = NULL;
		file_put(r);
		file_put(w);
		return -LX_EFAULT;
	}
	return 0;
}

long sys_pipe(const uint64_t a[6], struct interrupt_frame *fr)
{
	uint64_t b[6] = { a[0], 0, 0, 0, 0, 0 };

	return sys_pipe2(b, fr);
}

long sys_fcntl(const uint64_t a[6], struct interrupt_frame *fr)
{
	struct proc *p = proc_current();
	struct file *f = arg_file(a[0]);

	if (!f)
		return -LX_EBADF;
	switch (a[1]) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (a[2] >= PROC_MAX_FDS)
			return -LX_EINVAL;
		return fd_install(file_get(f), a[2], a[1] == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return p->cloexec[a[0]] ? FD_CLOEXEC : 0;
	case F_SETFD:
		p->cloexec[a[0]] = a[2] & FD_CLOEXEC;
		return 0;
	case F_GETFL:
		return f->flags;
	case F_SETFL:
		f->flags = (f->flags & ~LX_O_NONBLOCK) | (int)(a[2] & LX_O_NONBLOCK);
		return 0;
	default:
		return -LX_EINVAL;
	}
}

long sys_ioctl(const uint64_t a[6], struct interrupt_frame *fr)
{
	struct file *f = arg_file(a[0]);

	return f ? file_ioctl(f, a[1], a[2]) : -LX_EBADF;
}
