/*
 * The kernel's tick (the arch_timer_* entry points of arch.h): the LAPIC
 * timer in TSC-deadline mode when CPUID offers it and the TSC rate is known,
 * else the LAPIC timer counting the bus clock when interrupts go through the
 * APICs and its rate could be calibrated against a reference clock
 * (refclock.h), else PIT channel 0. timer=deadline|lapic|pit on the command
 * line narrows the choice.
 * Counts ticks and runs the tick callbacks in interrupt context.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/irq.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/pit.h"
#include "arch/x86_64/refclock.h"
#include "kernel/arch.h"
#include "kernel/smp/percpu.h"
#include "kernel/kprintf.h"
#include "kernel/time/calibrate.h"
#include "kernel/time/clock.h"
#include "lib/cmdline.h"
#include "lib/errno.h"

#define CALIBRATE_MS    10

struct tick_callback {
	void (*fn)(void *ctx);
	void *ctx;
};

static volatile uint64_t ticks;
static struct tick_callback callbacks[ARCH_TIMER_MAX_CALLBACKS];
static const char *source = "none";
static struct refclock ref;
static bool have_ref;
static uint64_t lapic_count;            /* LAPIC timer initial count per tick */
static uint64_t deadline_period;        /* TSC cycles per tick in TSC-deadline mode */
static bool deadline_allowed = true;    /* not timer=lapic or timer=pit */
static void (*local_tick)(void);        /* every CPU's tick: the process layer */

void arch_timer_set_local_tick(void (*fn)(void))
{
	__atomic_store_n(&local_tick, fn, __ATOMIC_RELEASE);
}

static void run_local_tick(void)
{
	void (*fn)(void) = __atomic_load_n(&local_tick, __ATOMIC_ACQUIRE);

	if (fn)
		fn();
}

/*
 * Every CPU's LAPIC timer lands here (SMP starts one per application
 * processor): the kernel's tick and its callbacks are the BSP's; another
 * CPU only counts its own ticks.
 */
static void tick(void)
{
	struct cpu *c = percpu_ready() ? cpu_self() : NULL;

	if (c && c->index != 0) {
		c->ticks++;
		run_local_tick();
		return;
	}
	ticks++;
	for (unsigned i = 0; i < ARCH_TIMER_MAX_CALLBACKS; i++)
		if (callbacks[i].fn)
			callbacks[i].fn(callbacks[i].ctx);
	if (c)
		run_local_tick();
}

static uint64_t lapic_elapsed(void)
{
	return 0xffffffffu - lapic_timer_current();
}

int arch_timer_calibrate(const char *cmdline)
{
	char want[16];
	uint64_t rate;

	if (cmdline_get(cmdline, "clock.ref", want, sizeof(want)) <= 0)
		want[0] = '\0';
	if (refclock_find(want[0] ? want : NULL, &ref) < 0) {
		kprintf("timer: no reference clock (HPET, PM timer, PIT) answers\n");
		return -E_NODEV;
	}
	have_ref = true;
	deadline_allowed = !cmdline_has(cmdline, "timer=lapic") && !cmdline_has(cmdline, "timer=pit");
	if (cmdline_has(cmdline, "timer=deadline") && !lapic_tsc_deadline_offered())
		kprintf("timer: timer=deadline, but CPUID offers no TSC-deadline mode\n");
	if (irq_mode() != IRQ_MODE_APIC || cmdline_has(cmdline, "timer=pit"))
		return 0;
	lapic_timer_oneshot_masked(0xffffffffu);
	rate = refclock_measure(&ref, lapic_elapsed, 0xffffffffu, CALIBRATE_MS);
	lapic_timer_stop();
	lapic_timer_set_rate(rate);
	kprintf("timer: LAPIC timer %llu.%03llu MHz (bus / %u) against the %s\n",
		(unsigned long long)(rate / 1000000), (unsigned long long)(rate / 1000 % 1000),
		LAPIC_TIMER_DIVIDE, ref.name);
	return rate ? 0 : -E_NODEV;
}

