/*
 * The tree core (heap_tree_*) behind the list design and the block design's
 * large requests: address-ordered first fit with splitting and O(1)
 * coalescing.
 *
 * Blocks carry boundary tags: an 8-byte header (size | flags) in front of
 * the payload; only a free block repeats its size, in its last 4 bytes, so
 * the block above can find its start (the header's "previous is free" bit
 * says when to look). Sizes are multiples of 8, at least 32 bytes; payloads
 * are 8-aligned unless more is asked. Neighbouring free blocks are always
 * merged, and a zero-size sentinel block ends the arena.
 *
 * The free list in address order is kept as a treap keyed by address: its
 * in-order walk IS the address-ordered free list. Each node (in the free
 * block's payload) also holds the largest block size in its subtree, so
 * "the lowest-addressed free block of at least n bytes" is one descent:
 * exact first fit in O(log n) instead of a walk over every free block.
 * A tree whose t->fits is raised (the list design) lets blocks of 1 KiB
 * and up take the tightest of the first t->fits fits instead (see tree_find). Alignment padding becomes a
 * free block of its own: no padding is ever leaked.
 * Pure code; caller serialises (see heap.h).
 */
#include "kernel/mm/heap.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"

#define TREE_HDR        8u
#define TREE_GRAIN      HEAP_PTR_ALIGN	/* sizes and payloads */
#define TREE_FREE       1u	/* this block is free */
#define TREE_PREV_FREE  2u	/* the block below is free: see its footer */
#define TREE_FLAGS      7u	/* bit 2 is never set */
_Static_assert(TREE_FREE == HEAP_HDR_TREE_FREE &&
	       TREE_PREV_FREE == HEAP_HDR_TREE_PREV_FREE, "heap.h says so");
#define TREE_MIN        32u	/* header + node + footer */
#define TREE_MAX_ARENA  ((size_t)1 << 35)	/* sizes, links: 32 bits / 8 */
#define TREE_LARGE      1024u	/* blocks from here up: best of t->fits */

/*
 * Lives in the payload of a free block; the size is in the header. Links
 * are 32-bit offsets in 8-byte units from the nil node (link 0, see
 * node_at), which is what lets node and footer fit in a 32-byte block.
 */
struct heap_tree_node {
	uint32_t left;
	uint32_t right;
	uint32_t parent;
	uint32_t max8;		/* largest block in this subtree, / 8 */
	uint32_t prio;		/* treap: a parent's >= its children's */
};

#define TREE_NIL        ALIGN_UP(sizeof(struct heap_tree_node), (size_t)8)

_Static_assert(TREE_HDR + sizeof(struct heap_tree_node) + 4 <= TREE_MIN,
	       "a free block holds header, node and footer");
_Static_assert(TREE_FLAGS < TREE_GRAIN, "flags live below the grain");

/* ---- blocks ----------------------------------------------------------- */

static uint64_t *tag(uintptr_t b)
{
	return (uint64_t *)b;
}

static size_t bsize(uintptr_t b)
{
	return *tag(b) & ~(uint64_t)TREE_FLAGS;
}

/* The footer of the free block that ends at end: its size / 8. */
static uint32_t *footer(uintptr_t end)
{
	return (uint32_t *)end - 1;
}

static struct heap_tree_node *node_of(uintptr_t b)
{
	return (struct heap_tree_node *)(b + TREE_HDR);
}

static uintptr_t block_of(const struct heap_tree_node *n)
{
	return (uintptr_t)n - TREE_HDR;
}

static uint32_t size8(const struct heap_tree_node *n)
{
	return (uint32_t)(((const uint64_t *)n)[-1] >> 3);
}

/* Marks b free with the given size and writes its footer. */
static void set_free(uintptr_t b, size_t size)
{
	*tag(b) = size | TREE_FREE;
	*footer(b + size) = (uint32_t)(size >> 3);
}

/* Block size for a request: header included, 8-byte multiple. */
static size_t tree_need(size_t size)
{
	size_t need = ALIGN_UP(size + TREE_HDR, (size_t)TREE_GRAIN);

	return MAX(need, (size_t)TREE_MIN);
}

