/*
 * The paging API (kernel/mm/paging.h) on x86_64 4-level tables, read and written
 * through the direct map with the one walker of mmu.h. Tables the API creates come from the frame
 * allocator and are freed when they empty; tables it did not create (the
 * loader's, typed MEM_KERNEL) are never freed, and neither are PDPTs, so the
 * top-level entries of the kernel half stay fixed. Every call works on the
 * tables CR3 points at, under the paging lock (interrupts off). A change or
 * removal is flushed from this CPU's TLB and shot down on every other
 * online CPU (tlb_shootdown) before the call returns.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/mmu.h"
#include "arch/x86_64/smp.h"
#include "kernel/arch.h"
#include "kernel/kprintf.h"
#include "kernel/mm/paging.h"
#include "kernel/panic.h"
#include "kernel/mm/pmm.h"
#include "kernel/smp/spinlock.h"
#include "lib/errno.h"

/* Every CPU allocates: the paging state below is under this lock. */
static struct spinlock paging_lock = SPINLOCK_INIT("paging", SPIN_RANK_PAGING);

#define MAX_REPORTS  8          /* violations printed by paging_verify */
#define PHYS_LIMIT   (1ull << 52)

static unsigned pat_wc = 4, pat_uc = 3;   /* PAT indices; checked by paging_init */

static uint64_t alloc_table(void *arg)
{
	(void)arg;
	return pmm_alloc_frame();
}

/* The current tables; with the frame allocator when the call may create tables. */
static struct pt_space space(bool may_create)
{
	struct pt_space s = mmu_current_space();

	if (may_create)
		s.alloc_table = alloc_table;
	return s;
}

static uint64_t *table_at(uint64_t phys)
{
	struct pt_space s = space(false);

	return pt_table(&s, phys);
}

/* ---- flags <-> entry bits ------------------------------------------------ */

static bool flags_ok(unsigned flags)
{
	return !(flags & ~PAGE_FLAGS) &&
	       (flags & (PAGE_WRITE | PAGE_EXEC)) != (PAGE_WRITE | PAGE_EXEC) &&
	       (flags & (PAGE_WC | PAGE_UC)) != (PAGE_WC | PAGE_UC);
}

/* The bits of a leaf at level shift for PAGE_* flags. */
static uint64_t leaf_bits(unsigned flags, unsigned shift)
{
	uint64_t b = PTE_P | (shift != PT_SHIFT_PT ? PTE_PS : 0);

	if (flags & PAGE_WRITE)
		b |= PTE_W;
	if (!(flags & PAGE_EXEC))
		b |= mmu_nx;          /* 0 without NX: then every page is executable */
	if (flags & PAGE_USER)
		b |= PTE_U;
	if (flags & PAGE_WC)
		b |= pt_pat_bits(pat_wc, shift);
	if (flags & PAGE_UC)
		b |= pt_pat_bits(pat_uc, shift);
	return b;
}

/* PAGE_* permission flags of a walk. */
static unsigned walk_flags(const struct pt_walk *w)
{
	return (w->writable ? PAGE_WRITE : 0) | (w->executable ? PAGE_EXEC : 0) |
	       (w->user ? PAGE_USER : 0);
}

/* ---- freeing emptied tables ------------------------------------------------ */

static bool table_empty(const uint64_t *t)
{
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		if (t[i] & PTE_P)
			return false;
	return true;
}

/*
 * Frees the page table and then the page directory on virt's path when they
 * are empty and came from the frame allocator. PDPTs always stay.
 */
static void prune(uint64_t virt)
{
	struct pt_space s = space(false);
	struct pt_walk w;

	pt_walk(&s, virt, PT_SHIFT_PT, false, 0, &w);
	/* entry[2]: PD entry -> PT, entry[1]: PDPT entry -> PD; deepest first */
	for (unsigned i = w.depth < 3 ? w.depth : 3; i-- > 1;) {
		uint64_t *e = w.entry[i], table = *e & PTE_ADDR;

		if (!(*e & PTE_P) || pt_is_leaf(*e, PT_SHIFT_PML4 - i * PT_SHIFT_STEP))
			continue;       /* the walk's end: not a table */
		if (!table_empty(table_at(table)) || !pmm_owns_frame(table))
			return;
		*e = 0;
		invlpg(virt);           /* also drops paging-structure caches */
		tlb_shootdown(virt);    /* and on every other CPU */
		pmm_free_frame(table);
	}
}

