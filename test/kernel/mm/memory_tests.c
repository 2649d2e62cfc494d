/*
 * In-kernel tests of physical memory and paging: the frame pool built from
 * the real memory map (every frame once, runs, reclaim, what it never owns),
 * the blog's examples (a page mapped to a frame we own, and to the VGA text
 * frame 0xb8000), map/unmap/translate/protect round trips for 4 KiB and
 * 2 MiB pages, page tables freed when they empty, rollback when frames run
 * out, and paging_verify catching broken invariants. Crash boots: a write to
 * a read-only page, a double free of a frame.
 *
 * Scratch mappings live in SCRATCH, a top-level slot nothing else uses; each
 * test takes its own GiB of it.
 */
#include "arch/x86_64/mmu.h"
#include "kernel/boot.h"
#include "kernel/ktest.h"
#include "kernel/mm/paging.h"
#include "kernel/mm/pmm.h"
#include "lib/errno.h"
#include "lib/string.h"

#define SCRATCH        0xffffd00200000000ull  /* 8 GiB above the MMIO window (kernel/mm/mmio.h) */
#define SCRATCH_GB(n)  (SCRATCH + (uint64_t)(n) * PAGE_SIZE_1G)
#define BLOG_NEW       0xf021f077f065f04eull   /* "New!" in VGA text cells */

static volatile uint64_t *phys_ptr(uint64_t phys)
{
	return (volatile uint64_t *)(DIRECT_MAP_BASE + phys);
}

static bool same_stats(const struct pmm_stats *a, const struct pmm_stats *b)
{
	return a->total == b->total && a->free == b->free && a->used == b->used &&
	       a->reserved == b->reserved && a->reclaimable == b->reclaimable;
}

static uint64_t free_frames(void)
{
	struct pmm_stats st;

	pmm_get_stats(&st);
	return st.free;
}

static uint64_t table_count(void)
{
	struct paging_census c;

	paging_verify(&c);
	return c.tables;
}

/* The map's type at phys, 0 if no region holds it. */
static uint32_t map_type(uint64_t phys)
{
	const struct boot_info *bi = boot_info();

	for (unsigned i = 0; i < bi->mem_count; i++)
		if (phys >= bi->mem_map[i].base && phys - bi->mem_map[i].base < bi->mem_map[i].length)
			return bi->mem_map[i].type;
	return 0;
}

/*
 * Takes every free frame into a list threaded through the frames themselves
 * (first word: the next frame), returns the head and the count.
 */
static uint64_t take_all_frames(uint64_t *count)
{
	uint64_t head = 0, phys;

	*count = 0;
	while ((phys = pmm_alloc_frame()) != 0) {
		*phys_ptr(phys) = head;
		head = phys;
		(*count)++;
	}
	return head;
}

static void give_back(uint64_t head)
{
	while (head) {
		uint64_t next = *phys_ptr(head);

		pmm_free_frame(head);
		head = next;
	}
}

/* ---- frames ------------------------------------------------------------------- */

KTEST(pmm_hands_out_every_free_frame_once_and_gets_them_all_back)
{
	const struct boot_info *bi = boot_info();
	uint64_t bits = bi->phys_max / PMM_FRAME_SIZE, map_frames, head, n, bad = 0, dup = 0;
	struct pmm_stats start, empty, end;
	uint64_t seen;
	uint8_t *bitmap;

	pmm_get_stats(&start);
	map_frames = (bits / 8 + PMM_FRAME_SIZE) / PMM_FRAME_SIZE;
	seen = pmm_alloc_run(map_frames, PMM_FRAME_SIZE);
	KREQUIRE(seen != 0);
	bitmap = (uint8_t *)phys_ptr(seen);
	memset(bitmap, 0, map_frames * PMM_FRAME_SIZE);
	head = take_all_frames(&n);
	pmm_get_stats(&empty);
	for (uint64_t p = head; p; p = *phys_ptr(p)) {
		uint32_t t = map_type(p);
		uint64_t f = p / PMM_FRAME_SIZE;

		bad += p < PMM_LOW_LIMIT || p % PMM_FRAME_SIZE || p >= bi->phys_max ||
		       (t != MEM_USABLE && t != MEM_BOOT_RECLAIMABLE);
		if (p < bi->phys_max) {
			dup += (bitmap[f / 8] >> (f % 8)) & 1;
			bitmap[f / 8] |= (uint8_t)(1u << (f % 8));
		}
	}
	KEXPECT_EQ(n, start.free - map_frames);
	KEXPECT_EQ(bad, 0);
	KEXPECT_EQ(dup, 0);
	KEXPECT_EQ(empty.free, 0);
	KEXPECT_EQ(pmm_alloc_frame(), 0);
	KEXPECT_EQ(pmm_alloc_run(1, PMM_FRAME_SIZE), 0);
	give_back(head);
	pmm_free_run(seen, map_frames);
	pmm_get_stats(&end);
	KEXPECT(same_stats(&start, &end));
	KEXPECT_EQ(pmm_check(), 0);
}

