/*
 * Time: the periodic timer tick (1000 Hz unless the command line says
 * timer.hz=N) and a nanosecond clock read from the CPU's time-stamp counter.
 *
 * The TSC frequency comes from the loader, which measured it against UEFI's
 * Stall; when the loader left 0, or the command line has clock.calibrate,
 * the kernel measures it against the PC timer itself. clock_ns counts from
 * clock_init, never goes backwards, and keeps counting while interrupts are
 * off; clock_ticks can fall behind then (see arch/x86_64/pit.h), so measure
 * durations with clock_ns and use ticks for periodic work.
 *
 * Context: clock_init once in kernel_main after the interrupt controller,
 * before interrupts are enabled. Readers: any context. Tick callbacks run in
 * interrupt context with interrupts off: short, no blocking.
 */
#ifndef EMBER_KERNEL_CLOCK_H
#define EMBER_KERNEL_CLOCK_H

#include <stdint.h>

#include "kernel/boot_info.h"

#define CLOCK_DEFAULT_HZ 1000

/*
 * Start the tick and the TSC clock. Returns 0; -E_RANGE for a timer.hz out of
 * range (the default is used then); -E_NODEV if no TSC frequency could be
 * found (clock_ns then stays 0).
 */
int clock_init(const struct boot_info *bi);

/* Timer ticks since clock_init, and their rate as requested. */
uint64_t clock_ticks(void);
unsigned clock_tick_hz(void);

/* Milliseconds of timer ticks since clock_init. */
uint64_t clock_uptime_ms(void);

/* Nanoseconds since clock_init, from the TSC. Monotonic. */
uint64_t clock_ns(void);

/* Cycles per second of the TSC, 0 if unknown; and where it came from. */
uint64_t clock_tsc_hz(void);
const char *clock_tsc_source(void);

/* Convert a TSC cycle count to nanoseconds (0 if the rate is unknown). */
uint64_t clock_cycles_to_ns(uint64_t cycles);

/*
 * Run fn(ctx) on every tick, in interrupt context. Returns 0, -E_INVAL,
 * or -E_NOSPC when the table is full. Remove with the same pair: 0 or
 * -E_NOENT; after it returns fn will not run again.
 */
int clock_add_tick_callback(void (*fn)(void *ctx), void *ctx);
int clock_remove_tick_callback(void (*fn)(void *ctx), void *ctx);

#endif