static bool is_top(const struct heap_tree *t, uintptr_t b)
{
	return b + bsize(b) == t->sentinel;
}

/* ---- the treap -------------------------------------------------------- */

/*
 * Link 0 is the nil node in front of the first block: max8 0, prio 0, no
 * links. It stands for "none" so that walks need no NULL tests; it is
 * never written after heap_tree_init.
 */
static struct heap_tree_node *node_at(const struct heap_tree *t, uint32_t off)
{
	uintptr_t nil = t->base - TREE_NIL;

	return (struct heap_tree_node *)(nil + ((uintptr_t)off << 3));
}

static uint32_t off_of(const struct heap_tree *t,
		       const struct heap_tree_node *n)
{
	return (uint32_t)(((uintptr_t)n - (t->base - TREE_NIL)) >> 3);
}

static uint32_t node_max(const struct heap_tree *t,
			 const struct heap_tree_node *n)
{
	uint32_t m = size8(n), l = node_at(t, n->left)->max8;
	uint32_t r = node_at(t, n->right)->max8;

	if (l > m)
		m = l;
	return r > m ? r : m;
}

/* Recomputes max8 from link off up, stopping once nothing changes. */
static void fix_up(const struct heap_tree *t, uint32_t off)
{
	while (off) {
		struct heap_tree_node *n = node_at(t, off);
		uint32_t m = node_max(t, n);

		if (m == n->max8)
			return;
		n->max8 = m;
		off = n->parent;
	}
}

/* Points the link of parent (0: the root) that went to old at new. */
static void set_child(struct heap_tree *t, uint32_t parent, uint32_t old,
		      uint32_t new)
{
	struct heap_tree_node *p = node_at(t, parent);

	if (!parent)
		t->root = node_at(t, new);
	else if (p->left == old)
		p->left = new;
	else
		p->right = new;
}

/* Puts the node at to in from's place (same spot in address order). */
static void node_move(struct heap_tree *t, struct heap_tree_node *from,
		      struct heap_tree_node *to)
{
	uint32_t off = off_of(t, to);

	*to = *from;
	set_child(t, to->parent, off_of(t, from), off);
	if (to->left)
		node_at(t, to->left)->parent = off;
	if (to->right)
		node_at(t, to->right)->parent = off;
}

/* Rotates c above its parent; both keep correct max8. */
static void rotate_up(struct heap_tree *t, struct heap_tree_node *c)
{
	uint32_t co = off_of(t, c), po = c->parent, moved;
	struct heap_tree_node *p = node_at(t, po);

	if (p->left == co) {
		moved = c->right;
		p->left = moved;
		c->right = po;
	} else {
		moved = c->left;
		p->right = moved;
		c->left = po;
	}
	if (moved)
		node_at(t, moved)->parent = po;
	c->parent = p->parent;
	set_child(t, p->parent, po, co);
	p->parent = co;
	c->max8 = p->max8;
	p->max8 = node_max(t, p);
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
	uint32_t m = size8(n), off = off_of(t, n), parent = 0;
	uint32_t cur = off_of(t, t->root);

	while (cur) {
		struct heap_tree_node *c = node_at(t, cur);

		parent = cur;
		if (c->max8 < m)
			c->max8 = m;
		cur = off < cur ? c->left : c->right;
	}
	n->left = n->right = 0;
	n->parent = parent;
	n->max8 = m;
	n->prio = next_prio(t);
	if (!parent)
		t->root = n;
	else if (off < parent)
		node_at(t, parent)->left = off;
	else
		node_at(t, parent)->right = off;
	while (n->parent && n->prio > node_at(t, n->parent)->prio)
		rotate_up(t, n);
}

static void tree_delete(struct heap_tree *t, struct heap_tree_node *n)
{
	uint32_t child;

	while (n->left && n->right) {
		struct heap_tree_node *l = node_at(t, n->left);
		struct heap_tree_node *r = node_at(t, n->right);

		rotate_up(t, l->prio > r->prio ? l : r);
	}
	child = n->left | n->right;
	set_child(t, n->parent, off_of(t, n), child);
	if (child)
		node_at(t, child)->parent = n->parent;
	fix_up(t, n->parent);
}

