/*
 * The kernel's executor: one struct executor (kernel/async/task.h) over a static
 * table of SCHED_MAX_TASKS tasks, on the real CPU (interrupt flag, sti;hlt,
 * TSC), plus the kernel's timer queue (kernel/async/timer.h) counted in timer
 * ticks and the timer task that drives it.
 *
 * Timers: a tick callback (interrupt context) compares the tick count with
 * timer_next_deadline and, once it has passed, wakes the timer task through
 * an atomic waker; that task calls timer_tick(clock_ticks()). Tasks sleep
 * with sched_sleep_ms + timer_sleep_poll.
 *
 * Context: sched_init once in kernel_main, after the clock, with interrupts
 * either way. sched_spawn and the sleep helpers from task context (or the
 * main flow before sched_run). sched_run is the kernel's last call.
 */
#ifndef EMBER_KERNEL_SCHED_H
#define EMBER_KERNEL_SCHED_H

#include <stdint.h>

#include "kernel/async/task.h"
#include "kernel/async/timer.h"
#include "lib/compiler.h"

#define SCHED_MAX_TASKS  64
#define SCHED_MAX_TIMERS 64   /* pending at once: one per task */

/* Set up the executor, the timer queue and the timer task. Panics on failure. */
void sched_init(void);

/* executor_spawn on the kernel's executor: 0, -E_INVAL or -E_NOSPC. */
int sched_spawn(const char *name, task_poll_fn *poll, void *state,
		struct task_handle *out);

/* Run tasks for good; the CPU halts whenever none is ready. */
__noreturn void sched_run(void);
/* The same, on an application processor once it is online (kernel/smp). */
__noreturn void sched_run_ap(void);

/* The kernel's executor and timer queue, for statistics and tests. */
struct executor *sched_executor(void);
struct timer_queue *sched_timers(void);

/* Prepare s to sleep ms milliseconds from now (rounded up to whole ticks). */
void sched_sleep_ms(struct timer_sleep *s, uint64_t ms);

/* Timer-task figures: tick interrupts that woke it, and timer_tick calls. */
struct sched_stats {
	uint64_t timer_wakes;
	uint64_t timer_runs;
	uint64_t timers_fired;
};
void sched_get_stats(struct sched_stats *out);

#endif
