/*
 * Fuzz target: UEFI runtime-region placement (lib/efirt.c). Input: a stride
 * byte (0: 40, 1: 48, else byte * 8, which may be invalid), a window byte
 * (window = (byte + 1) * 4 KiB, or 1 GiB when 0xff), then raw
 * descriptors. Invariants: success gives at most cap regions, placed back to
 * back from the base inside the window, each page-aligned, non-empty and
 * not wrapping, its virt written into the n-th runtime descriptor's
 * VirtualStart; failure reports no regions; nothing is read past the input.
 */
#include <string.h>

#include "lib/efirt.h"
#include "lib/errno.h"
#include "test/fuzz/fuzz.h"

#define BASE 0xffffd00000000000ull
#define CAP  16

static void check_placed(const uint8_t *map, size_t size, size_t stride,
			 const struct efirt_region *r, size_t n, uint64_t window)
{
	uint64_t next = BASE, attr, virt;
	size_t i = 0;

	FUZZ_CHECK(n <= CAP);
	for (size_t off = 0; off + stride <= size; off += stride) {
		memcpy(&attr, map + off + 32, 8);
		if (!(attr & EFIRT_ATTR_RUNTIME))
			continue;
		FUZZ_CHECK(i < n);
		memcpy(&virt, map + off + 16, 8);
		FUZZ_CHECK(virt == r[i].virt);
		FUZZ_CHECK(r[i].virt == next);
		FUZZ_CHECK(r[i].phys % EFIRT_PAGE == 0 && r[i].pages > 0);
		FUZZ_CHECK(r[i].phys + r[i].pages * EFIRT_PAGE > r[i].phys);
		FUZZ_CHECK(r[i].kind >= EFIRT_CODE && r[i].kind <= EFIRT_MMIO);
		next += r[i].pages * EFIRT_PAGE;
		i++;
	}
	FUZZ_CHECK(i == n);
	FUZZ_CHECK(next - BASE <= window);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct efirt_region r[CAP];
	uint8_t *map;
	size_t stride, n = 99;
	uint64_t window;
	int err;

	if (size < 2)
		return 0;
	stride = data[0] == 0 ? 40 : data[0] == 1 ? 48 : data[0] * 8u;
	window = data[1] == 0xff ? 1ull << 30 : (data[1] + 1ull) * EFIRT_PAGE;
	map = malloc(size - 2 + 1);
	FUZZ_CHECK(map);
	memcpy(map, data + 2, size - 2);
	err = efirt_assign(map, size - 2, stride, BASE, window, r, CAP, &n);
	if (err)
		FUZZ_CHECK(n == 0 && (err == -E_INVAL || err == -E_RANGE || err == -E_NOSPC));
	else
		check_placed(map, size - 2, stride, r, n, window);
	(void)efirt_runtime_pages(map, size - 2, stride);
	free(map);
	return 0;
}
