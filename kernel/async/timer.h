/*
 * Timers: deadlines on the kernel's tick count, each waking a task when it
 * passes, and the sleep future built on them.
 *
 * Pending timers sit in a binary min-heap ordered by (deadline, start
 * order): timers due on the same tick expire in the order they were
 * started. Start, cancel and each expiry cost O(log n); every timer records
 * its heap position, so cancel needs no search. The heap is an array of
 * pointers the caller provides; the timers themselves are the caller's
 * memory too (usually inside a task's state), nothing is allocated.
 *
 * Time is whatever the caller counts in (PIT ticks in the kernel, a fake
 * clock in tests): timer_tick(tq, now) expires every timer due at or before
 * now and wakes its task; sleeps are measured from the last now it saw.
 *
 * Context: task context on any CPU (a timer task calls timer_tick when the
 * tick interrupt finds timer_next_deadline passed); the queue's spinlock
 * serialises start, cancel, expiry and the sleep future's poll. Only
 * timer_next_deadline may be read from an interrupt handler.
 */
#ifndef EMBER_KERNEL_TIMER_H
#define EMBER_KERNEL_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/async/task.h"

#define TIMER_NEVER  UINT64_MAX		/* no deadline */

enum timer_state {
	TIMER_IDLE = 0,		/* never started, or cancelled */
	TIMER_PENDING,		/* in the heap */
	TIMER_FIRED,		/* its deadline passed and its waker was woken */
};

struct timer {
	uint64_t deadline;
	uint64_t seq;		/* start order, breaks ties between deadlines */
	struct waker waker;
	uint32_t index;		/* position in the heap while pending */
	uint8_t state;		/* enum timer_state */
};

struct timer_queue {
	struct spinlock lock;	/* guards everything below but next_deadline */
	struct timer **heap;	/* heap[0] is due first */
	size_t count, cap;
	uint64_t next_seq;
	uint64_t now;		/* the last time timer_tick was given */
	uint64_t next_deadline;	/* heap[0]'s, or TIMER_NEVER; read by IRQs */
};

/* The sleep future: ready once its deadline has passed. */
struct timer_sleep {
	struct timer timer;
	struct timer_queue *tq;
	uint64_t deadline;
};

/*
 * An empty queue that can hold cap pending timers in heap[0..cap), starting
 * at time now. Returns 0 or -E_INVAL (NULL heap, cap 0 or above UINT32_MAX).
 */
int timer_queue_init(struct timer_queue *tq, struct timer **heap, size_t cap,
		     uint64_t now);

/* Timers start idle; a timer must be initialised once before first use. */
void timer_init(struct timer *t);

/*
 * Arm t to wake w at deadline; an armed timer is moved to the new deadline
 * (and counts as started now for ties). Returns 0 or -E_NOSPC (cap timers
 * pending already). A deadline that has passed fires at the next tick.
 */
int timer_start(struct timer_queue *tq, struct timer *t, uint64_t deadline,
		const struct waker *w);

/* Disarm t. Returns 0, or -E_NOENT if it was not pending (fired or idle). */
int timer_cancel(struct timer_queue *tq, struct timer *t);

static inline bool timer_pending(const struct timer *t)
{
	return t->state == TIMER_PENDING;
}

static inline bool timer_fired(const struct timer *t)
{
	return t->state == TIMER_FIRED;
}

/*
 * Remove and return the first timer due at or before now (marked fired, its
 * waker not woken), or NULL. Does not advance the queue's clock.
 */
struct timer *timer_expire_one(struct timer_queue *tq, uint64_t now);

/*
 * Advance the clock to now (never backwards), expire every timer due by
 * then in order and wake their tasks. Returns how many expired.
 */
size_t timer_tick(struct timer_queue *tq, uint64_t now);

/* The earliest pending deadline, or TIMER_NEVER. Any context, lock-free. */
uint64_t timer_next_deadline(const struct timer_queue *tq);

static inline size_t timer_count(const struct timer_queue *tq)
{
	return tq->count;
}

/* Check the heap order and every timer's index. 0 or -E_INVAL. For tests. */
int timer_queue_check(const struct timer_queue *tq);

/*
 * The sleep future. Init with an absolute deadline or a duration from the
 * queue's clock (never while it is pending: that would drop a timer still
 * in the heap), then poll until TASK_READY. Polling arms the timer with the
 * task's waker; it panics if the queue is full (size the queue for every
 * timer that can be pending at once). Cancel a sleep given up on.
 */
void timer_sleep_until(struct timer_sleep *s, struct timer_queue *tq,
		       uint64_t deadline);
void timer_sleep_for(struct timer_sleep *s, struct timer_queue *tq,
		     uint64_t duration);
enum task_poll timer_sleep_poll(struct timer_sleep *s, struct task_cx *cx);
void timer_sleep_cancel(struct timer_sleep *s);

#endif
