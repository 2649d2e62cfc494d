/*
 * The MMIO window (see mmio.h): a bump allocator of virtual pages over the
 * paging API. Main flow.
 */
#include "kernel/arch.h"
#include "kernel/mm/mmio.h"
#include "kernel/mm/paging.h"

static uint64_t next = MMIO_BASE;

volatile void *mmio_map(uint64_t phys, uint64_t size)
{
	uint64_t first = phys & ~(PAGE_SIZE - 1);
	uint64_t pages = (phys + size - first + PAGE_SIZE - 1) / PAGE_SIZE;
	unsigned long flags;
	uint64_t virt, i;

	if (!size || pages > (MMIO_BASE + MMIO_WINDOW_SIZE - next) / PAGE_SIZE)
		return NULL;
	flags = arch_irq_save();
	virt = next;
	for (i = 0; i < pages; i++)
		if (paging_map(virt + i * PAGE_SIZE, first + i * PAGE_SIZE, PAGE_SIZE,
			       PAGE_WRITE | PAGE_UC) < 0)
			break;
	if (i < pages) {
		while (i--)
			paging_unmap(virt + i * PAGE_SIZE, NULL);
		arch_irq_restore(flags);
		return NULL;
	}
	next += pages * PAGE_SIZE;
	arch_irq_restore(flags);
	return (volatile void *)(virt + (phys - first));
}

uint64_t mmio_window_used(void)
{
	return next - MMIO_BASE;
}
