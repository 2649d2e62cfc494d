/*
 * The x86_64 page-table format (Intel SDM vol. 3, 4.5) and the one walker
 * over it: entry bits, the 4-level index layout, the PAT decode (SDM 11.12.3)
 * and pt_walk, which follows an address down a tree of tables, creating the
 * missing ones when given an allocator.
 *
 * Header-only and free of instructions, so the loader (tables identity-mapped
 * under UEFI), the kernel (tables read through the direct map) and the host
 * tests (tables in plain memory) compile the same walk. The caller says how a
 * table's physical address becomes a pointer (struct pt_space). Any context;
 * the caller keeps the tables from changing under the walk.
 */
#ifndef EMBER_ARCH_MMU_H
#define EMBER_ARCH_MMU_H

#define PTE_P         (1ull << 0)   /* present */
#define PTE_W         (1ull << 1)   /* writable */
#define PTE_U         (1ull << 2)   /* user */
#define PTE_PWT       (1ull << 3)
#define PTE_PCD       (1ull << 4)
#define PTE_A         (1ull << 5)
#define PTE_D         (1ull << 6)
#define PTE_PS        (1ull << 7)   /* large page (PDPT/PD entries) */
#define PTE_PAT_4K    (1ull << 7)   /* PAT bit of a 4 KiB entry */
#define PTE_G         (1ull << 8)
#define PTE_PAT_LARGE (1ull << 12)  /* PAT bit of a 2 MiB / 1 GiB entry */
#define PTE_NX        (1ull << 63)  /* reserved (faults) unless EFER.NXE: use mmu_nx */
#define PTE_ADDR      0x000ffffffffff000ull

#define PAT_UC        0             /* memory type encodings in the PAT MSR */
#define PAT_WC        1
#define PAT_UC_MINUS  7

/*
 * 4-level paging: 512 entries per table. A level is named by the shift of
 * the address bits its index takes; a leaf at a level maps 2^shift bytes.
 */
#define PT_ENTRIES    512
#define PT_LEVELS     4
#define PT_SHIFT_PML4 39
#define PT_SHIFT_PDPT 30            /* a PDPT entry may map 1 GiB */
#define PT_SHIFT_PD   21            /* a PD entry may map 2 MiB */
#define PT_SHIFT_PT   12            /* a PT entry maps 4 KiB */
#define PT_SHIFT_STEP 9             /* from one level to the next */

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/errno.h"

/* The index of virt's entry in the table of the level `shift`. */
static inline unsigned pt_index(uint64_t virt, unsigned shift)
{
	return (virt >> shift) & (PT_ENTRIES - 1);
}

/* Sign-extends bit 47: the canonical form of a 48-bit address. */
static inline uint64_t pt_canonical(uint64_t virt)
{
	return (uint64_t)((int64_t)(virt << 16) >> 16);
}

/* Whether present entry e at level shift maps memory (rather than a table). */
static inline bool pt_is_leaf(uint64_t e, unsigned shift)
{
	return shift == PT_SHIFT_PT || (shift != PT_SHIFT_PML4 && (e & PTE_PS));
}

/* The frame a leaf at level shift maps (the PAT bit of a large leaf dropped). */
static inline uint64_t pt_leaf_phys(uint64_t e, unsigned shift)
{
	return e & PTE_ADDR & ~((1ull << shift) - 1);
}

/* ---- PAT: which of the 8 PAT entries a leaf selects (SDM 11.12.3) ---------- */

static inline unsigned pt_pat_index(uint64_t e, unsigned shift)
{
	uint64_t pat = shift == PT_SHIFT_PT ? PTE_PAT_4K : PTE_PAT_LARGE;

	return ((e & PTE_PWT) ? 1 : 0) | ((e & PTE_PCD) ? 2 : 0) | ((e & pat) ? 4 : 0);
}

/* The entry bits selecting PAT entry idx in a leaf at level shift. */
static inline uint64_t pt_pat_bits(unsigned idx, unsigned shift)
{
	uint64_t pat = shift == PT_SHIFT_PT ? PTE_PAT_4K : PTE_PAT_LARGE;

	return ((idx & 1) ? PTE_PWT : 0) | ((idx & 2) ? PTE_PCD : 0) | ((idx & 4) ? pat : 0);
}

/* The memory type (PAT_*) entry idx of a PAT MSR value holds. */
static inline unsigned pt_pat_type(uint64_t pat_msr, unsigned idx)
{
	return (pat_msr >> (idx * 8)) & 7;
}

/* ---- the walk ---------------------------------------------------------------- */

/*
 * One tree of tables. A table at physical p is read at p + phys_offset
 * (0 under UEFI's identity map, DIRECT_MAP_BASE in the kernel). alloc_table
 * returns the physical address of a page for a new table (the walk zeroes
 * it), or 0 when there is none; NULL means the walk never creates tables.
 */
struct pt_space {
	uint64_t root;
	uint64_t phys_offset;
	uint64_t (*alloc_table)(void *arg);
	void *alloc_arg;
};

