/*
 * Host tests for the frame allocator's core on synthetic memory maps: what
 * it hands out (every usable frame from 1 MiB up, once), what it refuses
 * (double and foreign frees), runs (contiguity, alignment, first fit), claims,
 * reclaiming loader memory, statistics, sparse maps with deep bitmaps, and a
 * random sequence of operations checked frame by frame against a model.
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
#include "kernel/mm/pmm.h"
#include "lib/errno.h"

#define FR   4096ull
#define KIB  1024ull
#define MIB  (1024ull * KIB)
#define GIB  (1024ull * MIB)

struct pool {
	struct pmm pmm;
	void *meta;
	const struct mem_region *map;
	size_t n;
};

/* A q35-like map: low RAM, legacy hole, kernel, loader memory, ACPI, MMIO. */
static const struct mem_region q35[] = {
	{ 0x0,        0x9f000,   MEM_USABLE, 0 },
	{ 0x9f000,    0x61000,   MEM_RESERVED, 0 },
	{ 0x100000,   0x700000,  MEM_USABLE, 0 },                /* 1 MiB .. 8 MiB */
	{ 0x800000,   0x8000,    MEM_ACPI_NVS, 0 },
	{ 0x808000,   0x7f8000,  MEM_USABLE, 0 },                /* .. 16 MiB */
	{ 0x1000000,  0x200000,  MEM_KERNEL, 0 },
	{ 0x1200000,  0x100000,  MEM_BOOT_RECLAIMABLE, 0 },
	{ 0x1300000,  0xcd00000, MEM_USABLE, 0 },                /* .. 224 MiB */
	{ 0xe000000,  0x20000,   MEM_ACPI_RECLAIMABLE, 0 },
	{ 0xe020000,  0x1fe0000, MEM_USABLE, 0 },                /* .. 256 MiB */
	{ 0xffc00000, 0x400000,  MEM_MMIO, 0 },
};

static void pool_open(struct pool *p, const struct mem_region *map, size_t n)
{
	size_t bytes = pmm_core_meta_bytes(map, n);

	assert_true(bytes > 0);
	p->meta = malloc(bytes);
	assert_non_null(p->meta);
	memset(p->meta, 0x5a, bytes);          /* init must not trust the area */
	assert_int_equal(pmm_core_init(&p->pmm, map, n, p->meta, bytes), 0);
	p->map = map;
	p->n = n;
}

static void pool_close(struct pool *p)
{
	free(p->meta);
}

/* The type of the region holding phys, or 0. */
static uint32_t type_at(const struct mem_region *map, size_t n, uint64_t phys)
{
	for (size_t i = 0; i < n; i++)
		if (phys >= map[i].base && phys - map[i].base < map[i].length)
			return map[i].type;
	return 0;
}

static uint64_t frames_of(const struct mem_region *map, size_t n, uint32_t type, uint64_t from)
{
	uint64_t total = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t base = map[i].base > from ? map[i].base : from;
		uint64_t end = map[i].base + map[i].length;
		if (map[i].type == type && base < end)
			total += (end - base) / FR;
	}
	return total;
}

/* Allocates until empty; checks every frame; returns them in a malloc'd array. */
static uint64_t *drain(struct pool *p, uint64_t *count, uint32_t allowed2)
{
	struct pmm_stats st;
	uint64_t *all, n = 0, phys;
	uint8_t *seen = calloc(p->pmm.frames / 8 + 1, 1);

	pmm_core_stats(&p->pmm, &st);
	all = malloc((st.free + 1) * sizeof(*all));
	assert_non_null(all);
	assert_non_null(seen);
	while ((phys = pmm_core_alloc(&p->pmm)) != 0) {
		uint32_t t = type_at(p->map, p->n, phys);

		assert_true(n < st.free);
		assert_true(phys % FR == 0);
		assert_true(phys >= PMM_LOW_LIMIT);
		assert_true(t == MEM_USABLE || (allowed2 && t == allowed2));
		assert_false(seen[phys / FR / 8] & (1u << (phys / FR % 8)));  /* never twice */
		seen[phys / FR / 8] |= 1u << (phys / FR % 8);
		all[n++] = phys;
	}
	free(seen);
	*count = n;
	return all;
}