KTEST(pmm_run_is_contiguous_aligned_and_freed_whole)
{
	uint64_t before = free_frames();
	uint64_t run = pmm_alloc_run(512, PAGE_SIZE_2M);
	unsigned still_free = 0;

	KREQUIRE(run != 0);
	KEXPECT_EQ(run % PAGE_SIZE_2M, 0);
	for (uint64_t i = 0; i < 512; i++)
		still_free += pmm_frame_is_free(run + i * PMM_FRAME_SIZE);
	KEXPECT_EQ(still_free, 0);
	KEXPECT_EQ(free_frames(), before - 512);
	pmm_free_run(run, 512);
	KEXPECT(pmm_frame_is_free(run) && pmm_frame_is_free(run + 511 * PMM_FRAME_SIZE));
	KEXPECT_EQ(free_frames(), before);
}

KTEST(pmm_reclaimed_the_loader_memory_and_owns_nothing_else)
{
	const struct boot_info *bi = boot_info();
	uint64_t reclaimed = 0, usable = 0, wrong = 0;
	struct pmm_stats st;

	for (unsigned i = 0; i < bi->mem_count; i++) {
		const struct mem_region *r = &bi->mem_map[i];
		bool ram = r->type == MEM_USABLE || r->type == MEM_BOOT_RECLAIMABLE;

		for (uint64_t p = r->base; p < r->base + r->length; p += PMM_FRAME_SIZE) {
			bool want = ram && p >= PMM_LOW_LIMIT;

			wrong += pmm_owns_frame(p) != want;
			reclaimed += want && r->type == MEM_BOOT_RECLAIMABLE;
			usable += want && r->type == MEM_USABLE;
		}
	}
	pmm_get_stats(&st);
	KEXPECT_EQ(wrong, 0);
	KEXPECT(reclaimed > 0);                 /* the boot info and the loader image */
	KEXPECT_EQ(st.total, usable + reclaimed);
	KEXPECT_EQ(st.reclaimable, 0);
	KEXPECT_EQ(pmm_reclaim_boot_memory(), 0);   /* a second time adds nothing */
	KEXPECT(!pmm_owns_frame(0) && !pmm_owns_frame(0xb8000));
	KEXPECT(!pmm_owns_frame(bi->kernel_phys_base));
	KEXPECT_EQ(st.used + st.free, st.total);
	KEXPECT(st.reserved > 0);
}

KTEST_SHOULD_PANIC(pmm_double_free_panics)
{
	uint64_t f = pmm_alloc_frame();

	pmm_free_frame(f);
	pmm_free_frame(f);
}

/* ---- the blog's examples -------------------------------------------------------- */

KTEST(page_mapped_to_an_owned_frame_reads_back_through_the_direct_map)
{
	uint64_t frame = pmm_alloc_frame(), virt = SCRATCH_GB(0);
	struct page_mapping m;

	KREQUIRE(frame != 0);
	KREQUIRE(paging_map(virt, frame, PAGE_SIZE, PAGE_WRITE) == 0);
	((volatile uint64_t *)virt)[400] = BLOG_NEW;
	KEXPECT_EQ(phys_ptr(frame)[400], BLOG_NEW);
	phys_ptr(frame)[401] = 0x1234;
	KEXPECT_EQ(((volatile uint64_t *)virt)[401], 0x1234);
	KEXPECT(paging_translate(virt + 3200, &m));
	KEXPECT_EQ(m.phys, frame + 3200);
	KEXPECT_EQ(m.size, PAGE_SIZE);
	KEXPECT_EQ(m.flags, PAGE_WRITE);
	KEXPECT_EQ(paging_unmap(virt, NULL), 0);
	KEXPECT(!paging_translate(virt, &m));
	pmm_free_frame(frame);
}

