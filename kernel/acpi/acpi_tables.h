/*
 * ACPI tables as the firmware lays them out in memory: packed structs with
 * their sizes asserted, named after the ACPI 6.4 specification (section in
 * each comment). Only the parser (acpi_parse.c) reads these; the rest of the
 * kernel sees the plain structs of acpi.h. Every multi-byte field is
 * little-endian and may be unaligned: read through the packed struct.
 */
#ifndef EMBER_KERNEL_ACPI_TABLES_H
#define EMBER_KERNEL_ACPI_TABLES_H

#include <stdint.h>

/* Root System Description Pointer (5.2.5.3). 20 bytes in ACPI 1.0, 36 from 2.0. */
struct acpi_rsdp {
	char signature[8];          /* "RSD PTR " */
	uint8_t checksum;           /* first 20 bytes sum to 0 */
	char oem_id[6];
	uint8_t revision;           /* 0: ACPI 1.0 (no fields below rsdt); 2: 2.0+ */
	uint32_t rsdt_address;
	uint32_t length;            /* of the whole RSDP, 2.0+ */
	uint64_t xsdt_address;
	uint8_t extended_checksum;  /* all length bytes sum to 0 */
	uint8_t reserved[3];
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP is 36 bytes (ACPI 5.2.5.3)");
#define ACPI_RSDP_V1_LEN 20

/* System Description Table Header (5.2.6), at the start of every table. */
struct acpi_sdt_header {
	char signature[4];
	uint32_t length;            /* of the table, header included */
	uint8_t revision;
	uint8_t checksum;           /* all length bytes sum to 0 */
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_sdt_header) == 36, "SDT header is 36 bytes (ACPI 5.2.6)");

/* Generic Address Structure (5.2.3.2). */
struct acpi_gas_raw {
	uint8_t space_id;           /* ACPI_GAS_* */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;        /* 0 undefined, 1 byte, 2 word, 3 dword, 4 qword */
	uint64_t address;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_gas_raw) == 12, "GAS is 12 bytes (ACPI 5.2.3.2)");

/* Fixed ACPI Description Table, "FACP" (5.2.9). Shorter in old revisions:
 * a field exists only if it lies within the header's length. */
struct acpi_fadt_raw {
	struct acpi_sdt_header hdr;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt_blk, pm1b_evt_blk;
	uint32_t pm1a_cnt_blk, pm1b_cnt_blk;
	uint32_t pm2_cnt_blk, pm_tmr_blk;
	uint32_t gpe0_blk, gpe1_blk;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	uint8_t gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	uint8_t duty_offset, duty_width, day_alrm, mon_alrm, century;
	uint16_t iapc_boot_arch;    /* ACPI_IAPC_* (2.0+) */
	uint8_t reserved1;
	uint32_t flags;             /* ACPI_FADT_* */
	struct acpi_gas_raw reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas_raw x_pm1a_evt_blk, x_pm1b_evt_blk;
	struct acpi_gas_raw x_pm1a_cnt_blk, x_pm1b_cnt_blk;
	struct acpi_gas_raw x_pm2_cnt_blk, x_pm_tmr_blk;
	struct acpi_gas_raw x_gpe0_blk, x_gpe1_blk;
	struct acpi_gas_raw sleep_control_reg, sleep_status_reg;
	uint64_t hypervisor_vendor_id;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_fadt_raw) == 276, "FADT is 276 bytes in ACPI 6.4 (5.2.9)");

/* Multiple APIC Description Table, "APIC" (5.2.12): header, then entries. */
struct acpi_madt_raw {
	struct acpi_sdt_header hdr;
	uint32_t lapic_address;
	uint32_t flags;             /* bit 0: PCAT_COMPAT, a pair of 8259s is present */
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_raw) == 44, "MADT fixed part is 44 bytes (5.2.12)");

/* MADT entry types (5.2.12, table 5.21) and their layouts. */
enum {
	MADT_LAPIC = 0, MADT_IOAPIC = 1, MADT_ISO = 2, MADT_NMI_SOURCE = 3,
	MADT_LAPIC_NMI = 4, MADT_LAPIC_OVERRIDE = 5, MADT_X2APIC = 9, MADT_X2APIC_NMI = 10,
};

struct madt_entry_header { uint8_t type, length; } __attribute__((packed));

struct madt_lapic {             /* 5.2.12.2 */
	struct madt_entry_header h;
	uint8_t acpi_uid, apic_id;
	uint32_t flags;             /* bit 0 enabled, bit 1 online capable */
} __attribute__((packed));
_Static_assert(sizeof(struct madt_lapic) == 8, "5.2.12.2");

struct madt_ioapic {            /* 5.2.12.3 */
	struct madt_entry_header h;
	uint8_t ioapic_id, reserved;
	uint32_t address, gsi_base;
} __attribute__((packed));
_Static_assert(sizeof(struct madt_ioapic) == 12, "5.2.12.3");

struct madt_iso {               /* Interrupt Source Override, 5.2.12.5 */
	struct madt_entry_header h;
	uint8_t bus, source;        /* bus 0 = ISA */
	uint32_t gsi;
	uint16_t flags;             /* MPS INTI flags: ACPI_MPS_* */
} __attribute__((packed));
_Static_assert(sizeof(struct madt_iso) == 10, "5.2.12.5");

struct madt_lapic_nmi {         /* 5.2.12.7 */
	struct madt_entry_header h;
	uint8_t acpi_uid;           /* 0xff: every processor */
	uint16_t flags;
	uint8_t lint;
} __attribute__((packed));
_Static_assert(sizeof(struct madt_lapic_nmi) == 6, "5.2.12.7");

struct madt_lapic_override {    /* 5.2.12.8 */
	struct madt_entry_header h;
	uint16_t reserved;
	uint64_t address;
} __attribute__((packed));
_Static_assert(sizeof(struct madt_lapic_override) == 12, "5.2.12.8");

struct madt_x2apic {            /* 5.2.12.12 */
	struct madt_entry_header h;
	uint16_t reserved;
	uint32_t x2apic_id, flags, acpi_uid;
} __attribute__((packed));
_Static_assert(sizeof(struct madt_x2apic) == 16, "5.2.12.12");

struct madt_x2apic_nmi {        /* 5.2.12.13 */
	struct madt_entry_header h;
	uint16_t flags;
	uint32_t acpi_uid;          /* 0xffffffff: every processor */
	uint8_t lint, reserved[3];
} __attribute__((packed));
_Static_assert(sizeof(struct madt_x2apic_nmi) == 12, "5.2.12.13");

/* IA-PC High Precision Event Timer Table, "HPET" (HPET spec 1.0a, 3.2.4). */
struct acpi_hpet_raw {
	struct acpi_sdt_header hdr;
	uint32_t event_timer_block_id;
	struct acpi_gas_raw base_address;
	uint8_t hpet_number;
	uint16_t min_tick;
	uint8_t page_protection;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_hpet_raw) == 56, "HPET table is 56 bytes");

/* PCI Express memory-mapped configuration, "MCFG" (PCI Firmware spec 3.2, 4.1.2). */
struct acpi_mcfg_raw {
	struct acpi_sdt_header hdr;
	uint64_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_mcfg_raw) == 44, "MCFG fixed part is 44 bytes");

struct acpi_mcfg_entry_raw {
	uint64_t base;
	uint16_t segment;
	uint8_t start_bus, end_bus;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_mcfg_entry_raw) == 16, "MCFG entry is 16 bytes");

#endif
