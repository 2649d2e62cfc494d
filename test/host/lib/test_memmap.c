/*
 * Host tests for memory-map normalisation: descriptor strides, sorting,
 * overlap ranking, merging, alignment, the capacity bound, error cases, a
 * QEMU q35-like map, and random maps checked page by page against a
 * brute-force model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/boot_info.h"
#include "lib/errno.h"
#include "lib/memmap.h"

#define PG 4096ull

struct desc {
	uint32_t type;
	uint64_t phys;
	uint64_t pages;
};

struct piece {
	uint64_t base, end;
	uint32_t type;
};

/* ---- helpers ----------------------------------------------------------------------- */

/* Descriptors laid out as firmware does, padding and unused fields as junk. */
static uint8_t *build_descs(const struct desc *d, size_t n, size_t dsize)
{
	uint8_t *buf = malloc(n * dsize + 1);
	uint64_t virt = 0xdeadbeefcafef00dull, attr = 0xf;

	assert_non_null(buf);
	memset(buf, 0xa5, n * dsize + 1);
	for (size_t i = 0; i < n; i++) {
		uint8_t *p = buf + i * dsize;

		memcpy(p, &d[i].type, 4);
		memcpy(p + 8, &d[i].phys, 8);
		memcpy(p + 16, &virt, 8);
		memcpy(p + 24, &d[i].pages, 8);
		memcpy(p + 32, &attr, 8);
	}
	return buf;
}

/* Convert into an exact-size heap buffer of cap entries (ASan guards its end). */
static int convert_cap(const struct desc *d, size_t n, size_t dsize, size_t cap,
		       struct mem_region **out, size_t *count)
{
	uint8_t *buf = build_descs(d, n, dsize);
	int rc;

	*out = malloc(cap ? cap * sizeof(**out) : 1);
	assert_non_null(*out);
	rc = memmap_from_uefi(buf, n * dsize, dsize, *out, cap, count);
	free(buf);
	return rc;
}

static struct mem_region *convert(const struct desc *d, size_t n, size_t *count)
{
	struct mem_region *out;

	assert_int_equal(convert_cap(d, n, 48, memmap_capacity_needed(n), &out, count), 0);
	return out;
}

static void expect_map(const struct mem_region *m, size_t count,
		       const struct piece *want, size_t n)
{
	for (size_t i = 0; i < count && i < n; i++) {
		if (m[i].base != want[i].base || m[i].base + m[i].length != want[i].end ||
		    m[i].type != want[i].type)
			fail_msg("piece %zu: got [%#llx, %#llx) %s, want [%#llx, %#llx) %s", i,
				 (unsigned long long)m[i].base,
				 (unsigned long long)(m[i].base + m[i].length),
				 memmap_type_name(m[i].type), (unsigned long long)want[i].base,
				 (unsigned long long)want[i].end, memmap_type_name(want[i].type));
	}
	assert_int_equal(count, n);
}

/* The contract of kernel/boot_info.h, checked on any output. */
static void expect_contract(const struct mem_region *m, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		assert_true(m[i].length > 0);
		assert_int_equal(m[i].base % PG, 0);
		assert_int_equal(m[i].length % PG, 0);
		assert_int_equal(m[i].reserved, 0);
		if (i == 0)
			continue;
		assert_true(m[i - 1].base + m[i - 1].length <= m[i].base);
		if (m[i - 1].base + m[i - 1].length == m[i].base)
			assert_int_not_equal(m[i - 1].type, m[i].type);
	}
}

/* ---- strides, sorting, overlaps, merging, alignment ---------------------------------- */

static const struct desc mixed[] = {
	{ UEFI_MEM_CONVENTIONAL, 0x100000, 0x100 },
	{ UEFI_MEM_ACPI_RECLAIM, 0x200000, 0x10 },
	{ UEFI_MEM_RUNTIME_DATA, 0x300000, 0x20 },
	{ UEFI_MEM_RESERVED, 0x180000, 0x8 },
	{ UEFI_MEM_MMIO, 0xffc00000, 0x400 },
};