KTEST(page_mapped_to_the_vga_text_frame_like_the_blog)
{
	uint64_t virt = SCRATCH_GB(0) + PAGE_SIZE;
	volatile uint64_t *page = (volatile uint64_t *)virt;
	struct page_mapping m;

	KEXPECT(!pmm_owns_frame(0xb8000));
	KREQUIRE(paging_map(virt, 0xb8000, PAGE_SIZE, PAGE_WRITE | PAGE_UC) == 0);
	KEXPECT(paging_translate(virt, &m));
	KEXPECT_EQ(m.phys, 0xb8000);
	KEXPECT_EQ(m.flags, PAGE_WRITE | PAGE_UC);
	page[400] = BLOG_NEW;
	/* Legacy VGA memory: whatever it holds, both mappings see the same. */
	KEXPECT_EQ(page[400], phys_ptr(0xb8000)[400]);
	KEXPECT_EQ(paging_unmap(virt, NULL), 0);
}

/* ---- map, unmap, translate, protect ----------------------------------------------- */

KTEST(map_translate_unmap_round_trip_4k_with_every_flag_set)
{
	static const unsigned sets[] = {
		0, PAGE_WRITE, PAGE_EXEC, PAGE_WRITE | PAGE_WC, PAGE_UC, PAGE_EXEC | PAGE_UC,
	};
	uint64_t frame = pmm_alloc_frame(), virt = SCRATCH_GB(1);
	struct page_mapping m, old;

	KREQUIRE(frame != 0);
	for (unsigned i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		KEXPECT_EQ(paging_map(virt, frame, PAGE_SIZE, sets[i]), 0);
		KEXPECT(paging_translate(virt + 0xabc, &m));
		KEXPECT_EQ(m.phys, frame + 0xabc);
		KEXPECT_EQ(m.flags, sets[i]);
		KEXPECT_EQ(paging_map(virt, frame, PAGE_SIZE, sets[i]), -E_EXIST);
		KEXPECT_EQ(paging_unmap(virt, &old), 0);
		KEXPECT(old.phys == frame && old.size == PAGE_SIZE);
		KEXPECT_EQ(paging_unmap(virt, NULL), -E_NOENT);
		KEXPECT(!paging_translate(virt, &m));
	}
	pmm_free_frame(frame);
}

KTEST(map_refuses_bad_arguments_and_writable_executable_pages)
{
	uint64_t virt = SCRATCH_GB(1);
	struct page_mapping m;

	KEXPECT_EQ(paging_map(virt, 0x200000, PAGE_SIZE, PAGE_WRITE | PAGE_EXEC), -E_INVAL);
	KEXPECT_EQ(paging_map(virt + 8, 0x200000, PAGE_SIZE, 0), -E_INVAL);
	KEXPECT_EQ(paging_map(virt, 0x200008, PAGE_SIZE, 0), -E_INVAL);
	KEXPECT_EQ(paging_map(virt, 0x200000, 8192, 0), -E_INVAL);
	KEXPECT_EQ(paging_map(virt, 0x200000, PAGE_SIZE_1G, 0), -E_INVAL);
	KEXPECT_EQ(paging_map(virt + PAGE_SIZE, 0x200000, PAGE_SIZE_2M, 0), -E_INVAL);
	KEXPECT_EQ(paging_map(0x0000900000000000ull, 0x200000, PAGE_SIZE, 0), -E_INVAL);
	KEXPECT_EQ(paging_map(virt, 0x200000, PAGE_SIZE, PAGE_WC | PAGE_UC), -E_INVAL);
	KEXPECT_EQ(paging_map(virt, 0x200000, PAGE_SIZE, 1u << 9), -E_INVAL);
	KEXPECT_EQ(paging_map(virt, 1ull << 52, PAGE_SIZE, 0), -E_INVAL);
	KEXPECT(!paging_translate(virt, &m));
	/* the kernel image and the direct map are taken */
	KEXPECT_EQ(paging_map(KERNEL_BASE_MIN, 0x200000, PAGE_SIZE, 0), -E_EXIST);
	KEXPECT_EQ(paging_map(DIRECT_MAP_BASE + 0x200000, 0x200000, PAGE_SIZE, 0), -E_EXIST);
}

