/*
 * UEFI memory map -> kernel memory map (see memmap.h).
 *
 * Three steps, all inside the caller's buffer out[0..cap):
 *   1. convert every non-empty descriptor into a page-aligned, typed region
 *      and store the k of them at the tail, out[cap - k .. cap);
 *   2. heapsort the tail by base (in place, iterative, O(k log k));
 *   3. sweep the sorted tail from low to high addresses and write the final
 *      pieces from the front, out[0..), resolving overlaps by rank.
 * Pure, any context, no allocation, no recursion.
 */
#include <stdbool.h>

#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/memmap.h"
#include "lib/string.h"

#define PAGE_SIZE  4096ull
/* Highest end address accepted: rounding any end up to a page cannot wrap. */
#define ADDR_LIMIT (0ull - PAGE_SIZE)

/* EFI_MEMORY_DESCRIPTOR as the UEFI specification lays it out. */
struct uefi_mem_desc {
	uint32_t type;
	uint32_t pad;
	uint64_t phys_start;
	uint64_t virt_start;
	uint64_t pages;
	uint64_t attribute;
} __packed;
_Static_assert(sizeof(struct uefi_mem_desc) == UEFI_MEM_DESC_MIN_SIZE,
	       "EFI_MEMORY_DESCRIPTOR is 40 bytes");

/*
 * Where firmware entries overlap, the first type in this list wins. Faulty
 * and unknown memory must never be used; MMIO and NVS must never be treated
 * as RAM; runtime services must stay mapped; the kernel's own pages come
 * next (firmware claims beat the loader's bookkeeping); then memory that is
 * free only later (ACPI tables, loader data); persistent memory must not be
 * handed out as scratch RAM; plain usable RAM loses to everything.
 */
static const uint8_t rank_type[] = {
	MEM_BAD, MEM_RESERVED, MEM_MMIO, MEM_ACPI_NVS, MEM_RUNTIME, MEM_KERNEL,
	MEM_ACPI_RECLAIMABLE, MEM_BOOT_RECLAIMABLE, MEM_PERSISTENT, MEM_USABLE,
};
#define RANK_COUNT    ARRAY_SIZE(rank_type)
#define RANK_NONE     RANK_COUNT
#define RANK_RESERVED 1u

static unsigned type_rank(uint32_t type)
{
	for (unsigned r = 0; r < RANK_COUNT; r++)
		if (rank_type[r] == type)
			return r;
	return RANK_RESERVED;   /* never produced by memmap_type_from_uefi() */
}

enum mem_type memmap_type_from_uefi(uint32_t uefi_type)
{
	switch (uefi_type) {
	case UEFI_MEM_LOADER_CODE:
	case UEFI_MEM_LOADER_DATA:
	case UEFI_MEM_EMBER_BOOT:
		return MEM_BOOT_RECLAIMABLE;
	case UEFI_MEM_BOOT_SERVICES_CODE:
	case UEFI_MEM_BOOT_SERVICES_DATA:
	case UEFI_MEM_CONVENTIONAL:
		return MEM_USABLE;
	case UEFI_MEM_RUNTIME_CODE:
	case UEFI_MEM_RUNTIME_DATA:
		return MEM_RUNTIME;
	case UEFI_MEM_UNUSABLE:
		return MEM_BAD;
	case UEFI_MEM_ACPI_RECLAIM:
		return MEM_ACPI_RECLAIMABLE;
	case UEFI_MEM_ACPI_NVS:
		return MEM_ACPI_NVS;
	case UEFI_MEM_MMIO:
	case UEFI_MEM_MMIO_PORT_SPACE:
		return MEM_MMIO;
	case UEFI_MEM_PERSISTENT:
		return MEM_PERSISTENT;
	case UEFI_MEM_EMBER_KERNEL:
		return MEM_KERNEL;
	default:        /* Reserved, PalCode, Unaccepted, anything newer */
		return MEM_RESERVED;
	}
}

