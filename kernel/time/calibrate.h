/*
 * The arithmetic of timer calibration, pure so host tests check it: the
 * delta of a wrapping counter, a rate from a count measured over a number
 * of reference ticks, the median of several rounds, the HPET's period in
 * femtoseconds as a frequency, and the count a periodic timer needs.
 * No overflow for any input (checked by test/host/time/test_calibrate.c).
 */
#ifndef EMBER_KERNEL_CALIBRATE_H
#define EMBER_KERNEL_CALIBRATE_H

#include <stdint.h>

/* now - then of a counter that wraps at mask + 1 (mask = 2^bits - 1). */
uint64_t calib_delta(uint64_t now, uint64_t then, uint64_t mask);

/* counted events over ref_ticks of a ref_hz clock, per second; 0 if ref_ticks is 0. */
uint64_t calib_rate(uint64_t counted, uint64_t ref_ticks, uint64_t ref_hz);

/* Median of v[0..n) (sorts v); 0 if n is 0. */
uint64_t calib_median(uint64_t *v, unsigned n);

/* HPET counter frequency from GCAP_ID's period (femtoseconds); 0 if out of spec. */
uint64_t calib_hpet_hz(uint32_t period_fs);

/* a * b / c without overflow in the intermediate (c > 0); saturates at UINT64_MAX. */
uint64_t calib_muldiv(uint64_t a, uint64_t b, uint64_t c);

#endif
