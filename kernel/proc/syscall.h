/*
 * System calls: the Linux x86_64 numbers and semantics that static musl
 * programs use, one table line per call (syscall.c). Every handler takes
 * the six raw arguments and returns a value or a negated LX_E* code; user
 * memory only through uaccess.h. Numbers without a handler return -ENOSYS
 * and are counted per number (the shell's syscalls command lists them).
 *
 * Context: the calling process's kernel stack, its address space loaded,
 * interrupts off (SYSCALL masks them); handlers may sleep (proc_sleep_on).
 */
#ifndef EMBER_KERNEL_PROC_SYSCALL_H
#define EMBER_KERNEL_PROC_SYSCALL_H

#include <stdint.h>

#define SYSCALL_MAX 336                 /* numbers the table covers */

struct interrupt_frame;

typedef long syscall_fn(const uint64_t a[6], struct interrupt_frame *f);

/* The arch's SYSCALL hook: the handler for nr, or -ENOSYS (counted). */
long syscall_dispatch(const uint64_t a[6], struct interrupt_frame *f, uint64_t nr);

/* Calls made, and the -ENOSYS ones by number, for the shell. */
void syscall_print_stats(void);
uint64_t syscall_total(void);

/* Handlers of sys_file.c (file descriptors and paths). */
syscall_fn sys_read, sys_write, sys_readv, sys_writev, sys_open, sys_openat, sys_close,
	sys_lseek, sys_fstat, sys_stat, sys_newfstatat, sys_getdents64, sys_getcwd,
	sys_chdir, sys_dup, sys_dup2, sys_dup3, sys_pipe, sys_pipe2, sys_fcntl, sys_ioctl,
	sys_access, sys_readlink, sys_unlink, sys_unlinkat, sys_utimensat, sys_rename,
	sys_renameat, sys_renameat2;
/* Handler of sys_poll.c. */
syscall_fn sys_poll;
/* Handlers of signal.c. */
syscall_fn sys_rt_sigaction, sys_rt_sigprocmask, sys_rt_sigreturn, sys_rt_sigsuspend, sys_tkill,
	sys_tgkill;

#endif
