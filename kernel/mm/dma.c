/*
 * DMA buffers (see dma.h): contiguous frames from the frame allocator,
 * mapped uncached through mmio_map. Main flow or task context.
 */
#include "kernel/mm/dma.h"
#include "kernel/mm/mmio.h"
#include "kernel/mm/paging.h"
#include "kernel/mm/pmm.h"
#include "lib/string.h"

void *dma_alloc(size_t bytes, uint64_t *phys)
{
	uint64_t pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE, p;
	volatile void *v;

	if (!pages)
		return NULL;
	p = pmm_alloc_run(pages, PAGE_SIZE);
	if (!p)
		return NULL;
	v = mmio_map(p, pages * PAGE_SIZE);
	if (!v) {
		pmm_free_run(p, pages);
		return NULL;
	}
	memset((void *)v, 0, pages * PAGE_SIZE);
	*phys = p;
	return (void *)v;
}
