/*
 * ACPI tables: found from the RSDP the loader handed over, every table's
 * length and checksum verified before any of its fields is read, and the
 * ones the kernel uses (MADT, FADT, HPET, MCFG) copied into the plain
 * structs below. The DSDT and SSDTs are only located (for the \_S5 search
 * of power-off, acpi_find_s5).
 *
 * Two layers. acpi_parse() and acpi_find_s5() are pure code over memory
 * reached through a struct acpi_mem (host tests and the fuzz target give
 * them a buffer; the kernel gives them the direct map). acpi_init() and the
 * accessors are the kernel's: acpi_init runs once in kernel_main after the
 * paging API is up; the accessors then return read-only data, any context.
 *
 * A missing or malformed table is reported once (one log line saying what is
 * wrong with which table) and its accessor returns NULL, so the feature that
 * needs it falls back; nothing here trusts the firmware.
 */
#ifndef EMBER_KERNEL_ACPI_H
#define EMBER_KERNEL_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/boot_info.h"

#define ACPI_MAX_TABLES     32
#define ACPI_MAX_CPUS       64
#define ACPI_MAX_IOAPICS    8
#define ACPI_MAX_OVERRIDES  16
#define ACPI_MAX_NMIS       16
#define ACPI_MAX_MCFG       8
#define ACPI_MAX_PROBLEMS   16
#define ACPI_MAX_TABLE_LEN  (16u << 20)   /* larger "tables" are corrupt */

/* Generic Address Structure address spaces (ACPI 5.2.3.2). */
#define ACPI_GAS_MEMORY     0
#define ACPI_GAS_IO         1

/* MPS INTI flags of overrides and NMIs (ACPI 5.2.12.5, table 5.26). */
#define ACPI_MPS_POLARITY_MASK  0x3
#define ACPI_MPS_ACTIVE_HIGH    0x1
#define ACPI_MPS_ACTIVE_LOW     0x3
#define ACPI_MPS_TRIGGER_MASK   0xc
#define ACPI_MPS_EDGE           0x4
#define ACPI_MPS_LEVEL          0xc

/* FADT flags (5.2.9, table 5.10) and IA-PC boot architecture flags (table 5.11). */
#define ACPI_FADT_TMR_VAL_EXT     (1u << 8)   /* PM timer is 32 bits, else 24 */
#define ACPI_FADT_RESET_REG_SUP   (1u << 10)
#define ACPI_FADT_HW_REDUCED      (1u << 20)
#define ACPI_IAPC_LEGACY_DEVICES  (1u << 0)
#define ACPI_IAPC_8042            (1u << 1)
#define ACPI_IAPC_NO_VGA          (1u << 2)
#define ACPI_IAPC_NO_MSI          (1u << 3)
#define ACPI_IAPC_NO_CMOS_RTC     (1u << 5)

/* A register as the FADT or HPET table names it; space_id ACPI_GAS_*. */
struct acpi_gas {
	uint8_t space_id, bit_width, bit_offset, access_size;
	uint64_t address;                 /* 0: absent */
};

/* Where the memory the tables live in can be read. */
struct acpi_mem {
	/* A pointer to len bytes at physical address phys, or NULL if they are
	 * not all reachable. Called for every table before it is read. */
	const void *(*map)(void *ctx, uint64_t phys, uint64_t len);
	void *ctx;
};

/* One table of the XSDT/RSDT (plus the DSDT the FADT names). */
struct acpi_table {
	char signature[5];
	char oem_id[7];
	char oem_table_id[9];
	uint8_t revision;
	bool valid;                       /* length and checksum good: fields usable */
	uint32_t length;                  /* as the header says (0 if unreadable) */
	uint64_t phys;
};

struct acpi_cpu {
	uint32_t apic_id;                 /* xAPIC ids < 255; x2APIC entries any */
	uint32_t acpi_uid;
	bool enabled;                     /* usable now */
	bool online_capable;              /* may be brought online later */
	bool x2apic;                      /* from an x2APIC entry */
};

struct acpi_ioapic {
	uint8_t id;
	uint32_t phys;                    /* register window */
	uint32_t gsi_base;                /* first global system interrupt it serves */
};

struct acpi_override {
	uint8_t isa_irq;                  /* the ISA line (bus 0) ... */
	uint32_t gsi;                     /* ... arrives on this GSI */
	uint16_t flags;                   /* ACPI_MPS_* polarity and trigger */
};

struct acpi_nmi {
	uint32_t acpi_uid;                /* 0xffffffff: every CPU */
	uint16_t flags;
	uint8_t lint;                     /* LINT0 or LINT1 */
};

