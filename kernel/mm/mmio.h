/*
 * Device memory: register windows (MMIO) and DMA buffers, both mapped
 * uncached (PAGE_UC) in a window of their own, never through the
 * write-back direct map.
 *
 * mmio_map: maps [phys, phys + len) (any alignment; whole pages around it)
 * and returns the virtual address of phys, or NULL (bad range, no frame for
 * a page table, window full). Mappings are never removed: register windows
 * live as long as the kernel.
 *
 * dma_alloc: bytes (rounded up to pages) of physically contiguous,
 * page-aligned, zeroed RAM mapped uncached; *phys gets its bus address
 * (physical = bus address: no IOMMU is programmed). NULL when memory is
 * short. dma_free gives the frames back; the virtual range is not reused
 * (the window is 512 GiB), so drivers keep their buffers for reuse rather
 * than allocate per transfer.
 *
 * Context: task context (maps allocate page tables); not for IRQ handlers.
 */
#ifndef EMBER_KERNEL_MMIO_H
#define EMBER_KERNEL_MMIO_H

#include <stddef.h>
#include <stdint.h>

#define MMIO_WINDOW_BASE  0xffffd00000000000ull  /* one top-level slot, NX, UC */
#define MMIO_WINDOW_SIZE  (512ull << 30)

void *mmio_map(uint64_t phys, uint64_t len);

void *dma_alloc(size_t bytes, uint64_t *phys);
void dma_free(void *virt, uint64_t phys, size_t bytes);

/* Bytes of the window handed out so far. */
uint64_t mmio_window_used(void);

/* 32- and 64-bit register access that the compiler neither merges nor drops. */
static inline uint32_t mmio_read32(const volatile void *p)
{
	return *(const volatile uint32_t *)p;
}

static inline void mmio_write32(volatile void *p, uint32_t v)
{
	*(volatile uint32_t *)p = v;
}

/* Two 32-bit accesses, low half first: xHCI allows this for 64-bit registers. */
static inline uint64_t mmio_read64(const volatile void *p)
{
	const volatile uint32_t *w = p;
	uint64_t lo = w[0];

	return lo | ((uint64_t)w[1] << 32);
}

static inline void mmio_write64(volatile void *p, uint64_t v)
{
	volatile uint32_t *w = p;

	w[0] = (uint32_t)v;
	w[1] = (uint32_t)(v >> 32);
}

#endif
