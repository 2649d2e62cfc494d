/*
 * The paging API (kernel/mm/paging.h) on x86_64 4-level tables, read and written
 * through the direct map. Tables the API creates come from the frame
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
#include "lib/string.h"

/* Every CPU allocates: the paging state below is under this lock. */
static struct spinlock paging_lock = SPINLOCK_INIT("paging", SPIN_RANK_PAGING);

#define MAX_REPORTS  8          /* violations printed by paging_verify */
#define PHYS_LIMIT   (1ull << 52)

static unsigned pat_wc = 4, pat_uc = 3;   /* PAT indices; checked by paging_init */

static uint64_t *table_at(uint64_t phys)
{
	return (uint64_t *)(DIRECT_MAP_BASE + (phys & PTE_ADDR));
}

static uint64_t *root(void)
{
	return table_at(read_cr3());
}

/* ---- flags <-> entry bits ------------------------------------------------ */

static uint64_t pat_bits(unsigned idx, bool large)
{
	return ((idx & 1) ? PTE_PWT : 0) | ((idx & 2) ? PTE_PCD : 0) |
	       ((idx & 4) ? (large ? PTE_PAT_LARGE : PTE_PAT_4K) : 0);
}

/* The PAT memory type of a leaf entry. */
static unsigned leaf_pat_type(uint64_t e, bool large)
{
	unsigned idx = ((e & PTE_PWT) ? 1 : 0) | ((e & PTE_PCD) ? 2 : 0) |
		       ((e & (large ? PTE_PAT_LARGE : PTE_PAT_4K)) ? 4 : 0);

	return (rdmsr(MSR_PAT) >> (idx * 8)) & 7;
}

static bool flags_ok(unsigned flags)
{
	return !(flags & ~PAGE_FLAGS) &&
	       (flags & (PAGE_WRITE | PAGE_EXEC)) != (PAGE_WRITE | PAGE_EXEC) &&
	       (flags & (PAGE_WC | PAGE_UC)) != (PAGE_WC | PAGE_UC);
}

static uint64_t leaf_bits(unsigned flags, bool large)
{
	uint64_t b = PTE_P | (large ? PTE_PS : 0);

	if (flags & PAGE_WRITE)
		b |= PTE_W;
	if (!(flags & PAGE_EXEC))
		b |= PTE_NX;
	if (flags & PAGE_USER)
		b |= PTE_U;
	if (flags & PAGE_WC)
		b |= pat_bits(pat_wc, large);
	if (flags & PAGE_UC)
		b |= pat_bits(pat_uc, large);
	return b;
}

/* The frame address of a leaf mapping 2^shift bytes. */
static uint64_t leaf_phys(uint64_t e, unsigned shift)
{
	return e & PTE_ADDR & ~((1ull << shift) - 1);
}

/* ---- walking ------------------------------------------------------------- */

/*
 * The leaf entry that maps virt and its level's shift, or NULL when virt is
 * not mapped. *flags gets the permissions in effect across all levels.
 */
static uint64_t *find_leaf(uint64_t virt, unsigned *shift_out, unsigned *flags)
{
	uint64_t *t = root();
	bool w = true, x = true, u = true;

	for (unsigned shift = SHIFT_PML4;; shift -= 9) {
		uint64_t *e = &t[pt_index(virt, shift)];

		if (!(*e & PTE_P))
			return NULL;
		w = w && (*e & PTE_W);
		x = x && !(*e & PTE_NX);
		u = u && (*e & PTE_U);
		if (shift == SHIFT_PT || (shift != SHIFT_PML4 && (*e & PTE_PS))) {
			*shift_out = shift;
			*flags = (w ? PAGE_WRITE : 0) | (x ? PAGE_EXEC : 0) | (u ? PAGE_USER : 0);
			return e;
		}
		t = table_at(*e);
	}
}

/* Points *e at a fresh, zeroed table; table_flags are its entry's bits. */
static int new_table(uint64_t *e, uint64_t table_flags)
{
	uint64_t frame = pmm_alloc_frame();

	if (!frame)
		return -E_NOMEM;
	memset(table_at(frame), 0, PAGE_SIZE);
	*e = frame | table_flags;
	return 0;
}

/*
 * The entry at the level of pages 2^leaf for virt, creating missing tables.
 * -E_EXIST when a larger page already covers virt; -E_NOMEM.
 */
static int walk_create(uint64_t virt, unsigned leaf, bool user, uint64_t **out)
{
	uint64_t *t = root();
	uint64_t table_flags = PTE_P | PTE_W | (user ? PTE_U : 0);

	for (unsigned shift = SHIFT_PML4; shift > leaf; shift -= 9) {
		uint64_t *e = &t[pt_index(virt, shift)];
		int err;

		if (!(*e & PTE_P)) {
			err = new_table(e, table_flags);
			if (err)
				return err;
		} else if (shift != SHIFT_PML4 && (*e & PTE_PS)) {
			return -E_EXIST;
		}
		*e |= table_flags & PTE_U;
		t = table_at(*e);
	}
	*out = &t[pt_index(virt, leaf)];
	return 0;
}

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
	uint64_t *path[3], *t = root();
	unsigned depth = 0;

	for (unsigned shift = SHIFT_PML4; shift > SHIFT_PT; shift -= 9) {
		uint64_t *e = &t[pt_index(virt, shift)];

		if (!(*e & PTE_P) || (shift != SHIFT_PML4 && (*e & PTE_PS)))
			break;
		path[depth++] = e;
		t = table_at(*e);
	}
	while (depth-- > 1) {      /* path[2]: PD entry -> PT, path[1]: PDPT entry -> PD */
		uint64_t table = *path[depth] & PTE_ADDR;

		if (!table_empty(table_at(table)) || !pmm_owns_frame(table))
			return;
		*path[depth] = 0;
		invlpg(virt);           /* also drops paging-structure caches */
		tlb_shootdown(virt);    /* and on every other CPU */
		pmm_free_frame(table);
	}
}

