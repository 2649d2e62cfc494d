/*
 * Signals as Linux x86_64 has them, enough for musl programs: per-process
 * actions (rt_sigaction), a blocked set (rt_sigprocmask), pending signals,
 * delivery on the way back to ring 3 (a handler gets a Linux rt_sigframe on
 * its stack, see sigframe.h) and rt_sigreturn, which checks the frame it is
 * handed back. Default actions: terminate, except SIGCHLD, SIGCONT, SIGURG,
 * SIGWINCH (ignored) and the stop signals (ignored: no job control).
 *
 * proc->kill_sig is the one flag the rest of the kernel tests: the lowest
 * pending signal that is not blocked (0 when none). Blocking system calls
 * return -EINTR when it is set; the return path delivers it. rt_sigsuspend
 * swaps the mask while it sleeps; the first handler frame after it saves the
 * mask from before, so rt_sigreturn brings that back (as Linux's saved_sigmask).
 *
 * Context: interrupts off (the process table's lock), on the process's own
 * kernel stack for anything touching a frame.
 */
#ifndef EMBER_KERNEL_PROC_SIGNAL_H
#define EMBER_KERNEL_PROC_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/proc/sigframe.h"

/* Bits of struct cpu's need_resched byte (the SYSCALL stub tests it for non-zero). */
#define RESCHED_YIELD       1   /* the slice is over */
#define RESCHED_SIGNAL      2   /* kill_sig may be set: deliver before ring 3 */
#define RESCHED_FULL_RETURN 4   /* every register restored (IRETQ, not SYSRET) */

struct proc;
struct interrupt_frame;

struct sig_note {                 /* what the handler's siginfo says */
	int32_t code, pid;
	uint64_t addr;
};

struct sig_state {
	uint64_t pending, blocked;    /* bit (n - 1) for signal n */
	uint64_t saved_blocked;       /* rt_sigsuspend: the mask to give back afterwards */
	bool suspended;               /* saved_blocked holds it (until the next delivery) */
	struct lx_sigaction act[SIG_MAX];
	struct sig_note note[SIG_MAX];
};

/*
 * Marks sig pending for p (unless its action ignores it, which drops it)
 * and recomputes p->kill_sig. true when p must be woken (a deliverable
 * signal now interrupts its sleep).
 */
bool signal_post(struct proc *p, int sig, int code, int from_pid, uint64_t addr);

/*
 * A fault's signal: a blocked or ignored one goes back to its default
 * action (so a fault inside a SIGSEGV handler kills). true when a
 * handler will run, false when the process must die of it.
 */
bool signal_force(struct proc *p, int sig, uint64_t addr);

/* p->kill_sig from pending & ~blocked; sets RESCHED_SIGNAL when p runs here. */
void signal_recalc(struct proc *p);

/* On the way to ring 3 with p->kill_sig set: run handlers, drop ignored, or exit. */
void signal_deliver(struct proc *p, struct interrupt_frame *f);

/* execve: handlers back to default (ignored stay ignored). fork: the child's copy. */
void signal_exec(struct sig_state *s);
void signal_fork(struct sig_state *child, const struct sig_state *parent);

#endif
