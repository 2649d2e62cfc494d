/*
 * Cooperative tasks: the C counterpart of Rust's futures, wakers and the
 * blog's executor (the async chapter of the docs maps one onto the other).
 *
 * A task is a poll function plus the state it works on. The executor calls
 * poll(state, cx); poll does what it can and returns TASK_READY (finished) or
 * TASK_PENDING, having first arranged for cx->waker to be woken when it can
 * go on (coro.h lets it resume in the middle of a loop). Waking puts
 * the task's slot on the ready queue unless it is queued already, so a storm
 * of wake-ups costs one poll. Waking is lock-free (an atomic or on the
 * task's run state, then an atomic push): interrupts stay enabled.
 *
 * Every CPU runs the same executor (docs/smp.md): one ready queue that any
 * CPU pops (lock-free), one task table. A task's run state (struct task's
 * queued: TASK_IDLE, TASK_QUEUED, TASK_RUNNING, TASK_RUNNING_WOKEN) makes
 * sure it is polled by one CPU at a time and that a wake-up that lands
 * while it is being polled, from any CPU, polls it again afterwards: never
 * lost, never two polls at once. After a push, a CPU that sleeps in idle is
 * woken through the platform's kick (an IPI in the kernel).
 *
 * Tasks live in a table the caller provides at executor_init (no heap); a
 * task's state is the spawner's memory and must stay put until the task
 * finishes. A waker names its task by table slot and generation: the
 * generation is odd while the task is alive and moves on when it finishes,
 * so a waker kept past the end of its task wakes nothing (counted as
 * stale_wakes), nor the task spawned into the slot after it. A zeroed
 * waker (WAKER_NOOP) is valid and does nothing.
 *
 * The executor reaches the CPU only through struct task_platform, to go
 * idle without losing a wake-up and to read the clock: the kernel's uses
 * arch_irq_save/restore, sti;hlt and the TSC; host tests use fakes.
 *
 * Context: waker_wake and atomic_waker_wake from anywhere, interrupt
 * handlers included. Everything else from task context (a poll function, or
 * the executor's own thread before executor_run), on any CPU:
 * executor_spawn, the join future, atomic_waker_register. The table's free
 * list and the join lists are under the executor's spinlock.
 */
#ifndef EMBER_KERNEL_TASK_H
#define EMBER_KERNEL_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/async/taskq.h"
#include "kernel/smp/spinlock.h"
#include "lib/compiler.h"

#define TASK_MAX   TASKQ_MAX_CAP	/* most slots a table may have */
#define TASK_NONE  UINT32_MAX		/* "no slot" in lists */
#define EXECUTOR_MAX_CPUS 32		/* CPUs that may run one executor */

/*
 * A task's run state (struct task's queued). Bit 0: a wake-up is pending
 * (queued, or to be queued when the poll ends); bit 1: a CPU is polling it.
 * A wake is an atomic or of bit 0: only the change from IDLE pushes.
 */
#define TASK_IDLE           0u
#define TASK_QUEUED         1u
#define TASK_RUNNING        2u
#define TASK_RUNNING_WOKEN  3u

/* What a poll returns. PENDING is 0 so a bool condition reads the same. */
enum task_poll {
	TASK_PENDING = 0,
	TASK_READY = 1,
};

struct executor;

/* Names one task for its whole life: slot in the table, odd generation. */
struct task_handle {
	uint32_t slot;
	uint32_t gen;
};

struct task;

/*
 * Wakes one task; copy it freely (a Rust Waker::clone is a struct copy).
 * Only the executor makes them: the slot is its table's, valid as long as
 * the executor is.
 */
struct waker {
	struct task *task;	/* the slot; NULL: a no-op waker */
	uint32_t gen;		/* the task's generation when it was made */
};

#define WAKER_NOOP ((struct waker){ 0 })

/* What a poll function is handed: its waker and its executor (to spawn). */
struct task_cx {
	struct waker waker;
	struct executor *ex;
};

typedef enum task_poll task_poll_fn(void *state, struct task_cx *cx);

/*
 * The CPU, as the executor needs it. Every member is required.
 *   irq_save     disable interrupts, return the previous state
 *   irq_restore  put back a state irq_save returned
 *   irq_enabled  are interrupts enabled now (for assertions)
 *   idle         called with interrupts disabled: enable them and wait for
 *                one interrupt as ONE atomic step (sti; hlt), so a wake-up
 *                that arrives after the executor's last look at the queue
 *                still ends the wait. May return with interrupts either way.
 *   timestamp    a cycle counter (TSC) for the tasks' CPU time
 * Optional, for more than one CPU (NULL: one CPU, index 0):
 *   cpu_index    this CPU's index, below EXECUTOR_MAX_CPUS
 *   kick         end the halt of CPU index cpu (an IPI); any context
 */