static const struct piece mixed_want[] = {
	{ 0x100000, 0x180000, MEM_USABLE },
	{ 0x180000, 0x188000, MEM_RESERVED },
	{ 0x188000, 0x200000, MEM_USABLE },
	{ 0x200000, 0x210000, MEM_ACPI_RECLAIMABLE },
	{ 0x300000, 0x320000, MEM_RUNTIME },
	{ 0xffc00000, 0x100000000, MEM_MMIO },
};

static void descriptor_sizes_40_48_56_give_identical_maps(void **state)
{
	static const size_t sizes[] = { 40, 48, 56 };

	for (size_t s = 0; s < 3; s++) {
		struct mem_region *out;
		size_t count;

		assert_int_equal(convert_cap(mixed, 5, sizes[s], 10, &out, &count), 0);
		expect_map(out, count, mixed_want, 6);
		free(out);
	}
}

static void bad_descriptor_sizes_are_rejected(void **state)
{
	static const size_t sizes[] = { 0, 8, 32, 39, 44, 52, 60 };
	struct mem_region out[16];
	uint8_t buf[60 * 4];
	size_t count = 99;

	memset(buf, 0, sizeof(buf));
	for (size_t s = 0; s < 7; s++) {
		size_t size = sizes[s] ? sizes[s] * 2 : 0;

		assert_int_equal(memmap_from_uefi(buf, size, sizes[s], out, 16, &count),
				 -E_INVAL);
		assert_int_equal(count, 0);
	}
}

static void map_size_not_a_multiple_of_the_stride_is_rejected(void **state)
{
	uint8_t *buf = build_descs(mixed, 5, 48);
	struct mem_region out[16];
	size_t count;

	assert_int_equal(memmap_from_uefi(buf, 5 * 48 - 8, 48, out, 16, &count), -E_INVAL);
	assert_int_equal(memmap_from_uefi(buf, 5 * 48 + 1, 48, out, 16, &count), -E_INVAL);
	free(buf);
}

static void null_pointers_are_rejected_and_empty_map_is_empty(void **state)
{
	uint8_t *buf = build_descs(mixed, 5, 48);
	struct mem_region out[16];
	size_t count = 99;

	assert_int_equal(memmap_from_uefi(buf, 5 * 48, 48, out, 16, NULL), -E_INVAL);
	assert_int_equal(memmap_from_uefi(NULL, 5 * 48, 48, out, 16, &count), -E_INVAL);
	assert_int_equal(memmap_from_uefi(buf, 5 * 48, 48, NULL, 16, &count), -E_INVAL);
	assert_int_equal(memmap_from_uefi(NULL, 0, 48, NULL, 0, &count), 0);
	assert_int_equal(count, 0);
	assert_int_equal(memmap_capacity_needed(0), 0);
	free(buf);
}

static void unsorted_input_comes_out_sorted(void **state)
{
	static const struct desc d[] = {
		{ UEFI_MEM_MMIO, 0xffc00000, 0x400 },
		{ UEFI_MEM_RUNTIME_DATA, 0x300000, 0x20 },
		{ UEFI_MEM_RESERVED, 0x180000, 0x8 },
		{ UEFI_MEM_ACPI_RECLAIM, 0x200000, 0x10 },
		{ UEFI_MEM_CONVENTIONAL, 0x100000, 0x100 },
	};
	size_t count;
	struct mem_region *out = convert(d, 5, &count);

	expect_map(out, count, mixed_want, 6);
	free(out);
}

static void nested_overlaps_are_resolved_by_rank(void **state)
{
	static const struct desc d[] = {
		{ UEFI_MEM_CONVENTIONAL, 0, 64 },
		{ UEFI_MEM_LOADER_DATA, 8 * PG, 32 },
		{ UEFI_MEM_ACPI_RECLAIM, 16 * PG, 8 },
		{ UEFI_MEM_RUNTIME_CODE, 20 * PG, 10 },
		{ UEFI_MEM_UNUSABLE, 22 * PG, 1 },
	};
	static const struct piece want[] = {
		{ 0, 8 * PG, MEM_USABLE },
		{ 8 * PG, 16 * PG, MEM_BOOT_RECLAIMABLE },
		{ 16 * PG, 20 * PG, MEM_ACPI_RECLAIMABLE },
		{ 20 * PG, 22 * PG, MEM_RUNTIME },
		{ 22 * PG, 23 * PG, MEM_BAD },
		{ 23 * PG, 30 * PG, MEM_RUNTIME },
		{ 30 * PG, 40 * PG, MEM_BOOT_RECLAIMABLE },
		{ 40 * PG, 64 * PG, MEM_USABLE },
	};
	size_t count;
	struct mem_region *out = convert(d, 5, &count);

	expect_map(out, count, want, 8);
	free(out);
}

