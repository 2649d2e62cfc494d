/*
 * Host tests for the ACPI table parser and the \_S5 search: the tables QEMU
 * really produces (fixtures/, dumped from real boots by test/acpi_dump.py:
 * q35 with 4 CPUs, pc with 2), and synthetic hostile ones: bad checksums,
 * truncated tables, lengths overflowing memory, duplicate MADT entries,
 * overrides, the RSDT fallback, x2APIC entries, zero-length entries, and
 * random corruption of the real tables.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/acpi/acpi.h"
#include "kernel/acpi/acpi_tables.h"
#include "lib/errno.h"

/* ---- sparse physical memory ---------------------------------------------------------- */

#define MAX_REGIONS 32

struct region {
	uint64_t phys;
	uint8_t *data;
	size_t len;
};

struct memory {
	unsigned n;
	struct region r[MAX_REGIONS];
	uint64_t rsdp;
};

static const void *mem_map(void *ctx, uint64_t phys, uint64_t len)
{
	struct memory *m = ctx;

	for (unsigned i = 0; i < m->n; i++)
		if (phys >= m->r[i].phys && len <= m->r[i].len &&
		    phys - m->r[i].phys <= m->r[i].len - len)
			return m->r[i].data + (phys - m->r[i].phys);
	return NULL;
}

static uint8_t *add_region(struct memory *m, uint64_t phys, size_t len)
{
	assert_true(m->n < MAX_REGIONS);
	m->r[m->n] = (struct region){ phys, calloc(1, len ? len : 1), len };
	return m->r[m->n++].data;
}

static void free_memory(struct memory *m)
{
	for (unsigned i = 0; i < m->n; i++)
		free(m->r[i].data);
	m->n = 0;
}

/* A fixture directory: one file per table, named by its physical address. */
static void load_fixture(struct memory *m, const char *name)
{
	char dir[512], path[1024];
	const char *src = __FILE__;
	const char *slash = strrchr(src, '/');
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%.*s/fixtures/%s", (int)(slash - src), src, name);
	d = opendir(dir);
	assert_non_null(d);
	memset(m, 0, sizeof(*m));
	while ((e = readdir(d))) {
		FILE *f;
		long len;
		uint64_t phys;

		if (sscanf(e->d_name, "%lx.bin", &phys) != 1)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "rb");
		assert_non_null(f);
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		fseek(f, 0, SEEK_SET);
		assert_int_equal(fread(add_region(m, phys, (size_t)len), 1, (size_t)len, f), len);
		fclose(f);
		if (len == 36 && !memcmp(m->r[m->n - 1].data, "RSD PTR ", 8))
			m->rsdp = phys;
	}
	closedir(d);
	assert_int_not_equal(m->rsdp, 0);
}

static int parse(struct memory *m, struct acpi_info *info)
{
	struct acpi_mem mem = { mem_map, m };

	memset(info, 0, sizeof(*info));
	return acpi_parse(&mem, m->rsdp, info);
}

static uint8_t *table_at(struct memory *m, const char *sig)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->r[i].len >= 36 && !memcmp(m->r[i].data, sig, 4))
			return m->r[i].data;
	fail_msg("no %s in the fixture", sig);
	return NULL;
}

static bool has_problem(const struct acpi_info *info, const char *sig, const char *what)
{
	for (unsigned i = 0; i < info->problem_count && i < ACPI_MAX_PROBLEMS; i++)
		if (!strcmp(info->problems[i].signature, sig) && strstr(info->problems[i].what, what))
			return true;
	return false;
}

static void fix_checksum(uint8_t *t)
{
	struct acpi_sdt_header *h = (void *)t;
	uint8_t s = 0;

	h->checksum = 0;
	for (uint32_t i = 0; i < h->length; i++)
		s = (uint8_t)(s + t[i]);
	h->checksum = (uint8_t)-s;
}

/* ---- synthetic tables ------------------------------------------------------------------ */

