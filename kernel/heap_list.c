/*
 * List design: address-ordered first fit with splitting and O(1)
 * coalescing, and the tree core (heap_tree_*) the block design reuses.
 *
 * Blocks carry boundary tags: an 8-byte header (size | flags) in front of
 * the payload; a free block repeats its size in its last 8 bytes so the
 * block above can find its start. Neighbouring free blocks are always
 * merged, and a zero-size sentinel block ends the arena.
 *
 * The free list in address order is kept as a treap keyed by address: its
 * in-order walk IS the address-ordered free list. Each node (in the free
 * block's payload) also holds the largest block size in its subtree, so
 * "the lowest-addressed free block of at least n bytes" is one descent:
 * exact first fit in O(log n) instead of a walk over every free block.
 * Alignment padding in front of an aligned block becomes a free block of
 * its own (at least TREE_MIN bytes): no padding is ever leaked.
 * Pure code; caller serialises (see heap.h).
 */
#include "kernel/heap.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"

#define TREE_HDR        8u
#define TREE_FREE       1u	/* this block is free */
#define TREE_PREV_FREE  2u	/* the block below is free: see its footer */
#define TREE_FLAGS      15u
#define TREE_MIN        48u	/* header + node + footer */
#define TREE_MAX_ARENA  ((size_t)1 << 35)	/* sizes fit 32 bits / 16 */

/* Lives in the payload of a free block; the size is in the header. */
struct heap_tree_node {
	struct heap_tree_node *left;
	struct heap_tree_node *right;
	struct heap_tree_node *parent;
	uint32_t max16;		/* largest block in this subtree, / 16 */
	uint32_t prio;		/* treap: a parent's prio >= its children's */
};

_Static_assert(TREE_HDR + sizeof(struct heap_tree_node) + 8 <= TREE_MIN,
	       "a free block holds header, node and footer");

/* ---- blocks ----------------------------------------------------------- */

static uint64_t *tag(uintptr_t b)
{
	return (uint64_t *)b;
}

static size_t bsize(uintptr_t b)
{
	return *tag(b) & ~(uint64_t)TREE_FLAGS;
}

static struct heap_tree_node *node_of(uintptr_t b)
{
	return (struct heap_tree_node *)(b + TREE_HDR);
}

static uintptr_t block_of(const struct heap_tree_node *n)
{
	return (uintptr_t)n - TREE_HDR;
}

static uint32_t size16(const struct heap_tree_node *n)
{
	return (uint32_t)(((const uint64_t *)n)[-1] >> 4);
}

/* Marks b free with the given size and writes its footer. */
static void set_free(uintptr_t b, size_t size)
{
	*tag(b) = size | TREE_FREE;
	*tag(b + size - 8) = size;
}

/* Block size for a request: header included, 16-byte multiple. */
static size_t tree_need(size_t size)
{
	return MAX(ALIGN_UP(size + TREE_HDR, (size_t)16), (size_t)TREE_MIN);
}

/* ---- the treap -------------------------------------------------------- */

static uint32_t node_max(const struct heap_tree_node *n)
{
	uint32_t m = size16(n);

	if (n->left && n->left->max16 > m)
		m = n->left->max16;
	if (n->right && n->right->max16 > m)
		m = n->right->max16;
	return m;
}

/* Recomputes max16 from n up to the root, stopping once nothing changes. */
static void fix_up(struct heap_tree_node *n)
{
	for (; n; n = n->parent) {
		uint32_t m = node_max(n);

		if (m == n->max16)
			return;
		n->max16 = m;
	}
}

static void set_child(struct heap_tree *t, struct heap_tree_node *parent,
		      struct heap_tree_node *old, struct heap_tree_node *new)
{
	if (!parent)
		t->root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
}

/* Puts the node at to in from's place (same spot in address order). */
static void node_move(struct heap_tree *t, struct heap_tree_node *from,
		      struct heap_tree_node *to)
{
	*to = *from;
	set_child(t, to->parent, from, to);
	if (to->left)
		to->left->parent = to;
	if (to->right)
		to->right->parent = to;
}

