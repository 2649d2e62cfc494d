/*
 * Reference clocks (see refclock.h): HPET (IA-PC HPET spec 1.0a, 2.3),
 * ACPI PM timer (ACPI 4.8.2.1), PIT channel 2; and the measuring loop.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/pit.h"
#include "arch/x86_64/refclock.h"
#include "kernel/acpi/acpi.h"
#include "kernel/arch.h"
#include "kernel/mm/mmio.h"
#include "kernel/time/calibrate.h"
#include "lib/errno.h"
#include "lib/string.h"

#define HPET_GCAP_ID      0x00
#define HPET_GCAP_64BIT   (1ull << 13)
#define HPET_GEN_CONF     0x10
#define HPET_ENABLE       1ull
#define HPET_MAIN_COUNTER 0xf0
#define PM_TIMER_HZ       3579545u
#define ADVANCE_SPINS     2000000u        /* reads to wait for a counter to move */
#define ROUNDS            5

static volatile uint64_t *hpet;
static uint64_t pm_port;
static volatile uint32_t *pm_mmio;

static uint64_t hpet_read(void)
{
	return hpet[HPET_MAIN_COUNTER / 8];
}

static uint64_t pm_read(void)
{
	uint32_t v;

	if (pm_mmio)
		return *pm_mmio;
	__asm__ volatile("inl %w1, %0" : "=a"(v) : "Nd"((uint16_t)pm_port));
	return v;
}

static uint64_t pit_read(void)
{
	return 0xffffu - pit_ch2_read();
}

/* A counter that does not move within ADVANCE_SPINS reads is not there. */
static bool advances(uint64_t (*read)(void), uint64_t mask)
{
	uint64_t first = read() & mask;

	for (unsigned i = 0; i < ADVANCE_SPINS; i++)
		if ((read() & mask) != first)
			return true;
	return false;
}

static int try_hpet(struct refclock *out)
{
	const struct acpi_hpet_info *h = acpi_hpet();
	uint64_t cap;

	if (!h || !(hpet = (volatile uint64_t *)mmio_map(h->phys, 1024)))
		return -E_NODEV;
	cap = hpet[HPET_GCAP_ID / 8];
	*out = (struct refclock){ "HPET", calib_hpet_hz((uint32_t)(cap >> 32)),
				  cap & HPET_GCAP_64BIT ? ~0ull : 0xffffffffull, hpet_read };
	if (!out->hz)
		return -E_NODEV;
	hpet[HPET_GEN_CONF / 8] |= HPET_ENABLE;
	return advances(hpet_read, out->mask) ? 0 : -E_NODEV;
}

static int try_pm_timer(struct refclock *out)
{
	const struct acpi_fadt_info *f = acpi_fadt();

	if (!f || !f->pm_tmr.address)
		return -E_NODEV;
	if (f->pm_tmr.space_id == ACPI_GAS_MEMORY) {
		pm_mmio = mmio_map(f->pm_tmr.address, 4);
		if (!pm_mmio)
			return -E_NODEV;
	} else if (f->pm_tmr.space_id == ACPI_GAS_IO && f->pm_tmr.address <= 0xfffc) {
		pm_port = f->pm_tmr.address;
	} else {
		return -E_NODEV;
	}
	*out = (struct refclock){ "PM timer", PM_TIMER_HZ,
				  f->pm_tmr_32bit ? 0xffffffffull : 0xffffffull, pm_read };
	return advances(pm_read, out->mask) ? 0 : -E_NODEV;
}

static int try_pit(struct refclock *out)
{
	pit_ch2_free_run();
	*out = (struct refclock){ "PIT", PIT_INPUT_HZ, 0xffff, pit_read };
	return advances(pit_read, out->mask) ? 0 : -E_NODEV;
}

int refclock_find(const char *want, struct refclock *out)
{
	static const struct { const char *name; int (*probe)(struct refclock *); } order[] = {
		{ "hpet", try_hpet }, { "pmtimer", try_pm_timer }, { "pit", try_pit },
	};

	for (unsigned i = 0; want && i < 3; i++)
		if (!strcmp(want, order[i].name))
			return order[i].probe(out);
	for (unsigned i = 0; i < 3; i++)
		if (order[i].probe(out) == 0)
			return 0;
	return -E_NODEV;
}

/* One round: target events over about ms of the reference, as a rate. */
static uint64_t one_round(const struct refclock *rc, uint64_t (*target)(void),
			  uint64_t target_mask, uint64_t want)
{
	uint64_t r0 = rc->read(), t0 = target(), r = r0, ref = 0, last = r0;

	while (ref < want) {
		r = rc->read();
		ref += calib_delta(r, last, rc->mask);   /* small steps: wraps are counted */
		last = r;
	}
	return calib_rate(calib_delta(target(), t0, target_mask), ref, rc->hz);
}

uint64_t refclock_measure(const struct refclock *rc, uint64_t (*target)(void),
			  uint64_t target_mask, unsigned ms)
{
	unsigned long flags = arch_irq_save();
	uint64_t rates[ROUNDS];
	uint64_t want = calib_muldiv(rc->hz, ms, 1000);

	for (unsigned i = 0; i < ROUNDS; i++)
		rates[i] = one_round(rc, target, target_mask, want);
	arch_irq_restore(flags);
	return calib_median(rates, ROUNDS);
}
