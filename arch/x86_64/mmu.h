/* x86_64 page-table entry bits (Intel SDM vol. 3, 4.5). */
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
#define PTE_NX        (1ull << 63)
#define PTE_ADDR      0x000ffffffffff000ull

#define PAT_WC        1             /* memory type encoding for write-combining */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Map virt -> phys (4 KiB, flags | PTE_P) in existing tables; 0, -E_INVAL, -E_NOENT, -E_EXIST. */
int mmu_map_4k(uint64_t virt, uint64_t phys, uint64_t flags);
#endif

#endif
