/*
 * The tick and the TSC clock (see clock.h). Portable: the timer and the TSC
 * calibration are behind arch_timer_* and arch_tsc_measure_hz.
 */
#include "kernel/arch.h"
#include "kernel/time/clock.h"
#include "kernel/kprintf.h"
#include "lib/cmdline.h"
#include "lib/errno.h"
#include <stdbool.h>

static uint64_t tsc_hz;
static uint64_t tsc_start;
static unsigned tick_hz;
static const char *tsc_source = "none";

/* A decimal number from the command line, or fallback. */
static unsigned cmdline_uint(const char *cmdline, const char *key, unsigned fallback)
{
	char val[12];
	unsigned v = 0;

	if (cmdline_get(cmdline, key, val, sizeof(val)) <= 0)
		return fallback;
	for (const char *p = val; *p; p++) {
		if (*p < '0' || *p > '9' || v > 100000000)
			return 0;                /* garbage: out of every range */
		v = v * 10 + (unsigned)(*p - '0');
	}
	return v;
}

/* Whether a and b differ by more than 2 %. */
static bool disagree(uint64_t a, uint64_t b)
{
	return a * 100 < b * 98 || a * 100 > b * 102;
}

/*
 * The loader's rate (UEFI Stall, one window) is checked against the
 * kernel's own measurement (median of several windows of the reference
 * clock): a loaded host can spoil the former, so the latter wins when they
 * disagree. clock.calibrate takes the kernel's in any case.
 */
static void find_tsc_rate(const struct boot_info *bi)
{
	uint64_t measured = arch_tsc_measure_hz();

	if (bi->tsc_hz && !cmdline_has(bi->cmdline, "clock.calibrate") &&
	    (!measured || !disagree(bi->tsc_hz, measured))) {
		tsc_hz = bi->tsc_hz;
		tsc_source = "loader";
		return;
	}
	if (bi->tsc_hz && measured && !cmdline_has(bi->cmdline, "clock.calibrate"))
		kprintf("clock: loader's TSC rate %llu Hz is off; %s: %llu Hz\n",
			(unsigned long long)bi->tsc_hz, arch_timer_reference(),
			(unsigned long long)measured);
	tsc_hz = measured;
	tsc_source = tsc_hz ? arch_timer_reference() : "none";
}

int clock_init(const struct boot_info *bi)
{
	unsigned hz = cmdline_uint(bi->cmdline, "timer.hz", CLOCK_DEFAULT_HZ);
	int err = 0;

	arch_timer_calibrate(bi->cmdline);
	find_tsc_rate(bi);
	tsc_start = arch_timestamp();
	if (arch_timer_start(hz) == -E_RANGE) {
		kprintf("clock: timer.hz=%u is out of range, using %u\n", hz, CLOCK_DEFAULT_HZ);
		err = -E_RANGE;
		hz = CLOCK_DEFAULT_HZ;
		arch_timer_start(hz);
	}
	tick_hz = hz;
	kprintf("clock: tick %u Hz from the %s, TSC %llu.%03llu MHz (%s)\n", hz, arch_timer_source(),
		(unsigned long long)(tsc_hz / 1000000),
		(unsigned long long)(tsc_hz / 1000 % 1000), tsc_source);
	if (!tsc_hz)
		return -E_NODEV;
	return err;
}

uint64_t clock_ticks(void)
{
	return arch_timer_ticks();
}

unsigned clock_tick_hz(void)
{
	return tick_hz;
}

uint64_t clock_uptime_ms(void)
{
	return arch_timer_ticks_to_ns(arch_timer_ticks()) / 1000000;
}

uint64_t clock_cycles_to_ns(uint64_t cycles)
{
	/* Whole seconds and the rest apart: exact, and no 128-bit division. */
	if (!tsc_hz)
		return 0;
	return cycles / tsc_hz * 1000000000ull + cycles % tsc_hz * 1000000000ull / tsc_hz;
}

uint64_t clock_ns(void)
{
	return clock_cycles_to_ns(arch_timestamp() - tsc_start);
}

uint64_t clock_tsc_hz(void)
{
	return tsc_hz;
}

const char *clock_tsc_source(void)
{
	return tsc_source;
}

int clock_add_tick_callback(void (*fn)(void *ctx), void *ctx)
{
	return arch_timer_add_callback(fn, ctx);
}

int clock_remove_tick_callback(void (*fn)(void *ctx), void *ctx)
{
	return arch_timer_remove_callback(fn, ctx);
}
