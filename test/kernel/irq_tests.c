/*
 * In-kernel tests of hardware interrupts and time: the 8259 pair (masks read
 * back from the chips, EOIs, the spurious IRQ 7 / 15 paths driven directly),
 * the PIT tick rate measured against the TSC, the nanosecond clock, the PIT
 * calibration of the TSC, and the interleaving of lines printed from a timer
 * callback with lines printed by the main flow (checked on serial by
 * test/scenarios_irq.py).
 */
#include "arch/x86_64/irq.h"
#include "arch/x86_64/pic.h"
#include "arch/x86_64/pit.h"
#include "arch/x86_64/ps2.h"
#include "kernel/arch.h"
#include "kernel/time/clock.h"
#include "kernel/kprintf.h"
#include "kernel/ktest.h"
#include "lib/errno.h"
#include "lib/string.h"

/* Spin, interrupts as they are, until the TSC has advanced by ns. */
static void busy_wait_ns(uint64_t ns)
{
	uint64_t hz = clock_tsc_hz();
	uint64_t cycles = ns / 1000 * (hz / 1000000);
	uint64_t t0 = arch_timestamp();

	while (arch_timestamp() - t0 < cycles)
		__asm__ volatile("pause");
}

/* ---- PIC ----------------------------------------------------------------------------- */

KTEST(pic_masks_read_back_from_the_chips)
{
	uint16_t want = (uint16_t)~((1u << IRQ_TIMER) | (1u << IRQ_CASCADE) | (1u << IRQ_COM1));

	if (irq_mode() == IRQ_MODE_APIC)
		want = (uint16_t)~(1u << IRQ_CASCADE);   /* the I/O APIC delivers: 8259 all masked */
	else if (ps2_present())
		want &= (uint16_t)~(1u << IRQ_KEYBOARD);
	KEXPECT_EQ(pic_read_mask(), want);
	pic_unmask(5);
	pic_unmask(12);
	KEXPECT_EQ(pic_read_mask(), want & (uint16_t)~((1u << 5) | (1u << 12)));
	pic_mask(5);
	pic_mask(12);
	KEXPECT_EQ(pic_read_mask(), want);
}

KTEST(pic_spurious_check_looks_only_at_the_last_line_of_each_chip)
{
	KEXPECT(pic_irq_is_spurious(7, 0));
	KEXPECT(pic_irq_is_spurious(7, 0xff7f));     /* every other bit set */
	KEXPECT(!pic_irq_is_spurious(7, 0x0080));
	KEXPECT(pic_irq_is_spurious(15, 0x0080));     /* master bit 7 is not slave bit 7 */
	KEXPECT(!pic_irq_is_spurious(15, 0x8000));
	KEXPECT(!pic_irq_is_spurious(0, 0));
	KEXPECT(!pic_irq_is_spurious(3, 0));
	KEXPECT(!pic_irq_is_spurious(14, 0));
}

static unsigned test_handler_runs;

static void test_handler(void)
{
	test_handler_runs++;
}

/*
 * With nothing in service (the main flow, interrupts off), IRQ 7 and 15 read
 * as spurious from the real ISR: no handler, no EOI to their own chip.
 */
KTEST(spurious_irq7_runs_no_handler_and_sends_no_eoi)
{
	struct pic_stats before, after;
	unsigned long flags;

	KREQUIRE(pic_set_handler(IRQ_SPURIOUS_MASTER, test_handler) == 0);
	test_handler_runs = 0;
	flags = arch_irq_save();
	KEXPECT_EQ(pic_read_isr(), 0);
	pic_get_stats(&before);
	pic_handle_irq(IRQ_SPURIOUS_MASTER);
	pic_get_stats(&after);
	arch_irq_restore(flags);
	KEXPECT_EQ(pic_clear_handler(IRQ_SPURIOUS_MASTER), 0);
	KEXPECT_EQ(after.spurious_master, before.spurious_master + 1);
	KEXPECT_EQ(after.eoi_master, before.eoi_master);
	KEXPECT_EQ(after.eoi_slave, before.eoi_slave);
	KEXPECT_EQ(after.handled[IRQ_SPURIOUS_MASTER], before.handled[IRQ_SPURIOUS_MASTER]);
	KEXPECT_EQ(test_handler_runs, 0);
}