/* A table of len bytes at phys with the given signature, body zeroed, checksummed later. */
static uint8_t *new_table(struct memory *m, uint64_t phys, const char *sig, uint32_t len)
{
	uint8_t *t = add_region(m, phys, len);
	struct acpi_sdt_header *h = (void *)t;

	memcpy(h->signature, sig, 4);
	h->length = len;
	h->revision = 1;
	memcpy(h->oem_id, "EMBERT", 6);
	return t;
}

/* RSDP (rev 0: RSDT only; rev 2: both) at 0x1000, root table at 0x2000. */
static void new_rsdp(struct memory *m, int rev, uint64_t rsdt, uint64_t xsdt)
{
	struct acpi_rsdp *r = (void *)add_region(m, 0x1000, sizeof(*r));
	uint8_t s = 0;

	memcpy(r->signature, "RSD PTR ", 8);
	memcpy(r->oem_id, "EMBERT", 6);
	r->revision = (uint8_t)rev;
	r->rsdt_address = (uint32_t)rsdt;
	r->length = sizeof(*r);
	r->xsdt_address = xsdt;
	for (int i = 0; i < ACPI_RSDP_V1_LEN; i++)
		s = (uint8_t)(s + ((uint8_t *)r)[i]);
	r->checksum = (uint8_t)-s;
	s = 0;
	for (size_t i = 0; i < sizeof(*r); i++)
		s = (uint8_t)(s + ((uint8_t *)r)[i]);
	r->extended_checksum = (uint8_t)-s;
	m->rsdp = 0x1000;
}

/* An XSDT at 0x2000 listing n tables. */
static uint8_t *new_xsdt(struct memory *m, const uint64_t *tables, unsigned n)
{
	uint8_t *t = new_table(m, 0x2000, "XSDT", (uint32_t)(36 + 8 * n));

	memcpy(t + 36, tables, 8 * n);
	fix_checksum(t);
	return t;
}

/* A MADT at phys from raw entries. */
static uint8_t *new_madt(struct memory *m, uint64_t phys, const uint8_t *entries, size_t len)
{
	uint8_t *t = new_table(m, phys, "APIC", (uint32_t)(44 + len));
	struct acpi_madt_raw *madt = (void *)t;

	madt->lapic_address = 0xfee00000;
	madt->flags = 1;
	memcpy(t + 44, entries, len);
	fix_checksum(t);
	return t;
}

static void madt_only(struct memory *m, const uint8_t *entries, size_t len)
{
	static const uint64_t list[] = { 0x3000 };

	memset(m, 0, sizeof(*m));
	new_rsdp(m, 2, 0, 0x2000);
	new_xsdt(m, list, 1);
	new_madt(m, 0x3000, entries, len);
}

#define LAPIC(uid, id, flags) 0, 8, uid, id, (flags) & 0xff, 0, 0, 0
#define IOAPIC(id, addr, gsi) 1, 12, id, 0, (addr) & 0xff, ((addr) >> 8) & 0xff, \
	((addr) >> 16) & 0xff, ((addr) >> 24) & 0xff, (gsi) & 0xff, ((gsi) >> 8) & 0xff, 0, 0
#define ISO(src, gsi, flags) 2, 10, 0, src, gsi, 0, 0, 0, (flags) & 0xff, 0

/* ---- the real tables ----------------------------------------------------------------- */

