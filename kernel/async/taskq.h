/*
 * The executor's ready queue: a bounded FIFO of task slot numbers, many
 * producers (wakers, in tasks and interrupt handlers) and one consumer (the
 * executor), lock-free: no interrupts need to be disabled around it.
 *
 * A producer reserves a position by an atomic increment of head and then
 * fills the slot there; the consumer takes the slot at tail once it is
 * filled and puts TASKQ_EMPTY back. Positions run freely and wrap at 2^32;
 * the slot of position p is ids[p & mask]. On Ember's one CPU the consumer
 * never even sees a reserved slot unfilled: a producer in a task is the
 * consumer's own thread, one in an interrupt handler finishes before the
 * consumer runs again.
 *
 * Never full, by construction. The executor pushes slot s only when it
 * turns tasks[s].queued from 0 to 1 (an atomic exchange) and clears the
 * flag only after it has popped s. So every position in [tail, head)
 * belongs to a distinct slot whose flag is 1: head - tail <= slots <= cap
 * (executor_init refuses a queue smaller than the task table), and a
 * producer never reaches a slot the consumer has not emptied. A push that
 * finds its slot still full means that proof was broken: it panics.
 *
 * Context: taskq_push from anywhere; taskq_pop and taskq_empty from the
 * consumer only; taskq_count from anywhere (a snapshot).
 */
#ifndef EMBER_KERNEL_TASKQ_H
#define EMBER_KERNEL_TASKQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/panic.h"
#include "lib/compiler.h"

#define TASKQ_MAX_CAP (1u << 24)
#define TASKQ_EMPTY   UINT32_MAX	/* a slot nobody has filled */

struct taskq {
	uint32_t *ids;		/* cap entries, TASKQ_EMPTY where free */
	uint32_t mask;		/* cap - 1, cap a power of two */
	uint32_t head;		/* producers: next position to reserve */
	uint32_t tail;		/* consumer: next position to take */
};

/*
 * An empty queue over ids[0..cap). Returns 0, or -E_INVAL when ids is NULL or
 * cap is not a power of two between 1 and TASKQ_MAX_CAP.
 */
int taskq_init(struct taskq *q, uint32_t *ids, size_t cap);

size_t taskq_count(const struct taskq *q);

/*
 * The operations on the executor's hot path are inline: a wake and a poll
 * cost a few dozen instructions in all, and a call would be a fair share.
 */

/*
 * Append id (< TASKQ_EMPTY). Any context. The queue cannot be full: a slot
 * reserved while still holding an id (the queue wrapped onto an entry not
 * taken yet) would mean the proof above is broken, and panics.
 */
static inline void taskq_push(struct taskq *q, uint32_t id)
{
	uint32_t pos = __atomic_fetch_add(&q->head, 1, __ATOMIC_ACQ_REL);
	uint32_t old = __atomic_exchange_n(&q->ids[pos & q->mask], id, __ATOMIC_RELEASE);

	if (unlikely(old != TASKQ_EMPTY))
		panic("taskq: push of %u onto a full queue of %u", id, q->mask + 1);
}

/* Take the oldest id into *id. False when the queue is empty. Consumer only. */
static inline bool taskq_pop(struct taskq *q, uint32_t *id)
{
	uint32_t tail = q->tail;
	uint32_t *slot = &q->ids[tail & q->mask];
	uint32_t v = __atomic_load_n(slot, __ATOMIC_ACQUIRE);

	if (v == TASKQ_EMPTY)
		return false;
	*slot = TASKQ_EMPTY;
	__atomic_store_n(&q->tail, tail + 1, __ATOMIC_RELEASE);
	*id = v;
	return true;
}

/* Nothing to pop. Consumer only. */
static inline bool taskq_empty(const struct taskq *q)
{
	return __atomic_load_n(&q->ids[q->tail & q->mask], __ATOMIC_ACQUIRE) ==
	       TASKQ_EMPTY;
}

#endif