const char *memmap_type_name(uint32_t type)
{
	switch (type) {
	case MEM_USABLE:              return "usable";
	case MEM_BOOT_RECLAIMABLE:    return "boot-reclaimable";
	case MEM_KERNEL:              return "kernel";
	case MEM_ACPI_RECLAIMABLE:    return "acpi-reclaimable";
	case MEM_ACPI_NVS:            return "acpi-nvs";
	case MEM_RUNTIME:             return "uefi-runtime";
	case MEM_MMIO:                return "mmio";
	case MEM_RESERVED:            return "reserved";
	case MEM_BAD:                 return "bad";
	case MEM_PERSISTENT:          return "persistent";
	default:                      return "unknown";
	}
}

uint64_t memmap_total(const struct mem_region *m, size_t n, uint32_t type)
{
	uint64_t total = 0;

	for (size_t i = 0; i < n; i++)
		if (m[i].type == type)
			total += m[i].length;
	return total;
}

size_t memmap_capacity_needed(size_t desc_count)
{
	if (desc_count > SIZE_MAX / 2)
		return SIZE_MAX;
	return 2 * desc_count;
}

/* ---- step 1: descriptors to aligned regions ---------------------------------------- */

/*
 * One descriptor as a region: usable RAM shrinks to whole pages inside it
 * (a partial page is not free), everything else grows to the pages it
 * touches (a partial page must still be mapped and kept). r->length is 0
 * when nothing is left. -E_INVAL if the end does not fit below ADDR_LIMIT.
 */
static int desc_to_region(const uint8_t *p, struct mem_region *r)
{
	struct uefi_mem_desc d;
	uint64_t end;

	memcpy(&d, p, sizeof(d));
	if (d.pages > ADDR_LIMIT / PAGE_SIZE ||
	    __builtin_add_overflow(d.phys_start, d.pages * PAGE_SIZE, &end) ||
	    end > ADDR_LIMIT)
		return -E_INVAL;
	r->type = memmap_type_from_uefi(d.type);
	r->reserved = 0;
	if (r->type == MEM_USABLE) {
		r->base = ALIGN_UP(d.phys_start, PAGE_SIZE);
		end = ALIGN_DOWN(end, PAGE_SIZE);
	} else {
		r->base = ALIGN_DOWN(d.phys_start, PAGE_SIZE);
		end = ALIGN_UP(end, PAGE_SIZE);
	}
	r->length = end > r->base ? end - r->base : 0;
	return 0;
}

/* Pass 1: check every descriptor and count the non-empty ones into *k. */
static int count_regions(const uint8_t *descs, size_t n, size_t desc_size,
			 size_t *k)
{
	struct mem_region r;

	*k = 0;
	for (size_t i = 0; i < n; i++) {
		if (desc_to_region(descs + i * desc_size, &r) < 0)
			return -E_INVAL;
		if (r.length)
			(*k)++;
	}
	return 0;
}

/* Pass 2: store the non-empty regions at dst[0..k). Already validated. */
static void store_regions(const uint8_t *descs, size_t n, size_t desc_size,
			  struct mem_region *dst)
{
	struct mem_region r;

	for (size_t i = 0; i < n; i++) {
		desc_to_region(descs + i * desc_size, &r);
		if (r.length)
			*dst++ = r;
	}
}

/* ---- step 2: heapsort by base ------------------------------------------------------ */

static void region_swap(struct mem_region *a, struct mem_region *b)
{
	struct mem_region t = *a;

	*a = *b;
	*b = t;
}

static void sift_down(struct mem_region *r, size_t root, size_t n)
{
	for (;;) {
		size_t child = 2 * root + 1;

		if (child >= n)
			return;
		if (child + 1 < n && r[child].base < r[child + 1].base)
			child++;
		if (r[root].base >= r[child].base)
			return;
		region_swap(&r[root], &r[child]);
		root = child;
	}
}

/* In place and iterative: no stack to speak of after ExitBootServices. */
static void sort_by_base(struct mem_region *r, size_t n)
{
	size_t i;

	for (i = 1; i < n && r[i - 1].base <= r[i].base; i++)
		;
	if (i >= n)
		return;         /* firmware maps usually arrive sorted */
	for (i = n / 2; i-- > 0;)
		sift_down(r, i, n);
	for (i = n; i-- > 1;) {
		region_swap(&r[0], &r[i]);
		sift_down(r, 0, i);
	}
}

