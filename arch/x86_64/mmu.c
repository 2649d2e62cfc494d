/*
 * The x86_64 page-table format, read through the direct map: look-ups of the
 * current address space and the early removal of the loader's lower-half
 * mappings (after which a NULL dereference faults), and mmu_map_4k, which
 * adds a page to tables that already exist (the IST stacks). The paging API
 * that changes mappings builds on the same entry definitions in mmu.h.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/mmu.h"
#include "kernel/arch.h"
#include "lib/errno.h"

static uint64_t *table_at(uint64_t phys)
{
	return (uint64_t *)(DIRECT_MAP_BASE + (phys & PTE_ADDR));
}

void arch_early_init(const struct boot_info *bi)
{
	uint64_t *pml4 = table_at(read_cr3());

	(void)bi;
	for (unsigned i = 0; i < 256; i++)
		pml4[i] = 0;
	write_cr3(read_cr3());   /* flush the identity-mapped hand-off page */
}

unsigned arch_lower_half_entries(void)
{
	uint64_t *pml4 = table_at(read_cr3());
	unsigned n = 0;

	for (unsigned i = 0; i < 256; i++)
		n += (pml4[i] & PTE_P) != 0;
	return n;
}

/* PAT index of a leaf entry, and whether that PAT entry is write-combining. */
static bool leaf_is_wc(uint64_t e, bool large)
{
	unsigned idx = ((e & PTE_PWT) ? 1 : 0) | ((e & PTE_PCD) ? 2 : 0) |
		       ((e & (large ? PTE_PAT_LARGE : PTE_PAT_4K)) ? 4 : 0);

	return ((rdmsr(MSR_PAT) >> (idx * 8)) & 7) == PAT_WC;
}

bool arch_translate(uint64_t virt, struct arch_mapping *out)
{
	uint64_t *t = table_at(read_cr3());
	bool w = true, x = true, u = true;

	if (pt_canonical(virt) != virt)
		return false;
	for (unsigned shift = 39;; shift -= 9) {
		uint64_t e = t[(virt >> shift) & 511];
		if (!(e & PTE_P))
			return false;
		w = w && (e & PTE_W);
		x = x && !(e & PTE_NX);
		u = u && (e & PTE_U);
		if (shift == 12 || (e & PTE_PS)) {
			uint64_t size = 1ull << shift;
			out->phys = (e & PTE_ADDR & ~(size - 1)) | (virt & (size - 1));
			out->page_size = size;
			out->writable = w;
			out->executable = x;
			out->user = u;
			out->write_combining = leaf_is_wc(e, shift != 12);
			return true;
		}
		t = table_at(e);
	}
}

/*
 * Map one 4 KiB page into a page table that already exists: there is no frame
 * allocator yet, so a missing intermediate table, or a large page in the way,
 * is -E_NOENT; a page already present is -E_EXIST. Early boot (tss_init).
 */
int mmu_map_4k(uint64_t virt, uint64_t phys, uint64_t flags)
{
	uint64_t *t = table_at(read_cr3());

	if (pt_canonical(virt) != virt || (virt | phys) & 0xfff)
		return -E_INVAL;
	for (unsigned shift = 39; shift > 12; shift -= 9) {
		uint64_t e = t[(virt >> shift) & 511];
		if (!(e & PTE_P) || (e & PTE_PS))
			return -E_NOENT;
		t = table_at(e);
	}
	t += (virt >> 12) & 511;
	if (*t & PTE_P)
		return -E_EXIST;
	*t = phys | flags | PTE_P;
	invlpg(virt);
	return 0;
}
