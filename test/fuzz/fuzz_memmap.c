/*
 * Fuzz target: memory-map normalisation (lib/memmap.c). The input is a
 * descriptor stride choice and raw UEFI descriptors. With the capacity
 * memmap_capacity_needed() names, a map whose entries do not wrap must
 * convert, and the result must be sorted, page-aligned, non-empty,
 * non-overlapping, with no two touching regions of one type, and agree with
 * a reference computed page by page at every boundary: the most restrictive
 * type of the descriptors covering the page, usable RAM shrunk to whole
 * pages inside its descriptor, everything else grown to the pages it
 * touches. Too-small capacities must fail cleanly, never write past out[cap].
 */
#include <string.h>

#include "lib/errno.h"
#include "lib/memmap.h"
#include "test/fuzz/fuzz.h"

#define PAGE      4096ull
#define LIMIT     (0ull - PAGE)
#define MAX_DESCS 64

/* Most restrictive first, as the contract in memmap.c ranks them. */
static const uint32_t rank[] = {
	MEM_BAD, MEM_RESERVED, MEM_MMIO, MEM_ACPI_NVS, MEM_RUNTIME, MEM_KERNEL,
	MEM_ACPI_RECLAIMABLE, MEM_BOOT_RECLAIMABLE, MEM_PERSISTENT, MEM_USABLE,
};

struct ref { uint64_t base, end; uint32_t type; };

static unsigned rank_of(uint32_t type)
{
	for (unsigned r = 0; r < sizeof(rank) / sizeof(rank[0]); r++)
		if (rank[r] == type)
			return r;
	abort();
}

/* Descriptor i as a page range in the reference's own arithmetic. */
static int ref_region(const uint8_t *p, struct ref *r)
{
	uint32_t type;
	uint64_t start, pages, end;

	memcpy(&type, p, 4);
	memcpy(&start, p + 8, 8);
	memcpy(&pages, p + 24, 8);
	if (pages > LIMIT / PAGE)
		return -1;
	end = start + pages * PAGE;
	if (end < start || end > LIMIT)
		return -1;
	r->type = memmap_type_from_uefi(type);
	if (r->type == MEM_USABLE) {
		r->base = (start + PAGE - 1) & ~(PAGE - 1);
		r->end = end & ~(PAGE - 1);
	} else {
		r->base = start & ~(PAGE - 1);
		r->end = (end + PAGE - 1) & ~(PAGE - 1);
	}
	return 0;
}

/* Expected type of the page at addr, 0 if no descriptor covers it. */
static uint32_t ref_type(const struct ref *r, size_t n, uint64_t addr)
{
	uint32_t best = 0;

	for (size_t i = 0; i < n; i++)
		if (r[i].base <= addr && addr < r[i].end &&
		    (!best || rank_of(r[i].type) < rank_of(best)))
			best = r[i].type;
	return best;
}

static uint32_t out_type(const struct mem_region *m, size_t n, uint64_t addr)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].base <= addr && addr - m[i].base < m[i].length)
			return m[i].type;
	return 0;
}

static void check_shape(const struct mem_region *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(m[i].base % PAGE == 0 && m[i].length % PAGE == 0);
		FUZZ_CHECK(m[i].length > 0 && m[i].base + m[i].length <= LIMIT);
		FUZZ_CHECK(m[i].base + m[i].length > m[i].base);
		rank_of(m[i].type);
		if (i == 0)
			continue;
		FUZZ_CHECK(m[i - 1].base + m[i - 1].length <= m[i].base);
		FUZZ_CHECK(m[i - 1].base + m[i - 1].length < m[i].base ||
			   m[i - 1].type != m[i].type);
	}
}

/* Compare with the reference at every region edge and the page before it. */
static void check_reference(const struct ref *r, size_t k,
			    const struct mem_region *m, size_t n)
{
	for (size_t i = 0; i < k; i++) {
		uint64_t probes[4] = { r[i].base, r[i].end, r[i].base - PAGE, r[i].end - PAGE };

		for (int j = 0; j < 4; j++) {
			if (probes[j] >= LIMIT)
				continue;
			FUZZ_CHECK(out_type(m, n, probes[j]) == ref_type(r, k, probes[j]));
		}
	}
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(ref_type(r, k, m[i].base) == m[i].type);
}

static void run(const uint8_t *descs, size_t size, size_t stride, size_t cap,
		const struct ref *r, size_t k, int valid)
{
	struct mem_region *out = malloc((cap ? cap : 1) * sizeof(*out));
	size_t count = 12345;
	int err = memmap_from_uefi(descs, size, stride, out, cap, &count);

	if (!valid) {
		FUZZ_CHECK(err == -E_INVAL && count == 0);
	} else if (cap >= memmap_capacity_needed(size / stride)) {
		FUZZ_CHECK(err == 0);
	} else {
		FUZZ_CHECK(err == 0 || err == -E_NOSPC);
	}
	if (err == 0) {
		FUZZ_CHECK(count <= cap);
		check_shape(out, count);
		check_reference(r, k, out, count);
	} else {
		FUZZ_CHECK(count == 0);
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	size_t stride = UEFI_MEM_DESC_MIN_SIZE + 8 * (fuzz_u8(&in) & 3);
	size_t cap_cut = fuzz_u8(&in), len, n, k = 0;
	uint8_t *descs = fuzz_rest(&in, &len);
	struct ref r[MAX_DESCS];
	int valid = 1;

	n = len / stride;
	if (n > MAX_DESCS)
		n = MAX_DESCS;
	for (size_t i = 0; i < n; i++) {
		if (ref_region(descs + i * stride, &r[k]) < 0)
			valid = 0;
		else if (r[k].end > r[k].base)
			k++;
	}
	run(descs, n * stride, stride, memmap_capacity_needed(n), r, k, valid);
	run(descs, n * stride, stride, cap_cut % (2 * n + 1), r, k, valid);
	if (len % stride && len < MAX_DESCS * stride) {
		struct mem_region one;

		FUZZ_CHECK(memmap_from_uefi(descs, len, stride, &one, 1, &n) == -E_INVAL);
	}
	free(descs);
	return 0;
}