/* ---- layout and start-up ------------------------------------------------------------ */

static void meta_bytes_cover_the_highest_usable_frame(void **state)
{
	const struct mem_region one[] = { { 0x100000, 63 * MIB, MEM_USABLE, 0 } };
	const struct mem_region none[] = { { 0x100000, MIB, MEM_RESERVED, 0 } };

	/* 16384 frames: 256 words managed + 256 + 4 + 1 summary words. */
	assert_int_equal(pmm_core_meta_bytes(one, 1), (256 + 256 + 4 + 1) * 8);
	assert_int_equal(pmm_core_meta_bytes(none, 1), 0);
	assert_int_equal(pmm_core_meta_bytes(NULL, 0), 0);
}

static void init_refuses_no_memory_and_small_metadata(void **state)
{
	const struct mem_region none[] = { { 0x100000, MIB, MEM_KERNEL, 0 } };
	struct pmm p;
	uint64_t meta[600];

	assert_int_equal(pmm_core_init(&p, none, 1, meta, sizeof(meta)), -E_INVAL);
	assert_int_equal(pmm_core_init(&p, q35, 11, NULL, sizeof(meta)), -E_INVAL);
	assert_int_equal(pmm_core_init(&p, q35, 11, meta,
				       pmm_core_meta_bytes(q35, 11) - 1), -E_NOSPC);
}

static void stats_count_usable_reserved_and_reclaimable_frames(void **state)
{
	struct pool p;
	struct pmm_stats st;
	uint64_t usable_hi = frames_of(q35, 11, MEM_USABLE, PMM_LOW_LIMIT);

	pool_open(&p, q35, 11);
	pmm_core_stats(&p.pmm, &st);
	assert_int_equal(st.total, usable_hi);
	assert_int_equal(st.free, usable_hi);
	assert_int_equal(st.used, 0);
	assert_int_equal(st.reclaimable, 0x100000 / FR);
	/* below 1 MiB (usable + reserved), NVS, kernel, ACPI; MMIO not counted */
	assert_int_equal(st.reserved, (0x9f000 + 0x61000 + 0x8000 + 0x200000 + 0x20000) / FR);
	assert_int_equal(pmm_core_check(&p.pmm), 0);
	pool_close(&p);
}

static void find_home_picks_a_usable_region_above_1_mib_that_fits(void **state)
{
	assert_int_equal(pmm_core_find_home(q35, 11, 4 * MIB), 0x100000);
	assert_int_equal(pmm_core_find_home(q35, 11, 8 * MIB), 0x1300000);
	assert_int_equal(pmm_core_find_home(q35, 11, 1), 0x100000);
	assert_int_equal(pmm_core_find_home(q35, 11, GIB), 0);
	assert_int_equal(pmm_core_find_home(q35, 11, 0), 0);
}

/* ---- single frames ------------------------------------------------------------------ */

static void hands_out_every_usable_frame_once_then_gets_them_back(void **state)
{
	struct pool p;
	struct pmm_stats before, after;
	uint64_t n, *all;

	pool_open(&p, q35, 11);
	pmm_core_stats(&p.pmm, &before);
	all = drain(&p, &n, 0);
	assert_int_equal(n, before.free);
	pmm_core_stats(&p.pmm, &after);
	assert_int_equal(after.free, 0);
	assert_int_equal(after.used, before.total);
	assert_int_equal(pmm_core_alloc(&p.pmm), 0);
	assert_int_equal(pmm_core_check(&p.pmm), 0);
	for (uint64_t i = 0; i < n; i++)
		assert_int_equal(pmm_core_free(&p.pmm, all[i]), 0);
	pmm_core_stats(&p.pmm, &after);
	assert_memory_equal(&before, &after, sizeof(before));
	assert_int_equal(pmm_core_check(&p.pmm), 0);
	free(all);
	pool_close(&p);
}