/* ---- the API --------------------------------------------------------------- */

int paging_map(uint64_t virt, uint64_t phys, uint64_t size, unsigned flags)
{
	unsigned leaf = size == PAGE_SIZE ? PT_SHIFT_PT : size == PAGE_SIZE_2M ? PT_SHIFT_PD : 0;
	struct pt_space s = space(true);
	unsigned long irq;
	uint64_t *e;
	int err;

	if (!leaf || !flags_ok(flags) || ((virt | phys) & (size - 1)) ||
	    pt_canonical(virt) != virt || phys >= PHYS_LIMIT)
		return -E_INVAL;
	irq = spin_lock(&paging_lock);
	err = pt_entry_for(&s, virt, leaf, PTE_W | ((flags & PAGE_USER) ? PTE_U : 0), &e);
	if (!err && (*e & PTE_P))
		err = -E_EXIST;
	if (!err)
		*e = phys | leaf_bits(flags, leaf);  /* no flush: was not present */
	else
		prune(virt);            /* tables made on the way, if they stayed empty */
	spin_unlock(&paging_lock, irq);
	return err;
}

/* The walk to the leaf of a page starting exactly at virt: -E_NOENT, -E_INVAL. */
static int page_at(uint64_t virt, struct pt_walk *w)
{
	struct pt_space s = space(false);

	if (pt_canonical(virt) != virt)
		return -E_INVAL;
	if (!pt_lookup(&s, virt, w))
		return -E_NOENT;
	return (virt & ((1ull << w->shift) - 1)) ? -E_INVAL : 0;
}

int paging_unmap(uint64_t virt, struct page_mapping *old)
{
	unsigned long irq = spin_lock(&paging_lock);
	struct pt_walk w;
	int err = page_at(virt, &w);

	if (!err) {
		uint64_t *e = pt_walk_entry(&w);

		if (old) {
			old->phys = pt_leaf_phys(*e, w.shift);
			old->size = 1ull << w.shift;
			old->flags = walk_flags(&w);
		}
		*e = 0;
		invlpg(virt);
		tlb_shootdown(virt);
		prune(virt);
	}
	spin_unlock(&paging_lock, irq);
	return err;
}

int paging_protect(uint64_t virt, unsigned flags)
{
	unsigned long irq;
	struct pt_walk w;
	int err;

	if (!flags_ok(flags))
		return -E_INVAL;
	irq = spin_lock(&paging_lock);
	err = page_at(virt, &w);
	if (!err) {
		uint64_t *e = pt_walk_entry(&w);

		*e = pt_leaf_phys(*e, w.shift) | leaf_bits(flags, w.shift);
		invlpg(virt);
		tlb_shootdown(virt);
	}
	spin_unlock(&paging_lock, irq);
	return err;
}

bool paging_translate(uint64_t virt, struct page_mapping *out)
{
	unsigned long irq = spin_lock(&paging_lock);
	struct pt_space s = space(false);
	struct pt_walk w;
	bool mapped = pt_lookup(&s, virt, &w);

	if (mapped) {
		uint64_t e = *pt_walk_entry(&w), size = 1ull << w.shift;
		unsigned type = pt_pat_type(rdmsr(MSR_PAT), pt_pat_index(e, w.shift));

		out->phys = pt_leaf_phys(e, w.shift) | (virt & (size - 1));
		out->size = size;
		out->flags = walk_flags(&w) | (type == PAT_WC ? PAGE_WC : 0) |
			     (type == PAT_UC || type == PAT_UC_MINUS ? PAGE_UC : 0);
	}
	spin_unlock(&paging_lock, irq);
	return mapped;
}

