/*
 * The heap's front: checks requests, dispatches to the chosen design, keeps
 * statistics and runs debug mode. Pure code, same context rules as the rest
 * of the heap (see heap.h): the caller serialises every call.
 *
 * Debug mode wraps every allocation as
 *   [design padding][size, offset, magic][user bytes][8 canary bytes]
 * and fills fresh memory with HEAP_POISON_NEW. A free checks the magic
 * (double or invalid free) and the canary (overrun), poisons the user bytes
 * and parks the block in a small quarantine; when it leaves the quarantine
 * the poison is checked (write after free) before the design gets it back.
 * A double free is caught for sure while the block is in quarantine.
 */
#include "kernel/mm/heap.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"

#define HEAP_POISON_NEW   0xa5
#define HEAP_POISON_FREE  0xdf
#define HEAP_CANARY       0xcb
#define HEAP_CANARY_SIZE  8u
#define HEAP_MAGIC_LIVE   0x4c495645u
#define HEAP_MAGIC_FREED  0x46524545u
#define HEAP_GROW_STEP    (64u * 1024)

/* Sits right below the user bytes so that an underrun hits the magic. */
struct heap_debug_hdr {
	size_t size;
	uint32_t offset;	/* user pointer - design pointer */
	uint32_t magic;
};

_Static_assert(sizeof(struct heap_debug_hdr) == 16, "debug header is 16 bytes");

static void debug_free(struct heap *h, void *user);

static bool heap_request_ok(size_t size, size_t align)
{
	return size <= HEAP_MAX_SIZE && align <= HEAP_MAX_ALIGN &&
	       (align & (align - 1)) == 0;
}

int heap_init(struct heap *h, const struct heap_config *cfg)
{
	uintptr_t start;

	if (!h || !cfg || !cfg->ops || !cfg->start)
		return -E_INVAL;
	start = (uintptr_t)cfg->start;
	if (cfg->size > UINTPTR_MAX - start)
		return -E_INVAL;
	memset(h, 0, sizeof(*h));
	h->ops = cfg->ops;
	h->start = start;
	h->end = start + cfg->size;
	h->grow = cfg->grow;
	h->report = cfg->report;
	h->ctx = cfg->ctx;
	h->debug = cfg->debug;
	h->free_fn = cfg->debug ? debug_free : cfg->ops->free;
	if (!cfg->debug && cfg->ops->alloc_small) {
		h->alloc_small = cfg->ops->alloc_small;
		h->small_limit = cfg->ops->small_limit;
	}
	return h->ops->init(h);
}

static int heap_arena_grow_by(struct heap *h, size_t min_bytes)
{
	size_t added = 0;

	if (min_bytes > UINTPTR_MAX - h->end)
		return -E_NOMEM;
	if (h->grow(h->ctx, h->end, min_bytes, &added) < 0)
		return -E_NOMEM;
	if (added < min_bytes || added > UINTPTR_MAX - h->end)
		return -E_NOMEM;
	h->end += added;
	return 0;
}

/*
 * Asks for HEAP_GROW_STEP at least, so that growing stays rare, and for
 * exactly what is missing when the step does not fit under the limit.
 */
int heap_arena_grow(struct heap *h, size_t min_bytes)
{
	if (!h->grow)
		return -E_NOMEM;
	min_bytes = MAX(min_bytes, (size_t)1);
	if (min_bytes < HEAP_GROW_STEP &&
	    heap_arena_grow_by(h, HEAP_GROW_STEP) == 0)
		return 0;
	return heap_arena_grow_by(h, min_bytes);
}

void heap_report_error(struct heap *h, const char *what, const void *addr)
{
	if (h->report)
		h->report(h->ops->name, what, (void *)addr);
}

const struct heap_ops *heap_ops_find(const char *name)
{
	static const struct heap_ops *const all[] = {
		&heap_bump_ops, &heap_list_ops, &heap_block_ops,
	};

	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		if (name && strcmp(name, all[i]->name) == 0)
			return all[i];
	return NULL;
}

/* ---- debug mode ---------------------------------------------------------- */

static struct heap_debug_hdr *debug_hdr(const void *user)
{
	return (struct heap_debug_hdr *)user - 1;
}

/* True if every byte of p[0..n) is c. */
static bool bytes_are(const void *p, int c, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != (unsigned char)c)
			return false;
	return true;
}

/*
 * Runs a design call without letting it touch the counters: in debug mode
 * the front counts the caller's sizes itself.
 */
static void *design_alloc(struct heap *h, size_t size, size_t align)
{
	struct heap_counters saved = h->acct;
	void *p = h->ops->alloc(h, size, align);

	h->acct = saved;
	return p;
}

static void design_free(struct heap *h, void *p)
{
	struct heap_counters saved = h->acct;

	h->ops->free(h, p);
	h->acct = saved;
}

/* Hands the oldest quarantined block back to the design. */
static void quarantine_release_one(struct heap *h)
{
	void *user = h->quarantine[h->q_head];
	struct heap_debug_hdr *d = debug_hdr(user);

	h->q_head = (h->q_head + 1) % HEAP_QUARANTINE;
	h->q_len--;
	if (!bytes_are(user, HEAP_POISON_FREE, d->size))
		heap_report_error(h, "use after free", user);
	design_free(h, (char *)user - d->offset);
}

static void quarantine_drain(struct heap *h)
{
	while (h->q_len)
		quarantine_release_one(h);
}