/* One UEFI type per kernel type, most restrictive first (the documented ranking). */
static const uint32_t ranked_uefi[] = {
	UEFI_MEM_UNUSABLE, UEFI_MEM_RESERVED, UEFI_MEM_MMIO, UEFI_MEM_ACPI_NVS,
	UEFI_MEM_RUNTIME_DATA, UEFI_MEM_EMBER_KERNEL, UEFI_MEM_ACPI_RECLAIM,
	UEFI_MEM_EMBER_BOOT, UEFI_MEM_PERSISTENT, UEFI_MEM_CONVENTIONAL,
};

static void every_more_restrictive_type_wins_its_overlap(void **state)
{
	for (size_t a = 0; a < 10; a++) {
		for (size_t b = a + 1; b < 10; b++) {
			uint32_t ta = memmap_type_from_uefi(ranked_uefi[a]);
			uint32_t tb = memmap_type_from_uefi(ranked_uefi[b]);
			struct desc d[] = {
				{ ranked_uefi[b], 0x10000, 6 },
				{ ranked_uefi[a], 0x12000, 2 },
			};
			struct piece want[] = {
				{ 0x10000, 0x12000, tb }, { 0x12000, 0x14000, ta },
				{ 0x14000, 0x16000, tb },
			};
			size_t count;
			struct mem_region *out = convert(d, 2, &count);

			expect_map(out, count, want, 3);
			free(out);
		}
	}
}

static void partial_overlap_keeps_the_rest_of_each_entry(void **state)
{
	static const struct desc d1[] = {
		{ UEFI_MEM_CONVENTIONAL, 0, 10 },
		{ UEFI_MEM_RESERVED, 6 * PG, 8 },
	};
	static const struct piece w1[] = {
		{ 0, 6 * PG, MEM_USABLE }, { 6 * PG, 14 * PG, MEM_RESERVED },
	};
	static const struct desc d2[] = {
		{ UEFI_MEM_RESERVED, 0, 10 },
		{ UEFI_MEM_BOOT_SERVICES_DATA, 6 * PG, 8 },
	};
	static const struct piece w2[] = {
		{ 0, 10 * PG, MEM_RESERVED }, { 10 * PG, 14 * PG, MEM_USABLE },
	};
	size_t count;
	struct mem_region *out = convert(d1, 2, &count);

	expect_map(out, count, w1, 2);
	free(out);
	out = convert(d2, 2, &count);
	expect_map(out, count, w2, 2);
	free(out);
}

static void adjacent_same_type_entries_are_merged(void **state)
{
	static const struct desc d[] = {
		{ UEFI_MEM_CONVENTIONAL, 0, 4 },
		{ UEFI_MEM_BOOT_SERVICES_CODE, 4 * PG, 4 },
		{ UEFI_MEM_BOOT_SERVICES_DATA, 8 * PG, 1 },
		{ UEFI_MEM_CONVENTIONAL, 2 * PG, 4 },   /* duplicate overlap */
		{ UEFI_MEM_RUNTIME_CODE, 9 * PG, 1 },
		{ UEFI_MEM_RUNTIME_DATA, 10 * PG, 1 },
	};
	static const struct piece want[] = {
		{ 0, 9 * PG, MEM_USABLE }, { 9 * PG, 11 * PG, MEM_RUNTIME },
	};
	size_t count;
	struct mem_region *out = convert(d, 6, &count);

	expect_map(out, count, want, 2);
	free(out);
}

static void adjacent_different_types_are_kept_apart(void **state)
{
	static const struct desc d[] = {
		{ UEFI_MEM_CONVENTIONAL, 0, 4 },
		{ UEFI_MEM_ACPI_RECLAIM, 4 * PG, 4 },
		{ UEFI_MEM_CONVENTIONAL, 8 * PG, 4 },
	};
	static const struct piece want[] = {
		{ 0, 4 * PG, MEM_USABLE }, { 4 * PG, 8 * PG, MEM_ACPI_RECLAIMABLE },
		{ 8 * PG, 12 * PG, MEM_USABLE },
	};
	size_t count;
	struct mem_region *out = convert(d, 3, &count);

	expect_map(out, count, want, 3);
	free(out);
}

