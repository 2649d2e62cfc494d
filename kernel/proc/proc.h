/*
 * Processes: a private user address space, a kernel stack, open files, and
 * the state machine free -> runnable <-> running -> zombie -> free (plus
 * sleeping while a system call waits). User programs run one slice at a
 * time inside the "procs" task of the kernel's executor: the task switches
 * to a runnable process's kernel stack, the process runs in ring 3 until it
 * blocks, exits or its CPU's timer tick preempts it (a 5 ms slice), and the task
 * then returns to the executor, which polls the other tasks (shell, input,
 * timers) before the next slice. There is one procs task per online CPU, so
 * as many processes run at once as there are CPUs; processes and async
 * tasks share each CPU in turns: see docs/proc.md.
 *
 * Context: one spinlock, the process lock (rank SPIN_RANK_PROC, outermost),
 * covers the table, every process's fields and the file layer. System
 * calls run with it held (and interrupts off) from entry to exit, except
 * the identity ones (getpid, gettid, the getuid family), which read only
 * the caller's own fields (kernel/proc/syscall.c: SYS_UNLOCKED); the
 * proc_* calls for kernel tasks (spawn, kill, wait_poll, reap, list,
 * foreground_leaf) take it themselves; proc_sleep_on, proc_wake_all,
 * proc_yield, proc_exit, proc_sys_kill expect it held.
 */
#ifndef EMBER_KERNEL_PROC_PROC_H
#define EMBER_KERNEL_PROC_PROC_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/arch.h"
#include "kernel/async/task.h"
#include "kernel/proc/signal.h"
#include "kernel/smp/percpu.h"

#define PROC_MAX          32           /* processes at once, zombies included */
#define PROC_MAX_FDS      32           /* open files per process */
#define PROC_MAX_PAGES    8192         /* user pages per process (32 MiB) */
#define PROC_KSTACK_PAGES 4            /* 16 KiB kernel stack */
#define PROC_STACK_TOP    0x00007ffffffff000ull
#define PROC_STACK_PAGES  32           /* 128 KiB user stack, mapped at exec */
#define PROC_MMAP_BASE    0x0000100000000000ull
#define PROC_SLICE_TICKS  5
#define PROC_NAME_MAX     16
#define PROC_EXE_MAX      256          /* the program's path, NUL included (PATH_MAX_LEN) */
#define PROC_SELF_EXE     "/proc/self/exe"   /* the one /proc name Ember answers */

enum proc_state { PROC_FREE, PROC_RUNNABLE, PROC_RUNNING, PROC_SLEEPING, PROC_ZOMBIE };

struct file;
struct interrupt_frame;

struct proc {
	int pid, ppid;
	enum proc_state state;
	char name[PROC_NAME_MAX];
	uint64_t root;                 /* address space (arch root table) */
	uint64_t kstack;               /* physical base of the kernel stack run */
	uint64_t ksp;                  /* saved kernel SP while not running */
	struct interrupt_frame *frame; /* user registers, top of the kernel stack */
	uint64_t fs_base;              /* TLS */
	uint64_t brk_start, brk;       /* program break: [brk_start, brk) */
	uint64_t mmap_next;            /* next address for anonymous mappings */
	uint64_t pages;                /* user pages mapped */
	uint64_t clear_tid;            /* set_tid_address (not used on exit yet) */
	int exit_status;               /* wait status once a zombie */
	int kill_sig;                  /* lowest pending unblocked signal, 0 if none (signal.h) */
	struct sig_state sig;          /* actions, blocked, pending */
	bool reaped_by_kernel;         /* started by the shell: the shell reaps it */
	struct waker exit_waker;       /* woken when it becomes a zombie */
	struct file *fd[PROC_MAX_FDS];
	bool cloexec[PROC_MAX_FDS];
	char cwd[64];
	char exe[PROC_EXE_MAX];        /* the path it was started from: /proc/self/exe */
	uint64_t ticks_user, ticks_sys;
	uint64_t slice_ticks;          /* kernel ticks in its current slice */
	unsigned cpu;                  /* the CPU it runs or last ran on */
	uint64_t wait_obj;             /* what a sleeping process waits for */
	/* x87/SSE registers while off the CPU: saved by proc_yield, loaded by load() */
	uint8_t fpu[ARCH_FPU_BYTES] __attribute__((aligned(ARCH_FPU_ALIGN)));
};