static void single_frames_come_from_the_top_of_memory(void **state)
{
	struct pool p;

	pool_open(&p, q35, 11);
	assert_int_equal(pmm_core_alloc(&p.pmm), 0x10000000 - FR);
	assert_int_equal(pmm_core_alloc(&p.pmm), 0x10000000 - 2 * FR);
	pool_close(&p);
}

static void frees_of_foreign_or_misaligned_frames_are_refused(void **state)
{
	struct pool p;
	struct pmm_stats before, after;

	pool_open(&p, q35, 11);
	pmm_core_stats(&p.pmm, &before);
	assert_int_equal(pmm_core_free(&p.pmm, 0), -E_NOENT);          /* frame 0 */
	assert_int_equal(pmm_core_free(&p.pmm, 0x9e000), -E_NOENT);    /* usable, below 1 MiB */
	assert_int_equal(pmm_core_free(&p.pmm, 0x1000000), -E_NOENT);  /* kernel */
	assert_int_equal(pmm_core_free(&p.pmm, 0x800000), -E_NOENT);   /* ACPI NVS */
	assert_int_equal(pmm_core_free(&p.pmm, 0xffc00000), -E_NOENT); /* MMIO, beyond */
	assert_int_equal(pmm_core_free(&p.pmm, 0x200001), -E_INVAL);
	pmm_core_stats(&p.pmm, &after);
	assert_memory_equal(&before, &after, sizeof(before));
	pool_close(&p);
}

static void double_free_is_detected_and_changes_nothing(void **state)
{
	struct pool p;
	struct pmm_stats before, after;
	uint64_t a = 0;

	pool_open(&p, q35, 11);
	assert_int_equal(pmm_core_free(&p.pmm, 0x200000), -E_EXIST);  /* never handed out */
	a = pmm_core_alloc(&p.pmm);
	assert_int_equal(pmm_core_free(&p.pmm, a), 0);
	pmm_core_stats(&p.pmm, &before);
	assert_int_equal(pmm_core_free(&p.pmm, a), -E_EXIST);
	pmm_core_stats(&p.pmm, &after);
	assert_memory_equal(&before, &after, sizeof(before));
	assert_int_equal(pmm_core_check(&p.pmm), 0);
	pool_close(&p);
}

/* ---- runs ----------------------------------------------------------------------------- */

static void run_is_contiguous_aligned_and_lowest(void **state)
{
	struct pool p;
	uint64_t r;

	pool_open(&p, q35, 11);
	r = pmm_core_alloc_run(&p.pmm, 512, 2 * MIB);
	assert_int_equal(r, 2 * MIB);               /* 1 MiB.. is usable, first 2 MiB boundary */
	for (uint64_t f = 0; f < 512; f++)
		assert_false(pmm_core_is_free(&p.pmm, r + f * FR));
	assert_true(pmm_core_is_free(&p.pmm, r - FR));
	assert_true(pmm_core_is_free(&p.pmm, r + 512 * FR));
	assert_int_equal(pmm_core_alloc_run(&p.pmm, 3, FR), 0x100000);
	assert_int_equal(pmm_core_check(&p.pmm), 0);
	assert_int_equal(pmm_core_free_run(&p.pmm, r, 512), 0);
	assert_true(pmm_core_is_free(&p.pmm, r));
	pool_close(&p);
}

static void run_skips_holes_and_used_frames(void **state)
{
	struct pool p;

	pool_open(&p, q35, 11);
	/* 1..8 MiB is 7 MiB; 2048 frames (8 MiB) must skip the NVS hole at 8 MiB */
	assert_int_equal(pmm_core_alloc_run(&p.pmm, 2048, FR), 0x1300000);
	/* a used frame in the middle of 1..8 MiB splits it */
	assert_int_equal(pmm_core_claim(&p.pmm, 0x400000, 1), 0);
	assert_int_equal(pmm_core_alloc_run(&p.pmm, 0x400, FR), 0x808000);  /* only 0x3ff fit above */
	assert_int_equal(pmm_core_alloc_run(&p.pmm, 0x3ff, FR), 0x401000);
	assert_int_equal(pmm_core_alloc_run(&p.pmm, 0x300, FR), 0x100000);
	assert_int_equal(pmm_core_check(&p.pmm), 0);
	pool_close(&p);
}

