/*
 * Running processes: one "procs" task per online CPU, each poll of which
 * runs one slice of one process (round robin), and the switch between
 * processes and runners (proc_yield). Every CPU; user code runs unlocked on
 * every CPU at once. The process lock is passed across arch_switch: a
 * process gives up the CPU with it held, the runner that resumes lets it go
 * (see proc_yield and run_slice).
 */
#include "kernel/arch.h"
#include "kernel/async/sched.h"
#include "kernel/mm/pmm.h"
#include "kernel/panic.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/proc_internal.h"
#include "kernel/smp/percpu.h"

static uint64_t switches_direct, switches_runner;
static uint64_t cpu_moves;      /* loads on another CPU than the last: the FPU state travelled */
static struct waker runner_wakers[SMP_MAX_CPUS];   /* the procs tasks' */
static unsigned runners;                            /* procs tasks spawned */

static enum task_poll procs_poll(void *state, struct task_cx *cx);

/*
 * One procs task per online CPU, so that as many processes run at once as
 * there are CPUs (a task is polled by one CPU at a time). Spawned as work
 * appears, since proc_init runs before the APs are started.
 */
static void spawn_runners(void)
{
	unsigned want = cpu_online_count();

	while (runners < want && runners < SMP_MAX_CPUS &&
	       sched_spawn("procs", procs_poll, (void *)(uintptr_t)runners, NULL) == 0)
		runners++;
}

/*
 * From a process (a system call) on a one-CPU machine no wake is needed:
 * the next yield or the procs task finds it, and a wake would put the procs
 * task in the ready queue, which sends every yield through the executor.
 * With several CPUs every runner is woken, so an idle CPU takes it.
 */
void proc_make_runnable(struct proc *p)
{
	p->state = PROC_RUNNABLE;
	if (proc_current() && cpu_online_count() == 1)
		return;
	spawn_runners();
	for (unsigned i = 0; i < runners; i++)
		waker_wake(&runner_wakers[i]);
}

/* Round robin over the used slots, starting after the last one picked. */
static struct proc *pick_next(void)
{
	static int last;
	int i = last;

	for (int k = 0; k < proc_slots_used; k++) {
		if (++i >= proc_slots_used)
			i = 0;
		if (proc_table[i].state == PROC_RUNNABLE) {
			last = i;
			return &proc_table[i];
		}
	}
	return NULL;
}

/* After a process left the CPU as a zombie: its memory back to the pool. */
static void release(struct proc *p)
{
	if (p->root) {
		arch_as_destroy(p->root);
		p->root = 0;
	}
	if (p->kstack) {
		pmm_free_run(p->kstack, PROC_KSTACK_PAGES);
		p->kstack = 0;
	}
	if (p->ppid < 0)
		proc_free_slot(p);     /* nobody will wait for it */
}

/* Makes p this CPU's running process: its address space, kernel stack, TLS, FPU state. */
static void load(struct cpu *c, struct proc *p)
{
	p->state = PROC_RUNNING;
	cpu_moves += p->cpu != c->index;
	p->cpu = c->index;
	c->current = p;
	c->need_resched = p->kill_sig ? RESCHED_SIGNAL : 0;   /* one that came while off the CPU */
	p->slice_ticks = 0;
	arch_as_activate(p->root);
	arch_set_kernel_stack(proc_kstack_top(p));
	arch_set_tls(p->fs_base);
	arch_fpu_restore(p->fpu);
}

/*
 * Called and returns with the process lock held. The lock is let go just
 * before the switch: p is RUNNING, so no other CPU picks it meanwhile. The
 * switch back comes from proc_yield or proc_exit on this CPU, which take
 * the lock before they switch: it is held again here. p's address space
 * is left (CR3 back to the kernel's) before a zombie's is freed, and no
 * other CPU has it loaded: a process runs on one CPU at a time.
 */
static void run_slice(struct cpu *c, struct proc *p)
{
	load(c, p);
	spin_unlock(&proc_lock, 0);           /* interrupts stay off */
	arch_switch(&c->sched_sp, p->ksp);
	p = c->current;             /* the last one that ran: processes switch among themselves */
	c->current = NULL;
	arch_as_activate(0);
	if (p->state == PROC_ZOMBIE)
		release(p);
}

static bool any_runnable(void)
{
	for (int i = 0; i < proc_slots_used; i++)
		if (proc_table[i].state == PROC_RUNNABLE)
			return true;
	return false;
}

/* A "procs" task (one per CPU): one slice of one process per poll, round robin. */
static enum task_poll procs_poll(void *state, struct task_cx *cx)
{
	unsigned long irq = spin_lock(&proc_lock);
	struct proc *p;

	runner_wakers[(uintptr_t)state] = cx->waker;
	p = pick_next();
	if (p)
		run_slice(cpu_self(), p);
	if (any_runnable())
		waker_wake(&cx->waker);
	spin_unlock(&proc_lock, irq);
	return TASK_PENDING;
}

/*
 * Off the CPU, with the process lock held (a system call, or
 * on_user_return). On a one-CPU machine with no kernel task ready, straight
 * to the next runnable process (or on with this one if it is the only one):
 * the procs task and the executor are only crossed when a task has
 * something to do, which a tick, an input or a timer makes sure of within a
 * slice; the lock is let go just before that switch, and with one CPU
 * nobody can pick p before the switch has saved it. Otherwise the lock stays
 * held across the switch to the runner, so no CPU picks p before its
 * context is saved; the runner lets it go. Whoever resumes p let the lock
 * go before switching to p, so p takes it again.
 */
void proc_yield(void)
{
	struct proc *p = proc_current(), *next = NULL;
	struct cpu *c = cpu_self();

	if (p->state == PROC_RUNNING)
		p->state = PROC_RUNNABLE;
	p->fs_base = arch_tls();
	arch_fpu_save(p->fpu);                /* the state travels with p, whichever CPU is next */
	if (cpu_online_count() == 1 && taskq_empty(&sched_executor()->ready))
		next = pick_next();
	if (next == p) {
		load(c, p);
		return;                       /* never left: the lock is still ours */
	}
	if (next) {
		switches_direct++;
		load(c, next);
		spin_unlock(&proc_lock, 0);   /* interrupts stay off */
		arch_switch(&p->ksp, next->ksp);
	} else {
		switches_runner++;
		arch_switch(&p->ksp, c->sched_sp);
	}
	(void)spin_lock(&proc_lock);          /* interrupts are off: no flag to keep */
}

void proc_sleep_on(uint64_t obj)
{
	struct proc *p = proc_current();

	if (p->kill_sig)
		return;
	p->wait_obj = obj;
	p->state = PROC_SLEEPING;
	proc_yield();
	p->wait_obj = 0;
}

void proc_wake_all(uint64_t obj)
{
	for (int i = 0; i < proc_slots_used; i++)
		if (proc_table[i].state == PROC_SLEEPING && proc_table[i].wait_obj == obj)
			proc_make_runnable(&proc_table[i]);
}

/* proc_init runs before the APs start: the first runner now, the others as work appears. */
void proc_run_init(void)
{
	unsigned long irq = spin_lock(&proc_lock);

	spawn_runners();
	spin_unlock(&proc_lock, irq);
	if (!runners)
		panic("proc: cannot spawn the procs task");
}

void proc_run_counts(uint64_t *direct, uint64_t *runner, uint64_t *moves)
{
	*direct = switches_direct;
	*runner = switches_runner;
	*moves = cpu_moves;
}