static void usable_shrinks_and_other_types_grow_to_pages(void **state)
{
	static const struct desc d[] = {
		{ UEFI_MEM_CONVENTIONAL, 0x1800, 2 },   /* -> [0x2000, 0x3000) */
		{ UEFI_MEM_RESERVED, 0x10800, 1 },      /* -> [0x10000, 0x12000) */
		{ UEFI_MEM_CONVENTIONAL, 0x20800, 1 },  /* no whole page: dropped */
		{ UEFI_MEM_CONVENTIONAL, 0x30000, 4 },
		{ UEFI_MEM_ACPI_NVS, 0x33800, 1 },      /* grows into the RAM above */
		{ UEFI_MEM_CONVENTIONAL, 0x40000, 0 },  /* zero pages: dropped */
	};
	static const struct piece want[] = {
		{ 0x2000, 0x3000, MEM_USABLE },
		{ 0x10000, 0x12000, MEM_RESERVED },
		{ 0x30000, 0x33000, MEM_USABLE },
		{ 0x33000, 0x35000, MEM_ACPI_NVS },
	};
	size_t count;
	struct mem_region *out = convert(d, 6, &count);

	expect_map(out, count, want, 4);
	free(out);
}

/* ---- big maps, high memory, limits ---------------------------------------------------- */

static void eight_gib_guest_has_six_gib_usable_above_4_gib(void **state)
{
	static const struct desc d[] = {
		{ UEFI_MEM_CONVENTIONAL, 0x100000000ull, 0x180000 },
		{ UEFI_MEM_CONVENTIONAL, 0x100000, 0x7ff00 },
		{ UEFI_MEM_MMIO, 0xffc00000, 0x400 },
		{ UEFI_MEM_RESERVED, 0xfd00000000ull, 0x300000 },
	};
	static const struct piece want[] = {
		{ 0x100000, 0x80000000, MEM_USABLE },
		{ 0xffc00000, 0x100000000ull, MEM_MMIO },
		{ 0x100000000ull, 0x280000000ull, MEM_USABLE },
		{ 0xfd00000000ull, 0x10000000000ull, MEM_RESERVED },
	};
	size_t count;
	struct mem_region *out = convert(d, 4, &count);

	expect_map(out, count, want, 4);
	assert_int_equal(memmap_total(out, count, MEM_USABLE),
			 6ull * 1024 * 1024 * 1024 + 0x7ff00000ull);
	free(out);
}

static void page_counts_that_wrap_are_rejected(void **state)
{
	static const struct desc wraps[][1] = {
		{ { UEFI_MEM_CONVENTIONAL, 0, UINT64_MAX / PG + 1 } },  /* pages * 4096 */
		{ { UEFI_MEM_RESERVED, 0xfffffffffffff000ull, 2 } },   /* base + length */
		{ { UEFI_MEM_RESERVED, 0xffffffffffffe000ull, 2 } },   /* ends at 2^64 */
		{ { UEFI_MEM_RESERVED, 0x1000, UINT64_MAX } },
	};
	for (size_t i = 0; i < 4; i++) {
		struct mem_region *out;
		size_t count = 99;

		assert_int_equal(convert_cap(wraps[i], 1, 48, 2, &out, &count), -E_INVAL);
		assert_int_equal(count, 0);
		free(out);
	}
}

static void last_page_below_the_limit_is_accepted(void **state)
{
	static const struct desc d[] = {
		{ UEFI_MEM_RESERVED, 0xffffffffffffe000ull, 1 },
	};
	static const struct piece want[] = {
		{ 0xffffffffffffe000ull, 0xfffffffffffff000ull, MEM_RESERVED },
	};
	size_t count;
	struct mem_region *out = convert(d, 1, &count);

	expect_map(out, count, want, 1);
	free(out);
}

/* One big RAM range with n - 1 reserved holes: 2n - 1 pieces, the worst case. */
static struct desc *worst_case(size_t n)
{
	struct desc *d = malloc(n * sizeof(*d));