static void qemu_q35_tables_parse_completely(void **state)
{
	struct memory m;
	struct acpi_info info;
	uint16_t flags;

	load_fixture(&m, "q35-smp4");
	assert_int_equal(parse(&m, &info), 0);
	assert_true(info.xsdt);
	assert_int_equal(info.problem_count, 0);
	assert_int_equal(info.table_count, 8);         /* XSDT, 6 listed, DSDT */
	assert_true(info.have_madt && info.have_fadt && info.have_hpet && info.have_mcfg);
	assert_int_equal(info.madt.lapic_phys, 0xfee00000);
	assert_int_equal(info.madt.cpu_count, 4);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(info.madt.cpus[i].apic_id, i);
		assert_true(info.madt.cpus[i].enabled);
	}
	assert_int_equal(info.madt.ioapic_count, 1);
	assert_int_equal(info.madt.ioapics[0].phys, 0xfec00000);
	assert_int_equal(info.madt.ioapics[0].gsi_base, 0);
	assert_int_equal(acpi_isa_irq_gsi(&info.madt, 0, &flags), 2);   /* the PIT on GSI 2 */
	assert_int_equal(acpi_isa_irq_gsi(&info.madt, 1, &flags), 1);
	assert_int_equal(acpi_isa_irq_gsi(&info.madt, 9, &flags), 9);
	assert_true(acpi_mps_level(flags));                              /* the SCI */
	assert_true(info.madt.pcat_compat);
	assert_int_equal(info.hpet.phys, 0xfed00000);
	assert_int_equal(info.mcfg.count, 1);
	assert_int_equal(info.mcfg.regions[0].base, 0xb0000000);
	free_memory(&m);
}

static void qemu_q35_fadt_gives_pm_registers_reset_and_8042(void **state)
{
	struct memory m;
	struct acpi_info info;

	load_fixture(&m, "q35-smp4");
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(info.fadt.revision, 3);
	assert_true(info.fadt.iapc_known);
	assert_true(info.fadt.iapc_boot_arch & ACPI_IAPC_8042);
	assert_int_equal(info.fadt.pm1a_cnt.space_id, ACPI_GAS_IO);
	assert_int_equal(info.fadt.pm1a_cnt.address, 0x604);
	assert_int_equal(info.fadt.pm_tmr.address, 0x608);
	assert_false(info.fadt.pm_tmr_32bit);
	assert_true(info.fadt.reset_supported);
	assert_int_equal(info.fadt.reset_reg.space_id, ACPI_GAS_IO);
	assert_int_equal(info.fadt.reset_reg.address, 0xcf9);
	assert_int_equal(info.fadt.reset_value, 0x0f);
	assert_int_equal(info.fadt.dsdt_phys, info.tables[info.table_count - 1].phys);
	free_memory(&m);
}

static void qemu_pc_tables_have_an_acpi1_fadt(void **state)
{
	struct memory m;
	struct acpi_info info;

	load_fixture(&m, "pc-smp2");
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(info.problem_count, 0);
	assert_int_equal(info.madt.cpu_count, 2);
	assert_false(info.have_mcfg);
	assert_int_equal(info.fadt.revision, 1);
	assert_false(info.fadt.iapc_known);        /* too old to say: the 8042 is probed */
	assert_false(info.fadt.reset_supported);
	assert_int_equal(info.fadt.pm1a_cnt.address, 0xb004);
	free_memory(&m);
}

static void s5_is_found_in_the_qemu_dsdts(void **state)
{
	static const char *const names[] = { "q35-smp4", "pc-smp2" };

	for (unsigned i = 0; i < 2; i++) {
		struct memory m;
		uint8_t *dsdt;
		uint8_t a = 0xff, b = 0xff;

		load_fixture(&m, names[i]);
		dsdt = table_at(&m, "DSDT");
		assert_int_equal(acpi_find_s5(dsdt + 36, ((struct acpi_sdt_header *)dsdt)->length - 36,
					      &a, &b), 0);
		assert_int_equal(a, 0);
		assert_int_equal(b, 0);
		free_memory(&m);
	}
}

/* ---- hostile tables ------------------------------------------------------------------- */

static void bad_checksum_refuses_only_that_table(void **state)
{
	struct memory m;
	struct acpi_info info;

	load_fixture(&m, "q35-smp4");
	table_at(&m, "APIC")[40] ^= 1;
	assert_int_equal(parse(&m, &info), 0);
	assert_false(info.have_madt);
	assert_true(info.have_fadt && info.have_hpet);
	assert_true(has_problem(&info, "APIC", "checksum"));
	assert_false(info.tables[2].valid);
	free_memory(&m);
}

