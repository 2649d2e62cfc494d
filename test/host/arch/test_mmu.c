/*
 * Host tests for the one page-table walker (arch/x86_64/mmu.h), over tables
 * in plain memory: an arena of pages whose "physical" addresses start at 0
 * and are read at arena + phys (the phys_offset). Look-ups of 4 KiB, 2 MiB
 * and 1 GiB leaves, entries not present, accumulated permissions, creation
 * of missing tables (and its failure), larger pages in the way, non-canonical
 * addresses, and the PAT decode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86_64/mmu.h"

#define ARENA_PAGES 16
#define PAGE 4096ull

static uint64_t *arena;        /* ARENA_PAGES tables; page 0 is the root */
static unsigned arena_used;
static unsigned arena_limit;   /* allocations allowed: fails after that */

static uint64_t arena_alloc(void *arg)
{
	(void)arg;
	if (arena_used >= arena_limit)
		return 0;
	memset(&arena[arena_used * PT_ENTRIES], 0xa5, PAGE);   /* walk must zero it */
	return arena_used++ * PAGE;
}

static struct pt_space space(bool may_create)
{
	return (struct pt_space){
		.root = 0,
		.phys_offset = (uint64_t)(uintptr_t)arena,
		.alloc_table = may_create ? arena_alloc : NULL,
	};
}

static int setup(void **state)
{
	(void)state;
	arena = aligned_alloc(PAGE, ARENA_PAGES * PAGE);
	memset(arena, 0, ARENA_PAGES * PAGE);
	arena_used = 1;
	arena_limit = ARENA_PAGES;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(arena);
	return 0;
}

/* Maps a page of 2^leaf bytes through the walker; returns pt_entry_for's result. */
static int map(uint64_t virt, uint64_t phys, unsigned leaf, uint64_t flags)
{
	struct pt_space s = space(true);
	uint64_t *e;
	int err = pt_entry_for(&s, virt, leaf, PTE_W, &e);

	if (!err)
		*e = phys | flags | PTE_P | (leaf != PT_SHIFT_PT ? PTE_PS : 0);
	return err;
}

static void expect_mapped(uint64_t virt, uint64_t phys, unsigned shift)
{
	struct pt_space s = space(false);
	struct pt_walk w;

	assert_true(pt_lookup(&s, virt, &w));
	assert_int_equal(w.shift, shift);
	assert_int_equal(w.depth, (PT_SHIFT_PML4 - shift) / PT_SHIFT_STEP + 1);
	assert_int_equal(pt_leaf_phys(*pt_walk_entry(&w), w.shift) | (virt & ((1ull << shift) - 1)),
			 phys);
}

static void a_4k_page_is_found_with_its_offset(void **state)
{
	uint64_t virt = 0xffff800000201000ull;

	(void)state;
	assert_int_equal(map(virt, 0x5000, PT_SHIFT_PT, PTE_W), 0);
	assert_int_equal(arena_used, 4);                 /* PDPT, PD, PT created */
	expect_mapped(virt + 0x123, 0x5123, PT_SHIFT_PT);
}

static void a_2m_page_is_found_at_the_pd_level(void **state)
{
	uint64_t virt = 0x40200000ull;

	(void)state;
	assert_int_equal(map(virt, 0x200000, PT_SHIFT_PD, 0), 0);
	assert_int_equal(arena_used, 3);                 /* PDPT, PD */
	expect_mapped(virt + 0x1fffff, 0x3fffff, PT_SHIFT_PD);
}

static void a_1g_page_is_found_at_the_pdpt_level_and_its_pat_bit_is_not_address(void **state)
{
	uint64_t virt = 0xffffffffc0000000ull;

	(void)state;
	assert_int_equal(map(virt, 0x40000000, PT_SHIFT_PDPT, PTE_PAT_LARGE), 0);
	expect_mapped(virt + 0x12345678, 0x52345678, PT_SHIFT_PDPT);
}

