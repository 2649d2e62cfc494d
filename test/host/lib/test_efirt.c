/*
 * Host tests for the UEFI runtime-region placement (lib/efirt.c): which
 * descriptors are chosen, the virtual addresses written back for
 * SetVirtualAddressMap, the kinds that decide the mapping, the page-table
 * count, and hostile maps (bad stride, misaligned, wrapping, too big, too
 * many) refused cleanly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/efirt.h"
#include "lib/errno.h"
#include "lib/memmap.h"

#define PG    4096ull
#define BASE  0xffffd00000000000ull
#define DSIZE 48                    /* OVMF's stride, not sizeof */
#define RT    EFIRT_ATTR_RUNTIME
#define WB    EFIRT_ATTR_WB
#define UC    EFIRT_ATTR_UC

struct desc { uint32_t type; uint64_t phys, pages, attr; };

static uint8_t map[64 * DSIZE];

/* Lay descriptors out with junk in VirtualStart and the padding. */
static size_t build(const struct desc *d, size_t n)
{
	memset(map, 0xa5, sizeof(map));
	for (size_t i = 0; i < n; i++) {
		uint8_t *p = map + i * DSIZE;
		memcpy(p, &d[i].type, 4);
		memcpy(p + 8, &d[i].phys, 8);
		memcpy(p + 24, &d[i].pages, 8);
		memcpy(p + 32, &d[i].attr, 8);
	}
	return n * DSIZE;
}

static uint64_t virt_of(size_t i)
{
	uint64_t v;

	memcpy(&v, map + i * DSIZE + 16, 8);
	return v;
}

/* Shaped like OVMF's q35 map: runtime code/data between RAM, flash MMIO at the top. */
static const struct desc ovmf[] = {
	{ UEFI_MEM_CONVENTIONAL, 0x0, 0x9f, WB },
	{ UEFI_MEM_RUNTIME_CODE, 0xf5e0000, 0x20, WB | RT },
	{ UEFI_MEM_RUNTIME_DATA, 0xf600000, 0x40, WB | RT },
	{ UEFI_MEM_BOOT_SERVICES_DATA, 0xf640000, 0x100, WB },
	{ UEFI_MEM_RUNTIME_DATA, 0xf740000, 0x3, WB | RT },
	{ UEFI_MEM_MMIO, 0xffc00000, 0x400, UC | RT },
	{ UEFI_MEM_MMIO, 0xb0000000, 0x10000, UC },
};

