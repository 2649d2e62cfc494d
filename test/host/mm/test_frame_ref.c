/*
 * Host tests for the frame reference counts' core: a frame starts singly
 * held, shares and drops count holders, the last drop says so, the count
 * saturates at FRAME_REF_MAX without changing, frames outside the table
 * (or no table at all) are refused, and two threads sharing and dropping
 * the same frames at once never lose a count (the atomic updates).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/mm/frame_ref.h"
#include "lib/errno.h"

#define FR 4096ull
#define FRAMES 64

static uint8_t mem[FRAMES];
static struct frame_refs refs;

static int setup(void **state)
{
	(void)state;
	memset(mem, 0xaa, sizeof(mem));
	frame_refs_init(&refs, mem, FRAMES);
	return 0;
}

static void table_is_one_byte_per_frame_and_starts_at_one_holder(void **state)
{
	(void)state;
	assert_int_equal(frame_refs_bytes(FRAMES), FRAMES);
	for (uint64_t f = 0; f < FRAMES; f++)
		assert_int_equal(frame_refs_holders(&refs, f * FR), 1);
}

static void shares_and_drops_count_holders(void **state)
{
	(void)state;
	assert_int_equal(frame_refs_share(&refs, 5 * FR), 0);
	assert_int_equal(frame_refs_share(&refs, 5 * FR + 123), 0);   /* any address in the frame */
	assert_int_equal(frame_refs_holders(&refs, 5 * FR), 3);
	assert_int_equal(frame_refs_holders(&refs, 6 * FR), 1);
	assert_int_equal(frame_refs_drop(&refs, 5 * FR), 0);
	assert_int_equal(frame_refs_drop(&refs, 5 * FR), 0);
	assert_int_equal(frame_refs_holders(&refs, 5 * FR), 1);
	assert_int_equal(frame_refs_drop(&refs, 5 * FR), 1);          /* the last holder */
	assert_int_equal(frame_refs_holders(&refs, 5 * FR), 1);        /* ready for reuse */
}

static void count_saturates_without_changing(void **state)
{
	(void)state;
	for (int i = 1; i < FRAME_REF_MAX; i++)
		assert_int_equal(frame_refs_share(&refs, 9 * FR), 0);
	assert_int_equal(frame_refs_holders(&refs, 9 * FR), FRAME_REF_MAX);
	assert_int_equal(frame_refs_share(&refs, 9 * FR), -E_BUSY);
	assert_int_equal(frame_refs_holders(&refs, 9 * FR), FRAME_REF_MAX);
	for (int i = 1; i < FRAME_REF_MAX; i++)
		assert_int_equal(frame_refs_drop(&refs, 9 * FR), 0);
	assert_int_equal(frame_refs_drop(&refs, 9 * FR), 1);
}

static void frames_outside_the_table_are_refused(void **state)
{
	struct frame_refs none;

	(void)state;
	assert_int_equal(frame_refs_share(&refs, FRAMES * FR), -E_NOENT);
	assert_int_equal(frame_refs_drop(&refs, FRAMES * FR), -E_NOENT);
	assert_int_equal(frame_refs_holders(&refs, UINT64_MAX), 1);
	frame_refs_init(&none, NULL, FRAMES);
	assert_int_equal(frame_refs_share(&none, 0), -E_NOENT);
	assert_int_equal(frame_refs_drop(&none, 0), -E_NOENT);
	assert_int_equal(frame_refs_holders(&none, 0), 1);
}

#define ROUNDS 200000

static void *share_drop_loop(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t phys = (uint64_t)(i % 8) * FR;

		if (frame_refs_share(&refs, phys) == 0 && frame_refs_drop(&refs, phys) != 0)
			abort();    /* the base holder never dropped: never the last */
	}
	return NULL;
}

static void concurrent_shares_and_drops_lose_nothing(void **state)
{
	pthread_t t[2];

	(void)state;
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, share_drop_loop, NULL), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	for (uint64_t f = 0; f < 8; f++)
		assert_int_equal(frame_refs_holders(&refs, f * FR), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(table_is_one_byte_per_frame_and_starts_at_one_holder, setup),
		cmocka_unit_test_setup(shares_and_drops_count_holders, setup),
		cmocka_unit_test_setup(count_saturates_without_changing, setup),
		cmocka_unit_test_setup(frames_outside_the_table_are_refused, setup),
		cmocka_unit_test_setup(concurrent_shares_and_drops_lose_nothing, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