static void *debug_alloc(struct heap *h, size_t size, size_t align)
{
	size_t off = MAX(align, (size_t)HEAP_MIN_ALIGN);
	struct heap_debug_hdr *d;
	char *raw, *user;

	if (size > HEAP_MAX_SIZE - off - HEAP_CANARY_SIZE)
		return NULL;
	raw = design_alloc(h, off + size + HEAP_CANARY_SIZE, off);
	if (!raw && h->q_len) {
		quarantine_drain(h);
		raw = design_alloc(h, off + size + HEAP_CANARY_SIZE, off);
	}
	if (!raw)
		return NULL;
	user = raw + off;
	d = debug_hdr(user);
	d->size = size;
	d->offset = (uint32_t)off;
	d->magic = HEAP_MAGIC_LIVE;
	memset(user, HEAP_POISON_NEW, size);
	memset(user + size, HEAP_CANARY, HEAP_CANARY_SIZE);
	heap_account_alloc(h, size);
	return user;
}

/* The header of a live debug allocation, or NULL after reporting misuse. */
static struct heap_debug_hdr *debug_live_hdr(struct heap *h, const void *user)
{
	uintptr_t u = (uintptr_t)user;
	struct heap_debug_hdr *d;

	if (u < h->start + sizeof(*d) || u >= h->end ||
	    !IS_ALIGNED(u, HEAP_MIN_ALIGN)) {
		heap_report_error(h, "invalid free", user);
		return NULL;
	}
	d = debug_hdr(user);
	if (d->magic == HEAP_MAGIC_LIVE)
		return d;
	heap_report_error(h, d->magic == HEAP_MAGIC_FREED ? "double free" :
			  "invalid free", user);
	return NULL;
}

static void debug_free(struct heap *h, void *user)
{
	struct heap_debug_hdr *d = debug_live_hdr(h, user);

	if (!d)
		return;
	if (!bytes_are((char *)user + d->size, HEAP_CANARY, HEAP_CANARY_SIZE))
		heap_report_error(h, "overrun", user);
	d->magic = HEAP_MAGIC_FREED;
	memset(user, HEAP_POISON_FREE, d->size);
	heap_account_free(h, d->size);
	if (h->q_len == HEAP_QUARANTINE)
		quarantine_release_one(h);
	h->quarantine[(h->q_head + h->q_len) % HEAP_QUARANTINE] = user;
	h->q_len++;
}

static void *debug_realloc(struct heap *h, void *user, size_t size)
{
	struct heap_debug_hdr *d = debug_live_hdr(h, user);
	void *q;

	if (!d)
		return NULL;
	q = debug_alloc(h, size, HEAP_MIN_ALIGN);
	if (!q)
		return NULL;
	memcpy(q, user, MIN(size, d->size));
	debug_free(h, user);
	return q;
}

/* ---- the public calls ---------------------------------------------------- */

/* Everything heap_alloc (in heap.h) does not hand to the fast path. */
void *heap_alloc_checked(struct heap *h, size_t size, size_t align)
{
	void *p;

	if (unlikely(!heap_request_ok(size, align)))
		p = NULL;
	else if (unlikely(h->debug))
		p = debug_alloc(h, size, align);
	else
		p = h->ops->alloc(h, size, align);
	if (unlikely(!p))
		h->acct.nr_failed++;
	return p;
}

void *heap_realloc(struct heap *h, void *ptr, size_t size)
{
	void *p;

	if (!ptr)
		return heap_alloc(h, size, HEAP_MIN_ALIGN);
	if (size > HEAP_MAX_SIZE)
		p = NULL;
	else if (h->debug)
		p = debug_realloc(h, ptr, size);
	else
		p = h->ops->realloc(h, ptr, size);
	if (!p)
		h->acct.nr_failed++;
	return p;
}

void *heap_calloc(struct heap *h, size_t n, size_t size)
{
	size_t bytes;
	void *p;

	if (__builtin_mul_overflow(n, size, &bytes)) {
		h->acct.nr_failed++;
		return NULL;
	}
	p = heap_alloc(h, bytes, HEAP_MIN_ALIGN);
	if (p)
		memset(p, 0, bytes);
	return p;
}

size_t heap_usable_size(struct heap *h, const void *ptr)
{
	struct heap_debug_hdr *d;

	if (!ptr)
		return 0;
	if (!h->debug)
		return h->ops->usable_size(h, ptr);
	d = debug_live_hdr(h, ptr);
	return d ? d->size : 0;
}

void heap_get_stats(struct heap *h, struct heap_stats *out)
{
	size_t free_bytes = 0, largest = 0;

	h->ops->space(h, &free_bytes, &largest);
	memset(out, 0, sizeof(*out));
	out->arena = h->end - h->start;
	out->in_use = h->acct.in_use;
	out->peak_in_use = h->acct.peak_in_use;
	out->free = free_bytes;
	out->largest_free = largest;
	out->allocs = (size_t)(h->acct.nr_alloc - h->acct.nr_free);
	out->nr_alloc = h->acct.nr_alloc;
	out->nr_free = h->acct.nr_free;
	out->nr_failed = h->acct.nr_failed;
	if (free_bytes)
		out->frag_permille = (unsigned int)(1000 -
			(uint64_t)largest * 1000 / free_bytes);
}

int heap_check(struct heap *h)
{
	for (unsigned int i = 0; i < h->q_len; i++) {
		void *user = h->quarantine[(h->q_head + i) % HEAP_QUARANTINE];
		struct heap_debug_hdr *d = debug_hdr(user);

		if (d->magic != HEAP_MAGIC_FREED ||
		    !bytes_are(user, HEAP_POISON_FREE, d->size))
			return -E_INVAL;
	}
	return h->ops->check(h);
}