	assert_non_null(d);
	for (size_t i = 0; i + 1 < n; i++)
		d[i] = (struct desc){ UEFI_MEM_RESERVED, (2 * (n - 2 - i) + 1) * PG, 1 };
	d[n - 1] = (struct desc){ UEFI_MEM_CONVENTIONAL, 0, 2 * n };
	return d;
}

static void capacity_needed_suffices_for_the_worst_case(void **state)
{
	size_t n = 1000, count;
	struct desc *d = worst_case(n);
	struct mem_region *out;

	assert_int_equal(memmap_capacity_needed(n), 2 * n);
	assert_int_equal(convert_cap(d, n, 48, 2 * n, &out, &count), 0);
	assert_int_equal(count, 2 * n - 1);
	expect_contract(out, count);
	assert_int_equal(memmap_total(out, count, MEM_RESERVED), (n - 1) * PG);
	assert_int_equal(memmap_total(out, count, MEM_USABLE), (n + 1) * PG);
	free(out);
	free(d);
}

static void too_small_buffer_gives_nospc_without_writing_past_it(void **state)
{
	size_t n = 50, count = 99;
	struct desc *d = worst_case(n);
	struct mem_region *out;

	for (size_t cap = 0; cap < 2 * n - 1; cap++) {
		assert_int_equal(convert_cap(d, n, 48, cap, &out, &count), -E_NOSPC);
		assert_int_equal(count, 0);
		free(out);
	}
	free(d);
}

static void disjoint_map_fits_in_one_entry_per_descriptor(void **state)
{
	static const struct desc d[] = {
		{ UEFI_MEM_CONVENTIONAL, 0x100000, 0x80 },
		{ UEFI_MEM_RESERVED, 0x180000, 0x8 },
		{ UEFI_MEM_CONVENTIONAL, 0x188000, 0x78 },
		{ UEFI_MEM_ACPI_RECLAIM, 0x200000, 0x10 },
		{ UEFI_MEM_RUNTIME_DATA, 0x300000, 0x20 },
		{ UEFI_MEM_MMIO, 0xffc00000, 0x400 },
	};
	struct mem_region *out;
	size_t count;

	assert_int_equal(convert_cap(d, 6, 48, 6, &out, &count), 0);
	expect_map(out, count, mixed_want, 6);
	free(out);
}

static void tight_buffer_fails_once_a_piece_would_overwrite_input(void **state)
{
	struct mem_region *out;
	size_t count;

	/* 5 descriptors, 6 pieces: 6 entries are enough, 5 are not. */
	assert_int_equal(convert_cap(mixed, 5, 48, 6, &out, &count), 0);
	expect_map(out, count, mixed_want, 6);
	free(out);
	assert_int_equal(convert_cap(mixed, 5, 48, 5, &out, &count), -E_NOSPC);
	free(out);
}

static void thousands_of_reversed_entries_come_out_sorted(void **state)
{
	size_t n = 20000, count;
	struct desc *d = malloc(n * sizeof(*d));
	struct mem_region *out;

	assert_non_null(d);
	for (size_t i = 0; i < n; i++) {
		uint64_t page = 4 * (n - i) + 0x100000;  /* above 4 GiB */

		d[i] = (struct desc){ i % 2 ? UEFI_MEM_CONVENTIONAL : UEFI_MEM_ACPI_NVS,
				      page * PG, 1 + i % 3 };
	}
	out = convert(d, n, &count);
	assert_int_equal(count, n);
	expect_contract(out, count);
	assert_int_equal(out[0].base, (4 + 0x100000) * PG);
	free(out);
	free(d);
}

/* ---- random maps against a brute-force model ----------------------------------------- */

#define MODEL_PAGES 4500

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Every UEFI type and a few the spec leaves to OEMs and OSes. */
static const uint32_t any_uefi[] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	0x70000000u, 0x80000000u, UEFI_MEM_EMBER_KERNEL, UEFI_MEM_EMBER_BOOT,
	7, 7, 7, 4, 3,          /* RAM is the common case */
};

static unsigned model_rank(uint32_t type)
{
	for (unsigned r = 0; r < 10; r++)
		if (memmap_type_from_uefi(ranked_uefi[r]) == type)
			return r;
	fail_msg("unknown type %u", type);
	return 0;
}

