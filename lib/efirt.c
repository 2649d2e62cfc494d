/*
 * UEFI runtime regions: selection and virtual placement for
 * SetVirtualAddressMap (see efirt.h). Pure code, any context.
 */
#include "lib/efirt.h"
#include <stdbool.h>

#include "lib/errno.h"
#include "lib/memmap.h"
#include "lib/string.h"

/* Fields of EFI_MEMORY_DESCRIPTOR (UEFI 2.10, 7.2), by offset: the stride is the firmware's. */
#define DESC_TYPE     0
#define DESC_PHYS     8
#define DESC_VIRT     16
#define DESC_PAGES    24
#define DESC_ATTR     32

#define PAGES_PER_PT  512ull
#define PAGES_PER_PD  (512ull * 512ull)

static uint64_t field64(const uint8_t *d, size_t off)
{
	uint64_t v;

	memcpy(&v, d + off, 8);
	return v;
}

static bool stride_ok(size_t desc_size)
{
	return desc_size >= UEFI_MEM_DESC_MIN_SIZE && desc_size % 8 == 0;
}

static uint32_t kind_of(uint32_t type, uint64_t attr)
{
	if (type == UEFI_MEM_RUNTIME_CODE)
		return EFIRT_CODE;
	if (type == UEFI_MEM_MMIO || type == UEFI_MEM_MMIO_PORT_SPACE ||
	    !(attr & (EFIRT_ATTR_WB | EFIRT_ATTR_WT | EFIRT_ATTR_WC)))
		return EFIRT_MMIO;
	return EFIRT_DATA;
}

uint64_t efirt_runtime_pages(const void *map, size_t map_size, size_t desc_size)
{
	const uint8_t *d = map;
	uint64_t total = 0, n;

	if (!stride_ok(desc_size))
		return 0;
	for (size_t off = 0; off + desc_size <= map_size; off += desc_size) {
		if (!(field64(d + off, DESC_ATTR) & EFIRT_ATTR_RUNTIME))
			continue;
		n = field64(d + off, DESC_PAGES);
		total = total + n < total ? UINT64_MAX : total + n;
	}
	return total;
}

uint64_t efirt_tables_needed(uint64_t pages)
{
	return 1 + (pages + PAGES_PER_PD - 1) / PAGES_PER_PD +
	       (pages + PAGES_PER_PT - 1) / PAGES_PER_PT;
}

/* One runtime descriptor into out, placed at base + *used pages. */
static int place(uint8_t *d, uint64_t base, uint64_t window_pages, uint64_t *used,
		 struct efirt_region *out)
{
	uint64_t phys = field64(d, DESC_PHYS), pages = field64(d, DESC_PAGES);
	uint64_t attr = field64(d, DESC_ATTR), virt;
	uint32_t type;

	if (phys % EFIRT_PAGE || pages == 0 || pages > (UINT64_MAX - phys) / EFIRT_PAGE)
		return -E_INVAL;
	if (pages > window_pages - *used)
		return -E_RANGE;
	memcpy(&type, d + DESC_TYPE, 4);
	virt = base + *used * EFIRT_PAGE;
	memcpy(d + DESC_VIRT, &virt, 8);
	*out = (struct efirt_region){ .phys = phys, .virt = virt, .pages = pages,
				      .kind = kind_of(type, attr),
				      .uncached = !(attr & ~(EFIRT_ATTR_UC | EFIRT_ATTR_RUNTIME) & 0xfull) };
	*used += pages;
	return 0;
}

int efirt_assign(void *map, size_t map_size, size_t desc_size, uint64_t base,
		 uint64_t window, struct efirt_region *out, size_t cap, size_t *count)
{
	uint8_t *d = map;
	uint64_t used = 0;
	size_t n = 0;
	int err;

	*count = 0;
	if (!stride_ok(desc_size) || base % EFIRT_PAGE)
		return -E_INVAL;
	for (size_t off = 0; off + desc_size <= map_size; off += desc_size) {
		if (!(field64(d + off, DESC_ATTR) & EFIRT_ATTR_RUNTIME))
			continue;
		if (n == cap)
			return -E_NOSPC;
		err = place(d + off, base, window / EFIRT_PAGE, &used, &out[n]);
		if (err)
			return err;
		n++;
	}
	*count = n;
	return 0;
}

const char *efirt_kind_name(uint32_t kind)
{
	switch (kind) {
	case EFIRT_CODE: return "code";
	case EFIRT_DATA: return "data";
	case EFIRT_MMIO: return "mmio";
	default:         return "?";
	}
}