/* The lowest-addressed node under n with a block of at least need8. */
static struct heap_tree_node *first_fit(const struct heap_tree *t,
					struct heap_tree_node *n,
					uint32_t need8)
{
	if (n->max8 < need8)
		return NULL;
	for (;;) {
		struct heap_tree_node *l = node_at(t, n->left);

		if (l->max8 >= need8)
			n = l;
		else if (size8(n) >= need8)
			return n;
		else
			n = node_at(t, n->right);
	}
}

/* The next node after n in address order with at least need8. */
static struct heap_tree_node *next_fit(const struct heap_tree *t,
				       struct heap_tree_node *n,
				       uint32_t need8)
{
	struct heap_tree_node *r = first_fit(t, node_at(t, n->right), need8);

	while (!r && n->parent) {
		uint32_t from = off_of(t, n);

		n = node_at(t, n->parent);
		if (n->left != from)
			continue;
		if (size8(n) >= need8)
			return n;
		r = first_fit(t, node_at(t, n->right), need8);
	}
	return r;
}

/* In-order walk, for statistics and checks: NULL after the last node. */
static struct heap_tree_node *tree_first(const struct heap_tree *t,
					 struct heap_tree_node *n)
{
	if (n == node_at(t, 0))
		return NULL;
	while (n->left)
		n = node_at(t, n->left);
	return n;
}

static struct heap_tree_node *tree_next(const struct heap_tree *t,
					struct heap_tree_node *n)
{
	if (n->right)
		return tree_first(t, node_at(t, n->right));
	while (n->parent && node_at(t, n->parent)->right == off_of(t, n))
		n = node_at(t, n->parent);
	return n->parent ? node_at(t, n->parent) : NULL;
}

/* ---- placing ---------------------------------------------------------- */

/*
 * Where the header of an align-aligned need-byte block goes in free block
 * b, or 0 if it does not fit. Blocks come from the high end, which leaves
 * the free block's node where it is (only its size shrinks); the top block
 * (next to the sentinel) gives its low end so that the arena stays short.
 * Space left in front is zero or a free block of at least TREE_MIN; space
 * left behind that is too small for a block goes with the allocation.
 */
static uintptr_t place(const struct heap_tree *t, uintptr_t b, size_t need,
		       size_t align)
{
	uintptr_t end = b + bsize(b), a;

	if (end != t->sentinel) {
		a = ALIGN_DOWN(end - need + TREE_HDR, (uintptr_t)align) - TREE_HDR;
		if (a >= b && (a == b || a - b >= TREE_MIN))
			return a;
		return IS_ALIGNED(b + TREE_HDR, align) ? b : 0;
	}
	a = ALIGN_UP(b + TREE_HDR, (uintptr_t)align) - TREE_HDR;
	if (a != b)
		a = ALIGN_UP(b + TREE_HDR + TREE_MIN, (uintptr_t)align) - TREE_HDR;
	return a + need <= end ? a : 0;
}

/*
 * The free block for a need-byte block and where in it (*at), or NULL.
 * Exact first fit, except that a large block (TREE_LARGE bytes and up)
 * takes the tightest of the first t->fits blocks where it fits (the lowest
 * of equals), O(t->fits log n). Plain first fit cuts the first big enough
 * hole even when a tighter one sits a little higher, and what is left of
 * it is then too small for the next large request, which grows the arena;
 * an unbounded best fit scatters blocks over the whole arena instead. The
 * top block is the arena's reserve: it is taken only when nothing lower
 * fits.
 */