struct acpi_madt_info {
	uint64_t lapic_phys;              /* the override entry's, if any */
	bool pcat_compat;                 /* a pair of 8259s is present */
	unsigned cpu_count;
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	unsigned ioapic_count;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned override_count;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	unsigned nmi_count;
	struct acpi_nmi nmis[ACPI_MAX_NMIS];
	unsigned entries_skipped;         /* malformed, duplicate or beyond our limits */
};

struct acpi_fadt_info {
	uint8_t revision;
	uint32_t flags;                   /* ACPI_FADT_* */
	bool iapc_known;                  /* the table is new enough to have iapc_boot_arch */
	uint16_t iapc_boot_arch;          /* ACPI_IAPC_* */
	uint16_t sci_irq;
	uint64_t dsdt_phys;
	struct acpi_gas pm1a_cnt, pm1b_cnt, pm_tmr;
	bool pm_tmr_32bit;
	bool reset_supported;             /* RESET_REG_SUP and a register given */
	struct acpi_gas reset_reg;
	uint8_t reset_value;
};

struct acpi_hpet_info {
	uint64_t phys;                    /* register block, system memory */
	uint8_t number;
	uint16_t min_tick;
	uint32_t block_id;                /* vendor, comparator count, ... */
};

struct acpi_mcfg_info {
	unsigned count;
	struct {
		uint64_t base;
		uint16_t segment;
		uint8_t start_bus, end_bus;
	} regions[ACPI_MAX_MCFG];
};

/* Something the parser did not accept, for the log. */
struct acpi_problem {
	char signature[5];                /* table concerned, "" for the RSDP */
	int err;                          /* -E_* */
	const char *what;                 /* a constant string */
};

/* Everything acpi_parse finds. Zero-initialise before the call. */
struct acpi_info {
	uint64_t rsdp_phys;
	uint8_t rsdp_revision;
	bool xsdt;                        /* tables listed by the XSDT, else the RSDT */
	char oem_id[7];
	unsigned table_count;
	struct acpi_table tables[ACPI_MAX_TABLES];
	bool have_madt, have_fadt, have_hpet, have_mcfg;
	struct acpi_madt_info madt;
	struct acpi_fadt_info fadt;
	struct acpi_hpet_info hpet;
	struct acpi_mcfg_info mcfg;
	unsigned problem_count;           /* may exceed ACPI_MAX_PROBLEMS; extras dropped */
	struct acpi_problem problems[ACPI_MAX_PROBLEMS];
};

/*
 * Parse the tables from the RSDP at rsdp_phys into *out. Returns 0 when a
 * root table (XSDT or RSDT) was read, whatever became of the tables it
 * lists (each has its have_* flag; problems[] says what was refused);
 * -E_NOENT without an RSDP, -E_INVAL when neither it nor a root table is
 * valid. Never reads a byte that mem->map did not hand out.
 */
int acpi_parse(const struct acpi_mem *mem, uint64_t rsdp_phys, struct acpi_info *out);

/*
 * The ISA IRQ's global system interrupt and MPS flags, honouring the
 * overrides (identity mapping, ISA defaults edge/high, when there is none).
 */
uint32_t acpi_isa_irq_gsi(const struct acpi_madt_info *madt, uint8_t isa_irq, uint16_t *flags);
/* Whether MPS flags mean active low / level triggered (ISA defaults otherwise). */
bool acpi_mps_active_low(uint16_t flags);
bool acpi_mps_level(uint16_t flags);

/*
 * Byte search of AML for the \_S5 object: Name(_S5, Package(){ a, b, ...})
 * with integer constants. Fills the SLP_TYPa and SLP_TYPb values; 0, or
 * -E_NOENT if no such declaration is in aml[0..len), -E_INVAL if one is
 * there but not in a form this search understands (a Method, computed
 * values). See docs/power.md for the limits.
 */
int acpi_find_s5(const uint8_t *aml, size_t len, uint8_t *slp_typa, uint8_t *slp_typb);

/* ---- the kernel's tables (after acpi_init) ---- */

/*
 * Parse the tables bi->rsdp_phys leads to, through the direct map; print one
 * line per problem and one summary. 0, or -E_NOENT / -E_INVAL as acpi_parse
 * (then every accessor returns NULL). Main flow, once, after paging_init.
 */
int acpi_init(const struct boot_info *bi);

const struct acpi_info *acpi_info(void);          /* NULL before acpi_init or without ACPI */
const struct acpi_madt_info *acpi_madt(void);     /* NULL: no usable MADT */
const struct acpi_fadt_info *acpi_fadt(void);
const struct acpi_hpet_info *acpi_hpet(void);
const struct acpi_mcfg_info *acpi_mcfg(void);

/* \_S5 from the DSDT, then each SSDT: 0, -E_NOENT or -E_INVAL. */
int acpi_s5(uint8_t *slp_typa, uint8_t *slp_typb);

/* Whether the 8042 may be probed: the FADT says so, or is too old to say. */
bool acpi_has_8042(void);

#endif
