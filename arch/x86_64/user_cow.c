/*
 * Copy-on-write address spaces (see user_cow.h and kernel/arch.h): fork
 * copies the page tables and shares every user frame, counting holders in
 * kernel/mm/frame_ref; writable pages become read-only with PTE_COW in both
 * spaces, and the first write to one (from ring 3, or by the kernel through
 * a user copy) gets the writer its own frame.
 *
 * Context: fork and protect from a system call of the process whose space
 * is active; cow_fault from the #PF handler. Interrupts off throughout. A
 * space is only ever active on one CPU (no threads), so a local TLB flush
 * is enough after fork marks the parent's pages read-only.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/interrupts.h"
#include "arch/x86_64/mmu.h"
#include "arch/x86_64/user.h"
#include "arch/x86_64/user_cow.h"
#include "kernel/arch.h"
#include "kernel/mm/frame_ref.h"
#include "kernel/mm/paging.h"
#include "kernel/mm/pmm.h"
#include "lib/format.h"
#include "lib/string.h"

#define PF_PRESENT (1ull << 0)
#define PF_WRITE   (1ull << 1)

/* A private copy of the frame e maps, with e's bits; 0 when out of memory. */
static uint64_t copied_leaf(uint64_t e)
{
	uint64_t frame = pmm_alloc_frame();

	if (!frame)
		return 0;
	memcpy(user_table(frame), user_table(e), PAGE_SIZE);
	return (e & ~PTE_ADDR) | frame;
}

/*
 * The child's entry for the parent's leaf *se: the same frame, one more
 * holder, both read-only with PTE_COW if it was writable. A frame with
 * FRAME_REF_MAX holders (or no reference table) is copied instead.
 */
static uint64_t shared_leaf(uint64_t *se)
{
	uint64_t e = *se;

	if (frame_ref_share(e & PTE_ADDR))
		return copied_leaf(e);
	if (e & PTE_W) {
		e = (e & ~PTE_W) | PTE_COW;
		*se = e;
	}
	return e;
}

/* Frees a partial copy: tables, and one holder of each leaf (level 1 = PT). */
static void drop_tree(uint64_t table, unsigned level)
{
	uint64_t *t = user_table(table);

	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		if (!(t[i] & PTE_P))
			continue;
		if (level == 1)
			frame_ref_drop(t[i] & PTE_ADDR);
		else
			drop_tree(t[i], level - 1);
	}
	pmm_free_frame(table & PTE_ADDR);
}

/* Copies the table at src (level 3 = PDPT ... 1 = PT), sharing the leaves; 0 on no memory. */
static uint64_t share_tree(uint64_t src, unsigned level, uint64_t *pages)
{
	uint64_t dst = pmm_alloc_frame(), *s = user_table(src), *d;

	if (!dst)
		return 0;
	d = user_table(dst);
	memset(d, 0, PAGE_SIZE);
	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		uint64_t child;

		if (!(s[i] & PTE_P))
			continue;
		if (level == 1) {
			child = shared_leaf(&s[i]);
			*pages += child != 0;
		} else {
			child = share_tree(s[i] & PTE_ADDR, level - 1, pages);
			child = child ? (s[i] & ~PTE_ADDR) | child : 0;
		}
		if (!child) {
			drop_tree(dst, level);
			return 0;
		}
		d[i] = child;
	}
	return dst;
}

uint64_t arch_as_fork_cow(uint64_t src_root, uint64_t *pages)
{
	uint64_t root = arch_as_new(), *s = user_table(src_root), *d, cr3 = read_cr3();

	*pages = 0;
	if (!root)
		return 0;
	d = user_table(root);
	for (unsigned i = 0; i < PT_ENTRIES / 2 && root; i++) {
		uint64_t child;

		if (!(s[i] & PTE_P))
			continue;
		child = share_tree(s[i] & PTE_ADDR, 3, pages);
		if (child) {
			d[i] = (s[i] & ~PTE_ADDR) | child;
		} else {
			arch_as_destroy(root);
			root = 0;
		}
	}
	if ((cr3 & PTE_ADDR) == (src_root & PTE_ADDR))
		write_cr3(cr3);      /* the parent's pages just lost PTE_W: drop their TLB entries */
	return root;
}

/* The leaf mapping va in the active space, or NULL. */
static uint64_t *user_leaf(uint64_t va)
{
	struct pt_space s = mmu_current_space();
	struct pt_walk w;

	if (va >= ARCH_USER_TOP || !pt_lookup(&s, va, &w) || w.shift != PT_SHIFT_PT)
		return NULL;
	return pt_walk_entry(&w);
}

int arch_user_protect(uint64_t va, unsigned flags)
{
	unsigned long irq = arch_irq_save();
	uint64_t *e = user_leaf(va);
	bool shared = e && ((*e & PTE_COW) || frame_ref_holders(*e & PTE_ADDR) > 1);
	int err = -E_NOENT;

	if (e && shared && (flags & PAGE_WRITE)) {
		err = paging_protect(va, flags & ~PAGE_WRITE);
		*e |= PTE_COW;       /* writable once it is private */
	} else if (e) {
		err = paging_protect(va, flags);   /* rewrites the leaf: PTE_COW goes */
	}
	arch_irq_restore(irq);
	return err;
}

/* Makes the COW page at va private: 0, or -E_NOMEM. */
static int cow_break(uint64_t *e, uint64_t va)
{
	uint64_t old = *e & PTE_ADDR, leaf;

	if (frame_ref_holders(old) == 1) {
		*e = (*e & ~PTE_COW) | PTE_W;     /* the others let go: it is ours */
	} else {
		leaf = copied_leaf(*e);
		if (!leaf)
			return -E_NOMEM;
		*e = (leaf & ~PTE_COW) | PTE_W;
		frame_ref_drop(old);
	}
	invlpg(va);
	return 0;
}

bool cow_fault(struct interrupt_frame *f)
{
	char what[96];           /* on this stack: CPUs may report at once */
	uint64_t va = read_cr2(), *e;
	bool user = f->cs & 3;

	if ((f->error_code & (PF_PRESENT | PF_WRITE)) != (PF_PRESENT | PF_WRITE))
		return false;
	if (!user && !user_fixup_known(f->rip))
		return false;
	e = user_leaf(va);
	if (!e || !(*e & PTE_COW))
		return false;
	if (!cow_break(e, va))
		return true;
	fmt_snprintf(what, sizeof(what), "out of memory for a copy-on-write page at 0x%llx",
		     (unsigned long long)va);
	user_kill(what, user);
	return user;
}
