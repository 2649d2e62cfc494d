/*
 * 8254 PIT (see pit.h): channel 0 as the periodic tick on IRQ 0, channel 2
 * as a one-shot stopwatch for TSC calibration. Also the arch_timer_* entry
 * points of arch.h.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/pic.h"
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

struct pit_callback {
	pit_callback_fn fn;
	void *ctx;
};

static volatile uint64_t ticks;
static unsigned divisor;
static struct pit_callback callbacks[PIT_MAX_CALLBACKS];

/* IRQ 0: count, then run the callbacks. The PIC sends the EOI. */
static void pit_irq(void)
{
	ticks++;
	for (unsigned i = 0; i < PIT_MAX_CALLBACKS; i++)
		if (callbacks[i].fn)
			callbacks[i].fn(callbacks[i].ctx);
}

int pit_start(unsigned hz)
{
	int err;

	if (hz < PIT_MIN_HZ || hz > PIT_MAX_HZ)
		return -E_RANGE;
	if (divisor)
		return -E_BUSY;
	divisor = (PIT_INPUT_HZ + hz / 2) / hz;
	outb(PIT_CMD, PIT_SEL_CH0 | PIT_ACCESS_LOHI | PIT_MODE_2);
	outb(PIT_CH0, divisor & 0xff);
	outb(PIT_CH0, divisor >> 8);
	err = pic_set_handler(IRQ_TIMER, pit_irq);
	if (err < 0)
		return err;
	pic_unmask(IRQ_TIMER);
	return 0;
}

uint64_t pit_ticks(void)
{
	return ticks;        /* one aligned 64-bit load: never torn */
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

int pit_add_callback(pit_callback_fn fn, void *ctx)
{
	unsigned long flags;
	int err = -E_NOSPC;

	if (!fn)
		return -E_INVAL;
	flags = arch_irq_save();
	for (unsigned i = 0; i < PIT_MAX_CALLBACKS; i++) {
		if (!callbacks[i].fn) {
			callbacks[i] = (struct pit_callback){ fn, ctx };
			err = 0;
			break;
		}
	}
	arch_irq_restore(flags);
	return err;
}

int pit_remove_callback(pit_callback_fn fn, void *ctx)
{
	unsigned long flags = arch_irq_save();
	int err = -E_NOENT;

	for (unsigned i = 0; i < PIT_MAX_CALLBACKS; i++) {
		if (callbacks[i].fn == fn && callbacks[i].ctx == ctx) {
			callbacks[i] = (struct pit_callback){ 0 };
			err = 0;
			break;
		}
	}
	arch_irq_restore(flags);
	return err;
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

/* ---- arch.h ------------------------------------------------------------------------ */

int arch_timer_start(unsigned hz)
{
	return pit_start(hz);
}

uint64_t arch_timer_ticks(void)
{
	return pit_ticks();
}

uint64_t arch_timer_ticks_to_ns(uint64_t n)
{
	return pit_ticks_to_ns(n);
}

int arch_timer_add_callback(void (*fn)(void *ctx), void *ctx)
{
	return pit_add_callback(fn, ctx);
}

int arch_timer_remove_callback(void (*fn)(void *ctx), void *ctx)
{
	return pit_remove_callback(fn, ctx);
}

uint64_t arch_tsc_measure_hz(void)
{
	return pit_measure_tsc_hz();
}