static void an_address_not_mapped_stops_at_the_first_missing_entry(void **state)
{
	struct pt_space s = space(false);
	struct pt_walk w;

	(void)state;
	assert_false(pt_lookup(&s, 0x1000, &w));
	assert_int_equal(w.depth, 1);
	assert_int_equal(map(0x200000, 0x200000, PT_SHIFT_PT, 0), 0);
	assert_false(pt_lookup(&s, 0x201000, &w));      /* same PT, empty slot */
	assert_int_equal(w.shift, PT_SHIFT_PT);
	assert_false(pt_lookup(&s, 0x40000000, &w));    /* next PDPT slot */
	assert_int_equal(w.shift, PT_SHIFT_PDPT);
}

static void a_non_canonical_address_is_never_mapped(void **state)
{
	struct pt_space s = space(false);
	struct pt_walk w;

	(void)state;
	assert_int_equal(map(0, 0, PT_SHIFT_PDPT, PTE_W), 0);
	assert_true(pt_lookup(&s, 0x1000, &w));
	assert_false(pt_lookup(&s, 0x0000800000000000ull, &w));
	assert_false(pt_lookup(&s, 0x8000000000001000ull, &w));
}

static void permissions_hold_only_when_every_level_allows_them(void **state)
{
	struct pt_space s = space(false);
	struct pt_walk w;

	(void)state;
	assert_int_equal(map(0x1000, 0x1000, PT_SHIFT_PT, PTE_W | PTE_U), 0);
	assert_int_equal(map(0x2000, 0x2000, PT_SHIFT_PT, PTE_NX), 0);
	assert_true(pt_lookup(&s, 0x1000, &w));
	assert_true(w.writable && w.executable);
	assert_false(w.user);                    /* tables were made without PTE_U */
	assert_true(pt_lookup(&s, 0x2000, &w));
	assert_false(w.writable || w.executable);
	*w.entry[1] |= PTE_NX;                   /* the PDPT entry forbids execution */
	assert_true(pt_lookup(&s, 0x1000, &w));
	assert_true(w.writable && !w.executable);
}

static void user_tables_get_the_user_bit_on_the_whole_path(void **state)
{
	struct pt_space s = space(true);
	struct pt_walk w;
	uint64_t *e;

	(void)state;
	assert_int_equal(map(0x1000, 0x1000, PT_SHIFT_PT, 0), 0);
	assert_int_equal(pt_entry_for(&s, 0x3000, PT_SHIFT_PT, PTE_W | PTE_U, &e), 0);
	*e = 0x3000 | PTE_P | PTE_U;
	assert_true(pt_lookup(&s, 0x3000, &w));
	assert_true(w.user);
	assert_true(pt_lookup(&s, 0x1000, &w));
	assert_false(w.user);                    /* its own leaf has no PTE_U */
}

static void a_larger_page_in_the_way_is_reported_not_split(void **state)
{
	struct pt_space s = space(true);
	uint64_t *e;
	unsigned used;

	(void)state;
	assert_int_equal(map(0x200000, 0x200000, PT_SHIFT_PD, 0), 0);
	used = arena_used;
	assert_int_equal(pt_entry_for(&s, 0x201000, PT_SHIFT_PT, PTE_W, &e), -E_EXIST);
	assert_int_equal(arena_used, used);
	assert_int_equal(map(0x40000000, 0x40000000, PT_SHIFT_PDPT, 0), 0);
	assert_int_equal(pt_entry_for(&s, 0x40200000, PT_SHIFT_PD, PTE_W, &e), -E_EXIST);
}

static void an_existing_entry_is_returned_for_the_caller_to_judge(void **state)
{
	struct pt_space s = space(true);
	uint64_t *e;

	(void)state;
	assert_int_equal(map(0x5000, 0x9000, PT_SHIFT_PT, 0), 0);
	assert_int_equal(pt_entry_for(&s, 0x5000, PT_SHIFT_PT, PTE_W, &e), 0);
	assert_int_equal(*e, 0x9000 | PTE_P);
}

