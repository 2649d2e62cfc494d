/*
 * Host tests for the SPSC byte ring (ring.h): argument checks, empty and
 * full rings, FIFO order across the wrap of the buffer and of the 32-bit
 * positions, drop counting, and a stress run with a producer and a consumer
 * on two pthreads: what the consumer pops is exactly what the ring accepted,
 * in order, and accepted + dropped = offered.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/errno.h"
#include "lib/ring.h"

RING_DEFINE(static, defined_ring, 8);

static void init_rejects_null_and_sizes_that_are_not_powers_of_two(void **state)
{
	uint8_t buf[64];
	struct ring r;

	assert_int_equal(ring_init(&r, NULL, 8), -E_INVAL);
	assert_int_equal(ring_init(&r, buf, 0), -E_INVAL);
	assert_int_equal(ring_init(&r, buf, 3), -E_INVAL);
	assert_int_equal(ring_init(&r, buf, 48), -E_INVAL);
	assert_int_equal(ring_init(&r, buf, (size_t)RING_MAX_SIZE * 2), -E_INVAL);
	assert_int_equal(ring_init(&r, buf, 1), 0);
	assert_int_equal(ring_init(&r, buf, 64), 0);
	assert_int_equal(r.size, 64);
}

static void new_ring_is_empty_and_pop_fails_without_touching_the_output(void **state)
{
	uint8_t buf[4], out = 0x5a;
	struct ring r;

	assert_int_equal(ring_init(&r, buf, sizeof(buf)), 0);
	assert_true(ring_empty(&r));
	assert_int_equal(ring_count(&r), 0);
	assert_false(ring_pop(&r, &out));
	assert_int_equal(out, 0x5a);
	assert_int_equal(ring_drops(&r), 0);
}

static void bytes_come_out_in_the_order_they_went_in(void **state)
{
	uint8_t buf[16], out;
	struct ring r;

	assert_int_equal(ring_init(&r, buf, sizeof(buf)), 0);
	for (int i = 0; i < 10; i++)
		assert_true(ring_push(&r, (uint8_t)(100 + i)));
	assert_int_equal(ring_count(&r), 10);
	for (int i = 0; i < 10; i++) {
		assert_true(ring_pop(&r, &out));
		assert_int_equal(out, 100 + i);
	}
	assert_true(ring_empty(&r));
}

static void full_ring_drops_new_bytes_counts_them_and_keeps_the_old_ones(void **state)
{
	uint8_t buf[8], out;
	struct ring r;

	assert_int_equal(ring_init(&r, buf, sizeof(buf)), 0);
	for (int i = 0; i < 8; i++)
		assert_true(ring_push(&r, (uint8_t)i));
	assert_int_equal(ring_count(&r), 8);
	assert_false(ring_push(&r, 0xee));
	assert_false(ring_push(&r, 0xef));
	assert_int_equal(ring_drops(&r), 2);
	assert_int_equal(ring_count(&r), 8);
	for (int i = 0; i < 8; i++) {
		assert_true(ring_pop(&r, &out));
		assert_int_equal(out, i);      /* the dropped 0xee/0xef never appear */
	}
	assert_false(ring_pop(&r, &out));
	/* one free slot takes exactly one more byte */
	assert_true(ring_push(&r, 1));
	assert_int_equal(ring_drops(&r), 2);
}

static void one_byte_ring_alternates_between_full_and_empty(void **state)
{
	uint8_t buf[1], out;
	struct ring r;

	assert_int_equal(ring_init(&r, buf, 1), 0);
	for (int i = 0; i < 5; i++) {
		assert_true(ring_push(&r, (uint8_t)i));
		assert_false(ring_push(&r, 0xff));
		assert_true(ring_pop(&r, &out));
		assert_int_equal(out, i);
		assert_false(ring_pop(&r, &out));
	}
	assert_int_equal(ring_drops(&r), 5);
}

static void order_survives_many_wraps_of_the_buffer(void **state)
{
	uint8_t buf[8], out;
	struct ring r;
	unsigned next_in = 0, next_out = 0;

	assert_int_equal(ring_init(&r, buf, sizeof(buf)), 0);
	/* push 5, pop 3 per round: the fill level sweeps the whole buffer */
	for (int round = 0; round < 1000; round++) {
		for (int i = 0; i < 5 && ring_count(&r) < 8; i++)
			assert_true(ring_push(&r, (uint8_t)next_in++));
		for (int i = 0; i < 3 || ring_count(&r) == 8; i++) {
			assert_true(ring_pop(&r, &out));
			assert_int_equal(out, (uint8_t)next_out++);
		}
	}
	while (ring_pop(&r, &out))
		assert_int_equal(out, (uint8_t)next_out++);
	assert_int_equal(next_in, next_out);
	assert_int_equal(ring_drops(&r), 0);
}

