/*
 * The kernel's executor and timer task (see sched.h): the platform is the
 * arch_* interrupt flag, sti;hlt and the TSC, this CPU's index and a wake-up
 * IPI for a CPU asleep in idle. Every online CPU runs the same executor.
 */
#include "kernel/arch.h"
#include "kernel/smp/percpu.h"
#include "kernel/time/clock.h"
#include "kernel/async/coro.h"
#include "kernel/panic.h"
#include "kernel/async/sched.h"

/* sti;hlt, with the time spent halted charged to this CPU's idle share. */
static void sched_idle(void)
{
	struct cpu *c = cpu_self();
	uint64_t start = arch_timestamp();

	__atomic_store_n(&c->idle_since, start, __ATOMIC_RELAXED);
	arch_irq_enable_and_wait();
	__atomic_store_n(&c->idle_since, 0, __ATOMIC_RELAXED);
	c->idle_tsc += arch_timestamp() - start;
}

static unsigned sched_cpu_index(void)
{
	return cpu_self()->index;
}

static void sched_kick(unsigned cpu)
{
	struct cpu *c = cpu_get(cpu);

	if (c)
		arch_cpu_wake(c);
}

static const struct task_platform kernel_platform = {
	.irq_save = arch_irq_save,
	.irq_restore = arch_irq_restore,
	.irq_enabled = arch_irq_enabled,
	.idle = sched_idle,
	.timestamp = arch_timestamp,
	.cpu_index = sched_cpu_index,
	.kick = sched_kick,
};

static struct task tasks[SCHED_MAX_TASKS];
static uint64_t queue[SCHED_MAX_TASKS];      /* a power of two >= the table */
static struct executor ex;

static struct timer *timer_heap[SCHED_MAX_TIMERS];
static struct timer_queue timers;      /* has its own lock: tasks on any CPU sleep */
static struct atomic_waker timer_waker;
static struct sched_stats stats;

_Static_assert((SCHED_MAX_TASKS & (SCHED_MAX_TASKS - 1)) == 0,
	       "the ready queue must be a power of two");

/* Interrupt context, every tick: wake the timer task once a deadline passed. */
static void sched_tick(void *ctx)
{
	(void)ctx;
	if (clock_ticks() >= timer_next_deadline(&timers)) {
		stats.timer_wakes++;
		atomic_waker_wake(&timer_waker);
	}
}

/*
 * The timer task: register first, then expire what is due, so a tick that
 * lands in between wakes it again. Never finishes.
 */
static enum task_poll timer_task_poll(void *state, struct task_cx *cx)
{
	(void)state;
	atomic_waker_register(&timer_waker, &cx->waker);
	stats.timer_runs++;
	stats.timers_fired += timer_tick(&timers, clock_ticks());
	return TASK_PENDING;
}

void sched_init(void)
{
	if (executor_init(&ex, &kernel_platform, tasks, SCHED_MAX_TASKS,
			  queue, SCHED_MAX_TASKS) < 0)
		panic("sched: executor_init failed");
	if (timer_queue_init(&timers, timer_heap, SCHED_MAX_TIMERS, clock_ticks()) < 0)
		panic("sched: timer_queue_init failed");
	atomic_waker_init(&timer_waker);
	if (sched_spawn("timer", timer_task_poll, NULL, NULL) < 0)
		panic("sched: cannot spawn the timer task");
	if (clock_add_tick_callback(sched_tick, NULL) < 0)
		panic("sched: no room for the tick callback");
}

int sched_spawn(const char *name, task_poll_fn *poll, void *state,
		struct task_handle *out)
{
	return executor_spawn(&ex, name, poll, state, out);
}

void sched_run(void)
{
	arch_irq_enable();
	for (;;)
		executor_run(&ex);      /* returns only on executor_stop */
}

/*
 * An application processor's life once it is online: the same executor.
 * executor_run returns when no task is left (or on executor_stop); the CPU
 * then sleeps until a push kicks it or an interrupt arrives, and looks again.
 */
void sched_run_ap(void)
{
	arch_irq_enable();
	for (;;) {
		executor_run(&ex);
		executor_idle(&ex);
	}
}

struct executor *sched_executor(void)
{
	return &ex;
}

struct timer_queue *sched_timers(void)
{
	return &timers;
}

void sched_sleep_ms(struct timer_sleep *s, uint64_t ms)
{
	uint64_t hz = clock_tick_hz();
	uint64_t ticks = (ms * hz + 999) / 1000;

	timer_sleep_until(s, &timers, clock_ticks() + ticks);
}

void sched_get_stats(struct sched_stats *out)
{
	*out = stats;
}