static void truncated_table_is_refused(void **state)
{
	struct memory m;
	struct acpi_info info;

	load_fixture(&m, "q35-smp4");
	for (unsigned i = 0; i < m.n; i++)
		if (!memcmp(m.r[i].data, "HPET", 4))
			m.r[i].len = 40;                 /* memory ends inside the table */
	assert_int_equal(parse(&m, &info), 0);
	assert_false(info.have_hpet);
	assert_true(has_problem(&info, "HPET", "outside memory"));
	free_memory(&m);
}

static void length_overflowing_memory_is_refused(void **state)
{
	static const uint32_t lengths[] = { 0xffffffffu, 0x80000000u, 35, 0 };

	for (unsigned i = 0; i < 4; i++) {
		struct memory m;
		struct acpi_info info;

		load_fixture(&m, "q35-smp4");
		((struct acpi_sdt_header *)table_at(&m, "MCFG"))->length = lengths[i];
		assert_int_equal(parse(&m, &info), 0);
		assert_false(info.have_mcfg);
		assert_true(info.have_madt);
		free_memory(&m);
	}
}

static void short_tables_are_refused(void **state)
{
	uint8_t entries[] = { LAPIC(0, 0, 1) };
	struct memory m;
	struct acpi_info info;
	uint8_t *t;

	madt_only(&m, entries, sizeof(entries));
	t = table_at(&m, "APIC");
	((struct acpi_sdt_header *)t)->length = 40;      /* header + 4: no flags */
	fix_checksum(t);
	assert_int_equal(parse(&m, &info), 0);
	assert_false(info.have_madt);
	assert_true(has_problem(&info, "APIC", "fixed part"));
	free_memory(&m);
}

static void broken_xsdt_falls_back_to_the_rsdt(void **state)
{
	uint8_t entries[] = { LAPIC(0, 0, 1) };
	struct memory m = { 0 };
	struct acpi_info info;
	uint8_t *rsdt;
	uint64_t xlist[] = { 0x3000 };

	new_rsdp(&m, 2, 0x5000, 0x2000);
	new_xsdt(&m, xlist, 1)[9] ^= 0x55;               /* XSDT checksum broken */
	new_madt(&m, 0x3000, entries, sizeof(entries));
	rsdt = new_table(&m, 0x5000, "RSDT", 40);
	*(uint32_t *)(rsdt + 36) = 0x3000;
	fix_checksum(rsdt);
	assert_int_equal(parse(&m, &info), 0);
	assert_false(info.xsdt);
	assert_true(info.have_madt);
	assert_true(has_problem(&info, "XSDT", "checksum"));
	free_memory(&m);
}

static void acpi1_rsdp_uses_the_rsdt(void **state)
{
	uint8_t entries[] = { LAPIC(0, 0, 1) };
	struct memory m = { 0 };
	struct acpi_info info;
	uint8_t *rsdt;

	new_rsdp(&m, 0, 0x5000, 0);
	new_madt(&m, 0x3000, entries, sizeof(entries));
	rsdt = new_table(&m, 0x5000, "RSDT", 40);
	*(uint32_t *)(rsdt + 36) = 0x3000;
	fix_checksum(rsdt);
	assert_int_equal(parse(&m, &info), 0);
	assert_false(info.xsdt);
	assert_int_equal(info.madt.cpu_count, 1);
	free_memory(&m);
}

static void missing_or_bad_rsdp_is_reported(void **state)
{
	struct memory m = { 0 };
	struct acpi_info info;
	struct acpi_mem mem = { mem_map, &m };

	memset(&info, 0, sizeof(info));
	assert_int_equal(acpi_parse(&mem, 0, &info), -E_NOENT);
	new_rsdp(&m, 2, 0, 0x2000);
	m.r[0].data[8] ^= 1;                             /* checksum */
	memset(&info, 0, sizeof(info));
	assert_int_equal(acpi_parse(&mem, 0x1000, &info), -E_INVAL);
	memset(&info, 0, sizeof(info));
	assert_int_equal(acpi_parse(&mem, 0x9000, &info), -E_INVAL);   /* unmapped */
	free_memory(&m);
}

