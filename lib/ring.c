/*
 * The single-producer/single-consumer byte ring (see ring.h). The byte is
 * written before head is published (release) and read after head is seen
 * (acquire); the consumer frees the slot by publishing tail the same way.
 */
#include "lib/errno.h"
#include "lib/ring.h"

int ring_init(struct ring *r, uint8_t *buf, size_t size)
{
	if (!buf || size == 0 || size > RING_MAX_SIZE || (size & (size - 1)))
		return -E_INVAL;
	r->buf = buf;
	r->size = (uint32_t)size;
	r->head = 0;
	r->tail = 0;
	r->drops = 0;
	return 0;
}

bool ring_push(struct ring *r, uint8_t byte)
{
	uint32_t head = r->head;    /* ours: no other writer */
	uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);

	if (head - tail >= r->size) {
		__atomic_store_n(&r->drops, r->drops + 1, __ATOMIC_RELAXED);
		return false;
	}
	r->buf[head & (r->size - 1)] = byte;
	__atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
	return true;
}

bool ring_pop(struct ring *r, uint8_t *byte)
{
	uint32_t tail = r->tail;    /* ours: no other writer */
	uint32_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);

	if (head == tail)
		return false;
	*byte = r->buf[tail & (r->size - 1)];
	__atomic_store_n(&r->tail, tail + 1, __ATOMIC_RELEASE);
	return true;
}

size_t ring_count(const struct ring *r)
{
	uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	uint32_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);

	/* A third party may see head move past the tail it read: clamp. */
	return head - tail > r->size ? r->size : head - tail;
}

bool ring_empty(const struct ring *r)
{
	return ring_count(r) == 0;
}

uint32_t ring_drops(const struct ring *r)
{
	return __atomic_load_n(&r->drops, __ATOMIC_RELAXED);
}
