/*
 * Device registers (see mmio.h): a bump allocator over the MMIO window,
 * each page mapped writable, no-execute and uncached through the paging
 * API. Main flow or task context.
 */
#include "kernel/kprintf.h"
#include "kernel/mm/mmio.h"
#include "kernel/mm/paging.h"

static uint64_t window_next = MMIO_BASE;

volatile void *mmio_map(uint64_t phys, uint64_t size)
{
	uint64_t first = phys & ~(PAGE_SIZE - 1), virt = window_next, pages;

	if (!size || phys + size < phys || phys + size > (1ull << 52))
		return NULL;
	pages = (phys + size - first + PAGE_SIZE - 1) / PAGE_SIZE;
	if (pages > (MMIO_BASE + MMIO_WINDOW_SIZE - virt) / PAGE_SIZE)
		return NULL;
	for (uint64_t i = 0; i < pages; i++) {
		int err = paging_map(virt + i * PAGE_SIZE, first + i * PAGE_SIZE, PAGE_SIZE,
				     PAGE_WRITE | PAGE_UC);
		if (err) {
			kprintf("mmio: cannot map %#llx: error %d\n",
				(unsigned long long)(first + i * PAGE_SIZE), err);
			while (i--)
				paging_unmap(virt + i * PAGE_SIZE, NULL);
			return NULL;
		}
	}
	window_next = virt + pages * PAGE_SIZE;
	return (volatile void *)(virt + (phys - first));
}

uint64_t mmio_window_used(void)
{
	return window_next - MMIO_BASE;
}