static struct heap_tree_node *tree_find(struct heap_tree *t, size_t need,
					size_t align, uintptr_t *at)
{
	uint32_t need8 = (uint32_t)(need >> 3);
	struct heap_tree_node *n = first_fit(t, t->root, need8), *best;
	unsigned int seen = 1;
	uintptr_t a = 0;

	while (n && !(a = place(t, block_of(n), need, align)))
		n = next_fit(t, n, need8);
	*at = a;
	if (!n || need < TREE_LARGE)
		return n;
	for (best = n; seen < t->fits && size8(best) != need8; ) {
		n = next_fit(t, n, need8);
		if (!n || is_top(t, block_of(n)))
			break;
		a = place(t, block_of(n), need, align);
		if (!a)
			continue;
		seen++;
		if (size8(n) < size8(best)) {
			best = n;
			*at = a;
		}
	}
	return best;
}

/*
 * Carves the need bytes at a out of free block n. Space left in front keeps
 * n's node; space left behind becomes a free block (n's node moves there if
 * nothing is left in front), or joins the allocation when it is smaller
 * than TREE_MIN.
 */
static void *carve(struct heap_tree *t, struct heap_tree_node *n, uintptr_t a,
		   size_t need)
{
	uintptr_t b = block_of(n), end = b + bsize(b);
	size_t rest = end - a - need;

	if (rest < TREE_MIN) {
		need += rest;
		rest = 0;
		*tag(end) &= ~(uint64_t)TREE_PREV_FREE;
	}
	if (a == b) {
		if (rest) {
			set_free(a + need, rest);
			node_move(t, n, node_of(a + need));
			fix_up(t, off_of(t, node_of(a + need)));
		} else {
			tree_delete(t, n);	/* while its size is the old one */
		}
		*tag(a) = need;
	} else {
		set_free(b, a - b);
		fix_up(t, off_of(t, n));
		*tag(a) = need | TREE_PREV_FREE;
		if (rest) {
			set_free(a + need, rest);
			tree_insert(t, node_of(a + need));
		}
	}
	return (void *)(a + TREE_HDR);
}

/* ---- freeing and growing ---------------------------------------------- */

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
		prev = b - ((size_t)*footer(b) << 3);
	if (nhdr & TREE_FREE) {
		size += nhdr & ~(uint64_t)TREE_FLAGS;
		if (prev) {
			tree_delete(t, node_of(next));
		} else {
			set_free(b, size);
			node_move(t, node_of(next), node_of(b));
			fix_up(t, off_of(t, node_of(b)));
			return;
		}
	} else {
		*tag(next) = nhdr | TREE_PREV_FREE;
	}
	if (prev) {
		*tag(b) = hdr | TREE_FREE;	/* a double free still says so */
		set_free(prev, bsize(prev) + size);
		fix_up(t, off_of(t, node_of(prev)));
	} else {
		set_free(b, size);
		tree_insert(t, node_of(b));
	}
}

/* Turns the arena up to end into free space above the sentinel. */
static void tree_adopt(struct heap_tree *t, uintptr_t end)
{
	uintptr_t s = ALIGN_DOWN(end, (uintptr_t)TREE_GRAIN) - TREE_HDR;
	uintptr_t b = t->sentinel;

	if (s > t->base + TREE_MAX_ARENA - TREE_GRAIN)
		s = t->base + TREE_MAX_ARENA - TREE_GRAIN;
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
	size_t top = 0, want;

	if (shdr & TREE_PREV_FREE)
		top = (size_t)*footer(t->sentinel) << 3;
	want = (need > top ? need - top : 0) + TREE_MIN + 2 * TREE_GRAIN;
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
	uintptr_t base = ALIGN_UP(start, (uintptr_t)TREE_GRAIN) + TREE_NIL;

	if (base + TREE_HDR > h->end &&
	    heap_arena_grow(h, base + TREE_HDR - h->end) < 0)
		return -E_NOMEM;
	t->base = base;
	t->root = node_at(t, 0);
	memset(t->root, 0, sizeof(*t->root));
	t->sentinel = base;
	t->seed = 0x9e3779b9u;
	t->fits = 1;
	*tag(base) = 0;
	tree_adopt(t, h->end);
	return 0;
}