/*
 * Where a walk stopped: entry[0..depth-1] are the entries visited, top level
 * first (entry[i] is at level PT_SHIFT_PML4 - i * PT_SHIFT_STEP); the last is
 * at level `shift`. writable/executable/user are in effect across the present
 * entries visited, as found (all levels must allow them).
 */
struct pt_walk {
	uint64_t *entry[PT_LEVELS];
	unsigned depth, shift;
	bool writable, executable, user;
};

static inline uint64_t *pt_table(const struct pt_space *s, uint64_t phys)
{
	return (uint64_t *)(uintptr_t)((phys & PTE_ADDR) + s->phys_offset);
}

/* The last entry a walk visited. */
static inline uint64_t *pt_walk_entry(const struct pt_walk *w)
{
	return w->entry[w->depth - 1];
}

/* Whether the walk ended on a present leaf: virt is mapped by it. */
static inline bool pt_walk_mapped(const struct pt_walk *w)
{
	uint64_t e = *pt_walk_entry(w);

	return (e & PTE_P) && pt_is_leaf(e, w->shift);
}

/* Points *e at a fresh zeroed table: -E_NOMEM without an allocator or a page. */
static inline int pt_new_table(const struct pt_space *s, uint64_t *e, uint64_t table_flags)
{
	uint64_t phys = s->alloc_table ? s->alloc_table(s->alloc_arg) : 0;
	uint64_t *t = pt_table(s, phys);

	if (!phys)
		return -E_NOMEM;
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		t[i] = 0;
	*e = (phys & PTE_ADDR) | table_flags | PTE_P;
	return 0;
}

/*
 * Follows virt from the top-level table down to the level `stop`, and stops
 * early at a leaf above it, or at an entry not present when it may not create
 * tables (create false, or no allocator: -E_NOMEM only when an allocation is
 * tried and fails). Tables created get entry bits table_flags | PTE_P; the
 * PTE_U of table_flags is also set in the existing entries on the way. The
 * caller checks canonical form and tells the cases apart by w->shift and
 * pt_walk_mapped. 0 or -E_NOMEM.
 */
static inline int pt_walk(const struct pt_space *s, uint64_t virt, unsigned stop,
			  bool create, uint64_t table_flags, struct pt_walk *w)
{
	uint64_t *t = pt_table(s, s->root);

	*w = (struct pt_walk){ .writable = true, .executable = true, .user = true };
	for (unsigned shift = PT_SHIFT_PML4;; shift -= PT_SHIFT_STEP) {
		uint64_t *e = &t[pt_index(virt, shift)];

		w->entry[w->depth++] = e;
		w->shift = shift;
		if (!(*e & PTE_P) && shift != stop && create && pt_new_table(s, e, table_flags))
			return -E_NOMEM;
		if (!(*e & PTE_P))
			return 0;
		w->writable = w->writable && (*e & PTE_W);
		w->executable = w->executable && !(*e & PTE_NX);
		w->user = w->user && (*e & PTE_U);
		if (shift == stop || pt_is_leaf(*e, shift))
			return 0;
		if (table_flags & PTE_U)
			*e |= PTE_U;
		t = pt_table(s, *e);
	}
}

/*
 * Looks virt up: true and *w at its leaf when it is mapped, false when it is
 * not (or not canonical).
 */
static inline bool pt_lookup(const struct pt_space *s, uint64_t virt, struct pt_walk *w)
{
	if (pt_canonical(virt) != virt)
		return false;
	pt_walk(s, virt, PT_SHIFT_PT, false, 0, w);
	return pt_walk_mapped(w);
}

/*
 * The entry for a page of 2^leaf bytes at virt, creating missing tables:
 * -E_EXIST when a larger page already covers virt, -E_NOENT when a table is
 * missing and s has no allocator, -E_NOMEM. *out may hold a present entry.
 */
static inline int pt_entry_for(const struct pt_space *s, uint64_t virt, unsigned leaf,
			       uint64_t table_flags, uint64_t **out)
{
	struct pt_walk w;
	int err = pt_walk(s, virt, leaf, s->alloc_table != NULL, table_flags, &w);

	if (err)
		return err;
	if (w.shift != leaf)
		return (*pt_walk_entry(&w) & PTE_P) ? -E_EXIST : -E_NOENT;
	*out = pt_walk_entry(&w);
	return 0;
}

/* ---- the kernel's tables (arch/x86_64/mmu.c; not in the loader) ----------- */

/* The tables CR3 points at, read through the direct map; no allocator. */
struct pt_space mmu_current_space(void);

/*
 * Map virt -> phys (4 KiB, flags | PTE_P) in tables that already exist:
 * 0, -E_INVAL (not canonical or not aligned), -E_NOENT (a table is missing),
 * -E_EXIST (a page, or a larger page, is there). Early boot (the IST stacks).
 */
int mmu_map_4k(uint64_t virt, uint64_t phys, uint64_t flags);
#endif

#ifndef __ASSEMBLER__
/* PTE_NX when the CPU has NX (EFER.NXE on), else 0: the bit the kernel sets
 * for no-execute. Set once by arch_handoff_check; the loader has its own. */
extern uint64_t mmu_nx;
#endif

#endif