/* ---- the API --------------------------------------------------------------- */

int paging_map(uint64_t virt, uint64_t phys, uint64_t size, unsigned flags)
{
	unsigned leaf = size == PAGE_SIZE ? SHIFT_PT : size == PAGE_SIZE_2M ? SHIFT_PD : 0;
	unsigned long irq;
	uint64_t *e;
	int err;

	if (!leaf || !flags_ok(flags) || ((virt | phys) & (size - 1)) ||
	    pt_canonical(virt) != virt || phys >= PHYS_LIMIT)
		return -E_INVAL;
	irq = spin_lock(&paging_lock);
	err = walk_create(virt, leaf, flags & PAGE_USER, &e);
	if (!err && (*e & PTE_P))
		err = -E_EXIST;
	if (!err)
		*e = phys | leaf_bits(flags, leaf != SHIFT_PT);  /* no flush: was not present */
	else
		prune(virt);            /* tables made on the way, if they stayed empty */
	spin_unlock(&paging_lock, irq);
	return err;
}

/* The leaf for a page starting exactly at virt: -E_NOENT, -E_INVAL. */
static int page_at(uint64_t virt, uint64_t **e, unsigned *shift, unsigned *flags)
{
	if (pt_canonical(virt) != virt)
		return -E_INVAL;
	*e = find_leaf(virt, shift, flags);
	if (!*e)
		return -E_NOENT;
	return (virt & ((1ull << *shift) - 1)) ? -E_INVAL : 0;
}

int paging_unmap(uint64_t virt, struct page_mapping *old)
{
	unsigned long irq = spin_lock(&paging_lock);
	unsigned shift, flags;
	uint64_t *e;
	int err = page_at(virt, &e, &shift, &flags);

	if (!err) {
		if (old) {
			old->phys = leaf_phys(*e, shift);
			old->size = 1ull << shift;
			old->flags = flags;
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
	unsigned shift, old;
	uint64_t *e;
	int err;

	if (!flags_ok(flags))
		return -E_INVAL;
	irq = spin_lock(&paging_lock);
	err = page_at(virt, &e, &shift, &old);
	if (!err) {
		*e = leaf_phys(*e, shift) | leaf_bits(flags, shift != SHIFT_PT);
		invlpg(virt);
		tlb_shootdown(virt);
	}
	spin_unlock(&paging_lock, irq);
	return err;
}

bool paging_translate(uint64_t virt, struct page_mapping *out)
{
	unsigned long irq = spin_lock(&paging_lock);
	unsigned shift, flags, type;
	uint64_t *e = pt_canonical(virt) == virt ? find_leaf(virt, &shift, &flags) : NULL;

	if (e) {
		uint64_t size = 1ull << shift;

		type = leaf_pat_type(*e, shift != SHIFT_PT);
		out->phys = leaf_phys(*e, shift) | (virt & (size - 1));
		out->size = size;
		out->flags = flags | (type == PAT_WC ? PAGE_WC : 0) |
			     (type == PAT_UC || type == PAT_UC_MINUS ? PAGE_UC : 0);
	}
	spin_unlock(&paging_lock, irq);
	return e != NULL;
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
		if (shift == SHIFT_PT || (shift != SHIFT_PML4 && (e & PTE_PS))) {
			c->pages_4k += shift == SHIFT_PT;
			c->pages_2m += shift == SHIFT_PD;
			c->pages_1g += shift == SHIFT_PDPT;
			if (ew && ex)
				violation(c, "page both writable and executable", va);
		} else {
			verify_table(e & PTE_ADDR, shift - 9, va, ew, ex, c);
		}
	}
}

extern const char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern const char __data_start[], __bss_end[];

/* Every page of [start, end) must be mapped with exactly `want` (W and X). */
static void verify_section(const char *start, const char *end, unsigned want,
			   const char *what, struct paging_census *c)
{
	struct page_mapping m;

	for (uint64_t va = (uint64_t)start & ~(PAGE_SIZE - 1); va < (uint64_t)end; va += PAGE_SIZE)
		if (!paging_translate(va, &m) ||
		    (m.flags & (PAGE_WRITE | PAGE_EXEC)) != want)
			violation(c, what, va);
}

int paging_verify(struct paging_census *out)
{
	struct paging_census c = { 0 };
	unsigned long irq = spin_lock(&paging_lock);

	verify_table(read_cr3() & PTE_ADDR, SHIFT_PML4, 0, true, true, &c);
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
		if (((pat >> (i * 8)) & 7) == type)
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
	kprintf("paging: %llu tables, %llu 4K + %llu 2M + %llu 1G pages, W^X holds\n",
		(unsigned long long)c.tables, (unsigned long long)c.pages_4k,
		(unsigned long long)c.pages_2m, (unsigned long long)c.pages_1g);
}