static void duplicate_madt_entries_are_skipped(void **state)
{
	uint8_t entries[] = {
		LAPIC(0, 0, 1), LAPIC(1, 0, 1), LAPIC(2, 1, 1),      /* APIC id 0 twice */
		IOAPIC(0, 0xfec00000u, 0), IOAPIC(0, 0xfec00000u, 0), /* same I/O APIC twice */
		ISO(0, 2, 0), ISO(0, 5, 0),                         /* IRQ 0 overridden twice */
	};
	struct memory m;
	struct acpi_info info;

	madt_only(&m, entries, sizeof(entries));
	assert_int_equal(parse(&m, &info), 0);
	assert_true(info.have_madt);
	assert_int_equal(info.madt.cpu_count, 2);
	assert_int_equal(info.madt.cpus[1].apic_id, 1);
	assert_int_equal(info.madt.ioapic_count, 1);
	assert_int_equal(info.madt.override_count, 1);
	assert_int_equal(acpi_isa_irq_gsi(&info.madt, 0, NULL), 2);     /* the first wins */
	assert_int_equal(info.madt.entries_skipped, 3);
	assert_true(has_problem(&info, "APIC", "duplicate local APIC"));
	free_memory(&m);
}

static void overrides_carry_polarity_and_trigger(void **state)
{
	uint8_t entries[] = {
		LAPIC(0, 0, 1), IOAPIC(0, 0xfec00000u, 0),
		ISO(0, 2, 0x0), ISO(9, 20, 0xd), ISO(4, 4, 0x5), ISO(16, 16, 0),   /* 16: not ISA */
	};
	struct memory m;
	struct acpi_info info;
	uint16_t flags;

	madt_only(&m, entries, sizeof(entries));
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(info.madt.override_count, 3);
	assert_int_equal(acpi_isa_irq_gsi(&info.madt, 9, &flags), 20);
	assert_true(acpi_mps_level(flags));
	assert_false(acpi_mps_active_low(flags));                      /* 01: active high */
	assert_int_equal(acpi_isa_irq_gsi(&info.madt, 4, &flags), 4);
	assert_false(acpi_mps_level(flags));
	assert_int_equal(acpi_isa_irq_gsi(&info.madt, 1, &flags), 1);  /* identity */
	assert_int_equal(flags, 0);
	assert_int_equal(acpi_isa_irq_gsi(NULL, 3, &flags), 3);
	assert_true(has_problem(&info, "APIC", "non-ISA"));
	free_memory(&m);
}

static void x2apic_entries_and_disabled_cpus(void **state)
{
	uint8_t entries[] = {
		LAPIC(0, 0, 1), LAPIC(1, 1, 0), LAPIC(2, 2, 2),     /* absent; online capable */
		9, 16, 0, 0, 0x2c, 0x01, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, /* x2APIC id 300 uid 7 */
		4, 6, 0xff, 5, 0, 1,                                 /* LAPIC NMI, all, LINT1 */
	};
	struct memory m;
	struct acpi_info info;

	madt_only(&m, entries, sizeof(entries));
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(info.madt.cpu_count, 3);
	assert_true(info.madt.cpus[1].online_capable);
	assert_false(info.madt.cpus[1].enabled);
	assert_int_equal(info.madt.cpus[2].apic_id, 300);
	assert_int_equal(info.madt.cpus[2].acpi_uid, 7);
	assert_true(info.madt.cpus[2].x2apic);
	assert_int_equal(info.madt.nmi_count, 1);
	assert_int_equal(info.madt.nmis[0].acpi_uid, 0xffffffffu);
	assert_int_equal(info.madt.nmis[0].lint, 1);
	free_memory(&m);
}

