/*
 * Message-signalled interrupts to this CPU's local APIC (Intel SDM vol. 3,
 * 11.11): a vector from a small pool, a handler that calls the driver's
 * function and then signals end-of-interrupt to the local APIC, and the
 * address/data pair the device writes.
 *
 * The LAPIC must be on (IA32_APIC_BASE enable bit, xAPIC mode) and
 * software-enabled (spurious-vector register bit 8), as the firmware
 * leaves it; otherwise arch_msi_alloc says -E_NODEV and the driver polls.
 * Until the platform's LAPIC driver owns the EOI, this file maps the
 * register page itself. Vectors are handed out in the main flow or a task;
 * handlers run in interrupt context.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/interrupts.h"
#include "kernel/arch.h"
#include "kernel/mm/mmio.h"
#include "lib/errno.h"

#define MSR_APIC_BASE        0x1b
#define APIC_BASE_ENABLE     (1ull << 11)
#define APIC_BASE_X2APIC     (1ull << 10)
#define APIC_BASE_ADDR       0xffffff000ull
#define LAPIC_ID             0x20
#define LAPIC_EOI            0xb0
#define LAPIC_SVR            0xf0
#define LAPIC_SVR_ENABLE     (1u << 8)
#define MSI_ADDRESS_BASE     0xfee00000u
#define MSI_VECTOR_FIRST     0x60
#define MSI_VECTORS          8

struct msi_slot {
	void (*fn)(void *ctx);
	void *ctx;
};

static struct msi_slot slots[MSI_VECTORS];
static volatile uint8_t *lapic;
static unsigned used;

static void msi_handler(struct interrupt_frame *frame)
{
	struct msi_slot *s = &slots[frame->vector - MSI_VECTOR_FIRST];

	if (s->fn)
		s->fn(s->ctx);
	*(volatile uint32_t *)(lapic + LAPIC_EOI) = 0;
}

static int lapic_usable(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	if (!(base & APIC_BASE_ENABLE) || (base & APIC_BASE_X2APIC))
		return -E_NODEV;
	if (!lapic)
		lapic = (volatile uint8_t *)mmio_map(base & APIC_BASE_ADDR, 0x1000);
	if (!lapic)
		return -E_NOMEM;
	return (*(volatile uint32_t *)(lapic + LAPIC_SVR) & LAPIC_SVR_ENABLE) ? 0 : -E_NODEV;
}

int arch_msi_alloc(void (*fn)(void *ctx), void *ctx, struct arch_msi *out)
{
	unsigned vector = MSI_VECTOR_FIRST + used;
	int err = lapic_usable();

	if (err)
		return err;
	if (used == MSI_VECTORS)
		return -E_NOSPC;
	err = interrupt_register(vector, msi_handler);
	if (err)
		return err;
	slots[used++] = (struct msi_slot){ fn, ctx };
	out->vector = vector;
	out->address = MSI_ADDRESS_BASE |
		       (*(volatile uint32_t *)(lapic + LAPIC_ID) >> 24) << 12;
	out->data = vector;      /* fixed delivery, edge trigger */
	return 0;
}