/* Rotates c above its parent; both keep correct max16. */
static void rotate_up(struct heap_tree *t, struct heap_tree_node *c)
{
	struct heap_tree_node *p = c->parent;

	if (p->left == c) {
		p->left = c->right;
		if (c->right)
			c->right->parent = p;
		c->right = p;
	} else {
		p->right = c->left;
		if (c->left)
			c->left->parent = p;
		c->left = p;
	}
	c->parent = p->parent;
	set_child(t, p->parent, p, c);
	p->parent = c;
	c->max16 = p->max16;
	p->max16 = node_max(p);
}

static uint32_t next_prio(struct heap_tree *t)
{
	uint32_t x = t->seed;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	t->seed = x;
	return x;
}

static void tree_insert(struct heap_tree *t, struct heap_tree_node *n)
{
	struct heap_tree_node *parent = NULL, **link = &t->root;
	uint32_t m = size16(n);

	while (*link) {
		parent = *link;
		if (parent->max16 < m)
			parent->max16 = m;
		link = n < parent ? &parent->left : &parent->right;
	}
	*link = n;
	n->parent = parent;
	n->left = n->right = NULL;
	n->max16 = m;
	n->prio = next_prio(t);
	while (n->parent && n->prio > n->parent->prio)
		rotate_up(t, n);
}

static void tree_delete(struct heap_tree *t, struct heap_tree_node *n)
{
	struct heap_tree_node *child;

	while (n->left && n->right)
		rotate_up(t, n->left->prio > n->right->prio ? n->left : n->right);
	child = n->left ? n->left : n->right;
	set_child(t, n->parent, n, child);
	if (child)
		child->parent = n->parent;
	fix_up(n->parent);
}

/* The lowest-addressed node under n with a block of at least need16. */
static struct heap_tree_node *first_fit(struct heap_tree_node *n,
					uint32_t need16)
{
	if (!n || n->max16 < need16)
		return NULL;
	for (;;) {
		struct heap_tree_node *l = n->left;

		if (l && l->max16 >= need16)
			n = l;
		else if (size16(n) >= need16)
			return n;
		else
			n = n->right;
	}
}

/* The next node after n in address order with at least need16. */
static struct heap_tree_node *next_fit(struct heap_tree_node *n,
				       uint32_t need16)
{
	struct heap_tree_node *r = first_fit(n->right, need16);

	for (; !r && n->parent; n = n->parent) {
		struct heap_tree_node *p = n->parent;

		if (p->left != n)
			continue;
		if (size16(p) >= need16)
			return p;
		r = first_fit(p->right, need16);
	}
	return r;
}

static struct heap_tree_node *tree_first(struct heap_tree_node *n)
{
	while (n && n->left)
		n = n->left;
	return n;
}

static struct heap_tree_node *tree_next(struct heap_tree_node *n)
{
	if (n->right)
		return tree_first(n->right);
	while (n->parent && n->parent->right == n)
		n = n->parent;
	return n->parent;
}

/* ---- carving and merging ---------------------------------------------- */

/*
 * Frees block b (its header says allocated) and merges it with free
 * neighbours through the boundary tags: O(1) apart from the treap update.
 */
static void tree_release(struct heap_tree *t, uintptr_t b)
{
	uint64_t hdr = *tag(b);
	size_t size = hdr & ~(uint64_t)TREE_FLAGS;
	uintptr_t next = b + size, prev = 0;
	uint64_t nhdr = *tag(next);

	if (hdr & TREE_PREV_FREE)
		prev = b - *tag(b - 8);
	if (nhdr & TREE_FREE) {
		size += nhdr & ~(uint64_t)TREE_FLAGS;
		if (prev) {
			tree_delete(t, node_of(next));
		} else {
			set_free(b, size);
			node_move(t, node_of(next), node_of(b));
			fix_up(node_of(b));
			return;
		}
	} else {
		*tag(next) = nhdr | TREE_PREV_FREE;
	}
	if (prev) {
		*tag(b) = hdr | TREE_FREE;	/* a second free of b still says so */
		set_free(prev, bsize(prev) + size);
		fix_up(node_of(prev));
	} else {
		set_free(b, size);
		tree_insert(t, node_of(b));
	}
}