static void run_that_cannot_fit_fails_and_changes_nothing(void **state)
{
	struct pool p;
	struct pmm_stats before, after;

	pool_open(&p, q35, 11);
	pmm_core_stats(&p.pmm, &before);
	assert_int_equal(pmm_core_alloc_run(&p.pmm, 0xcd00000 / FR + 1, FR), 0);
	assert_int_equal(pmm_core_alloc_run(&p.pmm, 0, FR), 0);
	assert_int_equal(pmm_core_alloc_run(&p.pmm, 1, 3 * FR), 0);
	assert_int_equal(pmm_core_alloc_run(&p.pmm, 1, 512), 0);
	assert_int_equal(pmm_core_alloc_run(&p.pmm, 1, 1ull << 40), 0);
	pmm_core_stats(&p.pmm, &after);
	assert_memory_equal(&before, &after, sizeof(before));
	/* the biggest one does fit */
	assert_int_equal(pmm_core_alloc_run(&p.pmm, 0xcd00000 / FR, FR), 0x1300000);
	pool_close(&p);
}

static void run_free_with_a_free_frame_inside_is_all_or_nothing(void **state)
{
	struct pool p;
	uint64_t r;

	pool_open(&p, q35, 11);
	r = pmm_core_alloc_run(&p.pmm, 8, FR);
	assert_int_equal(pmm_core_free(&p.pmm, r + 3 * FR), 0);
	assert_int_equal(pmm_core_free_run(&p.pmm, r, 8), -E_EXIST);
	assert_false(pmm_core_is_free(&p.pmm, r));
	assert_false(pmm_core_is_free(&p.pmm, r + 7 * FR));
	assert_int_equal(pmm_core_free_run(&p.pmm, r, 3), 0);
	assert_int_equal(pmm_core_free_run(&p.pmm, r + 4 * FR, 4), 0);
	assert_int_equal(pmm_core_check(&p.pmm), 0);
	pool_close(&p);
}

/* ---- claims and reclaim ---------------------------------------------------------------- */

static void claim_takes_free_frames_only(void **state)
{
	struct pool p;
	struct pmm_stats st;

	pool_open(&p, q35, 11);
	assert_int_equal(pmm_core_claim(&p.pmm, 0x200000, 4), 0);
	assert_int_equal(pmm_core_claim(&p.pmm, 0x203000, 2), -E_BUSY);
	assert_int_equal(pmm_core_claim(&p.pmm, 0x7ff000, 2), -E_NOENT);  /* runs into NVS */
	assert_int_equal(pmm_core_claim(&p.pmm, 0x201, 1), -E_INVAL);
	pmm_core_stats(&p.pmm, &st);
	assert_int_equal(st.used, 4);
	assert_true(pmm_core_is_free(&p.pmm, 0x7ff000));
	assert_int_equal(pmm_core_free_run(&p.pmm, 0x200000, 4), 0);
	pool_close(&p);
}