/* Per page: the winning kernel type, 0 where nothing is. */
static void model_paint(const struct desc *d, size_t n, uint32_t *page_type)
{
	memset(page_type, 0, MODEL_PAGES * sizeof(*page_type));
	for (size_t i = 0; i < n; i++) {
		uint32_t t = memmap_type_from_uefi(d[i].type);
		uint64_t s = d[i].phys, e = d[i].phys + d[i].pages * PG;

		for (uint64_t p = s / PG; p <= e / PG && p < MODEL_PAGES; p++) {
			bool in = t == MEM_USABLE ? p * PG >= s && (p + 1) * PG <= e
						  : p * PG < e && (p + 1) * PG > s;

			if (in && (!page_type[p] || model_rank(t) < model_rank(page_type[p])))
				page_type[p] = t;
		}
	}
}

static void model_compare(const struct mem_region *m, size_t count,
			  const uint32_t *page_type)
{
	size_t runs = 0;

	expect_contract(m, count);
	for (size_t p = 0, i = 0; p < MODEL_PAGES; p++) {
		while (i < count && m[i].base + m[i].length <= p * PG)
			i++;
		uint32_t got = i < count && m[i].base <= p * PG ? m[i].type : 0;

		if (got != page_type[p])
			fail_msg("page %zu: got %s, want %s", p, memmap_type_name(got),
				 memmap_type_name(page_type[p]));
		if (page_type[p] && (p == 0 || page_type[p - 1] != page_type[p]))
			runs++;
	}
	assert_int_equal(count, runs);
}

static void random_map(struct desc *d, size_t n, unsigned max_len)
{
	for (size_t i = 0; i < n; i++) {
		d[i].type = any_uefi[rng() % (sizeof(any_uefi) / sizeof(any_uefi[0]))];
		d[i].phys = (rng() % 4200) * PG;
		if (rng() % 5 == 0)
			d[i].phys += 1 + rng() % (PG - 1);
		d[i].pages = rng() % 10 == 0 ? 0 : 1 + rng() % max_len;
	}
}

static void run_random(size_t n, unsigned max_len, size_t dsize)
{
	static uint32_t page_type[MODEL_PAGES];
	struct desc *d = malloc(n * sizeof(*d) + 1);
	struct mem_region *out;
	size_t count;

	assert_non_null(d);
	random_map(d, n, max_len);
	model_paint(d, n, page_type);
	assert_int_equal(convert_cap(d, n, dsize, memmap_capacity_needed(n), &out, &count), 0);
	model_compare(out, count, page_type);
	free(out);
	free(d);
}

static void thousand_random_entries_match_the_page_model(void **state)
{
	rng_state = 0x9e3779b97f4a7c15ull;
	for (int round = 0; round < 6; round++)
		run_random(1000, round % 2 ? 4 : 64, 40 + 8 * (round % 3));
}

static void small_random_maps_match_the_page_model(void **state)
{
	rng_state = 0x0123456789abcdefull;
	for (int round = 0; round < 300; round++)
		run_random(1 + rng() % 24, 1 + rng() % 200, 48);
}

/* ---- a QEMU q35 map with 512 MiB, as OVMF hands it to BOOTX64.EFI ------------------- */

