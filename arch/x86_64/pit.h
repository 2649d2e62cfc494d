/*
 * The 8254 programmable interval timer. Channel 0 (IRQ 0) is the kernel's
 * periodic tick when the LAPIC timer cannot be (the 8259 path, or no
 * calibration): pit_start programs it as a rate generator and calls the
 * tick function. Channel 2, whose gate and output sit in port 0x61, is a
 * polled stopwatch: the last-resort reference clock for calibration.
 *
 * The input clock is 1.193182 MHz, so a rate is a 16-bit divisor of it: the
 * real tick is 1193182 / divisor Hz (1000 Hz asks for 1193 and gets
 * 1000.15 Hz); pit_ticks_to_ns converts with that real period.
 *
 * Ticks that arrive while interrupts are disabled for longer than a period
 * collapse into one (the 8259 latches one request per line), and under an
 * emulator whose host is busy, late ticks come in bursts: the tick count is
 * a clock of the kernel's attention, not of wall time. clock_ns, built on
 * the TSC, is the one to measure time with.
 *
 * Context: pit_start in the main flow after pic_init. Callbacks run in
 * interrupt context with interrupts off: they must be short and must not
 * block. Everything else: any context.
 */
#ifndef EMBER_ARCH_PIT_H
#define EMBER_ARCH_PIT_H

#include <stdint.h>

#define PIT_CH0         0x40     /* channel 0 data: the tick */
#define PIT_CH2         0x42     /* channel 2 data: speaker / calibration */
#define PIT_CMD         0x43     /* mode/command register */
#define PORT_SYS_CTRL_B 0x61     /* bit 0 gate 2, bit 1 speaker, bit 5 output 2 */

#define PIT_INPUT_HZ    1193182u
#define PIT_MIN_HZ      19u      /* divisor must fit 16 bits */
#define PIT_MAX_HZ      10000u   /* beyond this an emulated CPU does little else */
/*
 * Program channel 0 at hz (PIT_MIN_HZ..PIT_MAX_HZ) and call tick() from
 * every IRQ 0 (interrupt context). Returns 0, -E_RANGE, or -E_BUSY if
 * already started. pit_stop masks the line and stops the count.
 */
int pit_start(unsigned hz, void (*tick)(void));
void pit_stop(void);

/* The divisor in use (0 before pit_start). */
unsigned pit_divisor(void);

/* Nanoseconds that ticks periods of channel 0 last. */
uint64_t pit_ticks_to_ns(uint64_t ticks);

/* Channel 2 as a free-running 16-bit down-counter, and its latched count. */
void pit_ch2_free_run(void);
uint16_t pit_ch2_read(void);

/*
 * TSC cycles per second measured against channel 2: the median of five
 * 10 ms countdowns, polled with interrupts off; a countdown whose start or
 * end could not be timed to within ~50 us (the CPU was taken away) is
 * repeated, 20 tries at most. 0 if the timer does not answer.
 */
uint64_t pit_measure_tsc_hz(void);

#endif
