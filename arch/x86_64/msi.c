/*
 * Message-signalled interrupts to this CPU's local APIC (Intel SDM vol. 3,
 * 11.11): a vector from a small pool, a handler that calls the driver's
 * function and then signals end-of-interrupt to the local APIC, and the
 * address/data pair the device writes.
 *
 * The local APIC driver (lapic.c) must own the LAPIC: with the 8259 path
 * (irq=pic, or no usable MADT) arch_msi_alloc says -E_NODEV and the driver
 * polls. EOI and the destination APIC id go through lapic.c, so xAPIC and
 * x2APIC modes both work. Vectors are handed out in the main flow or a task;
 * handlers run in interrupt context.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/interrupts.h"
#include "arch/x86_64/lapic.h"
#include "kernel/arch.h"
#include "lib/errno.h"

#define MSI_ADDRESS_BASE     0xfee00000u
#define MSI_VECTOR_FIRST     0x60
#define MSI_VECTORS          8

struct msi_slot {
	void (*fn)(void *ctx);
	void *ctx;
};

static struct msi_slot slots[MSI_VECTORS];
static unsigned used;

static void msi_handler(struct interrupt_frame *frame)
{
	struct msi_slot *s = &slots[frame->vector - MSI_VECTOR_FIRST];

	if (s->fn)
		s->fn(s->ctx);
	lapic_eoi();
}

int arch_msi_alloc(void (*fn)(void *ctx), void *ctx, struct arch_msi *out)
{
	unsigned vector = MSI_VECTOR_FIRST + used;
	int err;

	if (!lapic_present())
		return -E_NODEV;
	if (used == MSI_VECTORS)
		return -E_NOSPC;
	err = interrupt_register(vector, msi_handler);
	if (err)
		return err;
	slots[used++] = (struct msi_slot){ fn, ctx };
	out->vector = vector;
	out->address = MSI_ADDRESS_BASE | (lapic_id() & 0xff) << 12;
	out->data = vector;      /* fixed delivery, edge trigger */
	return 0;
}
