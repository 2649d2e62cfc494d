/*
 * Frame reference counts: how many address spaces map a frame, so that fork
 * can share a process's pages copy-on-write and the last unmap gives the
 * frame back to the pool.
 *
 * The count is stored as "holders beyond the first" in one byte per frame
 * of the pool's span (1/4096 of RAM: 256 KiB per GiB), so a frame that only
 * one mapping holds (almost every frame) costs nothing to track: free and
 * singly held frames both read 0. A byte saturates at FRAME_REF_MAX holders;
 * a caller that cannot add one more copies the frame instead. Updates are
 * atomic (lock cmpxchg), so CPUs may share and drop concurrently: only a
 * holder adds a holder, and the drop that finds 0 is the last one.
 *
 * Two layers, as the frame allocator has:
 *  - the core (frame_refs_*, frame_ref_core.c): pure code over a caller's
 *    byte table, built into host tests unchanged;
 *  - the kernel's table (frame_ref_*, frame_ref.c): sized from the pool,
 *    its bytes taken from the pool at frame_ref_init. Without it (no memory
 *    for the table) every share fails and fork copies: slower, still right.
 * Any context but NMI.
 */
#ifndef EMBER_KERNEL_MM_FRAME_REF_H
#define EMBER_KERNEL_MM_FRAME_REF_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_REF_MAX 256    /* holders of one frame a byte can count */

/* A table of counts for frames [0, frames). */
struct frame_refs {
	uint8_t *extra;      /* extra[f]: holders of frame f beyond the first */
	uint64_t frames;
};

/* ---- the core: pure code -------------------------------------------------- */

/* Bytes of table for frames [0, frames). */
size_t frame_refs_bytes(uint64_t frames);

/* Builds r over mem[0..frame_refs_bytes(frames)), which it zeroes. */
void frame_refs_init(struct frame_refs *r, void *mem, uint64_t frames);

/*
 * One more holder of the frame at phys (the caller holds it already).
 * 0, -E_NOENT (outside the table, or no table) or -E_BUSY (FRAME_REF_MAX
 * holders already). Nothing changes on error.
 */
int frame_refs_share(struct frame_refs *r, uint64_t phys);

/*
 * One holder less. Returns 1 when that was the last holder (the caller
 * frees the frame), 0 when others still hold it, -E_NOENT outside the table.
 */
int frame_refs_drop(struct frame_refs *r, uint64_t phys);

/* Holders of the frame at phys (1 for a frame only one mapping holds, or outside). */
unsigned frame_refs_holders(const struct frame_refs *r, uint64_t phys);

/* ---- the kernel's table --------------------------------------------------- */

/* Takes the table's bytes from the pool. Once, after pmm_init. */
void frame_ref_init(void);

/* As frame_refs_share on the kernel's table. */
int frame_ref_share(uint64_t phys);

/* One holder less; the last one gives the frame back to the pool. */
void frame_ref_drop(uint64_t phys);

unsigned frame_ref_holders(uint64_t phys);

/* Bytes the kernel's table takes (0 without a table), for the docs and `mem`. */
uint64_t frame_ref_table_bytes(void);

#endif