/* Hands out the first need bytes of free block n; the rest stays free. */
static void *carve_front(struct heap_tree *t, struct heap_tree_node *n,
			 size_t need)
{
	uintptr_t b = block_of(n), rest;
	size_t size = bsize(b);

	if (size - need >= TREE_MIN) {
		rest = b + need;
		set_free(rest, size - need);
		node_move(t, n, node_of(rest));
		fix_up(node_of(rest));
		*tag(b) = need;
	} else {
		tree_delete(t, n);
		*tag(b) = size;
		*tag(b + size) &= ~(uint64_t)TREE_PREV_FREE;
	}
	return (void *)(b + TREE_HDR);
}

/*
 * Hands out need bytes of n, the free block first fit chose. They come
 * from the block's high end, which leaves the node where it is (only its
 * size shrinks) and measured a little less fragmentation on the standard
 * traces than the low end; the top block is carved from its low end so
 * the arena stays short.
 */
static void *carve_fit(struct heap_tree *t, struct heap_tree_node *n,
		       size_t need)
{
	uintptr_t b = block_of(n), a;
	size_t size = bsize(b);

	if (size - need < TREE_MIN || b + size == t->sentinel)
		return carve_front(t, n, need);
	a = b + size - need;
	set_free(b, size - need);
	fix_up(n);
	*tag(a) = need | TREE_PREV_FREE;
	*tag(b + size) &= ~(uint64_t)TREE_PREV_FREE;
	return (void *)(a + TREE_HDR);
}

/*
 * Where an align-aligned payload of a need-byte block fits in free block b:
 * the padding in front is zero or a free block of at least TREE_MIN.
 */
static uintptr_t aligned_spot(uintptr_t b, size_t need, size_t align)
{
	uintptr_t p = ALIGN_UP(b + TREE_HDR, (uintptr_t)align);

	if (p - TREE_HDR != b && p - TREE_HDR - b < TREE_MIN)
		p += align;
	return p - TREE_HDR + need <= b + bsize(b) ? p : 0;
}

/* Carves [p - TREE_HDR, + need) out of n; padding and tail stay free. */
static void *carve_at(struct heap_tree *t, struct heap_tree_node *n,
		      uintptr_t p, size_t need)
{
	uintptr_t b = block_of(n), a = p - TREE_HDR, end = b + bsize(b);
	size_t rest = end - a - need;

	if (a == b)
		return carve_front(t, n, need);
	if (rest < TREE_MIN) {
		need += rest;
		rest = 0;
	}
	set_free(b, a - b);
	fix_up(n);
	*tag(a) = need | TREE_PREV_FREE;
	if (rest) {
		set_free(a + need, rest);
		tree_insert(t, node_of(a + need));
	} else {
		*tag(end) &= ~(uint64_t)TREE_PREV_FREE;
	}
	return (void *)p;
}

static void *take_aligned(struct heap_tree *t, size_t need, size_t align)
{
	struct heap_tree_node *n;
	uintptr_t p;

	for (n = first_fit(t->root, need >> 4); n; n = next_fit(n, need >> 4)) {
		p = aligned_spot(block_of(n), need, align);
		if (p)
			return carve_at(t, n, p, need);
	}
	return NULL;
}

/* Turns the arena up to end into free space above the sentinel. */
static void tree_adopt(struct heap_tree *t, uintptr_t end)
{
	uintptr_t s = ALIGN_DOWN(end, (uintptr_t)16) - TREE_HDR, b = t->sentinel;

	if (s > t->base + TREE_MAX_ARENA)
		s = t->base + TREE_MAX_ARENA;
	if (s <= b || s - b < TREE_MIN)
		return;
	*tag(s) = 0;
	*tag(b) = (s - b) | (*tag(b) & TREE_PREV_FREE);
	t->sentinel = s;
	tree_release(t, b);
}

