/*
 * The kernel's frame reference table (see frame_ref.h): one byte per frame
 * of the pool's span, in a run of frames taken from the pool at boot. A
 * frame outside the table (or no table) is always singly held: share
 * refuses and drop frees at once.
 */
#include "kernel/arch.h"
#include "kernel/kprintf.h"
#include "kernel/mm/frame_ref.h"
#include "kernel/mm/pmm.h"
#include "lib/compiler.h"

static struct frame_refs table;
static uint64_t table_frames;

void frame_ref_init(void)
{
	uint64_t frames = pmm_frame_span();
	uint64_t bytes = ALIGN_UP((uint64_t)frame_refs_bytes(frames), PMM_FRAME_SIZE);
	uint64_t run = pmm_alloc_run(bytes / PMM_FRAME_SIZE, PMM_FRAME_SIZE);

	if (!run) {
		kprintf("frame_ref: no %llu KiB for reference counts: fork copies every page\n",
			(unsigned long long)(bytes >> 10));
		return;
	}
	table_frames = bytes / PMM_FRAME_SIZE;
	frame_refs_init(&table, (void *)(DIRECT_MAP_BASE + run), frames);
	kprintf("frame_ref: reference counts for %llu frames in %llu KiB (1 byte per frame)\n",
		(unsigned long long)frames, (unsigned long long)(bytes >> 10));
}

int frame_ref_share(uint64_t phys)
{
	return frame_refs_share(&table, phys);
}

void frame_ref_drop(uint64_t phys)
{
	if (frame_refs_drop(&table, phys) != 0)   /* the last holder, or not in the table */
		pmm_free_frame(phys);
}

unsigned frame_ref_holders(uint64_t phys)
{
	return frame_refs_holders(&table, phys);
}

uint64_t frame_ref_table_bytes(void)
{
	return table_frames * PMM_FRAME_SIZE;
}