static void positions_wrapping_past_2_to_the_32_keep_count_and_order(void **state)
{
	uint8_t buf[4], out;
	struct ring r;

	assert_int_equal(ring_init(&r, buf, sizeof(buf)), 0);
	r.head = r.tail = UINT32_MAX - 1;     /* two pushes from the wrap */
	for (int i = 0; i < 4; i++)
		assert_true(ring_push(&r, (uint8_t)(i + 1)));
	assert_int_equal(r.head, 2);          /* wrapped */
	assert_int_equal(ring_count(&r), 4);
	assert_false(ring_push(&r, 9));       /* still full across the wrap */
	for (int i = 0; i < 4; i++) {
		assert_true(ring_pop(&r, &out));
		assert_int_equal(out, i + 1);
	}
	assert_true(ring_empty(&r));
	assert_int_equal(ring_drops(&r), 1);
}

static void ring_define_gives_a_ready_ring_of_the_requested_size(void **state)
{
	uint8_t out;

	assert_int_equal(defined_ring.size, 8);
	assert_true(ring_empty(&defined_ring));
	for (int i = 0; i < 9; i++)
		ring_push(&defined_ring, (uint8_t)i);
	assert_int_equal(ring_drops(&defined_ring), 1);
	assert_true(ring_pop(&defined_ring, &out));
	assert_int_equal(out, 0);
}

/* ---- two threads ------------------------------------------------------------------- */

#define STRESS_BYTES 4000000u

/*
 * The producer offers a pseudo-random byte stream and records, in order, the
 * bytes the ring accepted; the consumer records what it popped. The two
 * records must be identical: no byte torn, lost, repeated or reordered, and
 * every byte the ring refused is a counted drop.
 */
struct stress {
	struct ring ring;
	uint8_t buf[64];
	bool paced;               /* producer waits for room: nothing may drop */
	bool producer_done;
	uint32_t accepted_len, popped_len;
	uint8_t accepted[STRESS_BYTES], popped[STRESS_BYTES];
};

static void *producer(void *arg)
{
	struct stress *s = arg;
	uint32_t x = 2463534242u;

	for (uint32_t i = 0; i < STRESS_BYTES; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		while (s->paced && ring_count(&s->ring) == s->ring.size)
			;
		if (ring_push(&s->ring, (uint8_t)x))
			s->accepted[s->accepted_len++] = (uint8_t)x;
		if (!s->paced && (i & 1023) == 1023)   /* bursts start on an empty ring */
			while (!ring_empty(&s->ring))
				sched_yield();
	}
	__atomic_store_n(&s->producer_done, true, __ATOMIC_RELEASE);
	return NULL;
}

static void *consumer(void *arg)
{
	struct stress *s = arg;
	uint8_t b;

	for (;;) {
		if (ring_pop(&s->ring, &b)) {
			s->popped[s->popped_len++] = b;
			/* flat out, the consumer is a little slower: the ring overflows */
			for (volatile int spin = 0; !s->paced && spin < 20; spin++)
				;
			continue;
		}
		if (__atomic_load_n(&s->producer_done, __ATOMIC_ACQUIRE) && ring_empty(&s->ring))
			return NULL;
	}
}

static struct stress *run_stress(bool paced)
{
	static struct stress s;
	pthread_t p, c;

	memset(&s, 0, sizeof(s));
	s.paced = paced;
	assert_int_equal(ring_init(&s.ring, s.buf, sizeof(s.buf)), 0);
	assert_int_equal(pthread_create(&c, NULL, consumer, &s), 0);
	assert_int_equal(pthread_create(&p, NULL, producer, &s), 0);
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	assert_int_equal(s.popped_len, s.accepted_len);
	assert_memory_equal(s.popped, s.accepted, s.accepted_len);
	assert_int_equal(s.accepted_len + ring_drops(&s.ring), STRESS_BYTES);
	assert_true(ring_empty(&s.ring));
	return &s;
}

static void two_threads_flat_out_lose_only_counted_drops(void **state)
{
	struct stress *s = run_stress(false);

	/* both full and emptied rings were exercised: each 1024-byte burst
	 * starts on an empty ring, so it is accepted at least 64 bytes */
	assert_true(ring_drops(&s->ring) > 0);
	assert_true(s->accepted_len >= 64 * (STRESS_BYTES / 1024));
}

static void two_threads_paced_see_every_byte_once_in_order(void **state)
{
	struct stress *s = run_stress(true);

	assert_int_equal(ring_drops(&s->ring), 0);
	assert_int_equal(s->accepted_len, STRESS_BYTES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_rejects_null_and_sizes_that_are_not_powers_of_two),
		cmocka_unit_test(new_ring_is_empty_and_pop_fails_without_touching_the_output),
		cmocka_unit_test(bytes_come_out_in_the_order_they_went_in),
		cmocka_unit_test(full_ring_drops_new_bytes_counts_them_and_keeps_the_old_ones),
		cmocka_unit_test(one_byte_ring_alternates_between_full_and_empty),
		cmocka_unit_test(order_survives_many_wraps_of_the_buffer),
		cmocka_unit_test(positions_wrapping_past_2_to_the_32_keep_count_and_order),
		cmocka_unit_test(ring_define_gives_a_ready_ring_of_the_requested_size),
		cmocka_unit_test(two_threads_flat_out_lose_only_counted_drops),
		cmocka_unit_test(two_threads_paced_see_every_byte_once_in_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
