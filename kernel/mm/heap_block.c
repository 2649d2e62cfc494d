/*
 * Block design: fixed-size block classes with O(1) alloc and free, over the
 * list design's tree core for everything else.
 *
 * Requests up to BLOCK_SMALL_MAX bytes (align <= 16) take a block of the
 * smallest class that fits: 23 classes, four per power of two from 32 to
 * 2048 bytes of stride, so at most a fifth of a block is slack. Each class
 * keeps a LIFO free list linked through the free blocks' payloads, and
 * carves new blocks lazily from a slab it takes from the tree core. Freed
 * small blocks stay in their class (no slab is ever handed back).
 * A small block is preceded by an 8-byte header: HEAP_HDR_SMALL + class
 * (| BLOCK_FREE while free, which catches double frees); the tree core
 * never sets HEAP_HDR_SMALL, so free() tells a live small block from
 * anything else with one load and one compare.
 * Large or over-aligned requests and slabs come from the tree core: exact
 * address-ordered first fit in O(log n), never a walk of a long list.
 * Freed large blocks of 2 to 128 KiB usable are first held in a bounded
 * cache (HELD_PER_BIN blocks in each of 24 bins, four per power of two,
 * LIFO, HELD_BYTES_MAX in all) that serves the next large request of about
 * that size in O(1); the tree still counts them as allocated, their header
 * carries HEAP_HDR_HELD. To keep the arena short, a block with a free
 * neighbour is never held (it merges in the tree), a held block above one
 * the tree gets goes back with it, and before the tree would grow the arena
 * every held block goes back to it and the search is repeated.
 * Pure code; caller serialises (see heap.h).
 */
#include "kernel/mm/heap.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"

#define BLOCK_HDR        8u
#define BLOCK_FREE       0x100u	/* in a small header: on a free list */
#define BLOCK_NCLASSES   23u
#define BLOCK_SMALL_MAX  2040u		/* largest stride - header */
#define BLOCK_SLAB       4096u		/* bytes a slab aims at */
#define BLOCK_CLASS_IDX(size) (((size) + BLOCK_HDR + 15) >> 4)
#define HELD_BINS        24u		/* four per power of two ... */
#define HELD_MIN         2048u		/* ... of usable bytes from here */
#define HELD_LIMIT       (128u * 1024)	/* to below here */
#ifndef HELD_BYTES_MAX			/* bench experiments may override */
#define HELD_BYTES_MAX   (512u * 1024)	/* usable bytes held at most */
#endif
#ifndef HELD_PER_BIN
#define HELD_PER_BIN     8u
#endif

static const uint16_t block_stride[BLOCK_NCLASSES] = {
	32, 48, 64, 80, 96, 112, 128,
	160, 192, 224, 256, 320, 384, 448, 512,
	640, 768, 896, 1024, 1280, 1536, 1792, 2048,
};

struct block_state {
	void *free[BLOCK_NCLASSES];		/* LIFO lists of free blocks */
	uint32_t usable[BLOCK_NCLASSES];	/* small_usable(), one load away */
	uintptr_t lo;				/* lowest pointer free() takes */
	uintptr_t carve[BLOCK_NCLASSES];	/* next block of the slab */
	uintptr_t carve_end[BLOCK_NCLASSES];
	uint8_t class_of[BLOCK_CLASS_IDX(BLOCK_SMALL_MAX) + 1];
	uint8_t nr_held[HELD_BINS];
	size_t held_bytes;			/* usable bytes held */
	uint64_t *held[HELD_BINS];		/* LIFO lists of held blocks */
	struct heap_tree tree;
};

static uint64_t small_hdr(unsigned int c)
{
	return HEAP_HDR_SMALL + c;
}

static size_t small_usable(unsigned int c)
{
	return block_stride[c] - BLOCK_HDR;
}