static const struct desc ovmf_q35[] = {
	{ UEFI_MEM_BOOT_SERVICES_CODE, 0x0, 0x1 },
	{ UEFI_MEM_CONVENTIONAL, 0x1000, 0x9f },
	{ UEFI_MEM_CONVENTIONAL, 0x100000, 0x700 },
	{ UEFI_MEM_ACPI_NVS, 0x800000, 0x8 },
	{ UEFI_MEM_CONVENTIONAL, 0x808000, 0x3 },
	{ UEFI_MEM_ACPI_NVS, 0x80b000, 0x1 },
	{ UEFI_MEM_CONVENTIONAL, 0x80c000, 0x4 },
	{ UEFI_MEM_ACPI_NVS, 0x810000, 0xf0 },
	{ UEFI_MEM_BOOT_SERVICES_DATA, 0x900000, 0x1000 },
	{ UEFI_MEM_CONVENTIONAL, 0x1900000, 0x1c000 },
	{ UEFI_MEM_LOADER_CODE, 0x1d900000, 0x40 },
	{ UEFI_MEM_EMBER_KERNEL, 0x1d940000, 0x20 },
	{ UEFI_MEM_EMBER_BOOT, 0x1d960000, 0x10 },
	{ UEFI_MEM_BOOT_SERVICES_DATA, 0x1d970000, 0x1690 },
	{ UEFI_MEM_RUNTIME_DATA, 0x1f000000, 0x100 },
	{ UEFI_MEM_BOOT_SERVICES_CODE, 0x1f100000, 0x200 },
	{ UEFI_MEM_RUNTIME_CODE, 0x1f300000, 0x80 },
	{ UEFI_MEM_RUNTIME_DATA, 0x1f380000, 0x80 },
	{ UEFI_MEM_BOOT_SERVICES_DATA, 0x1f400000, 0x700 },
	{ UEFI_MEM_ACPI_RECLAIM, 0x1fb00000, 0x7b },
	{ UEFI_MEM_ACPI_NVS, 0x1fb7b000, 0x85 },
	{ UEFI_MEM_RUNTIME_DATA, 0x1fc00000, 0x100 },
	{ UEFI_MEM_BOOT_SERVICES_DATA, 0x1fd00000, 0x2e0 },
	{ UEFI_MEM_RESERVED, 0x1ffe0000, 0x20 },
	{ UEFI_MEM_RESERVED, 0xb0000000, 0x10000 },     /* PCIe ECAM */
	{ UEFI_MEM_MMIO, 0xffc00000, 0x400 },           /* pflash */
	{ UEFI_MEM_RESERVED, 0xfd00000000ull, 0x300000 },
};

static const struct piece ovmf_q35_want[] = {
	{ 0x0, 0xa0000, MEM_USABLE },
	{ 0x100000, 0x800000, MEM_USABLE },
	{ 0x800000, 0x808000, MEM_ACPI_NVS },
	{ 0x808000, 0x80b000, MEM_USABLE },
	{ 0x80b000, 0x80c000, MEM_ACPI_NVS },
	{ 0x80c000, 0x810000, MEM_USABLE },
	{ 0x810000, 0x900000, MEM_ACPI_NVS },
	{ 0x900000, 0x1d900000, MEM_USABLE },
	{ 0x1d900000, 0x1d940000, MEM_BOOT_RECLAIMABLE },
	{ 0x1d940000, 0x1d960000, MEM_KERNEL },
	{ 0x1d960000, 0x1d970000, MEM_BOOT_RECLAIMABLE },
	{ 0x1d970000, 0x1f000000, MEM_USABLE },
	{ 0x1f000000, 0x1f100000, MEM_RUNTIME },
	{ 0x1f100000, 0x1f300000, MEM_USABLE },
	{ 0x1f300000, 0x1f400000, MEM_RUNTIME },
	{ 0x1f400000, 0x1fb00000, MEM_USABLE },
	{ 0x1fb00000, 0x1fb7b000, MEM_ACPI_RECLAIMABLE },
	{ 0x1fb7b000, 0x1fc00000, MEM_ACPI_NVS },
	{ 0x1fc00000, 0x1fd00000, MEM_RUNTIME },
	{ 0x1fd00000, 0x1ffe0000, MEM_USABLE },
	{ 0x1ffe0000, 0x20000000, MEM_RESERVED },
	{ 0xb0000000, 0xc0000000, MEM_RESERVED },
	{ 0xffc00000, 0x100000000ull, MEM_MMIO },
	{ 0xfd00000000ull, 0x10000000000ull, MEM_RESERVED },
};

static void ovmf_q35_512m_map_is_normalised(void **state)
{
	size_t n = sizeof(ovmf_q35) / sizeof(ovmf_q35[0]);
	size_t want_n = sizeof(ovmf_q35_want) / sizeof(ovmf_q35_want[0]);
	uint64_t usable = 0;
	size_t count;
	struct mem_region *out = convert(ovmf_q35, n, &count);

	expect_map(out, count, ovmf_q35_want, want_n);
	expect_contract(out, count);
	for (size_t i = 0; i < want_n; i++)
		if (ovmf_q35_want[i].type == MEM_USABLE)
			usable += ovmf_q35_want[i].end - ovmf_q35_want[i].base;
	assert_int_equal(memmap_total(out, count, MEM_USABLE), usable);
	assert_true(usable > 480ull * 1024 * 1024);
	assert_int_equal(memmap_total(out, count, MEM_KERNEL), 0x20000);
	assert_int_equal(memmap_total(out, count, MEM_BOOT_RECLAIMABLE), 0x50000);
	free(out);
}