/* TSC-deadline mode, when offered, allowed and the TSC rate is known. */
static int start_deadline(unsigned hz)
{
	uint64_t tsc_hz = clock_tsc_hz();
	int err;

	if (!deadline_allowed || irq_mode() != IRQ_MODE_APIC || !tsc_hz ||
	    !lapic_tsc_deadline_offered())
		return -E_NODEV;
	lapic_timer_set_handler(tick);
	err = lapic_timer_start_deadline((tsc_hz + hz / 2) / hz);
	if (err)
		return err;
	deadline_period = (tsc_hz + hz / 2) / hz;
	source = "LAPIC TSC-deadline";
	return 0;
}

int arch_timer_start(unsigned hz)
{
	int err;

	if (hz < PIT_MIN_HZ || hz > PIT_MAX_HZ)
		return -E_RANGE;
	if (lapic_count || deadline_period || pit_divisor())
		return -E_BUSY;
	if (percpu_ready())
		cpu_self()->tick_hz = hz;
	if (start_deadline(hz) == 0)
		return 0;
	if (irq_mode() == IRQ_MODE_APIC && lapic_timer_rate()) {
		lapic_timer_set_handler(tick);
		err = lapic_timer_start(hz);
		if (err == 0) {
			lapic_count = (lapic_timer_rate() + hz / 2) / hz;
			source = "LAPIC timer";
			return 0;
		}
	}
	err = pit_start(hz, tick);
	if (err == 0)
		source = "PIT";
	return err;
}

/* Start the tick again at hz (tests of the timer). */
int arch_timer_restart(unsigned hz)
{
	if (lapic_count || deadline_period) {
		lapic_timer_stop();
		lapic_count = 0;
		deadline_period = 0;
	}
	if (pit_divisor())
		pit_stop();
	return arch_timer_start(hz);
}

const char *arch_timer_source(void)
{
	return source;
}

const char *arch_timer_reference(void)
{
	return have_ref ? ref.name : "none";
}

uint64_t arch_timer_ticks(void)
{
	return ticks;
}

uint64_t arch_timer_ticks_to_ns(uint64_t n)
{
	if (deadline_period)
		return calib_muldiv(n * deadline_period, 1000000000ull, clock_tsc_hz());
	if (lapic_count)
		return calib_muldiv(n * lapic_count, 1000000000ull, lapic_timer_rate());
	return pit_ticks_to_ns(n);
}

int arch_timer_add_callback(void (*fn)(void *ctx), void *ctx)
{
	unsigned long flags;
	int err = -E_NOSPC;

	if (!fn)
		return -E_INVAL;
	flags = arch_irq_save();
	for (unsigned i = 0; i < ARCH_TIMER_MAX_CALLBACKS; i++) {
		if (!callbacks[i].fn) {
			callbacks[i] = (struct tick_callback){ fn, ctx };
			err = 0;
			break;
		}
	}
	arch_irq_restore(flags);
	return err;
}

int arch_timer_remove_callback(void (*fn)(void *ctx), void *ctx)
{
	unsigned long flags = arch_irq_save();
	int err = -E_NOENT;

	for (unsigned i = 0; i < ARCH_TIMER_MAX_CALLBACKS; i++) {
		if (callbacks[i].fn == fn && callbacks[i].ctx == ctx) {
			callbacks[i] = (struct tick_callback){ 0 };
			err = 0;
			break;
		}
	}
	arch_irq_restore(flags);
	return err;
}

static uint64_t tsc_read(void)
{
	return rdtsc();
}

uint64_t arch_tsc_measure_hz(void)
{
	if (!have_ref && refclock_find(NULL, &ref) == 0)
		have_ref = true;
	return have_ref ? refclock_measure(&ref, tsc_read, ~0ull, CALIBRATE_MS) : 0;
}
