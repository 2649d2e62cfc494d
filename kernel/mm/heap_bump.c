/*
 * Bump design: hands out memory from a pointer that only moves up and
 * counts live allocations; when the count drops to zero the pointer goes
 * back to the start. Freed memory is never reused before that, so a long
 * running heap with one survivor runs out (documented, tested).
 * Each allocation carries an 8-byte header with its usable size, so that
 * usable_size and realloc work; bit 0 marks it freed (double free).
 * realloc of the most recent allocation resizes it in place.
 * Pure code; caller serialises (see heap.h).
 */
#include "kernel/mm/heap.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"

#define BUMP_HDR    8u
#define BUMP_FREED  1u

struct bump_state {
	uintptr_t base;		/* first byte handed out after a reset */
	uintptr_t next;		/* first byte not handed out */
	size_t live;		/* allocations not freed yet */
};

static uint64_t *bump_hdr(const void *p)
{
	return (uint64_t *)p - 1;
}

static size_t bump_round(size_t size)
{
	return size ? ALIGN_UP(size, (size_t)HEAP_MIN_ALIGN) : HEAP_MIN_ALIGN;
}

/* Makes sure the arena reaches end, growing it if needed. */
static bool bump_reach(struct heap *h, uintptr_t end)
{
	return end <= h->end || heap_arena_grow(h, end - h->end) == 0;
}

static int bump_init(struct heap *h)
{
	uintptr_t st = ALIGN_UP(h->start, (uintptr_t)HEAP_MIN_ALIGN);
	struct bump_state *s = (struct bump_state *)st;

	if (st < h->start || !bump_reach(h, st + sizeof(*s)))
		return -E_NOMEM;
	s->base = st + sizeof(*s);
	s->next = s->base;
	s->live = 0;
	h->state = s;
	return 0;
}

static void *bump_alloc(struct heap *h, size_t size, size_t align);

/* Out of line, so that the fast path needs no stack frame. */
static __attribute__((noinline)) void *
bump_alloc_grow(struct heap *h, size_t size, size_t align, uintptr_t end)
{
	if (heap_arena_grow(h, end - h->end) < 0)
		return NULL;
	return bump_alloc(h, size, align);
}

static void *bump_alloc(struct heap *h, size_t size, size_t align)
{
	struct bump_state *s = h->state;
	size_t usable = bump_round(size);
	uintptr_t p, end;

	align = MAX(align, (size_t)HEAP_MIN_ALIGN);
	p = ALIGN_UP(s->next + BUMP_HDR, (uintptr_t)align);
	end = p + usable;
	if (unlikely(p < s->next || end < p))
		return NULL;
	if (unlikely(end > h->end))
		return bump_alloc_grow(h, size, align, end);
	*bump_hdr((void *)p) = usable;
	s->next = end;
	s->live++;
	heap_account_alloc(h, usable);
	return (void *)p;
}

/* The header of a live block at p, or NULL after reporting misuse. */
static uint64_t *bump_live_hdr(struct heap *h, const void *p)
{
	struct bump_state *s = h->state;
	uintptr_t u = (uintptr_t)p;
	uint64_t *hdr;

	if (u < s->base + BUMP_HDR || u >= s->next ||
	    !IS_ALIGNED(u, HEAP_MIN_ALIGN)) {
		heap_report_error(h, "invalid free", p);
		return NULL;
	}
	hdr = bump_hdr(p);
	if (*hdr & BUMP_FREED) {
		heap_report_error(h, "double free", p);
		return NULL;
	}
	return hdr;
}

static void bump_free(struct heap *h, void *p)
{
	struct bump_state *s = h->state;
	uint64_t *hdr = bump_live_hdr(h, p);

	if (!hdr)
		return;
	*hdr |= BUMP_FREED;
	heap_account_free(h, *hdr & ~(uint64_t)BUMP_FREED);
	if (--s->live == 0)
		s->next = s->base;
}

static void *bump_realloc(struct heap *h, void *p, size_t size)
{
	struct bump_state *s = h->state;
	uint64_t *hdr = bump_live_hdr(h, p);
	size_t usable = bump_round(size);
	void *q;

	if (!hdr)
		return NULL;
	if ((uintptr_t)p + *hdr == s->next && usable <= UINTPTR_MAX - (uintptr_t)p &&
	    bump_reach(h, (uintptr_t)p + usable)) {
		heap_account_resize(h, *hdr, usable);
		*hdr = usable;
		s->next = (uintptr_t)p + usable;
		return p;
	}
	q = bump_alloc(h, size, HEAP_MIN_ALIGN);
	if (!q)
		return NULL;
	memcpy(q, p, MIN(size, (size_t)*hdr));
	bump_free(h, p);
	return q;
}

static size_t bump_usable_size(struct heap *h, const void *p)
{
	uint64_t *hdr = bump_live_hdr(h, p);

	return hdr ? *hdr : 0;
}

static void bump_space(struct heap *h, size_t *free_bytes, size_t *largest)
{
	struct bump_state *s = h->state;
	size_t left = h->end - s->next;

	*free_bytes = left;
	*largest = left > BUMP_HDR ? ALIGN_DOWN(left - BUMP_HDR, HEAP_MIN_ALIGN) : 0;
}

static int bump_check(struct heap *h)
{
	struct bump_state *s = h->state;

	if (s->next < s->base || s->next > h->end)
		return -E_INVAL;
	if (s->live == 0 && s->next != s->base)
		return -E_INVAL;
	return 0;
}

const struct heap_ops heap_bump_ops = {
	.name = "bump",
	.init = bump_init,
	.alloc = bump_alloc,
	.free = bump_free,
	.realloc = bump_realloc,
	.usable_size = bump_usable_size,
	.space = bump_space,
	.check = bump_check,
};
