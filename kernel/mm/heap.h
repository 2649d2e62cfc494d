/*
 * The kernel heap: one front (heap_alloc, heap_free, heap_realloc, ...) over
 * three swappable allocator designs behind struct heap_ops: bump, list
 * (address-ordered first fit) and block (fixed-size classes). The heap lives
 * in an arena [start, end) that grows contiguously upward through a callback
 * (the kernel maps frames, host tests extend inside a reserved buffer).
 *
 * Pure code: the same files build into the kernel and into host tests. The
 * heap is not reentrant: the caller serialises every call (the kernel holds
 * the heap lock with interrupts off). IRQ handlers must not allocate.
 *
 * Contract for callers:
 *  - every pointer handed out is aligned to max(align, HEAP_PTR_ALIGN);
 *    align must be 0 or a power of two up to HEAP_MAX_ALIGN, else NULL;
 *    heap_calloc, heap_realloc when it moves a block, and kmalloc ask for
 *    HEAP_MIN_ALIGN;
 *  - size 0 returns a unique minimal allocation that must be freed;
 *  - sizes above HEAP_MAX_SIZE, out of memory and bad alignments return NULL
 *    and leave the heap intact; heap_free(NULL) does nothing;
 *  - misuse the heap notices (double free, a pointer it never handed out,
 *    and in debug mode overruns and writes after free) goes to the report
 *    callback; the operation is then dropped.
 */
#ifndef EMBER_KERNEL_HEAP_H
#define EMBER_KERNEL_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HEAP_PTR_ALIGN   8u	/* every pointer, whatever align asks */
#define HEAP_MIN_ALIGN   16u	/* what calloc, realloc and kmalloc ask */
#define HEAP_MAX_ALIGN   4096u
#define HEAP_MAX_SIZE    (SIZE_MAX / 16)  /* larger requests fail at once */
#define HEAP_QUARANTINE  16u              /* debug mode: frees held back */

struct heap;

/*
 * One allocator design. The front has checked size and align before alloc
 * and realloc are called, and handles NULL pointers and debug mode itself.
 * realloc may move the block; on failure it returns NULL and leaves the old
 * block as it was. space() and check() walk the heap: slow, for statistics
 * and tests.
 */
struct heap_ops {
	const char *name;
	int (*init)(struct heap *h);
	void *(*alloc)(struct heap *h, size_t size, size_t align);
	void (*free)(struct heap *h, void *ptr);
	void *(*realloc)(struct heap *h, void *ptr, size_t size);
	size_t (*usable_size)(struct heap *h, const void *ptr);
	void (*space)(struct heap *h, size_t *free_bytes, size_t *largest);
	int (*check)(struct heap *h);
	/*
	 * Optional fast path: outside debug mode the front hands requests
	 * below small_limit bytes with align <= HEAP_MIN_ALIGN straight to
	 * alloc_small, which hands out HEAP_MIN_ALIGN-aligned blocks and
	 * counts its own failures (h->acct.nr_failed).
	 */
	void *(*alloc_small)(struct heap *h, size_t size);
	size_t small_limit;
};

extern const struct heap_ops heap_bump_ops;
extern const struct heap_ops heap_list_ops;
extern const struct heap_ops heap_block_ops;

/*
 * Extends the arena [.., end) upward by at least min_bytes: maps or reserves
 * [end, end + *added) with *added >= min_bytes. Returns 0 or -E_NOMEM.
 */
typedef int heap_grow_fn(void *ctx, uintptr_t end, size_t min_bytes,
			 size_t *added);

/*
 * Told about misuse: heap is the design's name ("list"), what is one of
 * "double free", "invalid free", "overrun", "use after free"; addr is the
 * pointer the caller passed. The kernel panics ("heap: double free of 0x..").
 */
typedef void heap_report_fn(const char *heap, const char *what, void *addr);

