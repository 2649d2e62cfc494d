/*
 * The executor's ready queue: set-up and the count. Push and pop are
 * inline in the header; the proof that the queue is never full is there.
 */
#include "kernel/async/taskq.h"
#include "lib/errno.h"

int taskq_init(struct taskq *q, uint64_t *ids, size_t cap)
{
	return taskq_init_at(q, ids, cap, 0);
}

int taskq_init_at(struct taskq *q, uint64_t *ids, size_t cap, uint32_t pos)
{
	if (!ids || cap == 0 || cap > TASKQ_MAX_CAP || (cap & (cap - 1)))
		return -E_INVAL;
	q->ids = ids;
	q->mask = (uint32_t)cap - 1;
	q->head = pos;
	q->tail = pos;
	for (uint32_t p = pos; p != pos + (uint32_t)cap; p++)   /* claimed, a lap ago */
		ids[p & q->mask] = taskq_cell(p - (uint32_t)cap, TASKQ_EMPTY);
	return 0;
}

size_t taskq_count(const struct taskq *q)
{
	uint32_t tail = __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE);

	return __atomic_load_n(&q->head, __ATOMIC_ACQUIRE) - tail;
}
