/*
 * UEFI runtime regions (UEFI 2.10, 8.4 SetVirtualAddressMap; 7.2 memory
 * attributes): picks the firmware memory-map descriptors that carry
 * EFIRT_ATTR_RUNTIME, gives each one a virtual address in a window of the
 * kernel half, writes it into the descriptor's VirtualStart (so the map can
 * go straight to SetVirtualAddressMap) and lists the result for the kernel.
 *
 * Pure: plain memory in, plain memory out. The loader calls it right after
 * ExitBootServices; host tests and a fuzz target call it on made-up maps.
 */
#ifndef EMBER_LIB_EFIRT_H
#define EMBER_LIB_EFIRT_H

#include <stddef.h>
#include <stdint.h>

#define EFIRT_ATTR_UC       0x1ull
#define EFIRT_ATTR_WC       0x2ull
#define EFIRT_ATTR_WT       0x4ull
#define EFIRT_ATTR_WB       0x8ull
#define EFIRT_ATTR_RUNTIME  (1ull << 63)

#define EFIRT_PAGE          4096ull

/* What a runtime region holds, which decides how it is mapped. */
enum efirt_kind {
	EFIRT_CODE = 1,    /* RuntimeServicesCode: executable and writable (PE images) */
	EFIRT_DATA,        /* RuntimeServicesData and anything else in RAM: no-execute */
	EFIRT_MMIO,        /* memory-mapped I/O (flash, PCIe config): uncached, no-execute */
};

/* One region as the kernel is told of it (boot-info layout: 32 bytes). */
struct efirt_region {
	uint64_t phys;       /* physical base, page-aligned */
	uint64_t virt;       /* the virtual base given to SetVirtualAddressMap */
	uint64_t pages;      /* 4 KiB pages */
	uint32_t kind;       /* enum efirt_kind */
	uint32_t uncached;   /* 1: the firmware asked for UC only (map PCD) */
};
_Static_assert(sizeof(struct efirt_region) == 32, "efirt_region: boot-info layout");

/*
 * Select and place: every descriptor of the map (desc_size stride, >= 40,
 * multiple of 8) with EFIRT_ATTR_RUNTIME gets virt = base + the pages of the
 * regions before it, in map order, and that virt written to its VirtualStart
 * (other descriptors' VirtualStart is left alone). Regions go to out[0..cap)
 * and *count. 0, or -E_INVAL (bad stride, a runtime descriptor that is
 * misaligned, empty or wraps), -E_RANGE (the runtime regions need more than
 * window bytes), -E_NOSPC (more than cap regions). On error nothing is
 * guaranteed about VirtualStart: do not call SetVirtualAddressMap.
 */
int efirt_assign(void *map, size_t map_size, size_t desc_size, uint64_t base,
		 uint64_t window, struct efirt_region *out, size_t cap, size_t *count);

/* Runtime pages in the map (0 when the stride is bad); saturates. */
uint64_t efirt_runtime_pages(const void *map, size_t map_size, size_t desc_size);

/*
 * Page-table pages that mapping `pages` consecutive 4 KiB pages from a
 * 1 GiB-aligned base below one PML4 slot takes: the PDPT, one PD per GiB,
 * one PT per 2 MiB.
 */
uint64_t efirt_tables_needed(uint64_t pages);

/* "code", "data", "mmio" or "?". */
const char *efirt_kind_name(uint32_t kind);

#endif