KTEST(spurious_irq15_sends_an_eoi_to_the_master_only)
{
	struct pic_stats before, after;
	unsigned long flags;

	KREQUIRE(pic_set_handler(IRQ_SPURIOUS_SLAVE, test_handler) == 0);
	test_handler_runs = 0;
	flags = arch_irq_save();
	pic_get_stats(&before);
	pic_handle_irq(IRQ_SPURIOUS_SLAVE);
	pic_get_stats(&after);
	arch_irq_restore(flags);
	KEXPECT_EQ(pic_clear_handler(IRQ_SPURIOUS_SLAVE), 0);
	KEXPECT_EQ(after.spurious_slave, before.spurious_slave + 1);
	KEXPECT_EQ(after.spurious_master, before.spurious_master);
	KEXPECT_EQ(after.eoi_master, before.eoi_master + 1);
	KEXPECT_EQ(after.eoi_slave, before.eoi_slave);
	KEXPECT_EQ(test_handler_runs, 0);
}

/* A slave line that is not 15 is always real: handler, then EOI to both chips. */
KTEST(slave_irq_runs_its_handler_and_sends_an_eoi_to_both_chips)
{
	struct pic_stats before, after;
	unsigned long flags;

	KREQUIRE(pic_set_handler(10, test_handler) == 0);
	KEXPECT_EQ(pic_set_handler(10, test_handler), -E_BUSY);
	test_handler_runs = 0;
	flags = arch_irq_save();
	pic_get_stats(&before);
	pic_handle_irq(10);
	pic_get_stats(&after);
	arch_irq_restore(flags);
	KEXPECT_EQ(pic_clear_handler(10), 0);
	KEXPECT_EQ(pic_clear_handler(10), -E_NOENT);
	KEXPECT_EQ(test_handler_runs, 1);
	KEXPECT_EQ(after.handled[10], before.handled[10] + 1);
	KEXPECT_EQ(after.eoi_slave, before.eoi_slave + 1);
	KEXPECT_EQ(after.eoi_master, before.eoi_master + 1);
}

KTEST(pic_refuses_bad_lines_and_the_cascade)
{
	KEXPECT_EQ(pic_set_handler(16, test_handler), -E_INVAL);
	KEXPECT_EQ(pic_set_handler(IRQ_CASCADE, test_handler), -E_INVAL);
	KEXPECT_EQ(pic_set_handler(9, NULL), -E_INVAL);
	if (irq_mode() == IRQ_MODE_PIC && pit_divisor()) {
		KEXPECT_EQ(pic_set_handler(IRQ_TIMER, test_handler), -E_BUSY);
	} else {                                 /* the 8259's timer line is unused */
		KEXPECT_EQ(pic_set_handler(IRQ_TIMER, test_handler), 0);
		KEXPECT_EQ(pic_clear_handler(IRQ_TIMER), 0);
	}
}

/* Every timer interrupt that ran got exactly one EOI to the master. */
KTEST(timer_interrupts_are_acknowledged_one_eoi_each)
{
	struct pic_stats before, after;
	uint64_t other;

	KREQUIRE(arch_irq_enabled());
	if (irq_mode() != IRQ_MODE_PIC || !pit_divisor()) {
		kprintf("skipped: the tick does not come through the 8259\n");
		return;
	}
	pic_get_stats(&before);
	busy_wait_ns(50000000);
	pic_get_stats(&after);
	other = 0;
	for (unsigned irq = 1; irq < PIC_IRQS; irq++)
		other += after.handled[irq] - before.handled[irq];
	KEXPECT(after.handled[IRQ_TIMER] > before.handled[IRQ_TIMER]);
	KEXPECT_EQ(after.eoi_master - before.eoi_master,
		   after.handled[IRQ_TIMER] - before.handled[IRQ_TIMER] + other);
}

/* ---- PIT and clock ------------------------------------------------------------------- */

/*
 * The clock_ns of consecutive ticks, stamped by a tick callback.
 *
 * Under emulation the host decides when the guest runs: when it deschedules
 * QEMU, ticks are late, and QEMU then delivers them in a burst or they
 * collapse into one (see pit.h). So the rate is judged by the median gap of
 * 100 ticks, and a sample that a burst spoiled is taken again, up to
 * TICK_SAMPLES times. A wrong divisor or a wrong TSC rate spoils every
 * sample. The scenarios run the same test under -icount, where host load
 * cannot move a tick, and there the first sample always counts.
 */
#define STAMPS 101
#define TICK_SAMPLES 5
static uint64_t stamps[STAMPS];
static volatile unsigned nstamps;

static void stamp_tick(void *ctx)
{
	(void)ctx;
	if (nstamps < STAMPS)
		stamps[nstamps++] = clock_ns();
}