KTEST(map_translate_unmap_round_trip_2m)
{
	uint64_t run = pmm_alloc_run(512, PAGE_SIZE_2M), virt = SCRATCH_GB(2);
	struct page_mapping m, old;

	KREQUIRE(run != 0);
	KREQUIRE(paging_map(virt, run, PAGE_SIZE_2M, PAGE_WRITE) == 0);
	KEXPECT(paging_translate(virt + 0x123456, &m));
	KEXPECT_EQ(m.phys, run + 0x123456);
	KEXPECT_EQ(m.size, PAGE_SIZE_2M);
	KEXPECT_EQ(m.flags, PAGE_WRITE);
	((volatile uint64_t *)(virt + PAGE_SIZE_2M))[-1] = 0x5eed;
	KEXPECT_EQ(phys_ptr(run + PAGE_SIZE_2M)[-1], 0x5eed);
	KEXPECT_EQ(paging_map(virt + PAGE_SIZE, run, PAGE_SIZE, 0), -E_EXIST);
	KEXPECT_EQ(paging_map(virt, run, PAGE_SIZE_2M, 0), -E_EXIST);
	KEXPECT_EQ(paging_unmap(virt + PAGE_SIZE, NULL), -E_INVAL);
	KEXPECT_EQ(paging_protect(virt + PAGE_SIZE, 0), -E_INVAL);
	KEXPECT_EQ(paging_unmap(virt, &old), 0);
	KEXPECT(old.phys == run && old.size == PAGE_SIZE_2M && old.flags == PAGE_WRITE);
	KEXPECT(!paging_translate(virt + 0x123456, &m));
	/* a 2 MiB page cannot go where a 4 KiB page is */
	KREQUIRE(paging_map(virt + PAGE_SIZE, run, PAGE_SIZE, 0) == 0);
	KEXPECT_EQ(paging_map(virt, run, PAGE_SIZE_2M, 0), -E_EXIST);
	KEXPECT_EQ(paging_unmap(virt + PAGE_SIZE, NULL), 0);
	pmm_free_run(run, 512);
}

KTEST(unmap_frees_page_tables_that_become_empty)
{
	uint64_t frame = pmm_alloc_frame(), virt = SCRATCH_GB(3), frames, tables;

	KREQUIRE(frame != 0);
	/* the PDPT of the slot is made once and kept: create it first */
	KREQUIRE(paging_map(virt, frame, PAGE_SIZE, 0) == 0);
	KREQUIRE(paging_unmap(virt, NULL) == 0);
	frames = free_frames();
	tables = table_count();
	KREQUIRE(paging_map(virt, frame, PAGE_SIZE, 0) == 0);
	KEXPECT_EQ(free_frames(), frames - 2);            /* a PD and a PT */
	KEXPECT_EQ(table_count(), tables + 2);
	KREQUIRE(paging_map(virt + PAGE_SIZE, frame, PAGE_SIZE, 0) == 0);
	KEXPECT_EQ(free_frames(), frames - 2);            /* same PT */
	KEXPECT_EQ(paging_unmap(virt, NULL), 0);
	KEXPECT_EQ(table_count(), tables + 2);            /* PT not empty yet */
	KEXPECT_EQ(paging_unmap(virt + PAGE_SIZE, NULL), 0);
	KEXPECT_EQ(free_frames(), frames);
	KEXPECT_EQ(table_count(), tables);
	/* a 2 MiB page needs a PD only */
	KREQUIRE(paging_map(virt, 0x200000, PAGE_SIZE_2M, 0) == 0);
	KEXPECT_EQ(free_frames(), frames - 1);
	KEXPECT_EQ(paging_unmap(virt, NULL), 0);
	KEXPECT_EQ(free_frames(), frames);
	pmm_free_frame(frame);
}

KTEST(protection_change_takes_effect)
{
	uint64_t frame = pmm_alloc_frame(), virt = SCRATCH_GB(4);
	struct page_mapping m;

	KREQUIRE(frame != 0);
	KREQUIRE(paging_map(virt, frame, PAGE_SIZE, PAGE_WRITE) == 0);
	*(volatile uint64_t *)virt = 1;                   /* the TLB now holds it writable */
	KEXPECT_EQ(paging_protect(virt, 0), 0);
	KEXPECT(paging_translate(virt, &m) && m.flags == 0 && m.phys == frame);
	KEXPECT_EQ(paging_protect(virt, PAGE_EXEC | PAGE_WC), 0);
	KEXPECT(paging_translate(virt, &m) && m.flags == (PAGE_EXEC | PAGE_WC));
	KEXPECT_EQ(paging_protect(virt, PAGE_WRITE | PAGE_EXEC), -E_INVAL);
	KEXPECT(paging_translate(virt, &m) && m.flags == (PAGE_EXEC | PAGE_WC));
	KEXPECT_EQ(paging_protect(virt, PAGE_WRITE), 0);
	*(volatile uint64_t *)virt = 2;
	KEXPECT_EQ(*phys_ptr(frame), 2);
	KEXPECT_EQ(paging_protect(virt + PAGE_SIZE, 0), -E_NOENT);
	KEXPECT_EQ(paging_unmap(virt, NULL), 0);
	pmm_free_frame(frame);
}

