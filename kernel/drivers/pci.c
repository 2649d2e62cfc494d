/*
 * PCI enumeration, BARs and capabilities (see pci.h), written against a
 * struct pci_cfg_ops so that host tests drive it with a fake configuration
 * space. Main flow or one task.
 */
#include "kernel/drivers/pci.h"
#include "lib/errno.h"
#include "lib/string.h"

#define PCI_CAP_WALK_MAX 48     /* (256 - 64) / 4: more entries means a loop */

static const struct pci_cfg_ops *cfg;
static struct pci_dev devs[PCI_MAX_DEVS];
static size_t ndevs;
static uint8_t bus_seen[256 / 8];

static uint32_t cfg_read(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	return cfg->read32(cfg->ctx, bus, dev, fn, off);
}

uint32_t pci_read32(const struct pci_dev *d, uint16_t off)
{
	return cfg->read32(cfg->ctx, d->bus, d->dev, d->fn, off & 0xffc);
}

void pci_write32(const struct pci_dev *d, uint16_t off, uint32_t v)
{
	cfg->write32(cfg->ctx, d->bus, d->dev, d->fn, off & 0xffc, v);
}

uint16_t pci_read16(const struct pci_dev *d, uint16_t off)
{
	return (uint16_t)(pci_read32(d, off) >> ((off & 2) * 8));
}

/* A read-modify-write of the dword; callers mind RW1C neighbours (STATUS). */
void pci_write16(const struct pci_dev *d, uint16_t off, uint16_t v)
{
	unsigned shift = (off & 2) * 8;
	uint32_t w = pci_read32(d, off);

	if ((off & 0xffc) == PCI_COMMAND)
		w &= 0xffff;  /* never write back STATUS's write-one-to-clear bits */
	w = (w & ~(0xffffu << shift)) | ((uint32_t)v << shift);
	pci_write32(d, off, w);
}

/* ---- BARs (PCI 3.0 section 6.2.5.1) ---------------------------------------- */

static bool pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

int pci_bar_decode(uint32_t orig, uint32_t sized, bool has_hi, uint32_t hi_orig,
		   uint32_t hi_sized, struct pci_bar *out)
{
	uint64_t mask;

	memset(out, 0, sizeof(*out));
	if (orig & 1) {
		out->io = true;
		/* I/O space is 16 bits wide: the upper half may read back as 0. */
		mask = (sized & ~3u) | 0xffffffffffff0000ull;
		out->base = orig & 0xfffc;
	} else {
		unsigned type = (orig >> 1) & 3;

		if (type == 1 || type == 3 || (type == 2 && !has_hi))
			return -E_INVAL;
		out->is64 = type == 2;
		out->prefetchable = orig & 8;
		mask = sized & ~0xfu;
		out->base = orig & ~0xfu;
		if (out->is64) {
			mask |= (uint64_t)hi_sized << 32;
			out->base |= (uint64_t)hi_orig << 32;
		} else {
			mask |= 0xffffffff00000000ull;
		}
	}
	if ((sized & ~0xfu) == 0 && (!out->is64 || hi_sized == 0)) {
		memset(out, 0, sizeof(*out));   /* not implemented: reads back zero */
		return 0;
	}
	out->size = ~mask + 1;
	if (!pow2(out->size))
		return -E_INVAL;
	return 0;
}

/* Sizes BAR i of d; returns how many registers it used (1 or 2). */
static unsigned size_bar(struct pci_dev *d, unsigned i, unsigned nbars)
{
	uint16_t off = (uint16_t)(PCI_BAR0 + 4 * i);
	uint32_t orig = pci_read32(d, off), sized, hi_orig = 0, hi_sized = 0;
	bool has_hi = !(orig & 1) && ((orig >> 1) & 3) == 2 && i + 1 < nbars;

	pci_write32(d, off, 0xffffffff);
	sized = pci_read32(d, off);
	pci_write32(d, off, orig);
	if (has_hi) {
		hi_orig = pci_read32(d, off + 4);
		pci_write32(d, off + 4, 0xffffffff);
		hi_sized = pci_read32(d, off + 4);
		pci_write32(d, off + 4, hi_orig);
	}
	if (pci_bar_decode(orig, sized, has_hi, hi_orig, hi_sized, &d->bar[i]) < 0) {
		d->bad_bar = true;
		memset(&d->bar[i], 0, sizeof(d->bar[i]));
	}
	return d->bar[i].is64 ? 2 : 1;
}

