/*
 * The kernel's ACPI tables (see acpi.h): acpi_parse over the direct map,
 * where every range is checked against the page tables before it is read,
 * one log line per problem, and the accessors. Main flow for acpi_init;
 * the accessors read data that never changes afterwards, any context.
 */
#include "kernel/acpi/acpi.h"
#include "kernel/kprintf.h"
#include "kernel/mm/paging.h"
#include "lib/cmdline.h"
#include "lib/errno.h"
#include "lib/string.h"

static struct acpi_info info;
static bool parsed;

/* The direct map, page by page: NULL if any byte of the range is not mapped. */
static const void *direct_map(void *ctx, uint64_t phys, uint64_t len)
{
	const struct boot_info *bi = ctx;
	struct page_mapping m;
	uint64_t end = phys + len;

	if (end < phys || end > bi->phys_max)
		return NULL;
	for (uint64_t p = phys & ~(PAGE_SIZE - 1); p < end; p += PAGE_SIZE)
		if (!paging_translate(bi->direct_map_base + p, &m))
			return NULL;
	return (const void *)(uintptr_t)(bi->direct_map_base + phys);
}

static void report(void)
{
	unsigned shown = info.problem_count < ACPI_MAX_PROBLEMS ? info.problem_count
								 : ACPI_MAX_PROBLEMS;

	for (unsigned i = 0; i < shown; i++)
		kprintf("acpi: %s: %s (%s)\n", info.problems[i].signature[0] ?
			info.problems[i].signature : "-", info.problems[i].what,
			err_name(info.problems[i].err));
	if (info.problem_count > shown)
		kprintf("acpi: %u more problems not shown\n", info.problem_count - shown);
}

int acpi_init(const struct boot_info *bi)
{
	struct acpi_mem mem = { direct_map, (void *)bi };
	int err;

	if (cmdline_has(bi->cmdline, "acpi=off")) {
		kprintf("acpi: off (command line)\n");
		return -E_NOENT;
	}
	err = acpi_parse(&mem, bi->rsdp_phys, &info);
	report();
	if (err < 0) {
		kprintf("acpi: no usable tables (%s): legacy devices assumed\n", err_name(err));
		return err;
	}
	parsed = true;
	kprintf("acpi: %u tables via %s, OEM %s; MADT: %u CPUs, %u I/O APICs, %u overrides\n",
		info.table_count, info.xsdt ? "XSDT" : "RSDT", info.oem_id,
		info.madt.cpu_count, info.madt.ioapic_count, info.madt.override_count);
	return 0;
}

const struct acpi_info *acpi_info(void)
{
	return parsed ? &info : NULL;
}

const struct acpi_madt_info *acpi_madt(void)
{
	return parsed && info.have_madt ? &info.madt : NULL;
}

const struct acpi_fadt_info *acpi_fadt(void)
{
	return parsed && info.have_fadt ? &info.fadt : NULL;
}

const struct acpi_hpet_info *acpi_hpet(void)
{
	return parsed && info.have_hpet ? &info.hpet : NULL;
}

const struct acpi_mcfg_info *acpi_mcfg(void)
{
	return parsed && info.have_mcfg ? &info.mcfg : NULL;
}

bool acpi_has_8042(void)
{
	const struct acpi_fadt_info *f = acpi_fadt();

	return !f || !f->iapc_known || (f->iapc_boot_arch & ACPI_IAPC_8042);
}

int acpi_s5(uint8_t *slp_typa, uint8_t *slp_typb)
{
	int err = -E_NOENT;

	for (unsigned i = 0; parsed && i < info.table_count && err != 0; i++) {
		const struct acpi_table *t = &info.tables[i];
		const uint8_t *body;

		if (!t->valid || (strcmp(t->signature, "DSDT") && strcmp(t->signature, "SSDT")))
			continue;
		/* verified (mapped, checksummed) by acpi_init */
		body = (const uint8_t *)(uintptr_t)(DIRECT_MAP_BASE + t->phys);
		err = acpi_find_s5(body + 36, t->length - 36, slp_typa, slp_typb);
	}
	return err;
}