struct heap_config {
	const struct heap_ops *ops;	/* &heap_bump_ops, &heap_list_ops, ... */
	void *start;			/* arena start */
	size_t size;			/* bytes usable at start right now */
	heap_grow_fn *grow;		/* NULL: the arena never grows */
	heap_report_fn *report;		/* NULL: misuse is dropped silently */
	void *ctx;			/* handed to grow */
	bool debug;			/* poison, canaries, quarantine */
};

/*
 * Figures of one heap. in_use counts usable bytes of live allocations
 * (requested bytes in debug mode). free and largest_free are bytes the
 * design can still hand out without growing the arena (debug mode:
 * quarantined blocks are neither in use nor free).
 * frag_permille = 1000 * (1 - largest_free / free): 0 when all free space
 * is one block, near 1000 when it is crumbs.
 */
struct heap_stats {
	size_t arena;
	size_t in_use;
	size_t peak_in_use;
	size_t free;
	size_t largest_free;
	size_t allocs;
	uint64_t nr_alloc;
	uint64_t nr_free;
	uint64_t nr_failed;
	unsigned int frag_permille;
};

/* Counters the designs keep up to date on every call (see below). */
struct heap_counters {
	size_t in_use;
	size_t peak_in_use;
	uint64_t nr_alloc;
	uint64_t nr_free;
	uint64_t nr_failed;
};

/* One heap. Fill it with heap_init(); the fields belong to the heap. */
struct heap {
	const struct heap_ops *ops;
	void *state;			/* the design's bookkeeping, in the arena */
	void *(*alloc_small)(struct heap *h, size_t size);
	size_t small_limit;		/* 0: no fast path (or debug mode) */
	void (*free_fn)(struct heap *h, void *ptr);	/* design's or debug */
	uintptr_t start;
	uintptr_t end;
	struct heap_counters acct;
	heap_grow_fn *grow;
	heap_report_fn *report;
	void *ctx;
	bool debug;
	unsigned int q_head;
	unsigned int q_len;
	void *quarantine[HEAP_QUARANTINE];
};

/*
 * Sets up h over cfg's arena. Returns 0, -E_INVAL for a bad config or
 * -E_NOMEM when the arena cannot hold the design's bookkeeping.
 */
int heap_init(struct heap *h, const struct heap_config *cfg);

/* Requests that the design's fast path does not take (see heap_ops). */
void *heap_alloc_checked(struct heap *h, size_t size, size_t align);

/* Inline so that a small request costs two compares before the design. */
static inline void *heap_alloc(struct heap *h, size_t size, size_t align)
{
	if (__builtin_expect(size < h->small_limit && align <= HEAP_MIN_ALIGN &&
			     !(align & (align - 1)), 1))
		return h->alloc_small(h, size);
	return heap_alloc_checked(h, size, align);
}

static inline void heap_free(struct heap *h, void *ptr)
{
	if (ptr)
		h->free_fn(h, ptr);
}

/*
 * Resizes, moving the contents if needed; a moved block is HEAP_MIN_ALIGN
 * aligned, one resized in place keeps its address. realloc(NULL, n) allocates; size 0 shrinks to a minimal block
 * (it never frees). NULL on failure, with the old block untouched.
 */
void *heap_realloc(struct heap *h, void *ptr, size_t size);
/* Zeroed n * size bytes; NULL if the product overflows. */
void *heap_calloc(struct heap *h, size_t n, size_t size);
/* Bytes the caller may use at ptr (>= the size asked for). */
size_t heap_usable_size(struct heap *h, const void *ptr);
void heap_get_stats(struct heap *h, struct heap_stats *out);
/* Verifies the design's invariants and the quarantine: 0 or -E_INVAL. */
int heap_check(struct heap *h);
/* The design called name ("bump", "list", "block"), or NULL. */
const struct heap_ops *heap_ops_find(const char *name);

/* ---- for the designs only ---------------------------------------------- */

/* Asks the grow callback for at least min_bytes more: 0 or -E_NOMEM. */
int heap_arena_grow(struct heap *h, size_t min_bytes);
void heap_report_error(struct heap *h, const char *what, const void *addr);