/* Grows the arena so that a need-byte block fits at its top. */
static int tree_grow(struct heap *h, struct heap_tree *t, size_t need)
{
	uint64_t shdr = *tag(t->sentinel);
	size_t top = shdr & TREE_PREV_FREE ? *tag(t->sentinel - 8) : 0;
	size_t want = (need > top ? need - top : 0) + TREE_MIN + 16;

	if (want > TREE_MAX_ARENA - (t->sentinel - t->base))
		return -E_NOMEM;
	if (heap_arena_grow(h, want) < 0)
		return -E_NOMEM;
	tree_adopt(t, h->end);
	return 0;
}

/* ---- the core's interface ----------------------------------------------- */

int heap_tree_init(struct heap *h, struct heap_tree *t, uintptr_t start)
{
	uintptr_t base = ALIGN_UP(start, (uintptr_t)16) + TREE_HDR;

	if (base + TREE_HDR > h->end &&
	    heap_arena_grow(h, base + TREE_HDR - h->end) < 0)
		return -E_NOMEM;
	t->root = NULL;
	t->base = base;
	t->sentinel = base;
	t->seed = 0x9e3779b9u;
	*tag(base) = 0;
	tree_adopt(t, h->end);
	return 0;
}

void *heap_tree_alloc(struct heap *h, struct heap_tree *t, size_t size,
		      size_t align, size_t *usable)
{
	size_t need, pad = align > HEAP_MIN_ALIGN ? align + TREE_MIN : 0;
	struct heap_tree_node *n;
	void *p;

	if (size > TREE_MAX_ARENA)
		return NULL;
	need = tree_need(size);
	for (int grown = 0;; grown++) {
		if (pad) {
			p = take_aligned(t, need, align);
		} else {
			n = first_fit(t->root, need >> 4);
			p = n ? carve_fit(t, n, need) : NULL;
		}
		if (p || grown || tree_grow(h, t, need + pad) < 0)
			break;
	}
	if (p)
		*usable = bsize((uintptr_t)p - TREE_HDR) - TREE_HDR;
	return p;
}

/* The header of the live block at p, or 0 after reporting misuse. */
static uintptr_t tree_live_block(struct heap *h, struct heap_tree *t,
				 const void *p)
{
	uintptr_t b = (uintptr_t)p - TREE_HDR;
	uint64_t hdr;
	size_t size;

	if ((uintptr_t)p < t->base + TREE_HDR || b >= t->sentinel ||
	    !IS_ALIGNED((uintptr_t)p, 16))
		goto invalid;
	hdr = *tag(b);
	if (hdr & TREE_FREE) {
		heap_report_error(h, "double free", p);
		return 0;
	}
	size = hdr & ~(uint64_t)TREE_FLAGS;
	if (size < TREE_MIN || size > t->sentinel - b || (hdr & HEAP_HDR_SMALL))
		goto invalid;
	return b;
invalid:
	heap_report_error(h, "invalid free", p);
	return 0;
}

size_t heap_tree_free(struct heap *h, struct heap_tree *t, void *p)
{
	uintptr_t b = tree_live_block(h, t, p);
	size_t usable;

	if (!b)
		return 0;
	usable = bsize(b) - TREE_HDR;
	tree_release(t, b);
	return usable;
}

/* Cuts allocated block b down to need bytes and frees the tail. */
static void split_tail(struct heap_tree *t, uintptr_t b, size_t need)
{
	size_t size = bsize(b);

	if (size - need < TREE_MIN)
		return;
	*tag(b) = need | (*tag(b) & TREE_PREV_FREE);
	*tag(b + need) = size - need;
	tree_release(t, b + need);
}

