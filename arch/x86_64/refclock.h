/*
 * Reference clocks for calibration, best first: the HPET main counter
 * (ACPI HPET table), the ACPI PM timer (FADT, 3.579545 MHz, 24 or 32 bits),
 * PIT channel 2 free-running (1.193182 MHz, 16 bits). Each is probed (it
 * must be described and must advance) before use: none is assumed.
 *
 * Context: main flow (refclock_find maps registers); reading: any context.
 */
#ifndef EMBER_ARCH_REFCLOCK_H
#define EMBER_ARCH_REFCLOCK_H

#include <stdint.h>

struct refclock {
	const char *name;            /* "HPET", "PM timer", "PIT" */
	uint64_t hz;
	uint64_t mask;               /* the counter wraps at mask + 1 */
	uint64_t (*read)(void);      /* counts up */
};

/*
 * The best reference present, or the one named by want ("hpet", "pmtimer",
 * "pit"; NULL or unknown: the best). 0 or -E_NODEV when none answers.
 */
int refclock_find(const char *want, struct refclock *out);

/*
 * Rate of an up-counting target (wrapping at target_mask + 1) against rc:
 * the median of 5 rounds of ms milliseconds, interrupts off. 0 on failure.
 */
uint64_t refclock_measure(const struct refclock *rc, uint64_t (*target)(void),
			  uint64_t target_mask, unsigned ms);

#endif
