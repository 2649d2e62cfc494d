/*
 * The pieces of the Linux x86_64 user ABI that Ember's system calls speak:
 * error numbers (returned negated), open flags, stat, dirent64, utsname,
 * timespec, the terminal ioctls and wait status encoding. Values from the
 * Linux UAPI headers (asm-generic/errno-base.h, errno.h, fcntl.h,
 * asm/stat.h); names prefixed LX_ to stay clear of any host header.
 */
#ifndef EMBER_KERNEL_PROC_LINUX_ABI_H
#define EMBER_KERNEL_PROC_LINUX_ABI_H

#include <stdint.h>

#define LX_EPERM         1
#define LX_ENOENT        2
#define LX_ESRCH         3
#define LX_EINTR         4
#define LX_EIO           5
#define LX_E2BIG         7
#define LX_ENOEXEC       8
#define LX_EBADF         9
#define LX_ECHILD        10
#define LX_EAGAIN        11
#define LX_ENOMEM        12
#define LX_EACCES        13
#define LX_EFAULT        14
#define LX_EBUSY         16
#define LX_EEXIST        17
#define LX_EXDEV         18
#define LX_ENOTDIR       20
#define LX_EISDIR        21
#define LX_EINVAL        22
#define LX_EMFILE        24
#define LX_ENOTTY        25
#define LX_EFBIG         27
#define LX_ENOSPC        28
#define LX_ESPIPE        29
#define LX_EROFS         30
#define LX_EPIPE         32
#define LX_ERANGE        34
#define LX_ENAMETOOLONG  36
#define LX_ENOSYS        38
#define LX_ENOTEMPTY     39

#define LX_O_ACCMODE     3
#define LX_O_RDONLY      0
#define LX_O_WRONLY      1
#define LX_O_RDWR        2
#define LX_O_CREAT       0100
#define LX_O_TRUNC       01000
#define LX_O_APPEND      02000
#define LX_O_NONBLOCK    04000
#define LX_O_DIRECTORY   0200000
#define LX_O_CLOEXEC     02000000
#define LX_AT_FDCWD      (-100)
#define LX_AT_EMPTY_PATH 0x1000
#define LX_AT_SYMLINK_NOFOLLOW 0x100
#define LX_UTIME_NOW     ((1l << 30) - 1)
#define LX_UTIME_OMIT    ((1l << 30) - 2)
#define LX_AT_REMOVEDIR  0x200

#define LX_S_IFDIR       0040000
#define LX_S_IFREG       0100000
#define LX_S_IFCHR       0020000
#define LX_S_IFIFO       0010000

#define LX_SIGINT        2
#define LX_SIGKILL       9
#define LX_SIGSEGV       11
#define LX_SIGTERM       15
#define LX_SIGILL        4
#define LX_SIGFPE        8
#define LX_SIGBUS        7
#define LX_SIGTRAP       5

/* struct stat of x86_64 (asm/stat.h): 144 bytes. */
struct lx_stat {
	uint64_t st_dev, st_ino, st_nlink;
	uint32_t st_mode, st_uid, st_gid, pad0;
	uint64_t st_rdev;
	int64_t st_size, st_blksize, st_blocks;
	uint64_t st_atime, st_atime_ns, st_mtime, st_mtime_ns, st_ctime, st_ctime_ns;
	int64_t unused[3];
};
_Static_assert(sizeof(struct lx_stat) == 144, "x86_64 struct stat is 144 bytes");

struct lx_dirent64_head {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;           /* then the NUL-terminated name */
} __attribute__((packed));
#define LX_DT_CHR 2
#define LX_DT_DIR 4
#define LX_DT_REG 8

/* poll(2): struct pollfd and its event bits (asm-generic/poll.h). */
struct lx_pollfd { int32_t fd; int16_t events, revents; };
_Static_assert(sizeof(struct lx_pollfd) == 8, "struct pollfd is 8 bytes");
#define LX_POLLIN    0x001
#define LX_POLLPRI   0x002
#define LX_POLLOUT   0x004
#define LX_POLLERR   0x008
#define LX_POLLHUP   0x010
#define LX_POLLNVAL  0x020
#define LX_POLLRDNORM 0x040
#define LX_POLLWRNORM 0x100

struct lx_timespec { int64_t tv_sec, tv_nsec; };
struct lx_timeval { int64_t tv_sec, tv_usec; };

struct lx_utsname { char f[6][65]; };   /* sysname nodename release version machine domain */

/* sysinfo(2), x86_64 layout: sizes in units of mem_unit bytes. */
struct lx_sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint32_t pad2;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char reserved[4];
};
_Static_assert(sizeof(struct lx_sysinfo) == 112, "struct sysinfo is 112 bytes on x86_64");

struct lx_winsize { uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel; };
#define LX_TCGETS      0x5401
#define LX_TCSETS      0x5402
#define LX_TCSETSW     0x5403
#define LX_TCSETSF     0x5404
#define LX_TIOCGWINSZ  0x5413
#define LX_TIOCSWINSZ  0x5414
#define LX_TIOCGPGRP   0x540f
#define LX_FIONREAD    0x541b

/*
 * struct termios of the kernel ABI (TCGETS/TCSETS, asm-generic/termbits.h): 36 bytes, no
 * speeds. musl's user struct is 60 bytes and glibc's 60 too, but glibc copies through
 * a 36-byte kernel_termios on its stack: writing more there smashes its canary.
 */
struct lx_termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line, c_cc[19];
};
_Static_assert(sizeof(struct lx_termios) == 36, "the kernel's struct termios is 36 bytes");

struct lx_rlimit { uint64_t cur, max; };

/* wait status: exited with code c, or killed by signal s. */
#define LX_W_EXIT(c)   (((c) & 0xff) << 8)
#define LX_W_SIGNAL(s) ((s) & 0x7f)

#endif