static void malformed_madt_entries_never_loop_or_overrun(void **state)
{
	uint8_t zero_len[] = { LAPIC(0, 0, 1), 0, 0, LAPIC(1, 1, 1) };
	uint8_t past_end[] = { LAPIC(0, 0, 1), 1, 40, 0, 0 };
	uint8_t too_short[] = { LAPIC(0, 0, 1), 1, 4, 0, 0, LAPIC(1, 1, 1) };
	struct memory m;
	struct acpi_info info;

	madt_only(&m, zero_len, sizeof(zero_len));
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(info.madt.cpu_count, 1);                  /* parsing stopped there */
	assert_true(has_problem(&info, "APIC", "past the table"));
	free_memory(&m);
	madt_only(&m, past_end, sizeof(past_end));
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(info.madt.ioapic_count, 0);
	free_memory(&m);
	madt_only(&m, too_short, sizeof(too_short));
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(info.madt.cpu_count, 2);                  /* skipped, then went on */
	assert_int_equal(info.madt.entries_skipped, 1);
	free_memory(&m);
}

static void madt_without_cpus_is_unusable(void **state)
{
	uint8_t entries[] = { IOAPIC(0, 0xfec00000u, 0) };
	struct memory m;
	struct acpi_info info;

	madt_only(&m, entries, sizeof(entries));
	assert_int_equal(parse(&m, &info), 0);
	assert_false(info.have_madt);
	free_memory(&m);
}

static void second_madt_is_ignored(void **state)
{
	uint8_t one[] = { LAPIC(0, 0, 1) }, two[] = { LAPIC(0, 0, 1), LAPIC(1, 1, 1) };
	static const uint64_t list[] = { 0x3000, 0x4000 };
	struct memory m = { 0 };
	struct acpi_info info;

	new_rsdp(&m, 2, 0, 0x2000);
	new_xsdt(&m, list, 2);
	new_madt(&m, 0x3000, one, sizeof(one));
	new_madt(&m, 0x4000, two, sizeof(two));
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(info.madt.cpu_count, 1);
	assert_true(has_problem(&info, "APIC", "second table"));
	free_memory(&m);
}

static void problems_beyond_the_array_are_counted(void **state)
{
	uint64_t list[40];
	struct memory m = { 0 };
	struct acpi_info info;

	for (unsigned i = 0; i < 40; i++)
		list[i] = 0x100000 + i * 0x1000;                  /* nothing there */
	new_rsdp(&m, 2, 0, 0x2000);
	new_xsdt(&m, list, 40);
	assert_int_equal(parse(&m, &info), 0);
	assert_true(info.problem_count > ACPI_MAX_PROBLEMS);
	assert_true(info.table_count <= ACPI_MAX_TABLES);
	free_memory(&m);
}

/* ---- the \_S5 search ------------------------------------------------------------------- */

static void s5_search_reads_the_common_encodings(void **state)
{
	static const uint8_t zero_one[] = { 0x10, 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04,
					    0x00, 0x01, 0x00, 0x00 };
	static const uint8_t bytes[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x0a, 0x04,
					 0x0a, 0x07, 0x0a, 0x05, 0x00, 0x00 };
	static const uint8_t long_pkglen[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x40, 0x01, 0x02,
					       0x0b, 0x06, 0x00, 0x01 };
	uint8_t a, b;

	assert_int_equal(acpi_find_s5(zero_one, sizeof(zero_one), &a, &b), 0);
	assert_int_equal(a, 0);
	assert_int_equal(b, 1);
	assert_int_equal(acpi_find_s5(bytes, sizeof(bytes), &a, &b), 0);
	assert_int_equal(a, 7);
	assert_int_equal(b, 5);
	assert_int_equal(acpi_find_s5(long_pkglen, sizeof(long_pkglen), &a, &b), 0);
	assert_int_equal(a, 6);
	assert_int_equal(b, 1);
}

