/*
 * 8254 PIT (see pit.h): channel 0 as the periodic tick on IRQ 0, channel 2
 * as a stopwatch for calibration.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/irq.h"
#include "arch/x86_64/pit.h"
#include "kernel/arch.h"
#include "lib/errno.h"

/* Mode/command byte fields (channel, access, mode, binary). */
#define PIT_SEL_CH0     0x00
#define PIT_SEL_CH2     0x80
#define PIT_ACCESS_LOHI 0x30     /* low byte, then high byte */
#define PIT_MODE_0      0x00     /* interrupt on terminal count (one-shot) */
#define PIT_MODE_2      0x04     /* rate generator */

#define SYS_GATE2       0x01
#define SYS_SPEAKER     0x02
#define SYS_OUT2        0x20

#define CAL_COUNT       11932u   /* 10 ms of channel 2 */
#define CAL_ROUNDS      5        /* undisturbed rounds wanted */
#define CAL_TRIES       20
#define CAL_SLACK_CYCLES 100000  /* ~25-100 us: wider brackets spoil a round */
#define CAL_MAX_CYCLES  (1ull << 33)  /* give up: several seconds at any real rate */

static unsigned divisor;
static void (*tick_fn)(void);

/* IRQ 0: the tick. The interrupt controller code sends the EOI. */
static void pit_irq(void)
{
	if (tick_fn)
		tick_fn();
}

int pit_start(unsigned hz, void (*tick)(void))
{
	int err;

	if (hz < PIT_MIN_HZ || hz > PIT_MAX_HZ)
		return -E_RANGE;
	if (divisor)
		return -E_BUSY;
	divisor = (PIT_INPUT_HZ + hz / 2) / hz;
	tick_fn = tick;
	outb(PIT_CMD, PIT_SEL_CH0 | PIT_ACCESS_LOHI | PIT_MODE_2);
	outb(PIT_CH0, divisor & 0xff);
	outb(PIT_CH0, divisor >> 8);
	err = irq_set_handler(IRQ_TIMER, pit_irq);
	if (err < 0)
		return err;
	irq_unmask(IRQ_TIMER);
	return 0;
}

void pit_stop(void)
{
	irq_mask(IRQ_TIMER);
	irq_clear_handler(IRQ_TIMER);
	outb(PIT_CMD, PIT_SEL_CH0 | PIT_ACCESS_LOHI | PIT_MODE_0);   /* one last count, no reload */
	outb(PIT_CH0, 0);
	outb(PIT_CH0, 0);
	divisor = 0;
	tick_fn = NULL;
}

unsigned pit_divisor(void)
{
	return divisor;
}

uint64_t pit_ticks_to_ns(uint64_t n)
{
	/* n * divisor / 1193182 s, split so that nothing overflows 64 bits. */
	uint64_t clocks = n * divisor;

	return clocks / PIT_INPUT_HZ * 1000000000ull +
	       clocks % PIT_INPUT_HZ * 1000000000ull / PIT_INPUT_HZ;
}

/* Channel 2 free-running (mode 2, full count): a 16-bit down-counter at 1.19 MHz. */
void pit_ch2_free_run(void)
{
	uint8_t b = inb(PORT_SYS_CTRL_B);

	outb(PORT_SYS_CTRL_B, (b & ~SYS_SPEAKER) | SYS_GATE2);
	outb(PIT_CMD, PIT_SEL_CH2 | PIT_ACCESS_LOHI | PIT_MODE_2);
	outb(PIT_CH2, 0);
	outb(PIT_CH2, 0);
}

/* Latch and read channel 2's count (counting down). */
uint16_t pit_ch2_read(void)
{
	uint8_t lo, hi;

	outb(PIT_CMD, PIT_SEL_CH2);           /* counter latch command */
	lo = inb(PIT_CH2);
	hi = inb(PIT_CH2);
	return (uint16_t)(hi << 8 | lo);
}

/*
 * One channel 2 countdown of CAL_COUNT clocks, in TSC cycles, or 0. Both
 * ends are bracketed by two TSC reads; a round in which either bracket is
 * wider than CAL_SLACK_CYCLES (the emulator or an SMI took the CPU away
 * just then) is worthless and also returns 0.
 */
static uint64_t time_channel2(void)
{
	uint64_t a, start, before, after, prev;

	outb(PIT_CMD, PIT_SEL_CH2 | PIT_ACCESS_LOHI | PIT_MODE_0);
	outb(PIT_CH2, CAL_COUNT & 0xff);
	a = rdtsc();
	outb(PIT_CH2, CAL_COUNT >> 8);   /* counting starts; output 2 goes low */
	start = rdtsc();
	if (start - a > CAL_SLACK_CYCLES)
		return 0;
	prev = start;
	for (;;) {
		before = rdtsc();
		if (inb(PORT_SYS_CTRL_B) & SYS_OUT2)
			break;
		prev = before;
		if (before - start > CAL_MAX_CYCLES)
			return 0;
	}
	after = rdtsc();
	if (after - prev > CAL_SLACK_CYCLES)
		return 0;                    /* the end is only known this roughly */
	return (prev + after) / 2 - (a + start) / 2;
}

/* The median of the rounds that were not disturbed. */
uint64_t pit_measure_tsc_hz(void)
{
	unsigned long flags = arch_irq_save();
	uint8_t saved = inb(PORT_SYS_CTRL_B);
	uint64_t good[CAL_ROUNDS], c;
	unsigned n = 0, i, j;

	outb(PORT_SYS_CTRL_B, (saved & ~SYS_SPEAKER) | SYS_GATE2);
	for (unsigned tries = 0; tries < CAL_TRIES && n < CAL_ROUNDS; tries++) {
		c = time_channel2();
		if (!c)
			continue;
		for (j = n++; j > 0 && good[j - 1] > c; j--)   /* insertion sort */
			good[j] = good[j - 1];
		good[j] = c;
	}
	outb(PORT_SYS_CTRL_B, saved);
	arch_irq_restore(flags);
	i = n / 2;
	return n ? good[i] * PIT_INPUT_HZ / CAL_COUNT : 0;
}