/* Decoding is off while the BARs hold all ones, so nothing answers there. */
static void size_bars(struct pci_dev *d)
{
	unsigned nbars = d->header_type == 0 ? 6 : d->header_type == 1 ? 2 : 0;
	uint16_t cmd = pci_read16(d, PCI_COMMAND);

	pci_write16(d, PCI_COMMAND, cmd & ~(PCI_CMD_IO | PCI_CMD_MEMORY));
	for (unsigned i = 0; i < nbars;)
		i += size_bar(d, i, nbars);
	pci_write16(d, PCI_COMMAND, cmd);
}

/* ---- capabilities --------------------------------------------------------- */

static bool cap_ptr_ok(uint8_t p)
{
	return p >= 0x40 && !(p & 3);
}

uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t start)
{
	uint8_t p = start ? (uint8_t)(pci_read32(d, start) >> 8) : d->cap_ptr;

	for (unsigned n = 0; n < PCI_CAP_WALK_MAX && cap_ptr_ok(p); n++) {
		uint32_t w = pci_read32(d, p);

		if ((w & 0xff) == id)
			return p;
		p = (uint8_t)(w >> 8) & 0xfc;
	}
	return 0;
}

/* ---- enumeration ---------------------------------------------------------- */

static void scan_bus(uint8_t bus, size_t *seen);

static void record(uint8_t bus, uint8_t dev, uint8_t fn, uint32_t id, size_t *seen)
{
	struct pci_dev *d;
	uint32_t cls;

	(*seen)++;
	if (ndevs == PCI_MAX_DEVS)
		return;
	d = &devs[ndevs++];
	memset(d, 0, sizeof(*d));
	d->bus = bus, d->dev = dev, d->fn = fn;
	d->vendor = (uint16_t)id, d->device = (uint16_t)(id >> 16);
	cls = pci_read32(d, PCI_CLASS_REV);
	d->revision = (uint8_t)cls, d->prog_if = (uint8_t)(cls >> 8);
	d->subclass = (uint8_t)(cls >> 16), d->class_code = (uint8_t)(cls >> 24);
	d->header_type = (uint8_t)(pci_read32(d, 0x0c) >> 16) & 0x7f;
	d->irq_line = (uint8_t)pci_read32(d, PCI_INTERRUPT_LINE);
	d->irq_pin = (uint8_t)(pci_read32(d, PCI_INTERRUPT_LINE) >> 8);
	if ((pci_read16(d, PCI_STATUS) & PCI_STATUS_CAPS) && d->header_type != 2)
		d->cap_ptr = (uint8_t)pci_read32(d, PCI_CAP_PTR) & 0xfc;
	size_bars(d);
	if (d->header_type == 1)
		scan_bus((uint8_t)(pci_read32(d, 0x18) >> 8), seen);
}

static bool present(uint32_t id)
{
	return (id & 0xffff) != 0xffff && (id & 0xffff) != 0;
}

static void scan_bus(uint8_t bus, size_t *seen)
{
	if (bus_seen[bus / 8] & (1u << (bus % 8)))
		return;
	bus_seen[bus / 8] |= (uint8_t)(1u << (bus % 8));
	for (uint8_t dev = 0; dev < 32; dev++) {
		uint32_t id = cfg_read(bus, dev, 0, PCI_VENDOR_ID);
		bool multi;

		if (!present(id))
			continue;
		multi = (cfg_read(bus, dev, 0, 0x0c) >> 16) & 0x80;
		record(bus, dev, 0, id, seen);
		for (uint8_t fn = 1; multi && fn < 8; fn++) {
			id = cfg_read(bus, dev, fn, PCI_VENDOR_ID);
			if (present(id))
				record(bus, dev, fn, id, seen);
		}
	}
}

size_t pci_scan(const struct pci_cfg_ops *ops)
{
	size_t seen = 0;

	cfg = ops;
	ndevs = 0;
	memset(bus_seen, 0, sizeof(bus_seen));
	scan_bus(0, &seen);
	/* A multi-function host bridge at 0:0: function n is the root of bus n. */
	if ((cfg_read(0, 0, 0, 0x0c) >> 16) & 0x80)
		for (uint8_t fn = 1; fn < 8; fn++)
			if (present(cfg_read(0, 0, fn, PCI_VENDOR_ID)))
				scan_bus(fn, &seen);
	return seen;
}

size_t pci_count(void)
{
	return ndevs;
}

struct pci_dev *pci_at(size_t i)
{
	return i < ndevs ? &devs[i] : NULL;
}

