/*
 * The executor's ready queue: set-up and the count. Push and pop are
 * inline in the header; the proof that the queue is never full is there.
 */
#include "kernel/async/taskq.h"
#include "lib/errno.h"

int taskq_init(struct taskq *q, uint32_t *ids, size_t cap)
{
	if (!ids || cap == 0 || cap > TASKQ_MAX_CAP || (cap & (cap - 1)))
		return -E_INVAL;
	q->ids = ids;
	q->mask = (uint32_t)cap - 1;
	q->head = 0;
	q->tail = 0;
	for (size_t i = 0; i < cap; i++)
		ids[i] = TASKQ_EMPTY;
	return 0;
}

size_t taskq_count(const struct taskq *q)
{
	uint32_t tail = __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE);

	return __atomic_load_n(&q->head, __ATOMIC_ACQUIRE) - tail;
}