static void reclaim_adds_loader_memory_once(void **state)
{
	const struct mem_region map[] = {
		{ 0x0,      0x80000,  MEM_BOOT_RECLAIMABLE, 0 },  /* below 1 MiB: kept out */
		{ 0x80000,  0x80000,  MEM_USABLE, 0 },
		{ 0x100000, 0x100000, MEM_USABLE, 0 },
		{ 0x200000, 0x40000,  MEM_BOOT_RECLAIMABLE, 0 },
		{ 0x240000, 0x40000,  MEM_KERNEL, 0 },
		{ 0x280000, 0x10000,  MEM_BOOT_RECLAIMABLE, 0 },
	};
	struct pool p;
	struct pmm_stats st;
	uint64_t n, *all;

	pool_open(&p, map, 6);
	pmm_core_stats(&p.pmm, &st);
	assert_int_equal(st.total, 256);
	assert_int_equal(st.reclaimable, 64 + 16);
	assert_false(pmm_core_owns(&p.pmm, 0x200000));
	assert_int_equal(pmm_core_reclaim(&p.pmm, map, 6), 64 + 16);
	assert_int_equal(pmm_core_reclaim(&p.pmm, map, 6), 0);
	pmm_core_stats(&p.pmm, &st);
	assert_int_equal(st.total, 256 + 80);
	assert_int_equal(st.free, 256 + 80);
	assert_int_equal(st.reclaimable, 0);
	assert_true(pmm_core_owns(&p.pmm, 0x28f000));
	assert_false(pmm_core_owns(&p.pmm, 0x7f000));
	assert_false(pmm_core_owns(&p.pmm, 0x240000));
	all = drain(&p, &n, MEM_BOOT_RECLAIMABLE);
	assert_int_equal(n, 336);
	assert_int_equal(all[0], 0x28f000);          /* the top frame is a reclaimed one */
	assert_int_equal(pmm_core_check(&p.pmm), 0);
	free(all);
	pool_close(&p);
}

/* ---- big and sparse ----------------------------------------------------------------------- */

static void sparse_map_up_to_1_tib_uses_five_levels(void **state)
{
	const struct mem_region map[] = {
		{ 0x100000,            0x100000,  MEM_USABLE, 0 },
		{ 0x4000000000ull,     0x3000,    MEM_USABLE, 0 },  /* 256 GiB */
		{ 0xfffff00000ull,     0x100000,  MEM_USABLE, 0 },  /* just below 1 TiB */
	};
	struct pool p;
	uint64_t n, *all;

	pool_open(&p, map, 3);
	assert_int_equal(p.pmm.levels, 5);
	assert_int_equal(pmm_core_alloc(&p.pmm), 0xfffffff000ull);
	assert_int_equal(pmm_core_alloc_run(&p.pmm, 3, FR), 0x100000);
	assert_int_equal(pmm_core_alloc_run(&p.pmm, 255, FR), 0xfffff00000ull);
	assert_int_equal(pmm_core_alloc_run(&p.pmm, 3, 2 * MIB), 0x4000000000ull);
	all = drain(&p, &n, 0);
	assert_int_equal(n, 256 - 3);
	assert_int_equal(pmm_core_check(&p.pmm), 0);
	free(all);
	pool_close(&p);
}

static void map_of_one_frame_hands_out_exactly_that_frame(void **state)
{
	const struct mem_region map[] = { { 0x100000, FR, MEM_USABLE, 0 } };
	struct pool p;

	pool_open(&p, map, 1);
	assert_int_equal(p.pmm.levels, 2);           /* 257 frames: 5 words + 1 */
	assert_int_equal(pmm_core_alloc(&p.pmm), 0x100000);
	assert_int_equal(pmm_core_alloc(&p.pmm), 0);
	assert_int_equal(pmm_core_free(&p.pmm, 0x100000), 0);
	assert_int_equal(pmm_core_alloc_run(&p.pmm, 1, FR), 0x100000);
	pool_close(&p);
}

/* ---- random operations against a model ------------------------------------------------------ */

