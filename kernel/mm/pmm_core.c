/*
 * The frame allocator's core: a hierarchical bitmap over a memory map (see
 * pmm.h for the layout and the costs). Pure code on caller memory: no
 * allocation, no locks, no printing; the kernel's pool and the host tests
 * both drive it. Not reentrant.
 */
#include "kernel/mm/pmm.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"

#define NONE UINT64_MAX

static uint64_t frame_of(uint64_t phys)
{
	return phys / PMM_FRAME_SIZE;
}

static bool bit_test(const uint64_t *bits, uint64_t i)
{
	return (bits[i / 64] >> (i % 64)) & 1;
}

/* One past the last frame the pool could ever manage; 0 if none. */
static uint64_t frames_covered(const struct mem_region *map, size_t n)
{
	uint64_t end = 0;

	for (size_t i = 0; i < n; i++)
		if (map[i].type == MEM_USABLE || map[i].type == MEM_BOOT_RECLAIMABLE)
			end = MAX(end, map[i].base + map[i].length);
	return frame_of(end);
}

/* Words per level for `frames` frames; the number of levels, 0 if too many. */
static unsigned layout(uint64_t frames, uint64_t words[PMM_LEVELS_MAX])
{
	uint64_t bits = frames;
	unsigned l;

	for (l = 0; l < PMM_LEVELS_MAX; l++) {
		words[l] = (bits + 63) / 64;
		bits = words[l];
		if (words[l] == 1)
			return l + 1;
	}
	return 0;
}

size_t pmm_core_meta_bytes(const struct mem_region *map, size_t n)
{
	uint64_t words[PMM_LEVELS_MAX], frames = map ? frames_covered(map, n) : 0;
	unsigned levels = frames ? layout(frames, words) : 0;
	uint64_t total;

	if (!levels)
		return 0;
	total = words[0];                      /* the managed bitmap */
	for (unsigned l = 0; l < levels; l++)
		total += words[l];
	return (size_t)(total * sizeof(uint64_t));
}

uint64_t pmm_core_find_home(const struct mem_region *map, size_t n, size_t bytes)
{
	uint64_t need = ALIGN_UP((uint64_t)bytes, PMM_FRAME_SIZE);

	for (size_t i = 0; i < n && need; i++) {
		uint64_t base = MAX(map[i].base, PMM_LOW_LIMIT);
		uint64_t end = map[i].base + map[i].length;

		if (map[i].type == MEM_USABLE && base < end && end - base >= need)
			return base;
	}
	return 0;
}

/* Sets bit i of level l, propagating "this word is not empty" upward. */
static void mark_free_at(struct pmm *p, unsigned l, uint64_t i)
{
	for (; l < p->levels; l++) {
		uint64_t *w = &p->level[l][i / 64];
		bool was_empty = *w == 0;

		*w |= 1ull << (i % 64);
		if (!was_empty)
			return;
		i /= 64;
	}
}

static void mark_free(struct pmm *p, uint64_t f)
{
	mark_free_at(p, 0, f);
}

/* Sets frame f used, propagating "this word is empty" upward. */
static void mark_used(struct pmm *p, uint64_t f)
{
	for (unsigned l = 0; l < p->levels; l++) {
		uint64_t *w = &p->level[l][f / 64];

		*w &= ~(1ull << (f % 64));
		if (*w)
			return;
		f /= 64;
	}
}

/* Makes frames [first, end) managed and free; whole words at a time when it can. */
static uint64_t add_frames(struct pmm *p, uint64_t first, uint64_t end)
{
	uint64_t added = 0, f = first;

	end = MIN(end, p->frames);
	while (f < end) {
		if (f % 64 == 0 && end - f >= 64 && !p->managed[f / 64]) {
			p->managed[f / 64] = ~0ull;
			p->level[0][f / 64] = ~0ull;
			if (p->levels > 1)
				mark_free_at(p, 1, f / 64);
			added += 64;
			f += 64;
			continue;
		}
		if (!bit_test(p->managed, f)) {
			p->managed[f / 64] |= 1ull << (f % 64);
			mark_free(p, f);
			added++;
		}
		f++;
	}
	p->stats.total += added;
	p->stats.free += added;
	return added;
}

