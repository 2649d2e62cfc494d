/*
 * The kernel's PCI configuration access (see pci.h): ECAM through an
 * uncached mapping of the MCFG window (segment 0, from acpi_mcfg), one bus (1 MiB) mapped on first use,
 * else the legacy ports through kernel/arch.h. Also the start-up log and
 * the shell's listing. Main flow or one task.
 */
#include "kernel/acpi/acpi.h"
#include "kernel/arch.h"
#include "kernel/drivers/pci.h"
#include "kernel/kprintf.h"
#include "kernel/mm/dma.h"
#include "kernel/mm/mmio.h"
#include "lib/errno.h"

#define ECAM_BUS_BYTES (1ull << 20)   /* 32 devices x 8 functions x 4 KiB */

struct ecam {
	uint64_t base;
	uint8_t start, end;
	bool present;
	volatile uint8_t *bus[256];   /* mapped on first access, NULL until then */
};

static struct ecam ecam;

void pci_set_ecam(uint64_t base, uint8_t start_bus, uint8_t end_bus)
{
	ecam.base = base;
	ecam.start = start_bus;
	ecam.end = end_bus;
	ecam.present = base && end_bus >= start_bus;
}

static volatile uint8_t *ecam_bus(uint8_t bus)
{
	if (bus < ecam.start || bus > ecam.end)
		return NULL;
	if (!ecam.bus[bus])
		ecam.bus[bus] = (volatile uint8_t *)mmio_map(ecam.base + (uint64_t)(bus - ecam.start) * ECAM_BUS_BYTES,
					 ECAM_BUS_BYTES);
	return ecam.bus[bus];
}

static volatile uint32_t *ecam_reg(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	volatile uint8_t *b = ecam_bus(bus);

	if (!b || off >= 4096)
		return NULL;
	return (volatile uint32_t *)(b + ((uint32_t)(dev & 31) << 15 |
					  (uint32_t)(fn & 7) << 12 | (off & 0xffc)));
}

static uint32_t ecam_read(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	volatile uint32_t *r = ecam_reg(bus, dev, fn, off);

	return r ? mmio_read32(r) : 0xffffffff;
}

static void ecam_write(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off,
		       uint32_t v)
{
	volatile uint32_t *r = ecam_reg(bus, dev, fn, off);

	if (r)
		mmio_write32(r, v);
}

static uint32_t port_read(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	return arch_pci_cfg_read32(bus, dev, fn, off);
}

static void port_write(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off,
		       uint32_t v)
{
	arch_pci_cfg_write32(bus, dev, fn, off, v);
}

static const struct pci_cfg_ops ecam_ops = { ecam_read, ecam_write, NULL, "ECAM" };
static const struct pci_cfg_ops port_ops = { port_read, port_write, NULL, "ports 0xcf8/0xcfc" };

/* The MCFG window of segment 0, unless one was set by hand. */
static void ecam_from_acpi(void)
{
	const struct acpi_mcfg_info *m = acpi_mcfg();

	for (unsigned i = 0; m && !ecam.present && i < m->count; i++)
		if (m->regions[i].segment == 0)
			pci_set_ecam(m->regions[i].base, m->regions[i].start_bus,
				     m->regions[i].end_bus);
}

void pci_init(void)
{
	const struct pci_cfg_ops *ops;
	size_t seen;

	ecam_from_acpi();
	if (ecam.present && ecam_bus(ecam.start))
		ops = &ecam_ops;
	else if (arch_pci_ports_present())
		ops = &port_ops;
	else {
		kprintf("pci: no ECAM window and no configuration ports: no PCI\n");
		return;
	}
	seen = pci_scan(ops);
	kprintf("pci: %zu functions through %s", seen, ops->name);
	if (seen > pci_count())
		kprintf(" (%zu listed)", pci_count());
	kprintf("\n");
	for (size_t i = 0; i < pci_count(); i++)
		if (pci_at(i)->bad_bar)
			kprintf("pci: %02x:%02x.%u reports a BAR that cannot be decoded: ignored\n",
				pci_at(i)->bus, pci_at(i)->dev, pci_at(i)->fn);
}

/* ---- MSI-X (PCI 3.0 section 6.8.2) ------------------------------------------- */

#define MSIX_CTRL_ENABLE 0x8000
#define MSIX_CTRL_MASK   0x4000
#define MSIX_ENTRY_BYTES 16

int pci_enable_msix(struct pci_dev *d, uint64_t address, uint32_t data)
{
	uint8_t cap = pci_find_cap(d, PCI_CAP_MSIX, 0);
	uint16_t ctrl;
	uint32_t table, entries;
	const struct pci_bar *bar;
	volatile uint8_t *t;

	if (!cap)
		return -E_NOENT;
	ctrl = pci_read16(d, cap + 2);
	entries = (ctrl & 0x7ffu) + 1;
	table = pci_read32(d, cap + 4);
	bar = &d->bar[table & 7];
	if ((table & 7) >= PCI_MAX_BARS || bar->io || !bar->size ||
	    (table & ~7u) + entries * MSIX_ENTRY_BYTES > bar->size)
		return -E_INVAL;
	t = (volatile uint8_t *)mmio_map(bar->base + (table & ~7u), entries * MSIX_ENTRY_BYTES);
	if (!t)
		return -E_NOMEM;
	pci_write16(d, cap + 2, ctrl | MSIX_CTRL_ENABLE | MSIX_CTRL_MASK);
	for (uint32_t i = 1; i < entries; i++)
		mmio_write32(t + i * MSIX_ENTRY_BYTES + 12, 1);
	mmio_write32(t + 0, (uint32_t)address);
	mmio_write32(t + 4, (uint32_t)(address >> 32));
	mmio_write32(t + 8, data);
	mmio_write32(t + 12, 0);
	pci_write16(d, cap + 2, (ctrl | MSIX_CTRL_ENABLE) & ~MSIX_CTRL_MASK);
	return 0;
}

static void print_bars(const struct pci_dev *d)
{
	for (unsigned i = 0; i < PCI_MAX_BARS; i++) {
		const struct pci_bar *b = &d->bar[i];

		if (!b->size)
			continue;
		kprintf("    BAR%u %s %#llx size %#llx%s%s\n", i, b->io ? "io " : "mem",
			(unsigned long long)b->base, (unsigned long long)b->size,
			b->is64 ? " 64-bit" : "", b->prefetchable ? " prefetchable" : "");
	}
}

void pci_print(void)
{
	if (!pci_count()) {
		kprintf("no PCI functions\n");
		return;
	}
	for (size_t i = 0; i < pci_count(); i++) {
		const struct pci_dev *d = pci_at(i);

		kprintf("%02x:%02x.%u %04x:%04x %02x%02x%02x %s [%s]\n", d->bus, d->dev, d->fn,
			d->vendor, d->device, d->class_code, d->subclass, d->prog_if,
			pci_class_name(d->class_code, d->subclass, d->prog_if),
			d->driver ? d->driver : "no driver");
		if (d->driver)
			print_bars(d);
	}
}
