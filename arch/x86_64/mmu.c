/*
 * The kernel's own tables through the one walker of mmu.h, read through the
 * direct map: look-ups of the current address space (for exception reports
 * and backtraces: any context, no locks, no allocation), the early removal of
 * the loader's lower-half mappings (after which a NULL dereference faults),
 * and mmu_map_4k, which adds a page to tables that already exist (the IST
 * stacks). The paging API that changes mappings is paging.c.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/mmu.h"
#include "kernel/arch.h"
#include "lib/errno.h"

struct pt_space mmu_current_space(void)
{
	return (struct pt_space){ .root = read_cr3() & PTE_ADDR, .phys_offset = DIRECT_MAP_BASE };
}

static uint64_t *current_pml4(void)
{
	struct pt_space s = mmu_current_space();

	return pt_table(&s, s.root);
}

void arch_early_init(const struct boot_info *bi)
{
	uint64_t *pml4 = current_pml4();

	(void)bi;
	for (unsigned i = 0; i < PT_ENTRIES / 2; i++)
		pml4[i] = 0;
	write_cr3(read_cr3());   /* flush the identity-mapped hand-off page */
}

unsigned arch_lower_half_entries(void)
{
	uint64_t *pml4 = current_pml4();
	unsigned n = 0;

	for (unsigned i = 0; i < PT_ENTRIES / 2; i++)
		n += (pml4[i] & PTE_P) != 0;
	return n;
}

bool arch_translate(uint64_t virt, struct arch_mapping *out)
{
	struct pt_space s = mmu_current_space();
	struct pt_walk w;
	uint64_t e, size;

	if (!pt_lookup(&s, virt, &w))
		return false;
	e = *pt_walk_entry(&w);
	size = 1ull << w.shift;
	out->phys = pt_leaf_phys(e, w.shift) | (virt & (size - 1));
	out->page_size = size;
	out->writable = w.writable;
	out->executable = w.executable;
	out->user = w.user;
	out->write_combining = pt_pat_type(rdmsr(MSR_PAT), pt_pat_index(e, w.shift)) == PAT_WC;
	return true;
}

/*
 * There is no frame allocator yet when this runs, so the space has none: a
 * missing table is -E_NOENT.
 */
int mmu_map_4k(uint64_t virt, uint64_t phys, uint64_t flags)
{
	struct pt_space s = mmu_current_space();
	uint64_t *e;
	int err;

	if (pt_canonical(virt) != virt || (virt | phys) & 0xfff)
		return -E_INVAL;
	err = pt_entry_for(&s, virt, PT_SHIFT_PT, 0, &e);
	if (err)
		return err;
	if (*e & PTE_P)
		return -E_EXIST;
	*e = phys | flags | PTE_P;
	invlpg(virt);
	return 0;
}
