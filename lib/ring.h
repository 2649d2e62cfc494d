/*
 * A fixed-size, lock-free byte ring for exactly one producer and one
 * consumer: an interrupt handler pushes the bytes its device delivers, a task
 * pops them. Neither side ever waits for the other. When the ring is full the
 * producer drops the new byte and counts it, so a burst that outruns the
 * consumer loses its tail and says how much.
 *
 * head and tail run freely (they wrap at 2^32, never masked in place); the
 * slot of position p is buf[p & (size - 1)], which is why size is a power of
 * two. The producer alone writes head and drops, the consumer alone writes
 * tail; each publishes with a release store and reads the other's index with
 * an acquire load, so the same code is correct on one CPU with an interrupt
 * handler and across two threads (the host test runs it on two pthreads).
 *
 * Context: ring_push from the one producer (any context, including IRQ),
 * ring_pop from the one consumer; ring_count, ring_empty and ring_drops from
 * anywhere. Two producers or two consumers need a lock around their side.
 */
#ifndef EMBER_LIB_RING_H
#define EMBER_LIB_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RING_MAX_SIZE (1u << 30)

struct ring {
	uint8_t *buf;
	uint32_t size;     /* bytes in buf, a power of two */
	uint32_t head;     /* producer: position of the next byte to push */
	uint32_t tail;     /* consumer: position of the next byte to pop */
	uint32_t drops;    /* producer: bytes lost because the ring was full */
};

/*
 * A ring with static storage of size bytes, ready to use without ring_init:
 *   RING_DEFINE(static, kbd_ring, 64);
 */
#define RING_DEFINE(storage, name, bytes)                                        \
	_Static_assert((bytes) > 0 && ((bytes) & ((bytes) - 1)) == 0 &&           \
		       (bytes) <= RING_MAX_SIZE, "ring size must be a power of two"); \
	static uint8_t name##_storage[(bytes)];                                   \
	storage struct ring name = { .buf = name##_storage, .size = (bytes) }

/*
 * Make r an empty ring over buf[0..size). Returns 0, or -E_INVAL when buf is
 * NULL or size is not a power of two between 1 and RING_MAX_SIZE.
 */
int ring_init(struct ring *r, uint8_t *buf, size_t size);

/* Producer: append byte. False when the ring was full: byte dropped, counted. */
bool ring_push(struct ring *r, uint8_t byte);

/* Consumer: take the oldest byte into *byte. False when the ring is empty. */
bool ring_pop(struct ring *r, uint8_t *byte);

/* Bytes waiting. Exact for either side; a snapshot for anyone else. */
size_t ring_count(const struct ring *r);

bool ring_empty(const struct ring *r);

/* Bytes dropped on a full ring since ring_init. */
uint32_t ring_drops(const struct ring *r);

#endif
