/*
 * In-kernel tests of the APIC path (docs/apic-and-time.md): the I/O APIC
 * routes the PIT through its interrupt source override (ISA IRQ 0 on GSI 2
 * in QEMU) and the keyboard on IRQ 1; the LAPIC timer ticks at its rate
 * within 5 % of the reference clock it was calibrated against (checked
 * under -icount by test/scenarios_platform.py); the spurious vector is
 * counted and gets no EOI; the BSP's APIC id is one the MADT lists. On the
 * 8259 path (irq=pic) the APIC-only tests report that and pass.
 */
#include "arch/x86_64/interrupts.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/irq.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/pit.h"
#include "arch/x86_64/ps2.h"
#include "arch/x86_64/refclock.h"
#include "kernel/acpi/acpi.h"
#include "kernel/arch.h"
#include "kernel/kprintf.h"
#include "kernel/ktest.h"
#include "kernel/time/calibrate.h"
#include "kernel/time/clock.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "test/kernel/ps2_inject.h"

#define RTE_VECTOR(e)  ((unsigned)((e) & 0xff))
#define RTE_MASKED     (1ull << 16)

static bool apic_mode(void)
{
	if (irq_mode() == IRQ_MODE_APIC)
		return true;
	kprintf("skipped: interrupts come through the 8259 (%s)\n", irq_mode_name());
	return false;
}

static volatile unsigned pit_ticks_seen;

static void pit_test_tick(void)
{
	pit_ticks_seen++;
}

/* Spin until *n reaches want or ms of TSC time pass. */
static bool wait_count(volatile unsigned *n, unsigned want, unsigned ms)
{
	uint64_t until = clock_ns() + ms * 1000000ull;

	while (*n < want)
		if (clock_ns() > until)
			return false;
	return true;
}

KTEST(ioapic_routes_the_pit_through_its_override)
{
	const struct acpi_madt_info *madt = acpi_madt();
	uint32_t gsi;
	uint64_t rte;

	if (!apic_mode())
		return;
	KREQUIRE(arch_irq_enabled());
	gsi = irq_isa_gsi(IRQ_TIMER);
	KEXPECT_EQ(gsi, acpi_isa_irq_gsi(madt, 0, NULL));
	kprintf("ioapic: ISA IRQ 0 arrives on GSI %u\n", gsi);
	pit_ticks_seen = 0;
	KREQUIRE(pit_start(250, pit_test_tick) == 0);
	rte = ioapic_read_entry(gsi);
	KEXPECT_EQ(RTE_VECTOR(rte), IRQ_VEC_GSI_BASE + gsi);
	KEXPECT(!(rte & RTE_MASKED));
	KEXPECT(wait_count(&pit_ticks_seen, 10, 2000));
	pit_stop();
	KEXPECT(ioapic_read_entry(gsi) & RTE_MASKED);
}

KTEST(ioapic_routes_the_keyboard)
{
	struct irq_stats before, after;

	if (!apic_mode() || !ps2_present()) {
		kprintf("skipped: no APIC path or no 8042\n");
		return;
	}
	irq_get_stats(&before);
	KEXPECT(ktest_ps2_inject(SET2_A_MAKE));
	KEXPECT(ktest_ps2_inject(SET2_BREAK));
	KEXPECT(ktest_ps2_inject(SET2_A_MAKE));
	irq_get_stats(&after);
	KEXPECT(after.handled[IRQ_KEYBOARD] >= before.handled[IRQ_KEYBOARD] + 3);
	KEXPECT_EQ(RTE_VECTOR(ioapic_read_entry(irq_isa_gsi(IRQ_KEYBOARD))),
		   IRQ_VEC_GSI_BASE + irq_isa_gsi(IRQ_KEYBOARD));
}

/*
 * Ticks of the running tick source over 200 ms of the reference clock,
 * against hz * 0.2: within 5 %. Deterministic under -icount, where every
 * emulated clock advances with the instructions executed.
 */
KTEST_BOOT(lapic_timer_rate_matches_its_reference)
{
	struct refclock rc;
	uint64_t want_ref, ref = 0, last, t0, got, expect;

	if (!apic_mode())
		return;
	KREQUIRE(arch_irq_enabled());
	KREQUIRE(!strcmp(arch_timer_source(), "LAPIC timer"));
	KREQUIRE(refclock_find(NULL, &rc) == 0);
	want_ref = rc.hz / 5;
	last = rc.read();
	t0 = clock_ticks();
	while (ref < want_ref) {
		uint64_t r = rc.read();

		ref += calib_delta(r, last, rc.mask);
		last = r;
	}
	got = clock_ticks() - t0;
	expect = calib_muldiv(clock_tick_hz(), ref, rc.hz);
	kprintf("lapic: %llu ticks in %llu %s counts, %llu expected\n", (unsigned long long)got,
		(unsigned long long)ref, rc.name, (unsigned long long)expect);
	KEXPECT(got * 100 >= expect * 95);
	KEXPECT(got * 100 <= expect * 105);
}

KTEST(spurious_vector_is_counted_and_gets_no_eoi)
{
	struct lapic_stats before, after;

	if (!lapic_present()) {
		kprintf("skipped: no local APIC\n");
		return;
	}
	lapic_get_stats(&before);
	__asm__ volatile("int $0xff" ::: "memory");
	lapic_get_stats(&after);
	KEXPECT_EQ(after.spurious, before.spurious + 1);
}

KTEST(bsp_apic_id_is_listed_in_the_madt)
{
	const struct acpi_madt_info *madt = acpi_madt();
	bool found = false;

	if (!apic_mode())
		return;
	for (unsigned i = 0; i < madt->cpu_count; i++)
		found |= madt->cpus[i].apic_id == lapic_id() && madt->cpus[i].enabled;
	KEXPECT(found);
	kprintf("lapic: BSP APIC id %u, %s mode\n", lapic_id(), lapic_x2apic() ? "x2APIC" : "xAPIC");
}

#define TEST_IPI_VECTOR 0xe8       /* GSI 0xb8's vector: no I/O APIC has that line */
static volatile unsigned ipis_seen;

static void test_ipi(struct interrupt_frame *f)
{
	ipis_seen++;
	lapic_eoi();
}

KTEST(ipi_to_self_arrives)
{
	if (!apic_mode())
		return;
	KREQUIRE(arch_irq_enabled());
	KREQUIRE(interrupt_register(TEST_IPI_VECTOR, test_ipi) == 0);
	ipis_seen = 0;
	lapic_send_ipi(lapic_id(), TEST_IPI_VECTOR);
	KEXPECT(wait_count(&ipis_seen, 1, 1000));
	KEXPECT(lapic_ipi_delivered());
	KEXPECT_EQ(interrupt_unregister(TEST_IPI_VECTOR), 0);
}
