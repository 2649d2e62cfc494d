/*
 * I/O APIC driver (see ioapic.h): the indirect register window (IOREGSEL at
 * 0x00, IOWIN at 0x10), the version register and the redirection table
 * (82093AA datasheet, 3.2).
 */
#include "arch/x86_64/ioapic.h"
#include "kernel/arch.h"
#include "kernel/kprintf.h"
#include "kernel/mm/mmio.h"
#include "lib/errno.h"

#define IOREGSEL        0x00
#define IOWIN           0x10
#define REG_VERSION     0x01            /* bits 23:16: highest redirection entry */
#define REG_REDIR(n)    (0x10 + 2 * (n))
#define RTE_MASKED      (1ull << 16)
#define RTE_LEVEL       (1ull << 15)
#define RTE_ACTIVE_LOW  (1ull << 13)
#define RTE_DEST_SHIFT  56

struct ioapic {
	volatile uint32_t *regs;
	uint32_t gsi_base, count;
};

static struct ioapic chips[ACPI_MAX_IOAPICS];
static unsigned nchips;

static uint32_t rd(const struct ioapic *c, uint32_t reg)
{
	c->regs[IOREGSEL / 4] = reg;
	return c->regs[IOWIN / 4];
}

static void wr(const struct ioapic *c, uint32_t reg, uint32_t v)
{
	c->regs[IOREGSEL / 4] = reg;
	c->regs[IOWIN / 4] = v;
}

static void write_entry(const struct ioapic *c, uint32_t n, uint64_t e)
{
	unsigned long flags = arch_irq_save();

	wr(c, REG_REDIR(n), (uint32_t)e | RTE_MASKED);     /* masked while half-written */
	wr(c, REG_REDIR(n) + 1, (uint32_t)(e >> 32));
	wr(c, REG_REDIR(n), (uint32_t)e);
	arch_irq_restore(flags);
}

static uint64_t read_entry(const struct ioapic *c, uint32_t n)
{
	unsigned long flags = arch_irq_save();
	uint64_t e = rd(c, REG_REDIR(n)) | (uint64_t)rd(c, REG_REDIR(n) + 1) << 32;

	arch_irq_restore(flags);
	return e;
}

static const struct ioapic *chip_for(uint32_t gsi, uint32_t *n)
{
	for (unsigned i = 0; i < nchips; i++) {
		if (gsi >= chips[i].gsi_base && gsi - chips[i].gsi_base < chips[i].count) {
			*n = gsi - chips[i].gsi_base;
			return &chips[i];
		}
	}
	return NULL;
}

static bool add_chip(const struct acpi_ioapic *a)
{
	struct ioapic *c = &chips[nchips];
	uint32_t ver;

	c->regs = mmio_map(a->phys, 0x20);
	if (!c->regs)
		return false;
	ver = rd(c, REG_VERSION);
	if (ver == 0xffffffffu)
		return false;                  /* nothing answers there */
	c->gsi_base = a->gsi_base;
	c->count = ((ver >> 16) & 0xff) + 1;
	for (uint32_t n = 0; n < c->count; n++)
		write_entry(c, n, RTE_MASKED);
	nchips++;
	return true;
}

unsigned ioapic_init(const struct acpi_madt_info *madt)
{
	for (unsigned i = 0; madt && i < madt->ioapic_count; i++) {
		const struct acpi_ioapic *a = &madt->ioapics[i];

		if (add_chip(a))
			kprintf("ioapic: id %u at %#x, GSIs %u-%u\n", a->id, a->phys, a->gsi_base,
				a->gsi_base + chips[nchips - 1].count - 1);
		else
			kprintf("ioapic: id %u at %#x does not answer: left out\n", a->id, a->phys);
	}
	return nchips;
}

uint32_t ioapic_gsi_count(void)
{
	uint32_t top = 0;

	for (unsigned i = 0; i < nchips; i++)
		if (chips[i].gsi_base + chips[i].count > top)
			top = chips[i].gsi_base + chips[i].count;
	return top;
}

int ioapic_route(uint32_t gsi, uint8_t vector, uint32_t dest, bool active_low, bool level)
{
	uint32_t n;
	const struct ioapic *c = chip_for(gsi, &n);

	if (!c)
		return -E_NOENT;
	if (vector < 0x20 || dest > 0xff)
		return -E_INVAL;
	write_entry(c, n, vector | RTE_MASKED | (active_low ? RTE_ACTIVE_LOW : 0) |
		    (level ? RTE_LEVEL : 0) | (uint64_t)dest << RTE_DEST_SHIFT);
	return 0;
}

int ioapic_mask(uint32_t gsi, bool masked)
{
	uint32_t n;
	const struct ioapic *c = chip_for(gsi, &n);
	uint64_t e;

	if (!c)
		return -E_NOENT;
	e = read_entry(c, n);
	write_entry(c, n, masked ? e | RTE_MASKED : e & ~RTE_MASKED);
	return 0;
}

uint64_t ioapic_read_entry(uint32_t gsi)
{
	uint32_t n;
	const struct ioapic *c = chip_for(gsi, &n);

	return c ? read_entry(c, n) : 0;
}