void *heap_tree_fit(struct heap *h, struct heap_tree *t, size_t size,
		    size_t align, size_t *usable)
{
	struct heap_tree_node *n;
	uintptr_t a;
	void *p;

	if (size > TREE_MAX_ARENA - 2 * TREE_MIN)
		return NULL;
	n = tree_find(t, tree_need(size), MAX(align, (size_t)TREE_GRAIN), &a);
	p = n ? carve(t, n, a, tree_need(size)) : NULL;
	if (p)
		*usable = bsize((uintptr_t)p - TREE_HDR) - TREE_HDR;
	return p;
}

void *heap_tree_alloc(struct heap *h, struct heap_tree *t, size_t size,
		      size_t align, size_t *usable)
{
	void *p = heap_tree_fit(h, t, size, align, usable);
	size_t pad = align > TREE_GRAIN ? align + TREE_MIN : 0;

	if (p || size > TREE_MAX_ARENA - 2 * TREE_MIN ||
	    tree_grow(h, t, tree_need(size) + pad) < 0)
		return p;
	return heap_tree_fit(h, t, size, align, usable);
}

/* The header of the live block at p, or 0 after reporting misuse. */
static uintptr_t tree_live_block(struct heap *h, struct heap_tree *t,
				 const void *p)
{
	uintptr_t b = (uintptr_t)p - TREE_HDR;
	uint64_t hdr;
	size_t size;

	if ((uintptr_t)p < t->base + TREE_HDR || b >= t->sentinel ||
	    !IS_ALIGNED((uintptr_t)p, TREE_GRAIN))
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

	if (!b || size > TREE_MAX_ARENA - 2 * TREE_MIN)
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

	for (struct heap_tree_node *n = tree_first(t, t->root); n;
	     n = tree_next(t, n))
		sum += bsize(block_of(n)) - TREE_HDR;
	*free_bytes = sum;
	*largest = t->root->max8 ? ((size_t)t->root->max8 << 3) - TREE_HDR : 0;
}

/* Walks the blocks in address order: tags, footers, merging. */
static int check_blocks(struct heap_tree *t, size_t *nr_free)
{
	uintptr_t b = t->base;
	bool prev_free = false;

	*nr_free = 0;
	while (b != t->sentinel) {
		uint64_t hdr = *tag(b);
		size_t size = HEAP_HDR_BYTES(hdr);
		bool is_free = hdr & TREE_FREE;

		if (size < TREE_MIN || size > t->sentinel - b ||
		    (hdr & HEAP_HDR_SMALL) || (is_free && (hdr & HEAP_HDR_HELD)) ||
		    !!(hdr & TREE_PREV_FREE) != prev_free ||
		    (is_free && (prev_free || *footer(b + size) != size >> 3)))
			return -E_INVAL;
		*nr_free += is_free;
		prev_free = is_free;
		b += size;
	}
	if (!!(*tag(b) & TREE_PREV_FREE) != prev_free || bsize(b) != 0)
		return -E_INVAL;
	return 0;
}

/* One node's links: children point back, priorities in heap order. */
static bool node_ok(const struct heap_tree *t, const struct heap_tree_node *n)
{
	uint32_t off = off_of(t, n);
	const struct heap_tree_node *l = node_at(t, n->left);
	const struct heap_tree_node *r = node_at(t, n->right);

	return (*tag(block_of(n)) & TREE_FREE) && n->max8 == node_max(t, n) &&
	       (!n->left || (l->parent == off && l->prio <= n->prio)) &&
	       (!n->right || (r->parent == off && r->prio <= n->prio));
}

/* Walks the treap in order: addresses, links, max8, priorities. */
static int check_treap(struct heap_tree *t, size_t nr_free)
{
	const struct heap_tree_node *nil = node_at(t, 0);
	struct heap_tree_node *n, *last = NULL;
	size_t count = 0;

	if (t->root->parent || nil->left || nil->right || nil->parent ||
	    nil->max8 || nil->prio)
		return -E_INVAL;
	for (n = tree_first(t, t->root); n; n = tree_next(t, n)) {
		if (++count > nr_free || n <= last || !node_ok(t, n))
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
