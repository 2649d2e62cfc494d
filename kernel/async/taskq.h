/*
 * The executor's ready queue: a bounded FIFO of task slot numbers, many
 * producers (wakers, in tasks and interrupt handlers, on any CPU) and many
 * consumers (the executor's loop on every CPU), lock-free: no interrupts
 * need to be disabled around it.
 *
 * Positions run freely and wrap at 2^32; position p lives in cell
 * p & mask. A cell holds (position << 32 | id): the full position it was
 * written for, so a cell is never mistaken for another lap's.
 *   push: reserve a position by an atomic increment of head, then store
 *         (pos, id) into its cell with one exchange.
 *   pop:  at tail t, a cell holding (t, id) is claimed by a compare-and-swap
 *         to (t, TASKQ_EMPTY); only the claimer then moves tail to t + 1.
 * A consumer that finds (t, EMPTY) (claimed, tail not moved yet) or an
 * older position (reserved by a producer on another CPU between its two
 * steps) answers "empty": the claimer keeps popping, and that producer's
 * kick after its store wakes a CPU that went idle on the answer. One that
 * finds a newer position was slow: it reads tail again.
 *
 * Never full, by construction. The executor pushes slot s only when it
 * turns tasks[s].queued from 0 to 1 (an atomic or) and lets the state leave
 * QUEUED only after s's cell was claimed. So the positions in [tail, head)
 * other than a claimed one belong to distinct QUEUED slots: a producer's
 * position p is below tail + cap, and the cell's previous position p - cap
 * was claimed already. A push that finds anything else there means that
 * proof was broken: it panics.
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
#define TASKQ_EMPTY   UINT32_MAX	/* the id of a claimed (or never filled) cell */

struct taskq {
	uint64_t *ids;		/* cap cells: position << 32 | id */
	uint32_t mask;		/* cap - 1, cap a power of two */
	uint32_t head;		/* producers: next position to reserve */
	uint32_t tail;		/* consumer: next position to take */
};

/*
 * An empty queue over ids[0..cap). Returns 0, or -E_INVAL when ids is NULL or
 * cap is not a power of two between 1 and TASKQ_MAX_CAP.
 */
int taskq_init(struct taskq *q, uint64_t *ids, size_t cap);
/* The same, with the positions starting at pos (tests of their wrap). */
int taskq_init_at(struct taskq *q, uint64_t *ids, size_t cap, uint32_t pos);

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
static inline uint64_t taskq_cell(uint32_t pos, uint32_t id)
{
	return (uint64_t)pos << 32 | id;
}

static inline void taskq_push(struct taskq *q, uint32_t id)
{
	uint32_t pos = __atomic_fetch_add(&q->head, 1, __ATOMIC_ACQ_REL);
	uint64_t old = __atomic_exchange_n(&q->ids[pos & q->mask], taskq_cell(pos, id),
					   __ATOMIC_ACQ_REL);

	if (unlikely(old != taskq_cell(pos - q->mask - 1, TASKQ_EMPTY)))
		panic("taskq: push of %u onto a full queue of %u", id, q->mask + 1);
}

/* Take the oldest id into *id. False when the queue is empty. Any CPU. */
static inline bool taskq_pop(struct taskq *q, uint32_t *id)
{
	for (;;) {
		uint32_t tail = __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE);
		uint64_t *cell = &q->ids[tail & q->mask];
		uint64_t v = __atomic_load_n(cell, __ATOMIC_ACQUIRE);
		int32_t lap = (int32_t)((uint32_t)(v >> 32) - tail);

		if (unlikely(lap > 0))
			continue;	/* a newer lap's cell: tail moved meanwhile */
		if (lap < 0 || (uint32_t)v == TASKQ_EMPTY)
			return false;
		if (likely(__atomic_compare_exchange_n(cell, &v, taskq_cell(tail, TASKQ_EMPTY),
						       false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))) {
			__atomic_store_n(&q->tail, tail + 1, __ATOMIC_RELEASE);
			*id = (uint32_t)v;
			return true;
		}
	}
}

/* Nothing to pop (a snapshot). */
static inline bool taskq_empty(const struct taskq *q)
{
	uint32_t tail = __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE);
	uint64_t v = __atomic_load_n(&q->ids[tail & q->mask], __ATOMIC_ACQUIRE);

	return v >> 32 != tail || (uint32_t)v == TASKQ_EMPTY;
}

#endif