struct task_platform {
	unsigned long (*irq_save)(void);
	void (*irq_restore)(unsigned long flags);
	bool (*irq_enabled)(void);
	void (*idle)(void);
	uint64_t (*timestamp)(void);
	unsigned (*cpu_index)(void);
	void (*kick)(unsigned cpu);
};

struct task_stats {
	uint64_t polls;		/* times poll was called */
	uint64_t wakes;		/* waker_wake calls that reached the live task */
	uint64_t cpu_ticks;	/* timestamp ticks spent in poll (and just before) */
};

/*
 * A future that is ready when the target task has finished. Any number of
 * tasks may join one target; a pending join is linked into the target's
 * list, so it must stay in place until it completes or is cancelled.
 */
struct task_join {
	struct executor *ex;
	struct task_handle target;
	struct waker waker;	/* of the joining task */
	struct task_join *next;
	bool linked;
};

/*
 * One slot of the task table. The fields belong to the executor. Aligned
 * so that a slot number becomes an address by a shift.
 */
struct task {
	task_poll_fn *poll;
	void *state;
	struct task_cx cx;		/* this task's waker, made at spawn */
	uint32_t gen;			/* odd: alive; even: free */
	uint32_t slot;			/* its index in the table */
	uint8_t queued;			/* run state, TASK_* above (atomics only) */
	uint8_t last_cpu;		/* index of the CPU that polled it last */
	uint32_t next_free;		/* free list link, TASK_NONE at the end */
	const char *name;
	struct task_join *joiners;	/* tasks waiting for this one to finish */
	struct task_stats stats;
} __attribute__((aligned(64)));

/* A copy of one live task's bookkeeping, for a task list (the shell's ps). */
struct task_info {
	struct task_handle handle;
	const char *name;
	struct task_stats stats;
	bool queued;
	unsigned last_cpu;
};

struct executor_stats {
	uint64_t polls;
	uint64_t stale_wakes;	/* wakers whose task had finished */
	uint64_t idles;		/* times the CPU was put to sleep */
	uint64_t spawned;
	uint64_t finished;
	uint64_t cpu_polls[EXECUTOR_MAX_CPUS];	/* polls per CPU, each written by its own */
};

struct executor {
	struct spinlock lock;	/* guards free_head, live, spawn/finish, join lists */
	const struct task_platform *plat;
	struct task *tasks;
	uint32_t max_tasks;
	uint32_t free_head;	/* first free slot, TASK_NONE if none */
	uint32_t live;		/* tasks spawned and not finished */
	uint32_t running;	/* CPUs inside executor_run */
	uint32_t idle_mask;	/* bit i: CPU i sleeps in idle (atomics only) */
	uint32_t stop;		/* executor_stop calls so far */
	uint32_t cpu_limit;	/* CPUs from this index on do not poll; 0: all do */
	bool polling[EXECUTOR_MAX_CPUS];	/* per CPU: polls do not nest */
	struct taskq ready;
	struct executor_stats stats;	/* atomics where CPUs share them */
};

/*
 * An executor over tasks[0..max_tasks) and a ready queue of queue_cap ids
 * (a power of two >= max_tasks: that is what makes it never overflow).
 * Returns 0 or -E_INVAL (NULL pointers, a platform member missing,
 * max_tasks 0 or above TASK_MAX, queue_cap too small or not a power of two).
 */
int executor_init(struct executor *ex, const struct task_platform *plat,
		  struct task *tasks, size_t max_tasks,
		  uint64_t *queue, size_t queue_cap);

/*
 * Start poll(state, cx) as a new task named name (for listings; NULL means
 * "task") and queue it for its first poll. *out (may be NULL) receives its
 * handle. Returns 0, -E_INVAL (poll is NULL) or -E_NOSPC (table full).
 * Task context; allowed from inside a poll.
 */
int executor_spawn(struct executor *ex, const char *name, task_poll_fn *poll,
		   void *state, struct task_handle *out);

/*
 * Poll ready tasks until the ready queue is empty (tasks that keep waking
 * themselves keep it busy). Returns the number of polls.
 */
size_t executor_run_ready(struct executor *ex);

/*
 * The executor's loop: run ready tasks; when none is ready, check again
 * with interrupts disabled and sleep in platform->idle. Returns when no task
 * is left or executor_stop was called. Interrupts must be enabled.
 */