KTEST(map_without_frames_fails_and_leaves_no_table_behind)
{
	uint64_t head, n, keep, virt = SCRATCH_GB(5) + PAGE_SIZE_2M * 7;
	uint64_t tables = table_count();
	struct page_mapping m;

	KREQUIRE(paging_map(SCRATCH_GB(5), 0x200000, PAGE_SIZE, 0) == 0);  /* the PDPT */
	KREQUIRE(paging_unmap(SCRATCH_GB(5), NULL) == 0);
	head = take_all_frames(&n);
	KEXPECT_EQ(paging_map(virt, 0x200000, PAGE_SIZE, 0), -E_NOMEM);
	/* one frame left: the PD is made, the PT is not: the PD must go back */
	keep = *phys_ptr(head);
	pmm_free_frame(head);
	KEXPECT_EQ(paging_map(virt, 0x200000, PAGE_SIZE, 0), -E_NOMEM);
	KEXPECT_EQ(free_frames(), 1);
	KEXPECT(!paging_translate(virt, &m));
	give_back(keep);
	KEXPECT_EQ(table_count(), tables);
}

/* ---- the self-check ---------------------------------------------------------------- */

KTEST(paging_verify_finds_the_tables_sound)
{
	struct paging_census c;

	KEXPECT_EQ(paging_verify(&c), 0);
	KEXPECT_EQ(c.violations, 0);
	KEXPECT(c.tables >= 4);
	KEXPECT(c.pages_4k > 0);                /* the kernel image */
	KEXPECT(c.pages_2m + c.pages_1g > 0);   /* the direct map */
}

extern const char __rodata_start[];

KTEST(paging_verify_reports_a_writable_rodata_page)
{
	uint64_t page = (uint64_t)__rodata_start;
	struct paging_census c;

	KREQUIRE(paging_protect(page, PAGE_WRITE) == 0);
	KEXPECT_EQ(paging_verify(&c), -E_INVAL);
	KEXPECT_EQ(c.violations, 1);
	KREQUIRE(paging_protect(page, 0) == 0);
	KEXPECT_EQ(paging_verify(NULL), 0);
}

/*
 * A writable and executable page cannot be made through the API, so this
 * test writes the entry with the x86_64 early helper to show the check bites.
 */
KTEST(paging_verify_reports_a_writable_executable_page)
{
	uint64_t virt = SCRATCH_GB(6);
	struct paging_census c;

	KREQUIRE(paging_map(virt, 0x200000, PAGE_SIZE, 0) == 0);   /* tables for the next */
	KREQUIRE(mmu_map_4k(virt + PAGE_SIZE, 0x201000, PTE_W) == 0);
	KEXPECT_EQ(paging_verify(&c), -E_INVAL);
	KEXPECT_EQ(c.violations, 1);
	KEXPECT_EQ(paging_unmap(virt + PAGE_SIZE, NULL), 0);
	KEXPECT_EQ(paging_unmap(virt, NULL), 0);
	KEXPECT_EQ(paging_verify(NULL), 0);
}

/* Crash boot: the write must fault ("write, protection violation"), then panic. */
KTEST_SHOULD_PANIC(write_to_read_only_page_faults)
{
	uint64_t frame = pmm_alloc_frame(), virt = SCRATCH_GB(7);

	KREQUIRE(frame != 0);
	KREQUIRE(paging_map(virt, frame, PAGE_SIZE, PAGE_WRITE) == 0);
	*(volatile uint64_t *)virt = 1;         /* cached writable in the TLB ... */
	KREQUIRE(paging_protect(virt, 0) == 0); /* ... so this tests the invlpg too */
	*(volatile uint64_t *)virt = 2;
}