static void efirt_places_runtime_regions_back_to_back_in_map_order(void **state)
{
	struct efirt_region r[8];
	size_t n, size = build(ovmf, 7);

	(void)state;
	assert_int_equal(efirt_assign(map, size, DSIZE, BASE, 1ull << 30, r, 8, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(r[0].phys, 0xf5e0000);
	assert_int_equal(r[0].virt, BASE);
	assert_int_equal(r[1].virt, BASE + 0x20 * PG);
	assert_int_equal(r[2].virt, BASE + 0x60 * PG);
	assert_int_equal(r[3].virt, BASE + 0x63 * PG);
	assert_int_equal(r[3].pages, 0x400);
	assert_int_equal(virt_of(1), BASE);              /* written for SetVirtualAddressMap */
	assert_int_equal(virt_of(5), BASE + 0x63 * PG);
	assert_int_equal(virt_of(0), 0xa5a5a5a5a5a5a5a5ull); /* others untouched */
	assert_int_equal(virt_of(6), 0xa5a5a5a5a5a5a5a5ull);
}

static void efirt_kinds_decide_code_data_and_uncached_mmio(void **state)
{
	struct efirt_region r[8];
	size_t n, size = build(ovmf, 7);

	(void)state;
	assert_int_equal(efirt_assign(map, size, DSIZE, BASE, 1ull << 30, r, 8, &n), 0);
	assert_int_equal(r[0].kind, EFIRT_CODE);
	assert_int_equal(r[1].kind, EFIRT_DATA);
	assert_int_equal(r[1].uncached, 0);
	assert_int_equal(r[3].kind, EFIRT_MMIO);
	assert_int_equal(r[3].uncached, 1);
	assert_string_equal(efirt_kind_name(r[0].kind), "code");
	assert_string_equal(efirt_kind_name(99), "?");
}

static void efirt_counts_runtime_pages_and_tables(void **state)
{
	size_t size = build(ovmf, 7);

	(void)state;
	assert_int_equal(efirt_runtime_pages(map, size, DSIZE), 0x463);
	assert_int_equal(efirt_runtime_pages(map, size, 44), 0);
	assert_int_equal(efirt_tables_needed(0), 1);
	assert_int_equal(efirt_tables_needed(1), 3);
	assert_int_equal(efirt_tables_needed(512), 3);
	assert_int_equal(efirt_tables_needed(513), 4);
	assert_int_equal(efirt_tables_needed(512 * 512 + 1), 1 + 2 + 513);
}

static void efirt_map_without_runtime_regions_gives_none(void **state)
{
	struct efirt_region r[2];
	size_t n = 7, size = build(ovmf, 1);

	(void)state;
	assert_int_equal(efirt_assign(map, size, DSIZE, BASE, 1ull << 30, r, 2, &n), 0);
	assert_int_equal(n, 0);
}

static void efirt_refuses_hostile_maps(void **state)
{
	struct efirt_region r[8];
	size_t n, size;
	const struct desc misaligned[] = { { UEFI_MEM_RUNTIME_DATA, 0x1234, 1, WB | RT } };
	const struct desc empty[] = { { UEFI_MEM_RUNTIME_DATA, 0x1000, 0, WB | RT } };
	const struct desc wraps[] = { { UEFI_MEM_RUNTIME_DATA, 0xfffffffffff00000ull, 0x1000, WB | RT } };
	const struct desc huge[] = { { UEFI_MEM_RUNTIME_DATA, 0x100000, 0x40001, WB | RT } };

	(void)state;
	size = build(ovmf, 7);
	assert_int_equal(efirt_assign(map, size, 44, BASE, 1ull << 30, r, 8, &n), -E_INVAL);
	assert_int_equal(efirt_assign(map, size, 32, BASE, 1ull << 30, r, 8, &n), -E_INVAL);
	assert_int_equal(efirt_assign(map, size, DSIZE, BASE + 8, 1ull << 30, r, 8, &n), -E_INVAL);
	assert_int_equal(efirt_assign(map, size, DSIZE, BASE, 1ull << 30, r, 3, &n), -E_NOSPC);
	assert_int_equal(n, 0);
	assert_int_equal(efirt_assign(map, size, DSIZE, BASE, 0x100 * PG, r, 8, &n), -E_RANGE);
	size = build(misaligned, 1);
	assert_int_equal(efirt_assign(map, size, DSIZE, BASE, 1ull << 30, r, 8, &n), -E_INVAL);
	size = build(empty, 1);
	assert_int_equal(efirt_assign(map, size, DSIZE, BASE, 1ull << 30, r, 8, &n), -E_INVAL);
	size = build(wraps, 1);
	assert_int_equal(efirt_assign(map, size, DSIZE, BASE, 1ull << 30, r, 8, &n), -E_INVAL);
	size = build(huge, 1);
	assert_int_equal(efirt_assign(map, size, DSIZE, BASE, 1ull << 30, r, 8, &n), -E_RANGE);
	/* a trailing partial descriptor is ignored, never read past */
	size = build(ovmf, 6);
	assert_int_equal(efirt_assign(map, size - 1, DSIZE, BASE, 1ull << 30, r, 8, &n), 0);
	assert_int_equal(n, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(efirt_places_runtime_regions_back_to_back_in_map_order),
		cmocka_unit_test(efirt_kinds_decide_code_data_and_uncached_mmio),
		cmocka_unit_test(efirt_counts_runtime_pages_and_tables),
		cmocka_unit_test(efirt_map_without_runtime_regions_gives_none),
		cmocka_unit_test(efirt_refuses_hostile_maps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
