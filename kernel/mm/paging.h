/*
 * The paging API: map, unmap, translate and re-protect pages of the current
 * address space (the one CR3 or its equivalent points at), with portable
 * PAGE_* flags. The table format is the architecture's business
 * (implemented under arch/, x86_64: 4-level tables); this header is all the
 * portable kernel sees.
 *
 * Pages are 4 KiB or 2 MiB (PAGE_SIZE, PAGE_SIZE_2M); unmap, translate and
 * protect also accept the 1 GiB pages of the direct map. Page-table pages
 * come from the frame allocator and go back to it when an unmap (or a failed
 * map) leaves them empty; the loader's tables and the kernel half's top
 * level below the root stay, so that future address spaces can share them.
 * Every change invalidates the TLB entry it affects.
 *
 * W^X: a page is never both writable and executable; map and protect refuse
 * PAGE_WRITE | PAGE_EXEC, and paging_verify() checks the whole tree.
 *
 * Context: task context (maps allocate frames); each call runs with
 * interrupts off. Not for IRQ handlers.
 */
#ifndef EMBER_KERNEL_PAGING_H
#define EMBER_KERNEL_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#define PAGE_SIZE     0x1000ull
#define PAGE_SIZE_2M  0x200000ull
#define PAGE_SIZE_1G  0x40000000ull

/* Without PAGE_WRITE a page is read-only; without PAGE_EXEC, no-execute. */
#define PAGE_WRITE  (1u << 0)
#define PAGE_EXEC   (1u << 1)
#define PAGE_USER   (1u << 2)   /* reachable from user mode */
#define PAGE_WC     (1u << 3)   /* write-combining (framebuffers) */
#define PAGE_UC     (1u << 4)   /* uncached (device registers) */
#define PAGE_FLAGS  0x1fu       /* every flag above */

/* What a virtual address maps to. */
struct page_mapping {
	uint64_t phys;    /* physical address of virt itself (offset included) */
	uint64_t size;    /* size of the page holding it */
	unsigned flags;   /* PAGE_* in effect (every table level considered) */
};

/* What paging_verify() saw. */
struct paging_census {
	uint64_t tables;      /* page-table pages, the root included */
	uint64_t pages_4k;
	uint64_t pages_2m;
	uint64_t pages_1g;
	uint64_t violations;  /* broken invariants, each printed */
};

/* Checks the tables the loader left (paging_verify) and the cache types. */
void paging_init(void);

/*
 * Maps one page of size PAGE_SIZE or PAGE_SIZE_2M at virt to phys (both
 * aligned to size). Returns 0, -E_INVAL (bad size, alignment, address or
 * flags, W+X), -E_EXIST (virt, or part of the 2 MiB, already mapped) or
 * -E_NOMEM (no frame for a page table; nothing is left half-built).
 */
int paging_map(uint64_t virt, uint64_t phys, uint64_t size, unsigned flags);

/*
 * Unmaps the page starting at virt and reports what it mapped in *old (if
 * not NULL); the frame stays the caller's. Returns 0, -E_NOENT (nothing
 * mapped) or -E_INVAL (virt lies inside a larger page, not at its start).
 */
int paging_unmap(uint64_t virt, struct page_mapping *old);

/* Whether virt is mapped; if so fills *out. */
bool paging_translate(uint64_t virt, struct page_mapping *out);

/* Replaces the flags of the page starting at virt; errors as paging_unmap. */
int paging_protect(uint64_t virt, unsigned flags);

/*
 * Walks every page table: no page both writable and executable, the kernel's
 * sections with their ELF permissions (text RX, rodata R, data and bss RW),
 * no page-table page free in the frame allocator. Prints each violation;
 * returns 0 or -E_INVAL. Fills *out when not NULL.
 */
int paging_verify(struct paging_census *out);

#endif