/* ---- step 3: the sweep ------------------------------------------------------------- */

/*
 * Sorted input regions wait in out[next..cap); finished pieces grow in
 * out[0..count). end[r] is the furthest end of the absorbed regions of rank
 * r: since every region starting at or below pos has been absorbed, rank r
 * covers address pos exactly when end[r] > pos.
 */
struct sweep {
	struct mem_region *out;
	size_t cap;
	size_t next;
	size_t count;
	uint64_t end[RANK_COUNT];
};

static void sweep_absorb(struct sweep *s, uint64_t pos)
{
	while (s->next < s->cap && s->out[s->next].base <= pos) {
		const struct mem_region *r = &s->out[s->next++];
		unsigned rank = type_rank(r->type);

		s->end[rank] = MAX(s->end[rank], r->base + r->length);
	}
}

/* The most restrictive rank covering pos, or RANK_NONE. */
static unsigned sweep_winner(const struct sweep *s, uint64_t pos)
{
	for (unsigned r = 0; r < RANK_COUNT; r++)
		if (s->end[r] > pos)
			return r;
	return RANK_NONE;
}

/* Append [base, end) of a type, merging with the previous piece if it touches. */
static int sweep_emit(struct sweep *s, uint64_t base, uint64_t end, uint32_t type)
{
	struct mem_region *last = s->count ? &s->out[s->count - 1] : NULL;

	if (last && last->type == type && last->base + last->length == base) {
		last->length += end - base;
		return 0;
	}
	if (s->count >= s->next)
		return -E_NOSPC;        /* would overwrite an unread input region */
	s->out[s->count++] = (struct mem_region){
		.base = base, .length = end - base, .type = type,
	};
	return 0;
}

/*
 * Each step emits the piece from pos to the next point where the winner can
 * change: the winner's own end or the next region's start.
 *
 * Why 2n entries suffice: every piece ends at a distinct address that is the
 * start or the end of some region, and no piece ends at the lowest start, so
 * there are at most 2k - 1 pieces in all. When piece j is written while input
 * i is the first unread one, the j earlier pieces ended at starts (minus the
 * lowest) or ends of the i absorbed regions, so j <= 2i - 1 < (2k - k) + i:
 * with cap >= 2k the write lands below out[cap - k + i] and never clobbers
 * an unread region. sweep_emit() still checks, so smaller caps fail cleanly.
 */
static int sweep_run(struct sweep *s)
{
	uint64_t pos = 0;

	for (;;) {
		unsigned r;
		uint64_t stop;
		int err;

		sweep_absorb(s, pos);
		r = sweep_winner(s, pos);
		if (r == RANK_NONE) {
			if (s->next == s->cap)
				return 0;
			pos = s->out[s->next].base;     /* skip a hole */
			continue;
		}
		stop = s->end[r];
		if (s->next < s->cap && s->out[s->next].base < stop)
			stop = s->out[s->next].base;
		err = sweep_emit(s, pos, stop, rank_type[r]);
		if (err)
			return err;
		pos = stop;
	}
}

static bool desc_layout_ok(const void *descs, size_t map_size, size_t desc_size)
{
	if (desc_size < UEFI_MEM_DESC_MIN_SIZE || desc_size % 8 != 0)
		return false;
	if (map_size % desc_size != 0)
		return false;
	return descs != NULL || map_size == 0;
}

int memmap_from_uefi(const void *descs, size_t map_size, size_t desc_size,
		     struct mem_region *out, size_t cap, size_t *count)
{
	struct sweep s = { .out = out, .cap = cap };
	size_t n, k;
	int err;

	if (!count)
		return -E_INVAL;
	*count = 0;
	if (!desc_layout_ok(descs, map_size, desc_size) || (!out && cap))
		return -E_INVAL;
	n = map_size / desc_size;
	err = count_regions(descs, n, desc_size, &k);
	if (err)
		return err;
	if (k == 0)
		return 0;
	if (k > cap)
		return -E_NOSPC;
	s.next = cap - k;
	store_regions(descs, n, desc_size, &out[s.next]);
	sort_by_base(&out[s.next], k);
	err = sweep_run(&s);
	if (err)
		return err;
	*count = s.count;
	return 0;
}
