/*
 * What the CPU calls into the process layer (arch_user_hooks, and the local
 * timer's tick): every return to ring 3 (pending signals, the end of a
 * slice), exceptions from ring 3 (the signal Linux would send), a process
 * killed from the copy-on-write fault path; and proc_init, which installs
 * them.
 *
 * Context: the hooks run with interrupts off (on_tick in interrupt context:
 * it only counts); on_user_return and on_user_fault take the process lock,
 * on_user_kill takes it only when called from ring 3. proc_init: main flow,
 * after sched_init.
 */
#include "kernel/arch.h"
#include "kernel/kprintf.h"
#include "kernel/panic.h"
#include "kernel/proc/linux_abi.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/proc_internal.h"
#include "kernel/proc/signal.h"
#include "kernel/proc/syscall.h"
#include "kernel/smp/percpu.h"
#include "kernel/time/clock.h"
#include "lib/string.h"

/* Every return to ring 3 (interrupts off): pending kill, end of the slice. */
static void on_user_return(struct interrupt_frame *f)
{
	struct proc *p = proc_current();
	unsigned long irq;

	if (!p || (!__atomic_load_n(&p->kill_sig, __ATOMIC_RELAXED) && !cpu_self()->need_resched))
		return;
	irq = spin_lock(&proc_lock);
	for (;;) {
		if (p->kill_sig)
			signal_deliver(p, f);
		if (!(cpu_self()->need_resched & RESCHED_YIELD))
			break;
		cpu_self()->need_resched = 0;
		proc_yield();       /* a signal may come meanwhile: look again */
	}
	cpu_self()->need_resched = 0;   /* re-read: proc_yield may have moved p to another CPU */
	spin_unlock(&proc_lock, irq);
}

static bool contains(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (; *s; s++)
		if (!strncmp(s, word, n))
			return true;
	return false;
}

/* The signal Linux would send for an exception, from its report. */
static int fault_signal(const char *what)
{
	if (contains(what, "ivide") || contains(what, "floating-point"))
		return LX_SIGFPE;
	if (contains(what, "pcode"))
		return LX_SIGILL;
	if (contains(what, "out of memory"))
		return LX_SIGKILL;
	return LX_SIGSEGV;
}

static void on_user_fault(struct interrupt_frame *f, const char *what)
{
	struct proc *p = proc_current();
	uint64_t err, addr;
	unsigned long irq;

	if (!p)
		panic("proc: a ring 3 exception with no process: %s", what);
	arch_frame_trap(f, &err, &addr);
	irq = spin_lock(&proc_lock);   /* proc_exit switches away; the runner lets it go */
	if (signal_force(p, fault_signal(what), addr)) {
		spin_unlock(&proc_lock, irq);
		return;             /* its handler runs on the way out */
	}
	kprintf("proc: %d (%s) killed: %s\n", p->pid, p->name, what);
	proc_exit(LX_W_SIGNAL(fault_signal(what)));
}

/*
 * Out of memory for a copy-on-write page: the process ends on its way back
 * to ring 3. From ring 3 the process lock is taken here; from a user copy
 * inside a system call this CPU holds it already.
 */
static void on_user_kill(const char *what, bool from_ring3)
{
	struct proc *p = proc_current();
	unsigned long irq = 0;

	if (!p)
		panic("proc: %s with no process", what);
	if (from_ring3)
		irq = spin_lock(&proc_lock);
	kprintf("proc: %d (%s) killed: %s\n", p->pid, p->name, what);
	signal_post(p, LX_SIGKILL, LX_SI_KERNEL, 0, 0);   /* never blocked nor caught */
	if (from_ring3)
		spin_unlock(&proc_lock, irq);
}

/*
 * Every tick of this CPU's own timer (interrupt context): charge the
 * process running here and end its slice. Counted in the kernel's ticks
 * (the BSP's rate), so an AP's slower tick counts several.
 */
static void on_tick(void)
{
	struct cpu *c = cpu_self();
	struct proc *p = c->current;
	uint64_t hz = clock_tick_hz(), n;

	if (!p)
		return;
	n = c->tick_hz && c->tick_hz < hz ? hz / c->tick_hz : 1;
	p->ticks_user += n;
	p->slice_ticks += n;
	if (p->slice_ticks >= PROC_SLICE_TICKS)
		c->need_resched |= RESCHED_YIELD;
}

static const struct arch_user_hooks hooks = {
	.syscall = syscall_dispatch,   /* takes the process lock itself */
	.user_return = on_user_return,
	.user_fault = on_user_fault,
	.user_kill = on_user_kill,
};

void proc_init(void)
{
	arch_user_init(&hooks);
	proc_fork_init();           /* frame reference counts; fork.cow= */
	arch_timer_set_local_tick(on_tick);
	proc_run_init();            /* the first procs task */
}
