/*
 * Host tests of the calibration arithmetic (kernel/time/calibrate.c): the
 * wrap of counters of every width, rates from counts, medians, HPET periods,
 * and a muldiv that never overflows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/time/calibrate.h"

static void deltas_wrap_at_the_counter_width(void **state)
{
	assert_int_equal(calib_delta(5, 0xfffffe, 0xffffff), 7);          /* 24-bit PM timer */
	assert_int_equal(calib_delta(3, 0xfffffffd, 0xffffffff), 6);      /* 32-bit */
	assert_int_equal(calib_delta(0x10, 0xfff0, 0xffff), 0x20);        /* PIT */
	assert_int_equal(calib_delta(100, 40, ~0ull), 60);
}

static void rates_from_counts(void **state)
{
	/* 625000 LAPIC counts in 10 ms of a 100 MHz HPET: 62.5 MHz */
	assert_int_equal(calib_rate(625000, 1000000, 100000000), 62500000);
	/* 35795 PM timer ticks (10 ms) and 28 million TSC cycles: 2.8 GHz */
	assert_int_equal(calib_rate(28000000, 35795, 3579545) / 1000000, 2800);
	assert_int_equal(calib_rate(1, 0, 1000), 0);
	assert_int_equal(calib_rate(~0ull, 1, ~0ull), UINT64_MAX);        /* saturates */
}

static void muldiv_is_exact_where_it_fits_and_never_overflows(void **state)
{
	assert_int_equal(calib_muldiv(1ull << 40, 1000000000ull, 1ull << 20), (1ull << 20) * 1000000000ull);
	assert_int_equal(calib_muldiv(3, 5, 2), 7);
	assert_true(calib_muldiv((1ull << 63) + 12345, (1ull << 62) + 1, (1ull << 63) + 999) >= (1ull << 61));
	assert_int_equal(calib_muldiv(0, ~0ull, 7), 0);
}

static void median_of_rounds(void **state)
{
	uint64_t v[5] = { 9, 1, 5, 1000, 4 };
	uint64_t one[1] = { 42 };

	assert_int_equal(calib_median(v, 5), 5);
	assert_int_equal(calib_median(one, 1), 42);
	assert_int_equal(calib_median(v, 0), 0);
}

static void hpet_period_to_frequency(void **state)
{
	assert_int_equal(calib_hpet_hz(10000000), 100000000);     /* QEMU: 10 ns */
	assert_int_equal(calib_hpet_hz(69841279), 14318180);      /* 14.318 MHz chipsets */
	assert_int_equal(calib_hpet_hz(0), 0);
	assert_int_equal(calib_hpet_hz(100000001), 0);            /* slower than the spec allows */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(deltas_wrap_at_the_counter_width),
		cmocka_unit_test(rates_from_counts),
		cmocka_unit_test(muldiv_is_exact_where_it_fits_and_never_overflows),
		cmocka_unit_test(median_of_rounds),
		cmocka_unit_test(hpet_period_to_frequency),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