static int block_init(struct heap *h)
{
	uintptr_t st = ALIGN_UP(h->start, (uintptr_t)16);
	struct block_state *s = (struct block_state *)st;
	unsigned int c = 0;

	if (st + sizeof(*s) > h->end &&
	    heap_arena_grow(h, st + sizeof(*s) - h->end) < 0)
		return -E_NOMEM;
	memset(s, 0, sizeof(*s));
	s->lo = h->start + 16;
	for (unsigned int k = 0; k < BLOCK_NCLASSES; k++)
		s->usable[k] = (uint32_t)small_usable(k);
	for (size_t i = 0; i < ARRAY_SIZE(s->class_of); i++) {
		while (block_stride[c] < i * 16)
			c++;
		s->class_of[i] = (uint8_t)c;
	}
	h->state = s;
	return heap_tree_init(h, &s->tree, st + sizeof(*s));
}

/* ---- the cache of freed large blocks ----------------------------------- */

_Static_assert(HELD_LIMIT == HELD_MIN << (HELD_BINS / 4), "four bins a power");

/* Bin of usable bytes in [HELD_MIN, HELD_LIMIT): 2 bits below the top one. */
static unsigned int held_bin(size_t usable)
{
	unsigned int k = 63 - (unsigned int)__builtin_clzll(usable);

	return (k - 11) * 4 + (unsigned int)((usable >> (k - 2)) & 3);
}

static bool held_size(size_t usable)
{
	return usable - HELD_MIN < HELD_LIMIT - HELD_MIN;
}

static size_t held_usable(const uint64_t *p)
{
	return HEAP_HDR_BYTES(p[-1]) - BLOCK_HDR;
}

/*
 * Keeps the live large block at p (header hdr) in its bin instead of
 * freeing it: false when it is not of the cache's sizes, does not look like
 * a tree block (the tree then judges it) or its bin is full.
 */
static bool held_put(struct heap *h, struct block_state *s, uint64_t *p,
		     uint64_t hdr)
{
	uintptr_t b = (uintptr_t)p - BLOCK_HDR;
	size_t bytes = HEAP_HDR_BYTES(hdr);
	unsigned int bin;

	if (!held_size(bytes - BLOCK_HDR) || (hdr & HEAP_HDR_TREE_FREE) ||
	    b < s->tree.base || bytes > s->tree.sentinel - b)
		return false;
	/* A free neighbour: merging with it keeps the arena short. */
	if ((hdr & HEAP_HDR_TREE_PREV_FREE) ||
	    (*(uint64_t *)(b + bytes) & HEAP_HDR_TREE_FREE))
		return false;
	bin = held_bin(bytes - BLOCK_HDR);
	if (s->nr_held[bin] >= HELD_PER_BIN ||
	    s->held_bytes + (bytes - BLOCK_HDR) > HELD_BYTES_MAX)
		return false;
	s->held_bytes += bytes - BLOCK_HDR;
	p[-1] = hdr | HEAP_HDR_HELD;
	p[0] = (uint64_t)(uintptr_t)s->held[bin];
	s->held[bin] = p;
	s->nr_held[bin]++;
	heap_account_free(h, bytes - BLOCK_HDR);
	return true;
}

/* Unlinks p, the head of bin or the block after prev, and clears its mark. */
static void held_unlink(struct block_state *s, unsigned int bin,
			uint64_t *prev, uint64_t *p)
{
	if (prev)
		prev[0] = p[0];
	else
		s->held[bin] = (uint64_t *)(uintptr_t)p[0];
	s->nr_held[bin]--;
	s->held_bytes -= held_usable(p);
	p[-1] &= ~HEAP_HDR_HELD;
}

/*
 * A held block for size (> BLOCK_SMALL_MAX, < HELD_LIMIT) bytes: the head
 * of size's own bin if it is big enough, else the head of the next bin,
 * whose blocks all are. NULL if neither, or align is not met.
 */
static void *held_get(struct heap *h, struct block_state *s, size_t size,
		      size_t align)
{
	unsigned int bin = held_bin(MAX(size, (size_t)HELD_MIN));
	uint64_t *p = s->held[bin];

	if (!p || held_usable(p) < size) {
		if (++bin == HELD_BINS || !(p = s->held[bin]))
			return NULL;
	}
	if (align > HEAP_PTR_ALIGN && !IS_ALIGNED((uintptr_t)p, align))
		return NULL;
	held_unlink(s, bin, NULL, p);
	heap_account_alloc(h, held_usable(p));
	return p;
}

