/*
 * Device interrupts by ISA line (see irq.h): mode choice, the APIC path's
 * handler table and vector dispatch, and the forwarding to the 8259 path.
 * Also arch_irq_init of arch.h.
 */
#include "arch/x86_64/interrupts.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/irq.h"
#include "arch/x86_64/lapic.h"
#include "kernel/acpi/acpi.h"
#include "kernel/arch.h"
#include "kernel/kprintf.h"
#include "kernel/panic.h"
#include "lib/cmdline.h"
#include "lib/errno.h"

#define NO_GSI 0xffffffffu

static enum irq_mode mode = IRQ_MODE_PIC;
static irq_handler_fn handlers[ISA_IRQS];
static uint32_t gsi_of[ISA_IRQS];
static struct irq_stats stats;

/* Vector 0x30 + gsi: find the ISA line, run its handler, EOI the LAPIC. */
static void gsi_vector(struct interrupt_frame *frame)
{
	uint32_t gsi = (uint32_t)frame->vector - IRQ_VEC_GSI_BASE;

	for (unsigned irq = 0; irq < ISA_IRQS; irq++) {
		if (gsi_of[irq] == gsi && handlers[irq]) {
			stats.handled[irq]++;
			handlers[irq]();
			lapic_eoi();
			return;
		}
	}
	stats.unhandled++;
	lapic_eoi();
}

static bool gsi_taken(unsigned below, uint32_t gsi)
{
	for (unsigned irq = 0; irq < below; irq++)
		if (gsi_of[irq] == gsi)
			return true;
	return false;
}

/*
 * Route each ISA line through the overrides to its GSI, all masked. IRQ 2
 * (the 8259 cascade) is no device; a line whose GSI another line already
 * took (QEMU: IRQ 0 on GSI 2) is left unrouted.
 */
static int route_isa(const struct acpi_madt_info *madt)
{
	for (unsigned irq = 0; irq < ISA_IRQS; irq++) {
		uint16_t flags;
		uint32_t gsi = acpi_isa_irq_gsi(madt, (uint8_t)irq, &flags);

		gsi_of[irq] = NO_GSI;
		if (irq == IRQ_CASCADE || gsi > IRQ_MAX_GSI || gsi_taken(irq, gsi))
			continue;
		gsi_of[irq] = gsi;
		if (ioapic_route(gsi, (uint8_t)(IRQ_VEC_GSI_BASE + gsi), lapic_id(),
				 acpi_mps_active_low(flags), acpi_mps_level(flags)) == 0 &&
		    interrupt_register(IRQ_VEC_GSI_BASE + gsi, gsi_vector) < 0)
			return -E_BUSY;
	}
	return 0;
}

static const char *apic_unusable(const struct boot_info *bi)
{
	const struct acpi_madt_info *madt = acpi_madt();

	if (cmdline_has(bi->cmdline, "irq=pic"))
		return "irq=pic on the command line";
	if (!madt)
		return "no usable MADT";
	if (lapic_setup(!cmdline_has(bi->cmdline, "apic=xapic")) < 0)
		return "no local APIC";
	lapic_init();
	if (!ioapic_init(madt))
		return "no I/O APIC";
	if (route_isa(madt) < 0)
		return "vectors taken";
	return NULL;
}

void irq_init(const struct boot_info *bi)
{
	const char *why;

	ASSERT(!arch_irq_enabled());
	pic_init();                        /* remapped and masked in either mode */
	why = apic_unusable(bi);
	if (!why) {
		mode = IRQ_MODE_APIC;
		kprintf("irq: I/O APIC, local APIC %u in %s mode; ISA IRQ 0 on GSI %u\n",
			lapic_id(), lapic_x2apic() ? "x2APIC" : "xAPIC", gsi_of[0]);
		return;
	}
	mode = IRQ_MODE_PIC;
	if (lapic_present()) {
		lapic_set_legacy_pic(true);    /* LINT0 as ExtINT: the 8259 reaches the CPU */
		lapic_init();
	}
	kprintf("irq: 8259 PIC (%s)\n", why);
}

enum irq_mode irq_mode(void)
{
	return mode;
}

const char *irq_mode_name(void)
{
	return mode == IRQ_MODE_APIC ? "I/O APIC" : "8259 PIC";
}

int irq_set_handler(unsigned isa_irq, irq_handler_fn fn)
{
	unsigned long flags;
	int err = 0;

	if (mode == IRQ_MODE_PIC)
		return pic_set_handler(isa_irq, fn);
	if (isa_irq >= ISA_IRQS || isa_irq == IRQ_CASCADE || !fn)
		return -E_INVAL;
	if (gsi_of[isa_irq] == NO_GSI)
		return -E_NODEV;
	flags = arch_irq_save();
	if (handlers[isa_irq])
		err = -E_BUSY;
	else
		handlers[isa_irq] = fn;
	arch_irq_restore(flags);
	return err;
}

int irq_clear_handler(unsigned isa_irq)
{
	unsigned long flags;
	int err = 0;

	if (mode == IRQ_MODE_PIC)
		return pic_clear_handler(isa_irq);
	if (isa_irq >= ISA_IRQS)
		return -E_INVAL;
	flags = arch_irq_save();
	irq_mask(isa_irq);
	if (!handlers[isa_irq])
		err = -E_NOENT;
	handlers[isa_irq] = NULL;
	arch_irq_restore(flags);
	return err;
}

void irq_mask(unsigned isa_irq)
{
	if (mode == IRQ_MODE_PIC)
		pic_mask(isa_irq);
	else if (isa_irq < ISA_IRQS && gsi_of[isa_irq] != NO_GSI)
		ioapic_mask(gsi_of[isa_irq], true);
}

void irq_unmask(unsigned isa_irq)
{
	if (mode == IRQ_MODE_PIC)
		pic_unmask(isa_irq);
	else if (isa_irq < ISA_IRQS && gsi_of[isa_irq] != NO_GSI)
		ioapic_mask(gsi_of[isa_irq], false);
}

uint32_t irq_isa_gsi(unsigned isa_irq)
{
	return isa_irq < ISA_IRQS ? gsi_of[isa_irq] : 0;
}

void irq_get_stats(struct irq_stats *out)
{
	unsigned long flags = arch_irq_save();

	*out = stats;
	arch_irq_restore(flags);
}

/* ---- arch.h ------------------------------------------------------------------------ */

void arch_irq_init(const struct boot_info *bi)
{
	irq_init(bi);
}
