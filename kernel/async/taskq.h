/*
 * The executor's ready queue: a bounded FIFO of task slot numbers, many
 * producers (wakers, in tasks and interrupt handlers, on any CPU) and many
 * consumers (the executor's loop on every CPU), lock-free: no interrupts
 * need to be disabled around it.
 *
 * A producer reserves a position by an atomic increment of head and then
 * fills the slot there; the consumer takes the slot at tail once it is
 * filled, claims the position by a compare-and-swap of tail (two CPUs
 * popping at once: one wins, the other retries at the next position), and
 * puts TASKQ_EMPTY back. Positions run freely and wrap at 2^32; the slot of
 * position p is ids[p & mask]. A consumer that finds the slot at tail
 * reserved but not filled yet (a producer on another CPU between its two
 * steps) reports the queue empty: that producer's kick, after its fill,
 * wakes a CPU that went idle on that answer.
 *
 * Never full, by construction. The executor pushes slot s only when it
 * turns tasks[s].queued from 0 to 1 (an atomic or) and lets the state leave
 * QUEUED only after the pop has emptied s's position. So every position in
 * [tail, head) belongs to a distinct slot whose state is QUEUED:
 * head - tail <= slots <= cap
 * (executor_init refuses a queue smaller than the task table), and a
 * producer never reaches a slot the consumer has not emptied. A push that
 * finds its slot still full means that proof was broken: it panics.
 *
 * Context: any, on any CPU; taskq_count and taskq_empty are snapshots.
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

/*
 * Take the oldest id into *id. False when the queue is empty. Any CPU. The
 * id read before the compare-and-swap is the one claimed: the position
 * cannot be emptied and refilled without tail moving past it first.
 */
static inline bool taskq_pop(struct taskq *q, uint32_t *id)
{
	uint32_t tail = __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE);

	for (;;) {
		uint32_t *slot = &q->ids[tail & q->mask];
		uint32_t v = __atomic_load_n(slot, __ATOMIC_ACQUIRE);

		if (v == TASKQ_EMPTY)
			return false;
		if (likely(__atomic_compare_exchange_n(&q->tail, &tail, tail + 1, false,
						       __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))) {
			__atomic_store_n(slot, TASKQ_EMPTY, __ATOMIC_RELEASE);
			*id = v;
			return true;
		}
	}
}

/* Nothing to pop (a snapshot). */
static inline bool taskq_empty(const struct taskq *q)
{
	return __atomic_load_n(&q->ids[q->tail & q->mask], __ATOMIC_ACQUIRE) ==
	       TASKQ_EMPTY;
}

#endif