static bool record_ticks(void)
{
	uint64_t until = clock_ns() + 10000000000ull;

	nstamps = 0;
	if (clock_add_tick_callback(stamp_tick, NULL) < 0)
		return false;
	while (nstamps < STAMPS && clock_ns() < until)
		__asm__ volatile("pause");
	clock_remove_tick_callback(stamp_tick, NULL);
	return nstamps == STAMPS;
}

static uint64_t median_gap(void)
{
	uint64_t gap[STAMPS - 1], g;
	unsigned i, j;

	for (i = 0; i + 1 < STAMPS; i++) {          /* insertion sort */
		g = stamps[i + 1] - stamps[i];
		for (j = i; j > 0 && gap[j - 1] > g; j--)
			gap[j] = gap[j - 1];
		gap[j] = g;
	}
	return gap[(STAMPS - 1) / 2];
}

static bool within_10_percent(uint64_t got, uint64_t want)
{
	return got * 10 >= want * 9 && got * 10 <= want * 11;
}

/* One sample of 100 ticks: gaps typical of the period, and clock_ns read in
 * the tick rises at every tick and spans at least 90 periods. */
static bool tick_sample_is_sound(uint64_t *median)
{
	uint64_t period = arch_timer_ticks_to_ns(1);

	if (!record_ticks())
		return false;
	*median = median_gap();
	for (unsigned i = 0; i + 1 < STAMPS; i++)
		if (stamps[i + 1] <= stamps[i])
			return false;
	return within_10_percent(*median, period) &&
	       (stamps[STAMPS - 1] - stamps[0]) * 10 >= (STAMPS - 1) * period * 9;
}

/*
 * Ticks advance at the programmed rate: the count rises across a busy wait
 * of 300 ms of TSC time, and the median gap between ticks is the period
 * within 10 %.
 */
KTEST(timer_ticks_advance_at_the_programmed_rate)
{
	uint64_t t0, got, period = arch_timer_ticks_to_ns(1), median = 0;
	unsigned samples = 0;
	bool sound = false;

	KREQUIRE(arch_irq_enabled());
	KREQUIRE(clock_tsc_hz() != 0);
	t0 = clock_ticks();
	busy_wait_ns(300000000);
	got = clock_ticks() - t0;
	while (!sound && samples++ < TICK_SAMPLES)
		sound = tick_sample_is_sound(&median);
	kprintf("timer: %u Hz asked, period %llu ns: median gap %llu ns (sample %u); "
		"%llu ticks in 300 ms\n", clock_tick_hz(), (unsigned long long)period,
		(unsigned long long)median, samples, (unsigned long long)got);
	KEXPECT(got > 0);
	KEXPECT(within_10_percent(median, period));
}

KTEST(clock_ns_never_goes_backwards)
{
	uint64_t prev = clock_ns(), now;
	unsigned back = 0;

	for (int i = 0; i < 200000; i++) {
		now = clock_ns();
		back += now < prev;
		prev = now;
	}
	KEXPECT_EQ(back, 0);
	KEXPECT(prev > 0);
}

/*
 * The TSC clock and the tick share one time base: read from inside the tick
 * it rises at every tick, 100 ticks take at least 90 periods of it, and the
 * typical tick lasts one period of it.
 */
KTEST(clock_ns_agrees_with_the_ticks)
{
	uint64_t median = 0;
	unsigned samples = 0;
	bool sound = false;

	KREQUIRE(arch_irq_enabled());
	while (!sound && samples++ < TICK_SAMPLES)
		sound = tick_sample_is_sound(&median);
	KEXPECT(sound);
}

KTEST(clock_conversions_are_exact)
{
	uint64_t hz = clock_tsc_hz();

	KREQUIRE(hz != 0);
	KEXPECT_EQ(clock_cycles_to_ns(hz), 1000000000ull);
	KEXPECT_EQ(clock_cycles_to_ns(hz * 3600 * 24), 86400000000000ull);  /* no overflow */
	KEXPECT_EQ(clock_cycles_to_ns(hz / 2), 500000000ull - (hz % 2 ? 1 : 0));
	KEXPECT_EQ(clock_cycles_to_ns(0), 0);
	/* 1000 Hz asks for divisor 1193: 1193 / 1193182 s = 999847.0... ns */
	if (pit_divisor() == 1193 && !strcmp(arch_timer_source(), "PIT")) {
		KEXPECT_EQ(pit_ticks_to_ns(1), 999847);
		KEXPECT_EQ(pit_ticks_to_ns(1000000), 999847466689ull);
	}
}

static void count_tick(void *ctx)
{
	(*(volatile unsigned *)ctx)++;
}

