/*
 * Calibration arithmetic (see calibrate.h). Pure; any context.
 */
#include "kernel/time/calibrate.h"

#define HPET_MAX_PERIOD_FS 100000000u    /* 100 ns: the HPET spec's slowest clock */

uint64_t calib_delta(uint64_t now, uint64_t then, uint64_t mask)
{
	return (now - then) & mask;
}

uint64_t calib_muldiv(uint64_t a, uint64_t b, uint64_t c)
{
	/*
	 * a = q*c + r, so a*b/c = q*b + r*b/c. Exact whenever r*b fits 64 bits
	 * (every calibration: counts and rates below 2^40); beyond that r and c
	 * lose low bits together, which keeps their ratio to ~2^-32.
	 */
	uint64_t q = a / c, r = a % c, hi, lo;

	if (q && b > UINT64_MAX / q)
		return UINT64_MAX;
	hi = q * b;
	while (r && b > UINT64_MAX / r) {
		r >>= 1;
		c >>= 1;
	}
	lo = c ? r * b / c : 0;
	return hi > UINT64_MAX - lo ? UINT64_MAX : hi + lo;
}

uint64_t calib_rate(uint64_t counted, uint64_t ref_ticks, uint64_t ref_hz)
{
	return ref_ticks ? calib_muldiv(counted, ref_hz, ref_ticks) : 0;
}

uint64_t calib_median(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {           /* insertion sort: n is a handful */
		uint64_t x = v[i];
		unsigned j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	return n ? v[n / 2] : 0;
}

uint64_t calib_hpet_hz(uint32_t period_fs)
{
	if (period_fs == 0 || period_fs > HPET_MAX_PERIOD_FS)
		return 0;
	return (1000000000000000ull + period_fs / 2) / period_fs;
}