static void random_operations_match_a_frame_model(void **state)
{
	const struct mem_region map[] = {
		{ 0x0,       0x200000, MEM_USABLE, 0 },
		{ 0x200000,  0x13000,  MEM_RESERVED, 0 },
		{ 0x213000,  0x1ed000, MEM_USABLE, 0 },
		{ 0x400000,  0x10000,  MEM_BOOT_RECLAIMABLE, 0 },
		{ 0x410000,  0x3f0000, MEM_USABLE, 0 },
	};
	struct pool p;
	uint64_t frames = 0x800000 / FR, held[2048], nheld = 0, free_model = 0;
	bool *used = calloc(frames, sizeof(bool)), reclaimed = false;

	srand(1234);
	pool_open(&p, map, 5);
	for (uint64_t f = 0; f < frames; f++)
		free_model += pmm_core_is_free(&p.pmm, f * FR);
	for (int step = 0; step < 20000; step++) {
		int op = rand() % 8;
		if (op < 3 && nheld < 2048) {
			uint64_t a = pmm_core_alloc(&p.pmm);
			assert_true(a ? !used[a / FR] : free_model == 0);
			if (a) {
				used[a / FR] = true;
				held[nheld++] = a;
				free_model--;
			}
		} else if (op == 3 && nheld < 2048 - 16) {
			uint64_t n = 1 + rand() % 16, align = FR << (rand() % 4);
			uint64_t r = pmm_core_alloc_run(&p.pmm, n, align);
			if (r) {
				assert_true(r % align == 0);
				for (uint64_t i = 0; i < n; i++) {
					assert_false(used[r / FR + i]);
					used[r / FR + i] = true;
					held[nheld++] = r + i * FR;
				}
				free_model -= n;
			}
		} else if (op < 7 && nheld) {
			uint64_t i = (uint64_t)rand() % nheld, a = held[i];
			assert_int_equal(pmm_core_free(&p.pmm, a), 0);
			assert_int_equal(pmm_core_free(&p.pmm, a), -E_EXIST);
			used[a / FR] = false;
			held[i] = held[--nheld];
			free_model++;
		} else if (op == 7 && !reclaimed && step > 10000) {
			free_model += pmm_core_reclaim(&p.pmm, map, 5);
			reclaimed = true;
		}
		if (step % 1000 == 0)
			assert_int_equal(pmm_core_check(&p.pmm), 0);
	}
	for (uint64_t f = 0; f < frames; f++)
		assert_int_equal(pmm_core_is_free(&p.pmm, f * FR),
				 pmm_core_owns(&p.pmm, f * FR) && !used[f]);
	assert_int_equal(p.pmm.stats.free, free_model);
	assert_int_equal(pmm_core_check(&p.pmm), 0);
	free(used);
	pool_close(&p);
}

static void check_notices_a_corrupted_summary(void **state)
{
	struct pool p;

	pool_open(&p, q35, 11);
	assert_int_equal(pmm_core_check(&p.pmm), 0);
	p.pmm.level[1][0] ^= 1;                     /* summary disagrees with word 0 */
	assert_int_equal(pmm_core_check(&p.pmm), -E_INVAL);
	p.pmm.level[1][0] ^= 1;
	p.pmm.stats.free++;
	assert_int_equal(pmm_core_check(&p.pmm), -E_INVAL);
	pool_close(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(meta_bytes_cover_the_highest_usable_frame),
		cmocka_unit_test(init_refuses_no_memory_and_small_metadata),
		cmocka_unit_test(stats_count_usable_reserved_and_reclaimable_frames),
		cmocka_unit_test(find_home_picks_a_usable_region_above_1_mib_that_fits),
		cmocka_unit_test(hands_out_every_usable_frame_once_then_gets_them_back),
		cmocka_unit_test(single_frames_come_from_the_top_of_memory),
		cmocka_unit_test(frees_of_foreign_or_misaligned_frames_are_refused),
		cmocka_unit_test(double_free_is_detected_and_changes_nothing),
		cmocka_unit_test(run_is_contiguous_aligned_and_lowest),
		cmocka_unit_test(run_skips_holes_and_used_frames),
		cmocka_unit_test(run_that_cannot_fit_fails_and_changes_nothing),
		cmocka_unit_test(run_free_with_a_free_frame_inside_is_all_or_nothing),
		cmocka_unit_test(claim_takes_free_frames_only),
		cmocka_unit_test(reclaim_adds_loader_memory_once),
		cmocka_unit_test(sparse_map_up_to_1_tib_uses_five_levels),
		cmocka_unit_test(map_of_one_frame_hands_out_exactly_that_frame),
		cmocka_unit_test(random_operations_match_a_frame_model),
		cmocka_unit_test(check_notices_a_corrupted_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