/* Accounts one region of the map at start-up. */
static void add_region(struct pmm *p, const struct mem_region *r)
{
	uint64_t first = frame_of(r->base), end = frame_of(r->base + r->length);
	uint64_t low = MIN(MAX(first, frame_of(PMM_LOW_LIMIT)), end);

	switch (r->type) {
	case MEM_MMIO:
		return;
	case MEM_USABLE:
		p->stats.reserved += low - first;
		add_frames(p, low, end);
		return;
	case MEM_BOOT_RECLAIMABLE:
		p->stats.reserved += low - first;
		p->stats.reclaimable += end - low;
		return;
	default:
		p->stats.reserved += end - first;
	}
}

int pmm_core_init(struct pmm *p, const struct mem_region *map, size_t n,
		  void *meta, size_t meta_bytes)
{
	size_t need = pmm_core_meta_bytes(map, n);
	uint64_t *w = meta;

	if (!p || !meta || !need)
		return -E_INVAL;
	if (meta_bytes < need)
		return -E_NOSPC;
	memset(p, 0, sizeof(*p));
	memset(meta, 0, need);
	p->frames = frames_covered(map, n);
	p->levels = layout(p->frames, p->words);
	p->managed = w;
	w += p->words[0];
	for (unsigned l = 0; l < p->levels; l++) {
		p->level[l] = w;
		w += p->words[l];
	}
	for (size_t i = 0; i < n; i++)
		add_region(p, &map[i]);
	return 0;
}

uint64_t pmm_core_alloc(struct pmm *p)
{
	uint64_t i = 0;

	if (!p->stats.free)
		return 0;
	/* From the single top word down: take the highest set bit each time. */
	for (unsigned l = p->levels; l-- > 0;)
		i = i * 64 + (63 - (uint64_t)__builtin_clzll(p->level[l][i]));
	mark_used(p, i);
	p->stats.free--;
	return i * PMM_FRAME_SIZE;
}

/* 0 when frame f is managed and handed out; else the error for freeing it. */
static int check_used(const struct pmm *p, uint64_t f)
{
	if (f >= p->frames || !bit_test(p->managed, f))
		return -E_NOENT;
	return bit_test(p->level[0], f) ? -E_EXIST : 0;
}

int pmm_core_free(struct pmm *p, uint64_t phys)
{
	return pmm_core_free_run(p, phys, 1);
}

int pmm_core_free_run(struct pmm *p, uint64_t phys, uint64_t n)
{
	uint64_t first = frame_of(phys);
	int err;

	if (!IS_ALIGNED(phys, PMM_FRAME_SIZE) || !n || n > p->frames)
		return -E_INVAL;
	for (uint64_t f = first; f < first + n; f++) {
		err = check_used(p, f);
		if (err)
			return err;
	}
	for (uint64_t f = first; f < first + n; f++)
		mark_free(p, f);
	p->stats.free += n;
	return 0;
}

/* The lowest free frame >= pos at level l (recursing up for empty words), or NONE. */
static uint64_t find_next(const struct pmm *p, unsigned l, uint64_t pos)
{
	uint64_t word = pos / 64, w;

	if (word >= p->words[l])
		return NONE;
	w = p->level[l][word] & (~0ull << (pos % 64));
	if (!w) {
		if (l + 1 == p->levels)
			return NONE;
		word = find_next(p, l + 1, word + 1);
		if (word == NONE)
			return NONE;
		w = p->level[l][word];
	}
	return word * 64 + (uint64_t)__builtin_ctzll(w);
}

