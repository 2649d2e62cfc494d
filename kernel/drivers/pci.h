/*
 * PCI: the functions found on the buses, their configuration headers, BARs
 * and capabilities, and which driver has claimed each.
 *
 * Configuration space is reached through a struct pci_cfg_ops: ECAM (the
 * MCFG table's memory window) when the platform offers one, the legacy
 * 0xCF8/0xCFC ports otherwise (pci_access.c chooses; see docs/pci.md). The
 * enumeration, BAR and capability logic in pci.c only calls those ops, so
 * host tests run it against a fake configuration space.
 *
 * Enumeration starts at bus 0 and follows PCI-to-PCI bridges to their
 * secondary buses (each bus scanned once, whatever the bridges claim).
 * BARs are sized with the function's decoding switched off, then restored.
 * Nothing is enabled for a function until a driver claims it: pci_claim
 * switches on memory (and I/O) decoding and bus mastering.
 *
 * Context: pci_scan, pci_claim and the config accessors from the main flow
 * or one task (no lock); the table is read-only otherwise.
 */
#ifndef EMBER_KERNEL_PCI_H
#define EMBER_KERNEL_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCI_MAX_DEVS   64      /* functions recorded; more are counted, not kept */
#define PCI_MAX_BARS   6

/* Configuration header (PCI Local Bus Specification 3.0, section 6.1). */
#define PCI_VENDOR_ID      0x00
#define PCI_COMMAND        0x04
#define PCI_STATUS         0x06
#define PCI_CLASS_REV      0x08    /* revision, prog-if, subclass, class */
#define PCI_HEADER_TYPE    0x0e
#define PCI_BAR0           0x10
#define PCI_SECONDARY_BUS  0x19    /* type 1 (bridge) headers */
#define PCI_CAP_PTR        0x34
#define PCI_INTERRUPT_LINE 0x3c

#define PCI_CMD_IO         0x0001
#define PCI_CMD_MEMORY     0x0002
#define PCI_CMD_MASTER     0x0004
#define PCI_CMD_INTX_OFF   0x0400
#define PCI_STATUS_CAPS    0x0010

/* Capability IDs (PCI Code and ID Assignment, section 2). */
#define PCI_CAP_MSI        0x05
#define PCI_CAP_PCIE       0x10
#define PCI_CAP_MSIX       0x11

struct pci_cfg_ops {
	uint32_t (*read32)(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off);
	void (*write32)(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off,
			uint32_t v);
	void *ctx;
	const char *name;          /* "ECAM" or "ports", for the log */
};

struct pci_bar {
	uint64_t base;             /* bus address; 0 with size 0: not implemented */
	uint64_t size;
	bool io, is64, prefetchable;
};

struct pci_dev {
	uint8_t bus, dev, fn;
	uint8_t header_type;       /* 0 device, 1 PCI bridge, 2 CardBus (bit 7 cleared) */
	uint16_t vendor, device;
	uint8_t class_code, subclass, prog_if, revision;
	uint8_t irq_line, irq_pin;
	uint8_t cap_ptr;           /* first capability, 0 if none */
	bool bad_bar;              /* a BAR that could not be decoded (reported) */
	struct pci_bar bar[PCI_MAX_BARS];
	const char *driver;        /* who claimed it, NULL if nobody */
};

/*
 * Decodes one BAR from its value and the value read back after writing all
 * ones (and, for 64-bit memory BARs, the same pair of the next register).
 * Returns 0, or -E_INVAL for a BAR no device may report (64-bit in the last
 * slot: pass has_hi false; a reserved type; a size that is not a power of two).
 */
int pci_bar_decode(uint32_t orig, uint32_t sized, bool has_hi, uint32_t hi_orig,
		   uint32_t hi_sized, struct pci_bar *out);

/*
 * Scans every bus reachable from bus 0 through ops and records what it
 * finds (the table is replaced). Returns the number of functions seen
 * (PCI_MAX_DEVS of them are kept).
 */
size_t pci_scan(const struct pci_cfg_ops *ops);

size_t pci_count(void);
struct pci_dev *pci_at(size_t i);

/* The next function after *from (NULL: from the start) of that class. */
struct pci_dev *pci_find_class(uint8_t class_code, uint8_t subclass, uint8_t prog_if,
			       struct pci_dev *from);

/*
 * The offset of capability id of d, walking from start (0: the first),
 * or 0 when there is none. A list that loops or points into the header is
 * cut where it goes wrong.
 */
uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t start);

uint32_t pci_read32(const struct pci_dev *d, uint16_t off);
void pci_write32(const struct pci_dev *d, uint16_t off, uint32_t v);
uint16_t pci_read16(const struct pci_dev *d, uint16_t off);
void pci_write16(const struct pci_dev *d, uint16_t off, uint16_t v);

/*
 * A driver takes d: memory and I/O decoding (for the BAR kinds it has) and
 * bus mastering on, INTx off (the drivers use MSI/MSI-X or polling).
 * 0 or -E_BUSY when another driver holds it.
 */
int pci_claim(struct pci_dev *d, const char *driver);

/*
 * Message-signalled interrupts, one vector: the function writes data to
 * address. pci_enable_msi: 0, -E_NOENT (no MSI capability) or -E_RANGE (a
 * 32-bit-only capability and an address above 4 GiB). pci_enable_msix
 * (kernel only: the table lives in a BAR): entry 0 gets the message, the
 * others stay masked; 0, -E_NOENT, -E_INVAL (table outside its BAR) or
 * -E_NOMEM. Task context.
 */
int pci_enable_msi(struct pci_dev *d, uint64_t address, uint32_t data);
int pci_enable_msix(struct pci_dev *d, uint64_t address, uint32_t data);

/* "USB controller (xHCI)", "Ethernet controller", ..., never NULL. */
const char *pci_class_name(uint8_t class_code, uint8_t subclass, uint8_t prog_if);

/* ---- the kernel's configuration access (pci_access.c) ---- */

/*
 * Registers an ECAM window (from the MCFG table): base is the physical
 * address of bus start_bus's space. Call before pci_init.
 */
void pci_set_ecam(uint64_t base, uint8_t start_bus, uint8_t end_bus);

/* Picks ECAM or the ports, scans, logs one line per function. Main flow. */
void pci_init(void);

/* The shell's `pci`: one line per function with class and driver. */
void pci_print(void);

#endif
