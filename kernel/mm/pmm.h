/*
 * Physical memory: the frame allocator. It owns every 4 KiB frame of RAM the
 * boot memory map calls usable (and, once pmm_reclaim_boot_memory() ran, the
 * loader's reclaimable memory) and hands frames out one at a time or as
 * contiguous, aligned runs. Physical addresses are plain uint64_t; read a
 * frame through the direct map (DIRECT_MAP_BASE + phys).
 *
 * It never hands out: frame 0 or anything below 1 MiB (PMM_LOW_LIMIT: real-
 * mode and legacy BIOS areas, VGA memory, the first frame looking like NULL,
 * and the place a future SMP trampoline must live), reserved, ACPI, runtime,
 * MMIO, bad or kernel frames (the loader's page tables are kernel frames),
 * its own metadata, or a frame twice.
 *
 * Two layers:
 *  - the core (pmm_core_*, pmm_core.c): pure code over a memory map and a
 *    caller-provided metadata area, built into host tests unchanged. A
 *    hierarchical bitmap: level 0 has one bit per frame (1 = free), each
 *    level above one bit per word below it (1 = that word is not zero), up
 *    to a single word. A second flat bitmap says which frames the pool
 *    manages at all. Single frames: O(levels), at most PMM_LEVELS_MAX (7)
 *    word operations for any physical address size, i.e. O(1). Runs: first
 *    fit from low addresses, O(frames / 64) word operations in the worst
 *    case plus O(n); single frames come from the top so runs find room.
 *    The core reports misuse as error codes and is not reentrant.
 *  - the kernel's pool (pmm_*, pmm.c): one struct pmm built from the boot
 *    memory map, its metadata in a usable region it claims for itself.
 *    Every call runs with interrupts off, so any context but NMI may use it;
 *    misuse panics ("pmm: double free of frame 0x...").
 */
#ifndef EMBER_KERNEL_PMM_H
#define EMBER_KERNEL_PMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/boot_info.h"

#define PMM_FRAME_SIZE  4096ull
#define PMM_LOW_LIMIT   0x100000ull  /* frames below 1 MiB are never handed out */
#define PMM_LEVELS_MAX  7            /* 64^7 = 2^42 frames: any 52-bit address */

/* Frame counts (multiply by PMM_FRAME_SIZE for bytes). */
struct pmm_stats {
	uint64_t total;       /* frames the pool manages: free + used */
	uint64_t free;
	uint64_t used;        /* handed out, or claimed (the pool's metadata) */
	uint64_t reserved;    /* RAM in the map it never hands out: below 1 MiB,
				 kernel, ACPI, runtime, reserved, bad, persistent
				 (MMIO is not RAM and not counted) */
	uint64_t reclaimable; /* loader memory pmm_core_reclaim() has yet to add */
};

/* One pool. The fields belong to pmm_core.c. */
struct pmm {
	uint64_t *level[PMM_LEVELS_MAX]; /* level[0]: 1 bit per frame, 1 = free */
	uint64_t words[PMM_LEVELS_MAX];  /* words in each level */
	uint64_t *managed;               /* 1 bit per frame the pool may hand out */
	unsigned levels;
	uint64_t frames;                 /* bitmaps cover frames [0, frames) */
	struct pmm_stats stats;
};

/* ---- the core: pure code ------------------------------------------------- */

/*
 * Bytes of metadata pmm_core_init() needs for map[0..n): the bitmaps cover
 * every frame below the end of the highest usable or boot-reclaimable region
 * (about 1/32768 of that memory). 0 when the map has no such region.
 */
size_t pmm_core_meta_bytes(const struct mem_region *map, size_t n);

/*
 * Physical address of bytes (rounded up to frames) inside one usable region
 * above PMM_LOW_LIMIT, to hold the metadata; 0 when nothing fits.
 */
uint64_t pmm_core_find_home(const struct mem_region *map, size_t n, size_t bytes);