/* Hands every held block back to the tree: false if none was held. */
static bool held_release_all(struct heap *h, struct block_state *s)
{
	bool any = false;

	for (unsigned int bin = 0; bin < HELD_BINS; bin++) {
		while (s->held[bin]) {
			uint64_t *p = s->held[bin];

			held_unlink(s, bin, NULL, p);
			heap_tree_free(h, &s->tree, p);
			any = true;
		}
	}
	return any;
}

/* Hands the block right above large block p back to the tree if held. */
static void held_release_above(struct heap *h, struct block_state *s,
			       uint64_t *p)
{
	uintptr_t next = (uintptr_t)p - BLOCK_HDR + HEAP_HDR_BYTES(p[-1]);
	uint64_t *q = (uint64_t *)(next + BLOCK_HDR), *prev = NULL, *cur;
	unsigned int bin;

	if (next >= s->tree.sentinel || !(q[-1] & HEAP_HDR_HELD))
		return;
	bin = held_bin(held_usable(q));
	for (cur = s->held[bin]; cur && cur != q; cur = (uint64_t *)cur[0])
		prev = cur;
	if (!cur)
		return;
	held_unlink(s, bin, prev, q);
	heap_tree_free(h, &s->tree, q);
}

/*
 * Every tree allocation of this design: held blocks go back to the tree
 * (and merge) before it may grow the arena.
 */
static void *block_tree_alloc(struct heap *h, struct block_state *s,
			      size_t size, size_t align, size_t *usable)
{
	void *p = heap_tree_fit(h, &s->tree, size, align, usable);

	if (!p && held_release_all(h, s))
		p = heap_tree_fit(h, &s->tree, size, align, usable);
	if (!p)
		p = heap_tree_alloc(h, &s->tree, size, align, usable);
	return p;
}

/* ---- alloc and free ------------------------------------------------------ */

/* Slow paths stay out of line so that the fast ones need no stack frame. */
static __attribute__((noinline)) void *
block_large(struct heap *h, struct block_state *s, size_t size, size_t align)
{
	size_t usable;
	void *p = NULL;

	if (size < HELD_LIMIT && align <= HEAP_MIN_ALIGN)
		p = held_get(h, s, size, align);
	if (p)
		return p;
	p = block_tree_alloc(h, s, size, align, &usable);
	if (p)
		heap_account_alloc(h, usable);
	return p;
}

/* Gives class c a new slab to carve from: false when out of memory. */
static bool block_new_slab(struct heap *h, struct block_state *s,
			   unsigned int c)
{
	size_t stride = block_stride[c], usable;
	size_t count = MAX(BLOCK_SLAB / stride, (size_t)1);
	void *p = block_tree_alloc(h, s, count * stride + BLOCK_HDR,
				   HEAP_MIN_ALIGN, &usable);

	if (!p)
		return false;
	/* Small headers sit 8 bytes before 16-aligned payloads. */
	s->carve[c] = (uintptr_t)p + BLOCK_HDR;
	s->carve_end[c] = (uintptr_t)p + usable;
	return true;
}

/*
 * Class c's free list is empty: carve a block, or fall back to the tree.
 * fast: called from the front's fast path, which leaves failures to us.
 */
static __attribute__((noinline)) void *
block_refill(struct heap *h, struct block_state *s, unsigned int c,
	     size_t size, bool fast)
{
	size_t stride = block_stride[c];
	uintptr_t b;
	void *p;

	if (s->carve_end[c] - s->carve[c] < stride &&
	    !block_new_slab(h, s, c)) {
		p = block_large(h, s, size, HEAP_MIN_ALIGN);
		if (!p && fast)
			h->acct.nr_failed++;
		return p;
	}
	b = s->carve[c];
	s->carve[c] = b + stride;
	*(uint64_t *)b = small_hdr(c);
	heap_account_alloc(h, small_usable(c));
	return (void *)(b + BLOCK_HDR);
}