static inline void heap_account_alloc(struct heap *h, size_t usable)
{
	size_t in_use = h->acct.in_use + usable;

	h->acct.in_use = in_use;
	h->acct.nr_alloc++;
	if (in_use > h->acct.peak_in_use)
		h->acct.peak_in_use = in_use;
}

static inline void heap_account_free(struct heap *h, size_t usable)
{
	h->acct.in_use -= usable;
	h->acct.nr_free++;
}

/* A block resized in place from old to now usable bytes. */
static inline void heap_account_resize(struct heap *h, size_t old, size_t now)
{
	h->acct.in_use = h->acct.in_use - old + now;
	if (h->acct.in_use > h->acct.peak_in_use)
		h->acct.peak_in_use = h->acct.in_use;
}

/*
 * The list design's core, also the block design's allocator for large
 * requests and slabs: blocks with boundary tags, the free ones indexed by
 * a treap keyed by address and augmented with the largest size in each
 * subtree, which gives exact address-ordered first fit in O(log n) (large
 * blocks: the tightest of the first t->fits fits, see heap_tree_init).
 * Every pointer it hands out is HEAP_PTR_ALIGN aligned (more if asked) and
 * preceded by a 64-bit header word: bits 3..34 the block's size in bytes,
 * header included (HEAP_HDR_BYTES), bit 0 set while the block is free in
 * the tree, bit 1 set while the block below is free (its footer holds its
 * size), bit 2 never set. The core's headers never have bit 62
 * or 63 set, which leaves them to the block design: bit 62
 * (HEAP_HDR_SMALL) tags its small blocks, which live inside slabs the core
 * sees as one allocated block; bit 63 (HEAP_HDR_HELD) marks an allocated
 * core block it keeps in its cache of freed large blocks. The core refuses
 * to free or resize a block whose header has either bit.
 * The core does no accounting; its callers do.
 */
#define HEAP_HDR_TREE_FREE 1u
#define HEAP_HDR_TREE_PREV_FREE 2u	/* the block below is free */
#define HEAP_HDR_SMALL ((uint64_t)1 << 62)
#define HEAP_HDR_HELD  ((uint64_t)1 << 63)
#define HEAP_HDR_BYTES(hdr) ((hdr) & ~(HEAP_HDR_HELD | HEAP_HDR_SMALL | 7u))

struct heap_tree_node;

struct heap_tree {
	struct heap_tree_node *root;
	uintptr_t base;		/* first block header */
	uintptr_t sentinel;	/* header of the zero-size block ending the arena */
	uint32_t seed;		/* treap priorities */
	uint32_t fits;		/* large blocks: tightest of this many fits */
};

/*
 * Manages [start, h->end) and all later growth: 0 or -E_NOMEM. Sets fits
 * to 1 (plain first fit); a design may raise it before the first alloc.
 */
int heap_tree_init(struct heap *h, struct heap_tree *t, uintptr_t start);
/* NULL when out of memory; else *usable is the block's usable size. */
void *heap_tree_alloc(struct heap *h, struct heap_tree *t, size_t size,
		      size_t align, size_t *usable);
/* The same without growing the arena: NULL when no free block fits. */
void *heap_tree_fit(struct heap *h, struct heap_tree *t, size_t size,
		    size_t align, size_t *usable);
/* Returns the usable size released, 0 after reporting a bad pointer. */
size_t heap_tree_free(struct heap *h, struct heap_tree *t, void *ptr);
/* Resizes in place if it can; false leaves the block as it was. */
bool heap_tree_resize(struct heap *h, struct heap_tree *t, void *ptr,
		      size_t size);
/* Usable size of a live block, 0 after reporting a bad pointer. */
size_t heap_tree_usable(struct heap *h, struct heap_tree *t, const void *ptr);
void heap_tree_space(struct heap_tree *t, size_t *free_bytes, size_t *largest);
int heap_tree_check(struct heap_tree *t);

#endif