/* Spin until *counter reaches target or 5 s of TSC time pass. */
static bool wait_for_count(volatile unsigned *counter, unsigned target)
{
	uint64_t until = clock_ns() + 5000000000ull;

	while (*counter < target)
		if (clock_ns() > until)
			return false;
	return true;
}

KTEST(tick_callbacks_run_from_the_timer_and_stop_when_removed)
{
	static volatile unsigned runs, other_runs;
	unsigned after_removal;

	KREQUIRE(arch_irq_enabled());
	runs = other_runs = 0;
	KREQUIRE(clock_add_tick_callback(count_tick, (void *)&runs) == 0);
	KREQUIRE(clock_add_tick_callback(count_tick, (void *)&other_runs) == 0);
	KEXPECT(wait_for_count(&runs, 10));
	KEXPECT_EQ(clock_remove_tick_callback(count_tick, (void *)&runs), 0);
	after_removal = runs;
	KEXPECT(wait_for_count(&other_runs, other_runs + 10));  /* ten more ticks */
	KEXPECT_EQ(clock_remove_tick_callback(count_tick, (void *)&other_runs), 0);
	KEXPECT_EQ(runs, after_removal);            /* removed: ran no more */
	KEXPECT_EQ(clock_remove_tick_callback(count_tick, (void *)&runs), -E_NOENT);
	KEXPECT_EQ(clock_add_tick_callback(NULL, NULL), -E_INVAL);
}

KTEST(tick_callback_table_fills_up_with_a_no_space_error)
{
	static unsigned slots[ARCH_TIMER_MAX_CALLBACKS + 1];
	unsigned n = 0;
	int err = 0;

	while (n <= ARCH_TIMER_MAX_CALLBACKS && !(err = clock_add_tick_callback(count_tick, &slots[n])))
		n++;
	KEXPECT_EQ(err, -E_NOSPC);
	KEXPECT(n >= 1 && n <= ARCH_TIMER_MAX_CALLBACKS);
	while (n--)
		KEXPECT_EQ(clock_remove_tick_callback(count_tick, &slots[n]), 0);
}

/*
 * A new measurement against the reference clock agrees with the rate the
 * clock runs on (the loader's, checked against the same reference at boot)
 * within 2 %.
 */
KTEST(reference_clock_measures_the_tsc_rate_the_loader_found)
{
	uint64_t loader = clock_tsc_hz(), pit;

	KREQUIRE(loader != 0);
	pit = arch_tsc_measure_hz();
	kprintf("tsc: loader %llu Hz, %s %llu Hz\n", (unsigned long long)loader,
		arch_timer_reference(), (unsigned long long)pit);
	KEXPECT(pit * 100 >= loader * 98);
	KEXPECT(pit * 100 <= loader * 102);
}

/*
 * Booted with clock.calibrate (and clock.ref=... to pick the reference): the
 * clock runs on the kernel's own measurement against that reference.
 */
KTEST_BOOT(clock_calibrates_the_tsc_against_the_pit)
{
	uint64_t hz = clock_tsc_hz(), again = arch_tsc_measure_hz();

	KEXPECT(!strcmp(clock_tsc_source(), arch_timer_reference()));
	KEXPECT(hz * 100 >= again * 98);
	KEXPECT(hz * 100 <= again * 102);
}

/* ---- printing from an interrupt ------------------------------------------------------ */

#define TICK_LINE_EVERY 3
static volatile unsigned tick_lines, tick_calls;

static void print_tick_line(void *ctx)
{
	(void)ctx;
	if (++tick_calls % TICK_LINE_EVERY)
		return;
	kprintf("tick-line %u: printed from the timer interrupt\n", tick_lines++);
}

/*
 * A timer callback prints a line every few ticks while the main flow prints
 * at least 200 lines; test/scenarios_irq.py checks that every serial line between the
 * markers is one whole line of either kind.
 */
KTEST_BOOT(timer_lines_never_split_main_lines)
{
	KREQUIRE(arch_irq_enabled());
	KREQUIRE(clock_add_tick_callback(print_tick_line, NULL) == 0);
	kprintf("interleave: begin\n");
	/* 200 lines, and more until the timer has had its say ten times: a
	 * fast console (serial only) may need more than 200 */
	for (unsigned i = 0; i < 200 || (tick_lines < 10 && i < 100000); i++)
		kprintf("main-line %03u: printed from the main flow, "
			"abcdefghijklmnopqrstuvwxyz0123456789\n", i);
	KEXPECT_EQ(clock_remove_tick_callback(print_tick_line, NULL), 0);
	kprintf("interleave: end, %u tick lines\n", tick_lines);
	KEXPECT(tick_lines >= 10);
}