static void missing_tables_without_an_allocator_are_enoent(void **state)
{
	struct pt_space s = space(false);
	uint64_t *e;

	(void)state;
	assert_int_equal(pt_entry_for(&s, 0x1000, PT_SHIFT_PT, PTE_W, &e), -E_NOENT);
	assert_int_equal(map(0x1000, 0x1000, PT_SHIFT_PT, 0), 0);
	assert_int_equal(pt_entry_for(&s, 0x2000, PT_SHIFT_PT, PTE_W, &e), 0);
	assert_int_equal(pt_entry_for(&s, 0x200000, PT_SHIFT_PT, PTE_W, &e), -E_NOENT);
}

static void running_out_of_tables_is_enomem_and_keeps_what_was_made(void **state)
{
	struct pt_space s = space(true);
	uint64_t *e;

	(void)state;
	arena_limit = 3;                         /* PDPT and PD, no PT */
	assert_int_equal(pt_entry_for(&s, 0x1000, PT_SHIFT_PT, PTE_W, &e), -E_NOMEM);
	assert_int_equal(arena_used, 3);
	assert_true(arena[0] & PTE_P);
	arena_limit = 4;
	assert_int_equal(pt_entry_for(&s, 0x1000, PT_SHIFT_PT, PTE_W, &e), 0);
	assert_int_equal(arena_used, 4);
}

static void new_tables_are_zeroed(void **state)
{
	(void)state;
	assert_int_equal(map(0x1000, 0x1000, PT_SHIFT_PT, 0), 0);
	for (unsigned p = 1; p < arena_used; p++)
		for (unsigned i = 0; i < PT_ENTRIES; i++)
			if (arena[p * PT_ENTRIES + i] & PTE_P)
				assert_true(i == (p == 3 ? 1 : 0));
}

static void pat_index_and_bits_round_trip_at_every_level(void **state)
{
	static const unsigned shifts[] = { PT_SHIFT_PT, PT_SHIFT_PD, PT_SHIFT_PDPT };

	(void)state;
	for (unsigned k = 0; k < 3; k++)
		for (unsigned idx = 0; idx < 8; idx++)
			assert_int_equal(pt_pat_index(pt_pat_bits(idx, shifts[k]), shifts[k]), idx);
	assert_int_equal(pt_pat_bits(4, PT_SHIFT_PT), PTE_PAT_4K);
	assert_int_equal(pt_pat_bits(4, PT_SHIFT_PD), PTE_PAT_LARGE);
	assert_int_equal(pt_pat_bits(3, PT_SHIFT_PD), PTE_PWT | PTE_PCD);
}

static void pat_type_reads_the_msr_byte_of_the_entry(void **state)
{
	uint64_t pat = 0x0007040100070406ull;    /* the loader's: entry 4 = WC */

	(void)state;
	assert_int_equal(pt_pat_type(pat, 0), 6);
	assert_int_equal(pt_pat_type(pat, 3), PAT_UC);
	assert_int_equal(pt_pat_type(pat, 4), PAT_WC);
	assert_int_equal(pt_pat_type(pat, 7), PAT_UC);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(a_4k_page_is_found_with_its_offset),
		T(a_2m_page_is_found_at_the_pd_level),
		T(a_1g_page_is_found_at_the_pdpt_level_and_its_pat_bit_is_not_address),
		T(an_address_not_mapped_stops_at_the_first_missing_entry),
		T(a_non_canonical_address_is_never_mapped),
		T(permissions_hold_only_when_every_level_allows_them),
		T(user_tables_get_the_user_bit_on_the_whole_path),
		T(a_larger_page_in_the_way_is_reported_not_split),
		T(an_existing_entry_is_returned_for_the_caller_to_judge),
		T(missing_tables_without_an_allocator_are_enoent),
		T(running_out_of_tables_is_enomem_and_keeps_what_was_made),
		T(new_tables_are_zeroed),
		T(pat_index_and_bits_round_trip_at_every_level),
		T(pat_type_reads_the_msr_byte_of_the_entry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