/* The O(1) path: pop the class's free list (its blocks' headers say free). */
static inline __attribute__((always_inline)) void *
block_small(struct heap *h, struct block_state *s, size_t size, bool fast)
{
	unsigned int c = s->class_of[BLOCK_CLASS_IDX(size)];
	uint64_t *p = s->free[c];

	if (unlikely(!p))
		return block_refill(h, s, c, size, fast);
	s->free[c] = (void *)p[0];
	p[-1] &= ~(uint64_t)BLOCK_FREE;
	heap_account_alloc(h, s->usable[c]);
	return p;
}

static void *block_alloc(struct heap *h, size_t size, size_t align)
{
	struct block_state *s = h->state;

	if (unlikely(size > BLOCK_SMALL_MAX || align > HEAP_MIN_ALIGN))
		return block_large(h, s, size, align);
	return block_small(h, s, size, false);
}

/* The front's fast path: size <= BLOCK_SMALL_MAX, align <= 16, no debug. */
static void *block_alloc_small(struct heap *h, size_t size)
{
	return block_small(h, h->state, size, true);
}

/* Class of the live small block at p, or -1 if p is not one. */
static int block_small_class(struct heap *h, const void *p)
{
	uint64_t hdr = ((const uint64_t *)p)[-1];

	if (hdr - HEAP_HDR_SMALL < BLOCK_NCLASSES)
		return (int)(hdr - HEAP_HDR_SMALL);
	if (hdr - (HEAP_HDR_SMALL | BLOCK_FREE) < BLOCK_NCLASSES)
		heap_report_error(h, "double free", p);
	return -1;
}

static bool block_in_arena(struct heap *h, const void *p)
{
	const struct block_state *s = h->state;
	uintptr_t u = (uintptr_t)p;

	if (likely(u >= s->lo && u < h->end &&
		   IS_ALIGNED(u, HEAP_PTR_ALIGN)))
		return true;
	heap_report_error(h, "invalid free", p);
	return false;
}

/* Frees what is not a live small block: held, given to the tree, or bad. */
static __attribute__((noinline)) void
block_free_large(struct heap *h, struct block_state *s, uint64_t *u,
		 uint64_t hdr)
{
	size_t usable;

	if (hdr & HEAP_HDR_SMALL) {
		block_small_class(h, u);	/* reports */
		return;
	}
	if (hdr & HEAP_HDR_HELD) {
		heap_report_error(h, "double free", u);
		return;
	}
	if (held_put(h, s, u, hdr))
		return;
	held_release_above(h, s, u);	/* so that they merge */
	usable = heap_tree_free(h, &s->tree, u);
	if (usable)
		heap_account_free(h, usable);
}

static void block_free(struct heap *h, void *p)
{
	struct block_state *s = h->state;
	uint64_t *u = p, hdr, c;

	if (unlikely(!block_in_arena(h, p)))
		return;
	hdr = u[-1];
	c = hdr - HEAP_HDR_SMALL;
	if (likely(c < BLOCK_NCLASSES)) {
		u[-1] = hdr | BLOCK_FREE;
		u[0] = (uint64_t)(uintptr_t)s->free[c];
		s->free[c] = u;
		heap_account_free(h, s->usable[c]);
		return;
	}
	block_free_large(h, s, u, hdr);
}

static size_t block_usable_size(struct heap *h, const void *p)
{
	struct block_state *s = h->state;
	int c;

	if (!block_in_arena(h, p))
		return 0;
	if (((const uint64_t *)p)[-1] & HEAP_HDR_SMALL) {
		c = block_small_class(h, p);
		return c < 0 ? 0 : small_usable((unsigned int)c);
	}
	if (((const uint64_t *)p)[-1] & HEAP_HDR_HELD) {
		heap_report_error(h, "double free", p);	/* as the tree says */
		return 0;
	}
	return heap_tree_usable(h, &s->tree, p);
}