/* Hooks into the CPU, the procs task, the tick. Main flow, after sched_init. */
void proc_init(void);

/*
 * Starts path with argv/envp as a new process whose parent is the kernel
 * (the shell, or init=). Returns its pid or a negative Linux errno
 * (-LX_ENOENT, -LX_ENOEXEC with the reason printed, -LX_EAGAIN, -LX_ENOMEM).
 */
int proc_spawn(const char *path, const char *const *argv, int argc,
	       const char *const *envp, int envc);

/* Nobody will wait for pid (run ... &): its slot is freed when it ends. */
void proc_detach(int pid);

/*
 * path, or the current program's own path when path is PROC_SELF_EXE (busybox's
 * shell runs its applets by execve("/proc/self/exe"), glibc asks readlink for it).
 * Process lock held.
 */
const char *proc_exe_path(const char *path);

/* The process with pid, or NULL. */
struct proc *proc_find(int pid);

/* For the kernel's own children: ready when pid is a zombie; then reap it. */
enum task_poll proc_wait_poll(int pid, struct task_cx *cx);
int proc_reap(int pid);               /* its wait status; frees the slot */

/*
 * Whom Ctrl+C interrupts when pid runs in the foreground: its most recently
 * started live descendant (what a shell like esh is waiting for), else pid.
 */
int proc_foreground_leaf(int pid);

/*
 * Send sig to pid (kill): pending until its next return to ring 3, where a
 * handler runs or the default action is taken; a sleeping system call of
 * pid returns -EINTR first. 0 (sig 0: pid exists), -LX_ESRCH, -LX_EINVAL.
 */
int proc_kill(int pid, int sig);
/* The same from a system call (the process lock held). */
int proc_sys_kill(int pid, int sig);

/* The process lock, for the file layer's entries from kernel tasks (tty_input). */
unsigned long proc_lock_take(void);
void proc_lock_give(unsigned long flags);

/* Posts sig from pid from to p and wakes it if it now has one to take. */
bool proc_signal(struct proc *p, int sig, int from);

/* The process running on this CPU, NULL in kernel tasks. Inline: on every path. */
static inline struct proc *proc_current(void)
{
	return cpu_self()->current;
}

/* Blocking inside a system call: sleep on obj until proc_wake_all(obj). */
void proc_sleep_on(uint64_t obj);
void proc_wake_all(uint64_t obj);
/* Give up the rest of the slice (sched_yield, preemption). */
void proc_yield(void);

/* End the current process with a wait status. Never returns. */
__attribute__((noreturn)) void proc_exit(int status);

/* Map a fresh zeroed user page at va in the current process. 0 or -LX_ENOMEM / -LX_EINVAL. */
int proc_map_zero(struct proc *p, uint64_t va, unsigned flags);
/* Unmap and free the user page at va, if mapped. */
void proc_unmap(struct proc *p, uint64_t va);

/* execve for the current process: 0 never comes back on success (frame replaced). */
int proc_execve(const char *path, const char *const *argv, int argc,
		const char *const *envp, int envc);

/* fork: the child's pid or a negative errno. The child returns 0. */
int proc_fork(struct interrupt_frame *f);

/* wait4 of the current process: pid or -1 for any child. */
int proc_wait4(int pid, uint64_t ustatus, int options);

/* For the procs command: one line per process. */
void proc_list(void);

/* Process and frame figures, for tests. */
unsigned proc_count(void);

#endif
