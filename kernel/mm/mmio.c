/*
 * Device memory (see mmio.h): a bump allocator over the MMIO window, each
 * page mapped writable, no-execute and uncached through the paging API.
 * Task context.
 */
#include "kernel/kprintf.h"
#include "kernel/mm/mmio.h"
#include "kernel/mm/paging.h"
#include "kernel/mm/pmm.h"
#include "lib/string.h"

static uint64_t window_next = MMIO_WINDOW_BASE;

/* Maps pages pages at phys (page-aligned) in a fresh part of the window. */
static void *map_pages(uint64_t phys, uint64_t pages)
{
	uint64_t virt = window_next;

	if (pages > (MMIO_WINDOW_BASE + MMIO_WINDOW_SIZE - virt) / PAGE_SIZE)
		return NULL;
	for (uint64_t i = 0; i < pages; i++) {
		int err = paging_map(virt + i * PAGE_SIZE, phys + i * PAGE_SIZE, PAGE_SIZE,
				     PAGE_WRITE | PAGE_UC);
		if (err) {
			kprintf("mmio: cannot map %#llx: error %d\n",
				(unsigned long long)(phys + i * PAGE_SIZE), err);
			while (i--)
				paging_unmap(virt + i * PAGE_SIZE, NULL);
			return NULL;
		}
	}
	window_next = virt + pages * PAGE_SIZE + PAGE_SIZE;  /* a hole between mappings */
	return (void *)virt;
}

void *mmio_map(uint64_t phys, uint64_t len)
{
	uint64_t first = phys & ~(PAGE_SIZE - 1);
	uint8_t *v;

	if (!len || phys + len < phys || phys + len > (1ull << 52))
		return NULL;
	v = map_pages(first, (phys + len - first + PAGE_SIZE - 1) / PAGE_SIZE);
	return v ? v + (phys - first) : NULL;
}

void *dma_alloc(size_t bytes, uint64_t *phys)
{
	uint64_t pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	uint64_t p;
	void *v;

	if (!pages)
		return NULL;
	p = pmm_alloc_run(pages, PAGE_SIZE);
	if (!p)
		return NULL;
	v = map_pages(p, pages);
	if (!v) {
		pmm_free_run(p, pages);
		return NULL;
	}
	memset(v, 0, pages * PAGE_SIZE);
	*phys = p;
	return v;
}

void dma_free(void *virt, uint64_t phys, size_t bytes)
{
	uint64_t pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;

	for (uint64_t i = 0; i < pages; i++)
		paging_unmap((uint64_t)virt + i * PAGE_SIZE, NULL);
	pmm_free_run(phys, pages);
}

uint64_t mmio_window_used(void)
{
	return window_next - MMIO_WINDOW_BASE;
}