/*
 * Builds p over map[0..n) (sorted, disjoint, page-aligned as the loader
 * makes it) with its bitmaps in meta[0..meta_bytes), which it zeroes. Every
 * usable frame from PMM_LOW_LIMIT up starts free. Returns 0, or -E_INVAL (no
 * usable memory, NULL pointers) or -E_NOSPC (meta smaller than
 * pmm_core_meta_bytes()).
 */
int pmm_core_init(struct pmm *p, const struct mem_region *map, size_t n,
		  void *meta, size_t meta_bytes);

/* A free frame's physical address, or 0 when none is left. O(1). */
uint64_t pmm_core_alloc(struct pmm *p);

/*
 * Returns a frame to the pool. 0, -E_INVAL (not frame-aligned), -E_NOENT
 * (not a frame the pool manages) or -E_EXIST (already free: a double free).
 * Nothing changes on error. O(1).
 */
int pmm_core_free(struct pmm *p, uint64_t phys);

/*
 * n contiguous free frames whose first address is a multiple of align (a
 * power of two, at least PMM_FRAME_SIZE); the lowest such run. Returns its
 * physical address, or 0 (none, n == 0, bad align).
 */
uint64_t pmm_core_alloc_run(struct pmm *p, uint64_t n, uint64_t align);

/* Frees a run; all-or-nothing with pmm_core_free()'s errors. */
int pmm_core_free_run(struct pmm *p, uint64_t phys, uint64_t n);

/*
 * Takes the n frames at phys out of the pool for the caller (they count as
 * used). 0, -E_INVAL, -E_NOENT (not all managed) or -E_BUSY (not all free).
 */
int pmm_core_claim(struct pmm *p, uint64_t phys, uint64_t n);

/*
 * Adds every MEM_BOOT_RECLAIMABLE region of map[0..n) from PMM_LOW_LIMIT up
 * to the pool as free frames; frames it already manages are skipped, so a
 * second call adds nothing. Returns the number of frames added.
 */
uint64_t pmm_core_reclaim(struct pmm *p, const struct mem_region *map, size_t n);

/* Whether the pool manages the frame holding phys, and whether it is free. */
bool pmm_core_owns(const struct pmm *p, uint64_t phys);
bool pmm_core_is_free(const struct pmm *p, uint64_t phys);

void pmm_core_stats(const struct pmm *p, struct pmm_stats *out);

/*
 * Walks every bitmap word: each summary bit matches its word, no free frame
 * is unmanaged, the free count matches. 0 or -E_INVAL. O(frames / 64).
 */
int pmm_core_check(const struct pmm *p);

/* ---- the kernel's pool --------------------------------------------------- */

/* Builds the pool from the boot memory map (the kernel's copy). Once, early. */
void pmm_init(const struct boot_info *bi);

/* A free frame (contents undefined), or 0 when memory is exhausted. */
uint64_t pmm_alloc_frame(void);
/* Panics on a double free or a frame the pool never handed out. */
void pmm_free_frame(uint64_t phys);

/* n contiguous frames aligned to align bytes, or 0. See pmm_core_alloc_run. */
uint64_t pmm_alloc_run(uint64_t n, uint64_t align);
void pmm_free_run(uint64_t phys, uint64_t n);

/*
 * Gives the loader's memory (boot info, its map, the loader image) to the
 * pool. Call once nothing reads the loader's boot info any more (the kernel
 * works on its copy, see kernel/boot.h). Returns frames added.
 */
uint64_t pmm_reclaim_boot_memory(void);

/* Whether the pool manages the frame at phys, and whether it is free now. */
bool pmm_owns_frame(uint64_t phys);
bool pmm_frame_is_free(uint64_t phys);
void pmm_get_stats(struct pmm_stats *out);
/* Frames [0, span) cover every frame the pool may ever manage (for per-frame tables). */
uint64_t pmm_frame_span(void);
/* pmm_core_check() of the kernel's pool. */
int pmm_check(void);

#endif