/* ---- type mapping and names ----------------------------------------------------------- */

static void uefi_types_map_to_kernel_types(void **state)
{
	static const uint32_t want[16] = {
		MEM_RESERVED, MEM_BOOT_RECLAIMABLE, MEM_BOOT_RECLAIMABLE, MEM_USABLE,
		MEM_USABLE, MEM_RUNTIME, MEM_RUNTIME, MEM_USABLE, MEM_BAD,
		MEM_ACPI_RECLAIMABLE, MEM_ACPI_NVS, MEM_MMIO, MEM_MMIO, MEM_RESERVED,
		MEM_PERSISTENT, MEM_RESERVED,
	};
	for (uint32_t t = 0; t < 16; t++)
		assert_int_equal(memmap_type_from_uefi(t), want[t]);
	assert_int_equal(memmap_type_from_uefi(UEFI_MEM_EMBER_KERNEL), MEM_KERNEL);
	assert_int_equal(memmap_type_from_uefi(UEFI_MEM_EMBER_BOOT), MEM_BOOT_RECLAIMABLE);
	assert_int_equal(memmap_type_from_uefi(16), MEM_RESERVED);
	assert_int_equal(memmap_type_from_uefi(0x70000000u), MEM_RESERVED);
	assert_int_equal(memmap_type_from_uefi(0x80000000u), MEM_RESERVED);
	assert_int_equal(memmap_type_from_uefi(0xffffffffu), MEM_RESERVED);
}

static void every_kernel_type_has_a_distinct_name(void **state)
{
	for (uint32_t a = MEM_USABLE; a <= MEM_PERSISTENT; a++) {
		assert_string_not_equal(memmap_type_name(a), "unknown");
		for (uint32_t b = a + 1; b <= MEM_PERSISTENT; b++)
			assert_string_not_equal(memmap_type_name(a), memmap_type_name(b));
	}
	assert_string_equal(memmap_type_name(MEM_USABLE), "usable");
	assert_string_equal(memmap_type_name(MEM_KERNEL), "kernel");
	assert_string_equal(memmap_type_name(0), "unknown");
	assert_string_equal(memmap_type_name(99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(descriptor_sizes_40_48_56_give_identical_maps),
		cmocka_unit_test(bad_descriptor_sizes_are_rejected),
		cmocka_unit_test(map_size_not_a_multiple_of_the_stride_is_rejected),
		cmocka_unit_test(null_pointers_are_rejected_and_empty_map_is_empty),
		cmocka_unit_test(unsorted_input_comes_out_sorted),
		cmocka_unit_test(nested_overlaps_are_resolved_by_rank),
		cmocka_unit_test(every_more_restrictive_type_wins_its_overlap),
		cmocka_unit_test(partial_overlap_keeps_the_rest_of_each_entry),
		cmocka_unit_test(adjacent_same_type_entries_are_merged),
		cmocka_unit_test(adjacent_different_types_are_kept_apart),
		cmocka_unit_test(usable_shrinks_and_other_types_grow_to_pages),
		cmocka_unit_test(eight_gib_guest_has_six_gib_usable_above_4_gib),
		cmocka_unit_test(page_counts_that_wrap_are_rejected),
		cmocka_unit_test(last_page_below_the_limit_is_accepted),
		cmocka_unit_test(capacity_needed_suffices_for_the_worst_case),
		cmocka_unit_test(too_small_buffer_gives_nospc_without_writing_past_it),
		cmocka_unit_test(disjoint_map_fits_in_one_entry_per_descriptor),
		cmocka_unit_test(tight_buffer_fails_once_a_piece_would_overwrite_input),
		cmocka_unit_test(thousands_of_reversed_entries_come_out_sorted),
		cmocka_unit_test(thousand_random_entries_match_the_page_model),
		cmocka_unit_test(small_random_maps_match_the_page_model),
		cmocka_unit_test(ovmf_q35_512m_map_is_normalised),
		cmocka_unit_test(uefi_types_map_to_kernel_types),
		cmocka_unit_test(every_kernel_type_has_a_distinct_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
