/*
 * DMA buffers for devices, and the register accessors drivers use.
 *
 * dma_alloc: bytes (rounded up to pages) of physically contiguous,
 * page-aligned, zeroed RAM, mapped uncached (through mmio_map, never the
 * write-back direct map); *phys gets its bus address (physical = bus
 * address: no IOMMU is programmed). NULL when memory or the window runs
 * out. Buffers are never freed: drivers allocate once and reuse (the xHCI
 * driver keeps one set per device slot across hot-plug).
 *
 * Context: main flow or task context (maps allocate page tables).
 */
#ifndef EMBER_KERNEL_DMA_H
#define EMBER_KERNEL_DMA_H

#include <stddef.h>
#include <stdint.h>

void *dma_alloc(size_t bytes, uint64_t *phys);

/* 32- and 64-bit register access that the compiler neither merges nor drops. */
static inline uint32_t mmio_read32(const volatile void *p)
{
	return *(const volatile uint32_t *)p;
}

static inline void mmio_write32(volatile void *p, uint32_t v)
{
	*(volatile uint32_t *)p = v;
}

/* Two 32-bit accesses, low half first (xHCI 1.2 section 5.1 allows it). */
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
