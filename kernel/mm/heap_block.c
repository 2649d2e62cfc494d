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
 * A small block is preceded by an 8-byte header: class << 8 | HEAP_HDR_SMALL
 * (| 1 while free, which catches double frees); the tree core never sets
 * HEAP_HDR_SMALL, so free() tells small from large with one load.
 * Large or over-aligned requests and slabs come from the tree core: exact
 * address-ordered first fit in O(log n), never a walk of a long list.
 * Pure code; caller serialises (see heap.h).
 */
#include "kernel/mm/heap.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"

#define BLOCK_HDR        8u
#define BLOCK_FREE       1u
#define BLOCK_NCLASSES   23u
#define BLOCK_SMALL_MAX  2040u		/* largest stride - header */
#define BLOCK_SLAB       4096u		/* bytes a slab aims at */
#define BLOCK_CLASS_IDX(size) (((size) + BLOCK_HDR + 15) >> 4)

static const uint16_t block_stride[BLOCK_NCLASSES] = {
	32, 48, 64, 80, 96, 112, 128,
	160, 192, 224, 256, 320, 384, 448, 512,
	640, 768, 896, 1024, 1280, 1536, 1792, 2048,
};

struct block_state {
	void *free[BLOCK_NCLASSES];		/* LIFO lists of free blocks */
	uintptr_t carve[BLOCK_NCLASSES];	/* next block of the slab */
	uintptr_t carve_end[BLOCK_NCLASSES];
	uint8_t class_of[BLOCK_CLASS_IDX(BLOCK_SMALL_MAX) + 1];
	struct heap_tree tree;
};

static uint64_t small_hdr(unsigned int c)
{
	return (uint64_t)c << 8 | HEAP_HDR_SMALL;
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
	for (size_t i = 0; i < ARRAY_SIZE(s->class_of); i++) {
		while (block_stride[c] < i * 16)
			c++;
		s->class_of[i] = (uint8_t)c;
	}
	h->state = s;
	return heap_tree_init(h, &s->tree, st + sizeof(*s));
}

/* Slow paths stay out of line so that the fast ones need no stack frame. */
static __attribute__((noinline)) void *
block_large(struct heap *h, struct block_state *s, size_t size, size_t align)
{
	size_t usable;
	void *p = heap_tree_alloc(h, &s->tree, size, align, &usable);

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
	void *p = heap_tree_alloc(h, &s->tree, count * stride + BLOCK_HDR,
				  HEAP_MIN_ALIGN, &usable);

	if (!p)
		return false;
	/* Small headers sit 8 bytes before 16-aligned payloads. */
	s->carve[c] = (uintptr_t)p + BLOCK_HDR;
	s->carve_end[c] = (uintptr_t)p + usable;
	return true;
}

/* Class c's free list is empty: carve a block, or fall back to the tree. */
static __attribute__((noinline)) void *
block_refill(struct heap *h, struct block_state *s, unsigned int c, size_t size)
{
	size_t stride = block_stride[c];
	uintptr_t b;

	if (s->carve_end[c] - s->carve[c] < stride &&
	    !block_new_slab(h, s, c))
		return block_large(h, s, size, HEAP_MIN_ALIGN);
	b = s->carve[c];
	s->carve[c] = b + stride;
	*(uint64_t *)b = small_hdr(c);
	heap_account_alloc(h, small_usable(c));
	return (void *)(b + BLOCK_HDR);
}

static void *block_alloc(struct heap *h, size_t size, size_t align)
{
	struct block_state *s = h->state;
	unsigned int c;
	uint64_t *p;

	if (unlikely(size > BLOCK_SMALL_MAX || align > HEAP_MIN_ALIGN))
		return block_large(h, s, size, align);
	c = s->class_of[BLOCK_CLASS_IDX(size)];
	p = s->free[c];
	if (unlikely(!p))
		return block_refill(h, s, c, size);
	s->free[c] = (void *)p[0];
	p[-1] = small_hdr(c);
	heap_account_alloc(h, small_usable(c));
	return p;
}

/* Class of the live small block at p, or -1 if p is not one. */
static int block_small_class(struct heap *h, const void *p)
{
	uint64_t hdr = ((const uint64_t *)p)[-1];

	if ((hdr & 0xff) == HEAP_HDR_SMALL && (hdr >> 8) < BLOCK_NCLASSES)
		return (int)(hdr >> 8);
	if ((hdr & (HEAP_HDR_SMALL | BLOCK_FREE)) == (HEAP_HDR_SMALL | BLOCK_FREE))
		heap_report_error(h, "double free", p);
	return -1;
}

static bool block_in_arena(struct heap *h, const void *p)
{
	uintptr_t u = (uintptr_t)p;

	if (likely(u >= h->start + 16 && u < h->end &&
		   IS_ALIGNED(u, HEAP_PTR_ALIGN)))
		return true;
	heap_report_error(h, "invalid free", p);
	return false;
}

static void block_free(struct heap *h, void *p)
{
	struct block_state *s = h->state;
	uint64_t *u = p, hdr;
	unsigned int c;
	size_t usable;

	if (unlikely(!block_in_arena(h, p)))
		return;
	hdr = u[-1];
	c = (unsigned int)(hdr >> 8);
	if (likely((hdr & 0xff) == HEAP_HDR_SMALL && c < BLOCK_NCLASSES)) {
		u[-1] = hdr | BLOCK_FREE;
		u[0] = (uint64_t)(uintptr_t)s->free[c];
		s->free[c] = u;
		heap_account_free(h, small_usable(c));
		return;
	}
	if (hdr & HEAP_HDR_SMALL) {
		block_small_class(h, p);	/* reports */
		return;
	}
	usable = heap_tree_free(h, &s->tree, p);
	if (usable)
		heap_account_free(h, usable);
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

static int block_check(struct heap *h)
{
	struct block_state *s = h->state;

	if (block_check_lists(h, s) < 0)
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
};