void executor_run(struct executor *ex);

/*
 * The same, ending at the first stop after executor_stops() returned gen,
 * even one that came before this call: a caller that starts work which
 * ends in executor_stop (on another CPU, maybe at once) reads gen first,
 * then starts the work, then runs. executor_run(ex) is
 * executor_run_since(ex, executor_stops(ex)).
 */
uint32_t executor_stops(const struct executor *ex);
void executor_run_since(struct executor *ex, uint32_t gen);

/*
 * Make executor_run return after the current poll, on every CPU running it
 * now; a run begun later is not affected. Any context.
 */
void executor_stop(struct executor *ex);

/*
 * Let only CPUs 0..n-1 poll (n = 0: every CPU). For measurements: the
 * same work on one CPU and on all of them in one boot. The others sleep in
 * idle even with tasks queued; every sleeping CPU is woken to see the new
 * limit. Any context.
 */
void executor_set_cpu_limit(struct executor *ex, unsigned n);

/*
 * Sleep in the platform's idle unless a task is ready or a stop is pending,
 * with this CPU's bit in idle_mask so that a push from another CPU kicks it.
 * What executor_run does between rounds; an application processor with no
 * task left at all calls it too. Interrupts enabled.
 */
void executor_idle(struct executor *ex);

/* Tasks spawned and not finished. */
size_t executor_live(const struct executor *ex);

/* Whether the task h names has not finished yet. */
bool executor_alive(const struct executor *ex, struct task_handle h);

/* Copy a live task's statistics. Returns 0 or -E_NOENT (finished or bogus). */
int executor_task_stats(const struct executor *ex, struct task_handle h,
			struct task_stats *out);

/* Describe the task in slot (for listings). Returns 0 or -E_NOENT (free slot). */
int executor_task_info(const struct executor *ex, uint32_t slot,
		       struct task_info *out);

/* A CPU sleeps in idle: wake one (executor_kick, task.c). */
void executor_kick(struct executor *ex);

/* Push t (whose state just became QUEUED) and wake a sleeping CPU if any. */
static inline void executor_enqueue(struct executor *ex, struct task *t)
{
	taskq_push(&ex->ready, t->slot);   /* a full barrier: orders the read below */
	if (unlikely(__atomic_load_n(&ex->idle_mask, __ATOMIC_RELAXED)))
		executor_kick(ex);
}

/*
 * Queue the waker's task unless a wake-up is pending already or it finished;
 * while it is being polled, mark it to be polled again. Any context,
 * lock-free. Inline: it is half of every wake-and-poll cycle.
 */
static inline void waker_wake(const struct waker *w)
{
	struct task *t = w->task;

	if (unlikely(!t))
		return;
	if (unlikely(__atomic_load_n(&t->gen, __ATOMIC_ACQUIRE) != w->gen)) {
		__atomic_fetch_add(&t->cx.ex->stats.stale_wakes, 1, __ATOMIC_RELAXED);
		return;
	}
	__atomic_fetch_add(&t->stats.wakes, 1, __ATOMIC_RELAXED);
	if (!__atomic_fetch_or(&t->queued, TASK_QUEUED, __ATOMIC_ACQ_REL))
		executor_enqueue(t->cx.ex, t);
}

/* The join future: init once, then poll until TASK_READY. */
void task_join_init(struct task_join *j, struct executor *ex,
		    struct task_handle target);
enum task_poll task_join_poll(struct task_join *j, struct task_cx *cx);
/* Stop waiting: unlink a pending join. Task context. */
void task_join_cancel(struct task_join *j);

/*
 * The blog's AtomicWaker: one slot for the waker of the task that consumes
 * what an interrupt handler produces. The task registers its waker, then
 * looks for work; the handler makes work visible, then wakes. A wake that
 * lands while a register is half done is not lost: register sees it and
 * wakes the task itself (counted in races). A wake takes the waker: the task
 * registers again on every poll that returns PENDING.
 *
 * Context: atomic_waker_register from the one consumer task (two concurrent
 * registrations panic); atomic_waker_wake from anywhere. Lock-free.
 */
struct atomic_waker {
	uint32_t state;		/* AW_* bits, see task.c */
	struct waker waker;
	uint32_t races;		/* wakes that arrived during a register */
};

void atomic_waker_init(struct atomic_waker *aw);
void atomic_waker_register(struct atomic_waker *aw, const struct waker *w);
void atomic_waker_wake(struct atomic_waker *aw);

#endif
