/*
 * In-kernel tests of copy-on-write address spaces on the real CPU: fork
 * shares the frame (two holders, both leaves read-only and marked), a
 * kernel write through the user-copy helper into the shared page takes the
 * #PF path and gives the writer a private copy while the other space keeps
 * the original bytes, the last holder takes its frame back writable without
 * a copy, mprotect keeps a shared page copy-on-write, and destroying both
 * spaces returns every frame.
 */
#include "arch/x86_64/mmu.h"
#include "arch/x86_64/user_cow.h"
#include "kernel/arch.h"
#include "kernel/ktest.h"
#include "kernel/mm/frame_ref.h"
#include "kernel/mm/paging.h"
#include "kernel/mm/pmm.h"
#include "lib/string.h"

#define VA 0x400000ull

static uint64_t free_frames(void)
{
	struct pmm_stats st;

	pmm_get_stats(&st);
	return st.free;
}

/* The leaf for VA in the active space (through the one walker). */
static uint64_t leaf(void)
{
	struct pt_space s = mmu_current_space();
	struct pt_walk w;

	return pt_lookup(&s, VA, &w) ? *pt_walk_entry(&w) : 0;
}

static const char *bytes_at(uint64_t e)
{
	return (const char *)(DIRECT_MAP_BASE + (e & PTE_ADDR));
}

KTEST(cow_fork_shares_and_a_kernel_copy_into_the_page_makes_it_private)
{
	unsigned long irq = arch_irq_save();
	uint64_t before = free_frames(), frame = pmm_alloc_frame(), parent, child, pages, pe, ce;

	KREQUIRE(frame);
	memcpy((void *)(DIRECT_MAP_BASE + frame), "original", 9);
	parent = arch_as_new();
	arch_as_activate(parent);
	KREQUIRE(paging_map(VA, frame, PAGE_SIZE, PAGE_WRITE | PAGE_USER) == 0);
	child = arch_as_fork_cow(parent, &pages);
	KREQUIRE(child);
	KEXPECT_EQ(pages, 1);
	KEXPECT_EQ(frame_ref_holders(frame), 2);
	pe = leaf();
	KEXPECT(!(pe & PTE_W) && (pe & PTE_COW));
	KEXPECT(arch_user_protect(VA, PAGE_WRITE | PAGE_USER) == 0);   /* still shared */
	KEXPECT(!(leaf() & PTE_W) && (leaf() & PTE_COW));
	arch_as_activate(child);
	KEXPECT(uaccess_copy((void *)VA, "child's", 8) == 0);          /* #PF, copy, resume */
	ce = leaf();
	KEXPECT((ce & PTE_W) && !(ce & PTE_COW) && (ce & PTE_ADDR) != frame);
	KEXPECT(!strcmp(bytes_at(ce), "child's"));
	KEXPECT_EQ(frame_ref_holders(frame), 1);
	arch_as_activate(parent);
	KEXPECT(!strcmp(bytes_at(leaf()), "original"));
	KEXPECT(uaccess_copy((void *)VA, "parent", 7) == 0);           /* last holder: no copy */
	KEXPECT_EQ(leaf() & PTE_ADDR, frame);
	KEXPECT((leaf() & PTE_W) && !(leaf() & PTE_COW));
	KEXPECT(!strcmp(bytes_at(leaf()), "parent"));
	arch_as_activate(0);
	arch_as_destroy(child);
	arch_as_destroy(parent);
	KEXPECT_EQ(free_frames(), before);
	arch_irq_restore(irq);
}