static void s5_search_refuses_what_it_cannot_read(void **state)
{
	static const uint8_t method[] = { 0x14, 0x08, '_', 'S', '5', '_', 0x00, 0xa4, 0x00 };
	static const uint8_t cut[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0a };
	static const uint8_t computed[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x70,
					    0x00, 0x00 };
	static const uint8_t none[] = { 0x08, '_', 'S', '4', '_', 0x12, 0x06, 0x04, 0, 0, 0, 0 };
	uint8_t a, b;

	assert_int_equal(acpi_find_s5(method, sizeof(method), &a, &b), -E_INVAL);
	assert_int_equal(acpi_find_s5(cut, sizeof(cut), &a, &b), -E_INVAL);
	assert_int_equal(acpi_find_s5(computed, sizeof(computed), &a, &b), -E_INVAL);
	assert_int_equal(acpi_find_s5(none, sizeof(none), &a, &b), -E_NOENT);
	assert_int_equal(acpi_find_s5(none, 3, &a, &b), -E_NOENT);
	assert_int_equal(acpi_find_s5(NULL, 0, &a, &b), -E_NOENT);
}

/* ---- random corruption ------------------------------------------------------------------- */

static void random_corruption_never_breaks_the_invariants(void **state)
{
	srand(1234);
	for (unsigned round = 0; round < 3000; round++) {
		struct memory m;
		struct acpi_info info;
		unsigned flips = 1 + (unsigned)rand() % 8;

		load_fixture(&m, round & 1 ? "q35-smp4" : "pc-smp2");
		for (unsigned i = 0; i < flips; i++) {
			struct region *r = &m.r[(unsigned)rand() % m.n];
			size_t at = (size_t)rand() % (r->len < 300 ? r->len : 300);

			r->data[at] = (uint8_t)rand();
			if (rand() % 2 && r->len >= 36 &&
			    ((struct acpi_sdt_header *)r->data)->length <= r->len)
				fix_checksum(r->data);           /* get past the checksum too */
		}
		parse(&m, &info);
		assert_true(info.table_count <= ACPI_MAX_TABLES);
		assert_true(info.madt.cpu_count <= ACPI_MAX_CPUS);
		assert_true(info.madt.ioapic_count <= ACPI_MAX_IOAPICS);
		assert_true(info.madt.override_count <= ACPI_MAX_OVERRIDES);
		assert_true(info.mcfg.count <= ACPI_MAX_MCFG);
		for (unsigned i = 0; info.have_madt && i < info.madt.override_count; i++)
			assert_true(info.madt.overrides[i].isa_irq < 16);
		free_memory(&m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(qemu_q35_tables_parse_completely),
		cmocka_unit_test(qemu_q35_fadt_gives_pm_registers_reset_and_8042),
		cmocka_unit_test(qemu_pc_tables_have_an_acpi1_fadt),
		cmocka_unit_test(s5_is_found_in_the_qemu_dsdts),
		cmocka_unit_test(bad_checksum_refuses_only_that_table),
		cmocka_unit_test(truncated_table_is_refused),
		cmocka_unit_test(length_overflowing_memory_is_refused),
		cmocka_unit_test(short_tables_are_refused),
		cmocka_unit_test(broken_xsdt_falls_back_to_the_rsdt),
		cmocka_unit_test(acpi1_rsdp_uses_the_rsdt),
		cmocka_unit_test(missing_or_bad_rsdp_is_reported),
		cmocka_unit_test(duplicate_madt_entries_are_skipped),
		cmocka_unit_test(overrides_carry_polarity_and_trigger),
		cmocka_unit_test(x2apic_entries_and_disabled_cpus),
		cmocka_unit_test(malformed_madt_entries_never_loop_or_overrun),
		cmocka_unit_test(madt_without_cpus_is_unusable),
		cmocka_unit_test(second_madt_is_ignored),
		cmocka_unit_test(problems_beyond_the_array_are_counted),
		cmocka_unit_test(s5_search_reads_the_common_encodings),
		cmocka_unit_test(s5_search_refuses_what_it_cannot_read),
		cmocka_unit_test(random_corruption_never_breaks_the_invariants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
