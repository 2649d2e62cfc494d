/*
 * The x86_64 page-table format (Intel SDM vol. 3, 4.5): entry bits, the
 * 4-level index layout and the PAT memory types. Shared by the look-ups in
 * mmu.c and the paging API in paging.c. Any context.
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

/* 4-level paging: 512 entries per table; each level's index starts at a shift. */
#define PT_ENTRIES    512
#define SHIFT_PML4    39
#define SHIFT_PDPT    30            /* a PDPT entry may map 1 GiB */
#define SHIFT_PD      21            /* a PD entry may map 2 MiB */
#define SHIFT_PT      12

#ifndef __ASSEMBLER__
#include <stdint.h>

static inline unsigned pt_index(uint64_t virt, unsigned shift)
{
	return (virt >> shift) & (PT_ENTRIES - 1);
}

/* Sign-extends bit 47: the canonical form of a 48-bit address. */
static inline uint64_t pt_canonical(uint64_t virt)
{
	return (uint64_t)((int64_t)(virt << 16) >> 16);
}

/* Map virt -> phys (4 KiB, flags | PTE_P) in existing tables; 0, -E_INVAL, -E_NOENT, -E_EXIST. */
int mmu_map_4k(uint64_t virt, uint64_t phys, uint64_t flags);
#endif

#ifndef __ASSEMBLER__
/* PTE_NX when the CPU has NX (EFER.NXE on), else 0: the bit the kernel sets
 * for no-execute. Set once by arch_handoff_check; the loader has its own. */
extern uint64_t mmu_nx;
#endif

#endif
