/*
 * How processes end and are collected: exit (descriptors closed, children
 * orphaned, parent woken), kill (a signal posted, a sleeper woken), and the
 * waits: wait4 for a process's children, proc_wait_poll/proc_reap/
 * proc_detach for the kernel's own (the shell's run). A zombie's memory is
 * freed by its runner after it left the CPU (proc_run.c), its slot here.
 *
 * Context: proc_exit, proc_sys_kill, proc_signal and proc_wait4 with the
 * process lock held (system calls, the CPU hooks); proc_kill,
 * proc_wait_poll, proc_detach and proc_reap from kernel tasks, which take it.
 */
#include "kernel/arch.h"
#include "kernel/panic.h"
#include "kernel/proc/file.h"
#include "kernel/proc/linux_abi.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/proc_internal.h"
#include "kernel/proc/signal.h"
#include "kernel/proc/uaccess.h"
#include "kernel/smp/percpu.h"

static void close_all(struct proc *p)
{
	for (int i = 0; i < PROC_MAX_FDS; i++) {
		if (p->fd[i])
			file_put(p->fd[i]);
		p->fd[i] = NULL;
	}
}

/* Children of a dying process: nobody will wait; zombies among them go now. */
static void orphan_children(struct proc *p)
{
	for (int i = 0; i < PROC_MAX; i++) {
		struct proc *q = &proc_table[i];

		if (q->state == PROC_FREE || q->ppid != p->pid)
			continue;
		q->ppid = -1;
		if (q->state == PROC_ZOMBIE && !q->root)
			proc_free_slot(q);
	}
}

/*
 * With the process lock held, which stays held across the switch away: the
 * runner this CPU returns to lets it go and frees the zombie's memory.
 */
void proc_exit(int status)
{
	struct proc *p = proc_current();
	struct proc *parent = p->ppid > 0 ? proc_find(p->ppid) : NULL;

	close_all(p);
	orphan_children(p);
	p->exit_status = status;
	p->state = PROC_ZOMBIE;
	if (parent) {
		proc_wake_all((uint64_t)parent);
		proc_signal(parent, LX_SIGCHLD, p->pid);   /* dropped unless it has a handler */
	}
	waker_wake(&p->exit_waker);
	arch_switch(&p->ksp, cpu_self()->sched_sp);
	panic("proc: a zombie ran again");
}

int proc_sys_kill(int pid, int sig)
{
	struct proc *p = proc_find(pid);
	int err = 0;

	if (!p || p->state == PROC_ZOMBIE)
		err = -LX_ESRCH;
	else if (sig < 0 || sig > 64)
		err = -LX_EINVAL;
	else if (sig)
		proc_signal(p, sig, proc_current() ? proc_current()->pid : 0);
	return err;
}

int proc_kill(int pid, int sig)
{
	unsigned long irq = spin_lock(&proc_lock);
	int err = proc_sys_kill(pid, sig);

	spin_unlock(&proc_lock, irq);
	return err;
}

/* Posts sig (as kill does, from pid from); wakes p when it now has one to take. */
bool proc_signal(struct proc *p, int sig, int from)
{
	if (!signal_post(p, sig, LX_SI_USER, from, 0))
		return false;
	if (p->state == PROC_SLEEPING)
		proc_make_runnable(p);
	return true;
}

enum task_poll proc_wait_poll(int pid, struct task_cx *cx)
{
	unsigned long irq = spin_lock(&proc_lock);
	struct proc *p = proc_find(pid);
	enum task_poll r = TASK_READY;

	if (p && p->state != PROC_ZOMBIE) {
		p->exit_waker = cx->waker;
		r = TASK_PENDING;
	}
	spin_unlock(&proc_lock, irq);
	return r;
}

void proc_detach(int pid)
{
	unsigned long irq = spin_lock(&proc_lock);
	struct proc *p = proc_find(pid);

	if (p) {
		p->ppid = -1;
		p->reaped_by_kernel = false;
		if (p->state == PROC_ZOMBIE && !p->root)
			proc_free_slot(p);      /* ended already */
	}
	spin_unlock(&proc_lock, irq);
}

int proc_reap(int pid)
{
	unsigned long irq = spin_lock(&proc_lock);
	struct proc *p = proc_find(pid);
	int status = -LX_ECHILD;

	if (p && p->state == PROC_ZOMBIE && !p->root) {
		status = p->exit_status;
		proc_free_slot(p);
	}
	spin_unlock(&proc_lock, irq);
	return status;
}

static struct proc *zombie_child(struct proc *me, int pid, bool *any)
{
	for (int i = 0; i < PROC_MAX; i++) {
		struct proc *q = &proc_table[i];

		if (q->state == PROC_FREE || q->ppid != me->pid || (pid > 0 && q->pid != pid))
			continue;
		*any = true;
		if (q->state == PROC_ZOMBIE && !q->root)
			return q;
	}
	return NULL;
}

int proc_wait4(int pid, uint64_t ustatus, int options)
{
	struct proc *me = proc_current(), *q;
	bool any;

	for (;;) {
		any = false;
		q = zombie_child(me, pid, &any);
		if (q) {
			int st = q->exit_status, id = q->pid;

			if (ustatus && copy_to_user(ustatus, &st, sizeof(st)))
				return -LX_EFAULT;
			proc_free_slot(q);
			return id;
		}
		if (!any)
			return -LX_ECHILD;
		if (options & 1)        /* WNOHANG */
			return 0;
		if (me->kill_sig)       /* a zombie first, then the interruption */
			return -LX_EINTR;
		proc_sleep_on((uint64_t)me);
	}
}
