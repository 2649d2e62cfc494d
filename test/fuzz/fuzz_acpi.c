/*
 * libFuzzer target for the ACPI table parser and the \_S5 search. The input
 * is a physical memory image starting at FUZZ_BASE with the RSDP at its
 * start (seeds in corpus/acpi/ are QEMU's real tables packed that way);
 * the parser may follow any pointer in it, but mem_map hands out only bytes
 * of the input. Checks the invariants callers rely on: every count within
 * its array, overrides only for ISA lines, a usable MADT has a CPU and a
 * local APIC address, and a found \_S5 came from inside the buffer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/acpi/acpi.h"

#define FUZZ_BASE 0x1000u

struct image {
	const uint8_t *data;
	size_t size;
};

static const void *mem_map(void *ctx, uint64_t phys, uint64_t len)
{
	const struct image *im = ctx;

	if (phys < FUZZ_BASE || len > im->size || phys - FUZZ_BASE > im->size - len)
		return NULL;
	return im->data + (phys - FUZZ_BASE);
}

static void check(int cond)
{
	if (!cond)
		abort();
}

static void check_info(const struct acpi_info *info)
{
	check(info->table_count <= ACPI_MAX_TABLES);
	check(info->madt.cpu_count <= ACPI_MAX_CPUS);
	check(info->madt.ioapic_count <= ACPI_MAX_IOAPICS);
	check(info->madt.override_count <= ACPI_MAX_OVERRIDES);
	check(info->madt.nmi_count <= ACPI_MAX_NMIS);
	check(info->mcfg.count <= ACPI_MAX_MCFG);
	if (info->have_madt)
		check(info->madt.cpu_count > 0 && info->madt.lapic_phys != 0);
	for (unsigned i = 0; i < info->madt.override_count; i++)
		check(info->madt.overrides[i].isa_irq < 16);
	for (unsigned i = 0; i < info->table_count; i++)
		check(info->tables[i].signature[4] == '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image im = { data, size };
	struct acpi_mem mem = { mem_map, &im };
	struct acpi_info info;
	uint8_t a, b;

	memset(&info, 0, sizeof(info));
	acpi_parse(&mem, FUZZ_BASE, &info);
	check_info(&info);
	acpi_find_s5(data, size, &a, &b);
	return 0;
}