/* The first used frame in [f, end), or NONE: a word at a time. */
static uint64_t first_used(const struct pmm *p, uint64_t f, uint64_t end)
{
	while (f < end) {
		uint64_t used = ~p->level[0][f / 64] >> (f % 64);

		if (used) {
			f += (uint64_t)__builtin_ctzll(used);
			return f < end ? f : NONE;
		}
		f = (f / 64 + 1) * 64;
	}
	return NONE;
}

/*
 * First fit: each failed candidate ends at a used frame and the next one
 * starts past it, so the scans never overlap: O(frames / 64) in all.
 */
uint64_t pmm_core_alloc_run(struct pmm *p, uint64_t n, uint64_t align)
{
	uint64_t step = align / PMM_FRAME_SIZE, f = 0, start, bad;

	if (!n || n > p->stats.free || align < PMM_FRAME_SIZE || (align & (align - 1)))
		return 0;
	for (;;) {
		f = find_next(p, 0, f);
		if (f == NONE)
			return 0;
		start = ALIGN_UP(f, step);
		if (start < f || start > p->frames || n > p->frames - start)
			return 0;
		bad = first_used(p, start, start + n);
		if (bad == NONE)
			break;
		f = bad + 1;
	}
	for (f = start; f < start + n; f++)
		mark_used(p, f);
	p->stats.free -= n;
	return start * PMM_FRAME_SIZE;
}

int pmm_core_claim(struct pmm *p, uint64_t phys, uint64_t n)
{
	uint64_t first = frame_of(phys);

	if (!IS_ALIGNED(phys, PMM_FRAME_SIZE) || !n || first >= p->frames ||
	    n > p->frames - first)
		return -E_INVAL;
	for (uint64_t f = first; f < first + n; f++) {
		if (!bit_test(p->managed, f))
			return -E_NOENT;
		if (!bit_test(p->level[0], f))
			return -E_BUSY;
	}
	for (uint64_t f = first; f < first + n; f++)
		mark_used(p, f);
	p->stats.free -= n;
	return 0;
}

uint64_t pmm_core_reclaim(struct pmm *p, const struct mem_region *map, size_t n)
{
	uint64_t added = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t first = MAX(frame_of(map[i].base), frame_of(PMM_LOW_LIMIT));

		if (map[i].type == MEM_BOOT_RECLAIMABLE)
			added += add_frames(p, first, frame_of(map[i].base + map[i].length));
	}
	p->stats.reclaimable -= MIN(added, p->stats.reclaimable);
	return added;
}

bool pmm_core_owns(const struct pmm *p, uint64_t phys)
{
	uint64_t f = frame_of(phys);

	return f < p->frames && bit_test(p->managed, f);
}

bool pmm_core_is_free(const struct pmm *p, uint64_t phys)
{
	uint64_t f = frame_of(phys);

	return f < p->frames && bit_test(p->level[0], f);
}

void pmm_core_stats(const struct pmm *p, struct pmm_stats *out)
{
	*out = p->stats;
	out->used = p->stats.total - p->stats.free;
}

/* Set bits in a bitmap of `words` words (no popcnt in baseline x86_64, no libgcc). */
static uint64_t count_bits(const uint64_t *bits, uint64_t words)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i < words; i++)
		for (uint64_t w = bits[i]; w; w &= w - 1)
			n++;
	return n;
}

int pmm_core_check(const struct pmm *p)
{
	uint64_t tail = p->frames % 64;

	for (unsigned l = 0; l + 1 < p->levels; l++)
		for (uint64_t i = 0; i < p->words[l]; i++)
			if (bit_test(p->level[l + 1], i) != (p->level[l][i] != 0))
				return -E_INVAL;
	for (uint64_t i = 0; i < p->words[0]; i++)
		if (p->level[0][i] & ~p->managed[i])
			return -E_INVAL;
	if (tail && (p->managed[p->words[0] - 1] >> tail))
		return -E_INVAL;
	if (count_bits(p->level[0], p->words[0]) != p->stats.free ||
	    count_bits(p->managed, p->words[0]) != p->stats.total)
		return -E_INVAL;
	return 0;
}