/* ---- the self-check ---------------------------------------------------------- */

static void violation(struct paging_census *c, const char *what, uint64_t virt)
{
	if (c->violations++ < MAX_REPORTS)
		kprintf("paging: %s at %#llx\n", what, (unsigned long long)virt);
}

/* Walks one table: counts, W^X of each leaf, tables that the pmm thinks free. */
static void verify_table(uint64_t phys, unsigned shift, uint64_t base, bool w, bool x,
			 struct paging_census *c)
{
	const uint64_t *t = table_at(phys);

	c->tables++;
	if (pmm_owns_frame(phys) && pmm_frame_is_free(phys))
		violation(c, "page table in a free frame", base);
	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		uint64_t e = t[i], va = pt_canonical(base | ((uint64_t)i << shift));
		bool ew = w && (e & PTE_W), ex = x && !(e & PTE_NX);

		if (!(e & PTE_P))
			continue;
		if (pt_is_leaf(e, shift)) {
			c->pages_4k += shift == PT_SHIFT_PT;
			c->pages_2m += shift == PT_SHIFT_PD;
			c->pages_1g += shift == PT_SHIFT_PDPT;
			if (ew && ex && mmu_nx)   /* without NX only writes are checked */
				violation(c, "page both writable and executable", va);
		} else {
			verify_table(e & PTE_ADDR, shift - PT_SHIFT_STEP, va, ew, ex, c);
		}
	}
}

extern const char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern const char __data_start[], __bss_end[];

/* Every page of [start, end) must be mapped with exactly `want` (W and X;
 * W alone on a CPU without NX, where every mapped page is executable). */
static void verify_section(const char *start, const char *end, unsigned want,
			   const char *what, struct paging_census *c)
{
	unsigned mask = mmu_nx ? PAGE_WRITE | PAGE_EXEC : PAGE_WRITE;
	struct page_mapping m;

	for (uint64_t va = (uint64_t)start & ~(PAGE_SIZE - 1); va < (uint64_t)end; va += PAGE_SIZE)
		if (!paging_translate(va, &m) || (m.flags & mask) != (want & mask))
			violation(c, what, va);
}

int paging_verify(struct paging_census *out)
{
	struct paging_census c = { 0 };
	unsigned long irq = spin_lock(&paging_lock);

	verify_table(read_cr3() & PTE_ADDR, PT_SHIFT_PML4, 0, true, true, &c);
	spin_unlock(&paging_lock, irq);
	verify_section(__text_start, __text_end, PAGE_EXEC, "kernel text not RX", &c);
	verify_section(__rodata_start, __rodata_end, 0, "kernel rodata not R", &c);
	verify_section(__data_start, __bss_end, PAGE_WRITE, "kernel data not RW NX", &c);
	if (out)
		*out = c;
	return c.violations ? -E_INVAL : 0;
}

/* The PAT index holding memory type `type`, or 8 if none does. */
static unsigned pat_find(unsigned type)
{
	uint64_t pat = rdmsr(MSR_PAT);

	for (unsigned i = 0; i < 8; i++)
		if (pt_pat_type(pat, i) == type)
			return i;
	return 8;
}

void paging_init(void)
{
	struct paging_census c;

	pat_wc = pat_find(PAT_WC);
	pat_uc = pat_find(PAT_UC);
	if (pat_wc > 7 || pat_uc > 7)
		panic("paging: PAT %#llx has no write-combining or uncached entry",
		      (unsigned long long)rdmsr(MSR_PAT));
	if (paging_verify(&c))
		panic("paging: the tables at start-up break %llu invariant(s)",
		      (unsigned long long)c.violations);
	kprintf("paging: %llu tables, %llu 4K + %llu 2M + %llu 1G pages, %s\n",
		(unsigned long long)c.tables, (unsigned long long)c.pages_4k,
		(unsigned long long)c.pages_2m, (unsigned long long)c.pages_1g,
		mmu_nx ? "W^X holds" : "no NX: W^X holds for writes only");
}