struct pci_dev *pci_find_class(uint8_t class_code, uint8_t subclass, uint8_t prog_if,
			       struct pci_dev *from)
{
	for (size_t i = from ? (size_t)(from - devs) + 1 : 0; i < ndevs; i++)
		if (devs[i].class_code == class_code && devs[i].subclass == subclass &&
		    devs[i].prog_if == prog_if)
			return &devs[i];
	return NULL;
}

int pci_claim(struct pci_dev *d, const char *driver)
{
	uint16_t cmd = PCI_CMD_MASTER | PCI_CMD_INTX_OFF;

	if (d->driver)
		return -E_BUSY;
	for (unsigned i = 0; i < PCI_MAX_BARS; i++)
		if (d->bar[i].size)
			cmd |= d->bar[i].io ? PCI_CMD_IO : PCI_CMD_MEMORY;
	pci_write16(d, PCI_COMMAND, pci_read16(d, PCI_COMMAND) | cmd);
	d->driver = driver;
	return 0;
}

/* ---- MSI (PCI 3.0 section 6.8.1) ------------------------------------------- */

#define MSI_CTRL_ENABLE  0x0001
#define MSI_CTRL_MME     0x0070   /* multiple message enable: 0 = one vector */
#define MSI_CTRL_64BIT   0x0080

int pci_enable_msi(struct pci_dev *d, uint64_t address, uint32_t data)
{
	uint8_t cap = pci_find_cap(d, PCI_CAP_MSI, 0);
	uint16_t ctrl;

	if (!cap)
		return -E_NOENT;
	ctrl = pci_read16(d, cap + 2);
	if (!(ctrl & MSI_CTRL_64BIT) && (address >> 32))
		return -E_RANGE;
	pci_write32(d, cap + 4, (uint32_t)address);
	if (ctrl & MSI_CTRL_64BIT) {
		pci_write32(d, cap + 8, (uint32_t)(address >> 32));
		pci_write16(d, cap + 12, (uint16_t)data);
	} else {
		pci_write16(d, cap + 8, (uint16_t)data);
	}
	pci_write16(d, cap + 2, (uint16_t)((ctrl & ~MSI_CTRL_MME) | MSI_CTRL_ENABLE));
	return 0;
}

/* ---- names (PCI Code and ID Assignment, section 1) ------------------------ */

struct pci_class_entry {
	uint8_t class_code, subclass;
	int16_t prog_if;               /* -1: any */
	const char *name;
};

static const struct pci_class_entry class_names[] = {
	{ 0x01, 0x01, -1, "IDE controller" },
	{ 0x01, 0x06, 0x01, "SATA controller (AHCI)" },
	{ 0x01, 0x08, 0x02, "NVMe controller" },
	{ 0x01, 0x00, -1, "SCSI controller" },
	{ 0x01, 0xff, -1, "storage controller" },
	{ 0x02, 0x00, -1, "Ethernet controller" },
	{ 0x03, 0x00, -1, "VGA controller" },
	{ 0x03, 0xff, -1, "display controller" },
	{ 0x04, 0xff, -1, "multimedia controller" },
	{ 0x06, 0x00, -1, "host bridge" },
	{ 0x06, 0x01, -1, "ISA bridge" },
	{ 0x06, 0x04, -1, "PCI bridge" },
	{ 0x06, 0xff, -1, "bridge" },
	{ 0x07, 0x00, -1, "serial controller" },
	{ 0x0c, 0x03, 0x00, "USB controller (UHCI)" },
	{ 0x0c, 0x03, 0x10, "USB controller (OHCI)" },
	{ 0x0c, 0x03, 0x20, "USB controller (EHCI)" },
	{ 0x0c, 0x03, 0x30, "USB controller (xHCI)" },
	{ 0x0c, 0x03, -1, "USB controller" },
	{ 0x0c, 0x05, -1, "SMBus controller" },
	{ 0x0c, 0xff, -1, "serial bus controller" },
};

const char *pci_class_name(uint8_t class_code, uint8_t subclass, uint8_t prog_if)
{
	for (size_t i = 0; i < sizeof(class_names) / sizeof(class_names[0]); i++) {
		const struct pci_class_entry *e = &class_names[i];

		if (e->class_code == class_code &&
		    (e->subclass == subclass || e->subclass == 0xff) &&
		    (e->prog_if < 0 || e->prog_if == prog_if))
			return e->name;
	}
	return "device";
}