bool heap_tree_resize(struct heap *h, struct heap_tree *t, void *p, size_t size)
{
	uintptr_t b = tree_live_block(h, t, p), next;
	size_t need, cur, total;
	uint64_t nhdr;

	if (!b || size > TREE_MAX_ARENA)
		return false;
	need = tree_need(size);
	cur = bsize(b);
	if (need <= cur) {
		split_tail(t, b, need);
		return true;
	}
	next = b + cur;
	nhdr = *tag(next);
	total = cur + (nhdr & ~(uint64_t)TREE_FLAGS);
	if (!(nhdr & TREE_FREE) || total < need)
		return false;
	tree_delete(t, node_of(next));
	*tag(b) = total | (*tag(b) & TREE_PREV_FREE);
	*tag(b + total) &= ~(uint64_t)TREE_PREV_FREE;
	split_tail(t, b, need);
	return true;
}

size_t heap_tree_usable(struct heap *h, struct heap_tree *t, const void *p)
{
	uintptr_t b = tree_live_block(h, t, p);

	return b ? bsize(b) - TREE_HDR : 0;
}

void heap_tree_space(struct heap_tree *t, size_t *free_bytes, size_t *largest)
{
	size_t sum = 0;

	for (struct heap_tree_node *n = tree_first(t->root); n; n = tree_next(n))
		sum += bsize(block_of(n)) - TREE_HDR;
	*free_bytes = sum;
	*largest = t->root ? ((size_t)t->root->max16 << 4) - TREE_HDR : 0;
}

/* Walks the blocks in address order: tags, footers, merging. */
static int check_blocks(struct heap_tree *t, size_t *nr_free)
{
	uintptr_t b = t->base;
	bool prev_free = false;

	*nr_free = 0;
	while (b != t->sentinel) {
		uint64_t hdr = *tag(b);
		size_t size = hdr & ~(uint64_t)TREE_FLAGS;
		bool is_free = hdr & TREE_FREE;

		if (size < TREE_MIN || size > t->sentinel - b ||
		    (hdr & HEAP_HDR_SMALL) ||
		    !!(hdr & TREE_PREV_FREE) != prev_free ||
		    (is_free && (prev_free || *tag(b + size - 8) != size)))
			return -E_INVAL;
		*nr_free += is_free;
		prev_free = is_free;
		b += size;
	}
	if (!!(*tag(b) & TREE_PREV_FREE) != prev_free || bsize(b) != 0)
		return -E_INVAL;
	return 0;
}

/* Walks the treap in order: addresses, links, max16, priorities. */
static int check_treap(struct heap_tree *t, size_t nr_free)
{
	struct heap_tree_node *n, *last = NULL;
	size_t count = 0;

	if (t->root && t->root->parent)
		return -E_INVAL;
	for (n = tree_first(t->root); n; n = tree_next(n)) {
		if (++count > nr_free || n <= last ||
		    !(*tag(block_of(n)) & TREE_FREE) || n->max16 != node_max(n) ||
		    (n->left && (n->left->parent != n || n->left->prio > n->prio)) ||
		    (n->right && (n->right->parent != n || n->right->prio > n->prio)))
			return -E_INVAL;
		last = n;
	}
	return count == nr_free ? 0 : -E_INVAL;
}

int heap_tree_check(struct heap_tree *t)
{
	size_t nr_free;

	if (check_blocks(t, &nr_free) < 0)
		return -E_INVAL;
	return check_treap(t, nr_free);
}

/* ---- the list design ---------------------------------------------------- */

static int list_init(struct heap *h)
{
	uintptr_t st = ALIGN_UP(h->start, (uintptr_t)16);
	struct heap_tree *t = (struct heap_tree *)st;

	if (st + sizeof(*t) > h->end &&
	    heap_arena_grow(h, st + sizeof(*t) - h->end) < 0)
		return -E_NOMEM;
	h->state = t;
	return heap_tree_init(h, t, st + sizeof(*t));
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
