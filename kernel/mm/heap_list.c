/*
 * The list design: the tree core (heap_tree.c) on its own, over the whole
 * arena. Address-ordered first fit, except that blocks of 1 KiB and up take
 * the tightest of the LIST_FITS lowest fits, which keeps large holes from
 * being cut up (docs/memory.md has the figures). Pure code; caller
 * serialises (see heap.h).
 */
#include "kernel/mm/heap.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"

#define LIST_FITS 6u	/* the list design's t->fits */

static int list_init(struct heap *h)
{
	uintptr_t st = ALIGN_UP(h->start, (uintptr_t)16);
	struct heap_tree *t = (struct heap_tree *)st;

	if (st + sizeof(*t) > h->end &&
	    heap_arena_grow(h, st + sizeof(*t) - h->end) < 0)
		return -E_NOMEM;
	h->state = t;
	if (heap_tree_init(h, t, st + sizeof(*t)) < 0)
		return -E_NOMEM;
	t->fits = LIST_FITS;
	return 0;
}

static void *list_alloc(struct heap *h, size_t size, size_t align)
{
	size_t usable;
	void *p = heap_tree_alloc(h, h->state, size, align, &usable);

	if (p)
		heap_account_alloc(h, usable);
	return p;
}

static void list_free(struct heap *h, void *p)
{
	size_t usable = heap_tree_free(h, h->state, p);

	if (usable)
		heap_account_free(h, usable);
}

static void *list_realloc(struct heap *h, void *p, size_t size)
{
	size_t old = heap_tree_usable(h, h->state, p);
	void *q;

	if (!old)
		return NULL;
	if (heap_tree_resize(h, h->state, p, size)) {
		heap_account_resize(h, old, heap_tree_usable(h, h->state, p));
		return p;
	}
	q = list_alloc(h, size, HEAP_MIN_ALIGN);
	if (!q)
		return NULL;
	memcpy(q, p, MIN(old, size));
	list_free(h, p);
	return q;
}

static size_t list_usable_size(struct heap *h, const void *p)
{
	return heap_tree_usable(h, h->state, p);
}

static void list_space(struct heap *h, size_t *free_bytes, size_t *largest)
{
	heap_tree_space(h->state, free_bytes, largest);
}

static int list_check(struct heap *h)
{
	return heap_tree_check(h->state);
}

const struct heap_ops heap_list_ops = {
	.name = "list",
	.init = list_init,
	.alloc = list_alloc,
	.free = list_free,
	.realloc = list_realloc,
	.usable_size = list_usable_size,
	.space = list_space,
	.check = list_check,
};