static void *block_realloc(struct heap *h, void *p, size_t size)
{
	struct block_state *s = h->state;
	size_t old = block_usable_size(h, p);
	bool small = old && (((uint64_t *)p)[-1] & HEAP_HDR_SMALL);
	void *q;

	if (!old)
		return NULL;
	if (small && size <= BLOCK_SMALL_MAX &&
	    block_stride[s->class_of[BLOCK_CLASS_IDX(size)]] == old + BLOCK_HDR)
		return p;
	if (!small && size > old)
		held_release_above(h, s, p);
	if (!small && size > BLOCK_SMALL_MAX &&
	    heap_tree_resize(h, &s->tree, p, size)) {
		heap_account_resize(h, old, heap_tree_usable(h, &s->tree, p));
		return p;
	}
	q = block_alloc(h, size, HEAP_MIN_ALIGN);
	if (!q)
		return NULL;
	memcpy(q, p, MIN(old, size));
	block_free(h, p);
	return q;
}

static void block_space(struct heap *h, size_t *free_bytes, size_t *largest)
{
	struct block_state *s = h->state;
	size_t sum, big;

	heap_tree_space(&s->tree, &sum, &big);
	for (unsigned int c = 0; c < BLOCK_NCLASSES; c++) {
		size_t n = (s->carve_end[c] - s->carve[c]) / block_stride[c];

		for (uint64_t *p = s->free[c]; p; p = (uint64_t *)p[0])
			n++;
		sum += n * small_usable(c);
		if (n && small_usable(c) > big)
			big = small_usable(c);
	}
	for (unsigned int bin = 0; bin < HELD_BINS; bin++) {
		for (uint64_t *p = s->held[bin]; p; p = (uint64_t *)p[0]) {
			sum += held_usable(p);
			big = MAX(big, held_usable(p));
		}
	}
	*free_bytes = sum;
	*largest = big;
}

/* Every free small block: inside the arena, tagged free, right class. */
static int block_check_lists(struct heap *h, struct block_state *s)
{
	size_t limit = (h->end - h->start) / 32;

	for (unsigned int c = 0; c < BLOCK_NCLASSES; c++) {
		size_t n = 0;

		if (s->carve[c] > s->carve_end[c])
			return -E_INVAL;
		for (uint64_t *p = s->free[c]; p; p = (uint64_t *)p[0]) {
			uintptr_t u = (uintptr_t)p;

			if (++n > limit || u < h->start + 16 || u >= h->end ||
			    !IS_ALIGNED(u, 16) || p[-1] != (small_hdr(c) | BLOCK_FREE))
				return -E_INVAL;
		}
	}
	return 0;
}

/* Every held block: a tree block marked held, in its bin, bins not over. */
static int block_check_held(struct block_state *s)
{
	for (unsigned int bin = 0; bin < HELD_BINS; bin++) {
		unsigned int n = 0;

		for (uint64_t *p = s->held[bin]; p; p = (uint64_t *)p[0]) {
			uintptr_t u = (uintptr_t)p;

			if (++n > HELD_PER_BIN || u < s->tree.base + BLOCK_HDR ||
			    u >= s->tree.sentinel ||
			    (p[-1] & (HEAP_HDR_HELD | HEAP_HDR_TREE_FREE |
				      HEAP_HDR_SMALL)) != HEAP_HDR_HELD ||
			    !held_size(held_usable(p)) ||
			    held_bin(held_usable(p)) != bin)
				return -E_INVAL;
		}
		if (n != s->nr_held[bin])
			return -E_INVAL;
	}
	return 0;
}

static int block_check(struct heap *h)
{
	struct block_state *s = h->state;

	if (block_check_lists(h, s) < 0 || block_check_held(s) < 0)
		return -E_INVAL;
	return heap_tree_check(&s->tree);
}

const struct heap_ops heap_block_ops = {
	.name = "block",
	.init = block_init,
	.alloc = block_alloc,
	.free = block_free,
	.realloc = block_realloc,
	.usable_size = block_usable_size,
	.space = block_space,
	.check = block_check,
	.alloc_small = block_alloc_small,
	.small_limit = BLOCK_SMALL_MAX + 1,
};
