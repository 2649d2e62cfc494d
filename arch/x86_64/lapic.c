/*
 * PLACEHOLDER local APIC driver (see lapic.h): xAPIC registers through the
 * direct map, enough for IPIs and INIT-SIPI-SIPI. Any context.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "kernel/boot_info.h"
#include "lib/errno.h"

#define MSR_APIC_BASE   0x1b
#define APIC_BASE_EN    (1ull << 11)
#define LAPIC_ID        0x20
#define LAPIC_TPR       0x80
#define LAPIC_EOI       0xb0
#define LAPIC_SVR       0xf0
#define LAPIC_ICR_LO    0x300
#define LAPIC_ICR_HI    0x310
#define ICR_PENDING     (1u << 12)
#define ICR_ASSERT      (1u << 14)
#define ICR_INIT        (5u << 8)
#define ICR_STARTUP     (6u << 8)
#define ICR_ALL_BUT_SELF (3u << 18)

static volatile uint32_t *reg(unsigned off)
{
	uint64_t base = rdmsr(MSR_APIC_BASE) & 0xffffff000ull;

	return (volatile uint32_t *)(DIRECT_MAP_BASE + base + off);
}

void lapic_init(void)
{
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_EN);
	*reg(LAPIC_TPR) = 0;
	*reg(LAPIC_SVR) = 0x100 | 0xff;   /* enabled, spurious vector 0xff */
}

uint32_t lapic_id(void)
{
	return *reg(LAPIC_ID) >> 24;
}

void lapic_eoi(void)
{
	*reg(LAPIC_EOI) = 0;
}

/* Interrupts off: a handler sending an IPI must not split our two writes. */
static void icr(uint32_t dest, uint32_t lo)
{
	uint64_t f = read_rflags();

	cli();
	while (*reg(LAPIC_ICR_LO) & ICR_PENDING)
		pause();
	*reg(LAPIC_ICR_HI) = dest << 24;
	*reg(LAPIC_ICR_LO) = lo;
	if (f & RFLAGS_IF)
		sti();
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	icr(apic_id, ICR_ASSERT | vector);
}

void lapic_send_ipi_all_but_self(uint8_t vector)
{
	icr(0, ICR_ALL_BUT_SELF | ICR_ASSERT | vector);
}

void lapic_send_init(uint32_t apic_id)
{
	icr(apic_id, ICR_INIT | ICR_ASSERT);
}

void lapic_send_startup(uint32_t apic_id, uint8_t page)
{
	icr(apic_id, ICR_STARTUP | ICR_ASSERT | page);
}

bool lapic_ipi_delivered(void)
{
	return !(*reg(LAPIC_ICR_LO) & ICR_PENDING);
}

int lapic_timer_start(unsigned hz)
{
	(void)hz;
	return -E_NODEV;
}
