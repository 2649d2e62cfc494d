/*
 * Host tests of the kernel heap: one suite, run against each design (bump,
 * list, block) as a cmocka group, plus a few tests of what only one design
 * promises. The arena is a buffer reserved up front that the grow callback
 * hands out in 4 KiB steps up to a limit, as the kernel maps frames.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/mm/heap.h"
#include "lib/compiler.h"
#include "lib/errno.h"

#define MIB            (1024u * 1024u)
#define ARENA_LIMIT    (64u * MIB)
#define ARENA_INITIAL  (64u * 1024u)

struct arena {
	unsigned char *base;
	size_t limit;
	uintptr_t end;		/* what the heap has been given so far */
	unsigned int grows;
};

struct fixture {
	const struct heap_ops *ops;
	struct arena arena;
	struct heap heap;
};

static struct {
	const char *heap;
	const char *what;
	void *addr;
	unsigned int count;
} reported;

static int arena_grow(void *ctx, uintptr_t end, size_t min_bytes, size_t *added)
{
	struct arena *a = ctx;
	size_t room = (uintptr_t)a->base + a->limit - end;

	assert_true(end == a->end);	/* contiguous, upward */
	assert_true(min_bytes > 0);
	if (min_bytes > room)
		return -E_NOMEM;
	*added = MIN(ALIGN_UP(min_bytes, (size_t)4096), room);
	a->end += *added;
	a->grows++;
	return 0;
}

static void record_report(const char *heap, const char *what, void *addr)
{
	reported.heap = heap;
	reported.what = what;
	reported.addr = addr;
	reported.count++;
}

/* (Re)builds the fixture's heap over a fresh arena. */
static void fx_start(struct fixture *fx, size_t initial, size_t limit,
		     bool growable, bool debug)
{
	struct heap_config cfg = {
		.ops = fx->ops, .size = initial, .report = record_report,
		.ctx = &fx->arena, .debug = debug,
	};

	free(fx->arena.base);
	fx->arena.base = aligned_alloc(4096, limit);
	assert_non_null(fx->arena.base);
	fx->arena.limit = limit;
	fx->arena.end = (uintptr_t)fx->arena.base + initial;
	fx->arena.grows = 0;
	cfg.start = fx->arena.base;
	cfg.grow = growable ? arena_grow : NULL;
	memset(&reported, 0, sizeof(reported));
	assert_int_equal(heap_init(&fx->heap, &cfg), 0);
}

static int fx_setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fx->ops = *state;
	fx_start(fx, ARENA_INITIAL, ARENA_LIMIT, true, false);
	*state = fx;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fixture *fx = *state;

	free(fx->arena.base);
	free(fx);
	return 0;
}

static bool is_bump(const struct fixture *fx)
{
	return fx->ops == &heap_bump_ops;
}

static unsigned char pattern(uint32_t id, size_t i)
{
	return (unsigned char)(id * 131u + i * 7u + (i >> 8));
}

static void fill(void *p, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		((unsigned char *)p)[i] = pattern(id, i);
}

static bool filled(const void *p, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (((const unsigned char *)p)[i] != pattern(id, i))
			return false;
	return true;
}

/* True if block p starts inside [lo, hi). */
static bool within(const void *p, const void *lo, const void *hi)
{
	return (uintptr_t)p >= (uintptr_t)lo && (uintptr_t)p < (uintptr_t)hi;
}

static void assert_heap_ok(struct fixture *fx)
{
	assert_int_equal(heap_check(&fx->heap), 0);
}

static void assert_in_arena(struct fixture *fx, const void *p, size_t n)
{
	uintptr_t u = (uintptr_t)p;

	assert_true(u >= (uintptr_t)fx->arena.base);
	assert_true(u + n <= fx->heap.end && fx->heap.end <= fx->arena.end);
}

/* ---- the shadow model --------------------------------------------------- */

struct shadow_block {
	unsigned char *p;
	size_t size;
	size_t usable;
	size_t align;
	uint32_t id;
};

struct shadow {
	struct shadow_block *live;
	size_t nr_live;
	size_t cap;
	size_t in_use;
	uint32_t next_id;
	uint64_t rng;
};

static uint64_t rnd(struct shadow *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

static size_t random_size(struct shadow *s)
{
	unsigned int r = rnd(s) % 100;

	if (r < 3)
		return 0;
	if (r < 70)
		return 1 + rnd(s) % 128;
	if (r < 95)
		return 129 + rnd(s) % 1920;
	return 2049 + rnd(s) % 30720;
}

static size_t random_align(struct shadow *s)
{
	if (rnd(s) % 10)
		return (size_t)1 << (rnd(s) % 5);	/* 1..16 */
	return (size_t)1 << (rnd(s) % 13);		/* 1..4096 */
}

/* A new block must lie in the arena and overlap no live block. */
static void shadow_check_new(struct fixture *fx, struct shadow *s,
			     const struct shadow_block *b)
{
	uintptr_t lo = (uintptr_t)b->p, hi = lo + MAX(b->usable, (size_t)1);

	assert_in_arena(fx, b->p, b->usable);
	assert_true(IS_ALIGNED(lo, MAX(b->align, (size_t)HEAP_PTR_ALIGN)));
	assert_true(b->usable >= b->size);
	for (size_t i = 0; i < s->nr_live; i++) {
		uintptr_t olo = (uintptr_t)s->live[i].p;
		uintptr_t ohi = olo + MAX(s->live[i].usable, (size_t)1);

		assert_true(hi <= olo || ohi <= lo);
	}
}

static void shadow_alloc(struct fixture *fx, struct shadow *s)
{
	struct shadow_block b = { .size = random_size(s), .align = random_align(s) };

	if (s->nr_live == s->cap)
		return;
	b.p = heap_alloc(&fx->heap, b.size, b.align);
	assert_non_null(b.p);
	b.usable = heap_usable_size(&fx->heap, b.p);
	b.id = s->next_id++;
	shadow_check_new(fx, s, &b);
	fill(b.p, b.usable, b.id);
	s->in_use += b.usable;
	s->live[s->nr_live++] = b;
}

static void shadow_free(struct fixture *fx, struct shadow *s, size_t i)
{
	struct shadow_block *b = &s->live[i];

	assert_true(filled(b->p, b->usable, b->id));
	heap_free(&fx->heap, b->p);
	s->in_use -= b->usable;
	*b = s->live[--s->nr_live];
}

static void shadow_realloc(struct fixture *fx, struct shadow *s, size_t i)
{
	struct shadow_block b = s->live[i];
	size_t keep;

	assert_true(filled(b.p, b.usable, b.id));
	b.size = random_size(s);
	keep = MIN(b.size, s->live[i].usable);
	b.p = heap_realloc(&fx->heap, b.p, b.size);
	assert_non_null(b.p);
	if (b.p != s->live[i].p)
		b.align = HEAP_MIN_ALIGN;	/* moved; in place keeps its own */
	assert_true(filled(b.p, keep, b.id));
	s->in_use -= s->live[i].usable;
	s->live[i] = s->live[--s->nr_live];
	b.usable = heap_usable_size(&fx->heap, b.p);
	shadow_check_new(fx, s, &b);
	fill(b.p, b.usable, b.id);
	s->in_use += b.usable;
	s->live[s->nr_live++] = b;
}

/* Every live block intact, the design's invariants, stats = the model. */
static void shadow_verify(struct fixture *fx, struct shadow *s)
{
	struct heap_stats st;

	for (size_t i = 0; i < s->nr_live; i++)
		assert_true(filled(s->live[i].p, s->live[i].usable, s->live[i].id));
	assert_heap_ok(fx);
	heap_get_stats(&fx->heap, &st);
	assert_int_equal(st.allocs, s->nr_live);
	assert_int_equal(st.in_use, s->in_use);
	assert_true(st.peak_in_use >= st.in_use);
	assert_true(st.in_use + st.free <= st.arena);
	assert_true(st.largest_free <= st.free);
	assert_true(st.frag_permille <= 1000);
	assert_int_equal(st.nr_alloc - st.nr_free, s->nr_live);
	assert_int_equal(st.arena, fx->heap.end - fx->heap.start);
}

/*
 * ops random allocations, frees and reallocs (fixed seed). Every phase
 * ends by freeing everything, which is what lets bump start over.
 */
static void shadow_run(struct fixture *fx, unsigned int ops, unsigned int phase)
{
	struct shadow s = { .cap = 1500, .rng = 0x9e3779b97f4a7c15ull };

	s.live = calloc(s.cap, sizeof(*s.live));
	assert_non_null(s.live);
	for (unsigned int op = 1; op <= ops; op++) {
		unsigned int r = rnd(&s) % 100;

		if (r < 50 || s.nr_live == 0)
			shadow_alloc(fx, &s);
		else if (r < 85)
			shadow_free(fx, &s, rnd(&s) % s.nr_live);
		else
			shadow_realloc(fx, &s, rnd(&s) % s.nr_live);
		if (op % 997 == 0)
			shadow_verify(fx, &s);
		if (op % phase == 0)
			while (s.nr_live)
				shadow_free(fx, &s, s.nr_live - 1);
	}
	shadow_verify(fx, &s);
	while (s.nr_live)
		shadow_free(fx, &s, 0);
	shadow_verify(fx, &s);
	assert_int_equal(reported.count, 0);
	free(s.live);
}

/* ---- the suite every design passes ------------------------------------- */

static void heap_aligns_every_power_of_two_up_to_4096(void **state)
{
	struct fixture *fx = *state;
	static const size_t sizes[] = { 1, 24, 100, 3000 };
	void *p[13][ARRAY_SIZE(sizes)];

	for (unsigned int a = 0; a <= 12; a++) {
		for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
			size_t align = (size_t)1 << a;

			p[a][i] = heap_alloc(&fx->heap, sizes[i], align);
			assert_non_null(p[a][i]);
			assert_true(IS_ALIGNED((uintptr_t)p[a][i],
					       MAX(align, (size_t)HEAP_PTR_ALIGN)));
			assert_true(heap_usable_size(&fx->heap, p[a][i]) >= sizes[i]);
			fill(p[a][i], sizes[i], a * 16 + (uint32_t)i);
		}
	}
	assert_heap_ok(fx);
	for (unsigned int a = 0; a <= 12; a++) {
		for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
			assert_true(filled(p[a][i], sizes[i], a * 16 + (uint32_t)i));
			heap_free(&fx->heap, p[a][i]);
		}
	}
	assert_heap_ok(fx);
}

/* kmalloc, heap_realloc and heap_calloc rely on this: 16 whenever asked. */
static void heap_aligns_to_16_when_asked_and_in_realloc_and_calloc(void **state)
{
	struct fixture *fx = *state;
	void *p[16], *q, *r;

	for (unsigned int i = 0; i < ARRAY_SIZE(p); i++) {
		size_t align = i % 2 ? HEAP_MIN_ALIGN : HEAP_PTR_ALIGN;

		p[i] = heap_alloc(&fx->heap, 8 + 8 * i, align);
		assert_non_null(p[i]);
		assert_true(IS_ALIGNED((uintptr_t)p[i], align));
	}
	q = heap_calloc(&fx->heap, 3, 7);
	r = heap_realloc(&fx->heap, NULL, 24);
	assert_true(IS_ALIGNED((uintptr_t)q, HEAP_MIN_ALIGN));
	assert_true(IS_ALIGNED((uintptr_t)r, HEAP_MIN_ALIGN));
	r = heap_realloc(&fx->heap, r, 5000);
	assert_true(IS_ALIGNED((uintptr_t)r, HEAP_MIN_ALIGN));
	for (unsigned int i = 0; i < ARRAY_SIZE(p); i++)
		heap_free(&fx->heap, p[i]);
	heap_free(&fx->heap, q);
	heap_free(&fx->heap, r);
	assert_heap_ok(fx);
}

static void heap_rejects_alignments_that_are_not_powers_of_two_up_to_4096(void **state)
{
	struct fixture *fx = *state;
	struct heap_stats st;
	void *p;

	assert_null(heap_alloc(&fx->heap, 32, 3));
	assert_null(heap_alloc(&fx->heap, 32, 48));
	assert_null(heap_alloc(&fx->heap, 32, 8192));
	heap_get_stats(&fx->heap, &st);
	assert_int_equal(st.nr_failed, 3);
	p = heap_alloc(&fx->heap, 32, 0);
	assert_non_null(p);
	assert_true(IS_ALIGNED((uintptr_t)p, HEAP_PTR_ALIGN));
	heap_free(&fx->heap, p);
	assert_heap_ok(fx);
}

static void heap_gives_a_unique_minimal_block_for_size_zero(void **state)
{
	struct fixture *fx = *state;
	void *a = heap_alloc(&fx->heap, 0, 0);
	void *b = heap_alloc(&fx->heap, 0, 0);
	struct heap_stats st;

	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_true(IS_ALIGNED((uintptr_t)a, HEAP_PTR_ALIGN));
	assert_true(IS_ALIGNED((uintptr_t)b, HEAP_PTR_ALIGN));
	heap_get_stats(&fx->heap, &st);
	assert_int_equal(st.allocs, 2);
	heap_free(&fx->heap, a);
	heap_free(&fx->heap, b);
	heap_get_stats(&fx->heap, &st);
	assert_int_equal(st.allocs, 0);
	assert_heap_ok(fx);
}

static void heap_returns_null_for_huge_sizes_and_stays_usable(void **state)
{
	struct fixture *fx = *state;
	static const size_t huge[] = {
		SIZE_MAX, SIZE_MAX - 7, SIZE_MAX - 4096, HEAP_MAX_SIZE + 1,
		HEAP_MAX_SIZE, (size_t)1 << 40, ARENA_LIMIT,
	};
	void *p = heap_alloc(&fx->heap, 100, 0);

	fill(p, 100, 7);
	for (size_t i = 0; i < ARRAY_SIZE(huge); i++) {
		assert_null(heap_alloc(&fx->heap, huge[i], 0));
		assert_null(heap_alloc(&fx->heap, huge[i], 4096));
		assert_null(heap_realloc(&fx->heap, p, huge[i]));
		assert_heap_ok(fx);
	}
	assert_true(filled(p, 100, 7));
	heap_free(&fx->heap, p);
	p = heap_alloc(&fx->heap, 100, 0);
	assert_non_null(p);
	heap_free(&fx->heap, p);
	assert_int_equal(reported.count, 0);
}

static void heap_realloc_grows_and_shrinks_preserving_contents(void **state)
{
	struct fixture *fx = *state;
	void *p = heap_realloc(&fx->heap, NULL, 100);
	void *other = heap_alloc(&fx->heap, 50, 0);

	assert_non_null(p);
	fill(p, 100, 1);
	p = heap_realloc(&fx->heap, p, 5000);
	assert_non_null(p);
	assert_true(filled(p, 100, 1));
	fill(p, 5000, 2);
	p = heap_realloc(&fx->heap, p, 40);
	assert_non_null(p);
	assert_true(filled(p, 40, 2));
	p = heap_realloc(&fx->heap, p, 40000);
	assert_non_null(p);
	assert_true(filled(p, 40, 2));
	fill(p, 40000, 3);
	p = heap_realloc(&fx->heap, p, 0);
	assert_non_null(p);
	assert_true(IS_ALIGNED((uintptr_t)p, HEAP_MIN_ALIGN));
	heap_free(&fx->heap, p);
	heap_free(&fx->heap, other);
	assert_heap_ok(fx);
	assert_int_equal(reported.count, 0);
}

static void heap_failed_realloc_keeps_the_old_block(void **state)
{
	struct fixture *fx = *state;
	void *p;

	fx_start(fx, 4096, 256 * 1024, true, false);
	p = heap_alloc(&fx->heap, 1000, 0);
	assert_non_null(p);
	fill(p, 1000, 9);
	assert_null(heap_realloc(&fx->heap, p, 512 * 1024));
	assert_true(filled(p, 1000, 9));
	assert_true(heap_usable_size(&fx->heap, p) >= 1000);
	heap_free(&fx->heap, p);
	assert_heap_ok(fx);
}

static void heap_calloc_returns_zeroed_memory(void **state)
{
	struct fixture *fx = *state;
	unsigned char *p = heap_alloc(&fx->heap, 4096, 0);

	memset(p, 0xff, 4096);
	heap_free(&fx->heap, p);
	p = heap_calloc(&fx->heap, 64, 64);
	assert_non_null(p);
	for (size_t i = 0; i < 4096; i++)
		assert_int_equal(p[i], 0);
	heap_free(&fx->heap, p);
	p = heap_calloc(&fx->heap, 0, 5);
	assert_non_null(p);
	heap_free(&fx->heap, p);
	assert_heap_ok(fx);
}

static void heap_calloc_rejects_products_that_overflow(void **state)
{
	struct fixture *fx = *state;
	struct heap_stats st;

	assert_null(heap_calloc(&fx->heap, SIZE_MAX / 2 + 1, 2));
	assert_null(heap_calloc(&fx->heap, (size_t)1 << 32, (size_t)1 << 32));
	assert_null(heap_calloc(&fx->heap, SIZE_MAX, SIZE_MAX));
	heap_get_stats(&fx->heap, &st);
	assert_int_equal(st.nr_failed, 3);
	assert_int_equal(st.allocs, 0);
	assert_heap_ok(fx);
}

/* Bump cannot reuse a freed block while others live: documented. */
static void heap_returns_null_when_out_of_memory_then_recovers(void **state)
{
	struct fixture *fx = *state;
	void *p[128];
	unsigned int n = 0;
	struct heap_stats st;

	fx_start(fx, 4096, 256 * 1024, true, false);
	while (n < ARRAY_SIZE(p) && (p[n] = heap_alloc(&fx->heap, 4000, 0)))
		fill(p[n], 4000, n), n++;
	assert_true(n > 40 && n < ARRAY_SIZE(p));
	heap_get_stats(&fx->heap, &st);
	assert_int_equal(st.nr_failed, 1);
	assert_null(heap_alloc(&fx->heap, 4000, 0));
	assert_heap_ok(fx);
	heap_free(&fx->heap, p[n / 2]);
	if (is_bump(fx)) {
		assert_null(heap_alloc(&fx->heap, 4000, 0));
		for (unsigned int i = 0; i < n; i++)
			if (i != n / 2)
				heap_free(&fx->heap, p[i]);
		p[0] = heap_alloc(&fx->heap, 4000, 0);
		assert_non_null(p[0]);
		n = 1;
	} else {
		p[n / 2] = heap_alloc(&fx->heap, 4000, 0);
		assert_non_null(p[n / 2]);
		fill(p[n / 2], 4000, n / 2);
		for (unsigned int i = 0; i < n; i++)
			assert_true(filled(p[i], 4000, i));
	}
	for (unsigned int i = 0; i < n; i++)
		heap_free(&fx->heap, p[i]);
	assert_heap_ok(fx);
	assert_int_equal(reported.count, 0);
}

static void heap_grows_the_arena_on_demand_up_to_its_limit(void **state)
{
	struct fixture *fx = *state;
	size_t total = 0;
	struct heap_stats st;
	void *p;

	fx_start(fx, 4096, 1 * MIB, true, false);
	while ((p = heap_alloc(&fx->heap, 16 * 1024, 0)))
		total += 16 * 1024;
	assert_true(fx->arena.grows > 10);
	assert_true(total >= 900 * 1024);
	heap_get_stats(&fx->heap, &st);
	assert_true(st.arena > 900 * 1024 && st.arena <= 1 * MIB);
	assert_true(fx->heap.end <= (uintptr_t)fx->arena.base + 1 * MIB);
	assert_heap_ok(fx);
}

static void heap_without_a_grow_callback_stays_in_its_arena(void **state)
{
	struct fixture *fx = *state;
	size_t total = 0;
	void *p;

	fx_start(fx, 128 * 1024, 128 * 1024, false, false);
	while ((p = heap_alloc(&fx->heap, 1000, 0))) {
		assert_in_arena(fx, p, 1000);
		total += 1000;
	}
	assert_true(total > 64 * 1024);
	assert_int_equal(fx->heap.end, (uintptr_t)fx->arena.base + 128 * 1024);
	assert_heap_ok(fx);
}

static void heap_reuses_freed_memory(void **state)
{
	struct fixture *fx = *state;
	void *a = heap_alloc(&fx->heap, 200, 0);
	void *b = heap_alloc(&fx->heap, 200, 0);
	void *c;

	heap_free(&fx->heap, a);
	c = heap_alloc(&fx->heap, 200, 0);
	if (is_bump(fx)) {
		/* No reuse while b lives; a reset once everything is free. */
		assert_ptr_not_equal(c, a);
		heap_free(&fx->heap, b);
		heap_free(&fx->heap, c);
		c = heap_alloc(&fx->heap, 200, 0);
		assert_ptr_equal(c, a);
	} else {
		assert_ptr_equal(c, a);
		heap_free(&fx->heap, b);
	}
	heap_free(&fx->heap, c);
	assert_heap_ok(fx);
}

static void heap_stats_count_usage_and_peak(void **state)
{
	struct fixture *fx = *state;
	struct heap_stats st;
	void *p[3];
	size_t sum = 0;

	heap_get_stats(&fx->heap, &st);
	assert_int_equal(st.in_use, 0);
	assert_int_equal(st.allocs, 0);
	assert_true(st.free > 0 && st.free <= st.arena);
	for (int i = 0; i < 3; i++) {
		p[i] = heap_alloc(&fx->heap, 100 * (i + 1), 0);
		sum += heap_usable_size(&fx->heap, p[i]);
	}
	heap_get_stats(&fx->heap, &st);
	assert_int_equal(st.in_use, sum);
	assert_int_equal(st.peak_in_use, sum);
	assert_int_equal(st.allocs, 3);
	heap_free(&fx->heap, p[1]);
	heap_get_stats(&fx->heap, &st);
	assert_int_equal(st.in_use, heap_usable_size(&fx->heap, p[0]) +
			 heap_usable_size(&fx->heap, p[2]));
	assert_int_equal(st.peak_in_use, sum);
	assert_int_equal(st.nr_alloc, 3);
	assert_int_equal(st.nr_free, 1);
	assert_true(st.frag_permille <= 1000);
	heap_free(&fx->heap, p[0]);
	heap_free(&fx->heap, p[2]);
	heap_get_stats(&fx->heap, &st);
	assert_int_equal(st.in_use, 0);
	assert_int_equal(st.allocs, 0);
}

static void heap_reports_a_double_free_even_without_debug_mode(void **state)
{
	struct fixture *fx = *state;
	void *keep = heap_alloc(&fx->heap, 64, 0);
	void *p = heap_alloc(&fx->heap, 64, 0);
	void *q = heap_alloc(&fx->heap, 5000, 0);

	heap_free(&fx->heap, p);
	heap_free(&fx->heap, p);
	assert_int_equal(reported.count, 1);
	assert_string_equal(reported.heap, fx->ops->name);
	assert_string_equal(reported.what, "double free");
	assert_ptr_equal(reported.addr, p);
	heap_free(&fx->heap, q);
	heap_free(&fx->heap, q);
	assert_int_equal(reported.count, 2);
	assert_ptr_equal(reported.addr, q);
	heap_free(&fx->heap, keep);
	assert_heap_ok(fx);
}

static void heap_reports_frees_of_pointers_it_never_handed_out(void **state)
{
	struct fixture *fx = *state;
	char *p = heap_alloc(&fx->heap, 64, 0);
	int local;

	heap_free(&fx->heap, &local);
	assert_int_equal(reported.count, 1);
	assert_string_equal(reported.what, "invalid free");
	assert_ptr_equal(reported.addr, &local);
	heap_free(&fx->heap, p + 1);
	assert_int_equal(reported.count, 2);
	assert_string_equal(reported.what, "invalid free");
	heap_free(&fx->heap, p);
	assert_int_equal(reported.count, 2);
	assert_heap_ok(fx);
}

static void heap_init_rejects_bad_configs_and_too_small_arenas(void **state)
{
	struct fixture *fx = *state;
	struct heap h;
	unsigned char small[16];
	struct heap_config cfg = { .ops = fx->ops, .start = small, .size = 0 };

	assert_int_equal(heap_init(&h, &cfg), -E_NOMEM);
	cfg.ops = NULL;
	assert_int_equal(heap_init(&h, &cfg), -E_INVAL);
	cfg.ops = fx->ops;
	cfg.start = NULL;
	assert_int_equal(heap_init(&h, &cfg), -E_INVAL);
	assert_ptr_equal(heap_ops_find(fx->ops->name), fx->ops);
	assert_null(heap_ops_find("slab"));
	assert_null(heap_ops_find(NULL));
}

static void heap_survives_random_operations_checked_against_a_shadow(void **state)
{
	shadow_run(*state, 100000, 10000);
}

/* ---- debug mode -------------------------------------------------------- */

static void debug_mode_reports_a_double_free_with_name_and_address(void **state)
{
	struct fixture *fx = *state;
	void *p;

	fx_start(fx, ARENA_INITIAL, ARENA_LIMIT, true, true);
	p = heap_alloc(&fx->heap, 32, 0);
	heap_free(&fx->heap, p);
	assert_int_equal(reported.count, 0);
	heap_free(&fx->heap, p);
	assert_int_equal(reported.count, 1);
	assert_string_equal(reported.heap, fx->ops->name);
	assert_string_equal(reported.what, "double free");
	assert_ptr_equal(reported.addr, p);
	assert_heap_ok(fx);
}

static void debug_mode_reports_a_one_byte_overrun(void **state)
{
	struct fixture *fx = *state;
	char *p;

	fx_start(fx, ARENA_INITIAL, ARENA_LIMIT, true, true);
	p = heap_alloc(&fx->heap, 10, 64);
	assert_true(IS_ALIGNED((uintptr_t)p, 64));
	assert_int_equal(heap_usable_size(&fx->heap, p), 10);
	p[10] = 'x';
	heap_free(&fx->heap, p);
	assert_int_equal(reported.count, 1);
	assert_string_equal(reported.heap, fx->ops->name);
	assert_string_equal(reported.what, "overrun");
	assert_ptr_equal(reported.addr, p);
	assert_heap_ok(fx);
}

static void debug_mode_poisons_freed_memory_and_catches_writes_after_free(void **state)
{
	struct fixture *fx = *state;
	unsigned char *p;

	fx_start(fx, ARENA_INITIAL, ARENA_LIMIT, true, true);
	p = heap_alloc(&fx->heap, 64, 0);
	assert_int_equal(p[0], 0xa5);		/* fresh memory is poisoned too */
	memset(p, 0, 64);
	heap_free(&fx->heap, p);
	for (int i = 0; i < 64; i++)
		assert_int_equal(p[i], 0xdf);
	p[3] = 0;
	assert_int_equal(heap_check(&fx->heap), -E_INVAL);
	for (unsigned int i = 0; i < HEAP_QUARANTINE; i++)
		heap_free(&fx->heap, heap_alloc(&fx->heap, 16, 0));
	assert_int_equal(reported.count, 1);
	assert_string_equal(reported.what, "use after free");
	assert_ptr_equal(reported.addr, p);
	assert_heap_ok(fx);
}

static void debug_mode_survives_random_operations(void **state)
{
	struct fixture *fx = *state;

	fx_start(fx, ARENA_INITIAL, ARENA_LIMIT, true, true);
	shadow_run(fx, 30000, 5000);
}

/* ---- what one design promises ------------------------------------------ */

static void list_is_first_fit_in_address_order(void **state)
{
	struct fixture *fx = *state;
	void *a = heap_alloc(&fx->heap, 512, 0), *b = heap_alloc(&fx->heap, 64, 0);
	void *c = heap_alloc(&fx->heap, 1024, 0), *d = heap_alloc(&fx->heap, 64, 0);
	void *e = heap_alloc(&fx->heap, 512, 0), *f = heap_alloc(&fx->heap, 64, 0);

	heap_free(&fx->heap, a);
	heap_free(&fx->heap, c);
	heap_free(&fx->heap, e);
	/* a is too small for 600; then a is the lowest hole that fits 400,
	 * then what is left of c, and only then e. */
	assert_true(within(heap_alloc(&fx->heap, 600, 0), c, d));
	assert_true(within(heap_alloc(&fx->heap, 400, 0), a, b));
	assert_true(within(heap_alloc(&fx->heap, 400, 0), c, d));
	assert_true(within(heap_alloc(&fx->heap, 400, 0), e, f));
	assert_heap_ok(fx);
}

static void list_coalesces_neighbours_on_free(void **state)
{
	struct fixture *fx = *state;
	void *a = heap_alloc(&fx->heap, 1000, 0), *b = heap_alloc(&fx->heap, 1000, 0);
	void *c = heap_alloc(&fx->heap, 1000, 0), *guard = heap_alloc(&fx->heap, 16, 0);
	uintptr_t end = fx->heap.end;

	heap_free(&fx->heap, a);
	heap_free(&fx->heap, c);
	heap_free(&fx->heap, b);
	assert_ptr_equal(heap_alloc(&fx->heap, 3000, 0), a);
	assert_int_equal(fx->heap.end, end);
	(void)guard;
	assert_heap_ok(fx);
}

static void list_returns_alignment_padding_to_the_free_list(void **state)
{
	struct fixture *fx = *state;
	char *low = heap_alloc(&fx->heap, 16, 0);
	char *aligned = heap_alloc(&fx->heap, 100, 4096);
	char *small = heap_alloc(&fx->heap, 64, 0);

	assert_true(IS_ALIGNED((uintptr_t)aligned, 4096));
	if (aligned - low > 256) {
		/* The gap below the aligned block is free space, used first. */
		assert_true(small > low && small < aligned);
	}
	heap_free(&fx->heap, aligned);
	assert_heap_ok(fx);
	heap_free(&fx->heap, small);
	heap_free(&fx->heap, low);
	assert_heap_ok(fx);
}

/* 8-byte header, sizes in 8-byte steps, 32-byte minimum block. */
static void list_packs_blocks_at_an_8_byte_grain_down_to_32_bytes(void **state)
{
	struct fixture *fx = *state;
	char *a = heap_alloc(&fx->heap, 32, 8), *b = heap_alloc(&fx->heap, 32, 8);
	char *tiny = heap_alloc(&fx->heap, 1, 0), *zero = heap_alloc(&fx->heap, 0, 0);
	char *c = heap_alloc(&fx->heap, 32, 16);

	assert_int_equal(b - a, 40);
	assert_int_equal(heap_usable_size(&fx->heap, a), 32);
	assert_false(IS_ALIGNED((uintptr_t)a, 16) && IS_ALIGNED((uintptr_t)b, 16));
	assert_int_equal(zero - tiny, 32);
	assert_int_equal(heap_usable_size(&fx->heap, tiny), 24);
	assert_true(IS_ALIGNED((uintptr_t)c, 16));
	assert_heap_ok(fx);
}

/* Only free blocks carry a footer; the block above learns of them by a bit. */
static void list_finds_a_free_lower_neighbour_through_its_footer(void **state)
{
	struct fixture *fx = *state;
	char *a = heap_alloc(&fx->heap, 100, 0), *b = heap_alloc(&fx->heap, 100, 0);
	char *guard = heap_alloc(&fx->heap, 16, 0);

	heap_free(&fx->heap, a);
	assert_heap_ok(fx);
	heap_free(&fx->heap, b);
	assert_heap_ok(fx);
	assert_ptr_equal(heap_alloc(&fx->heap, 200, 0), a);
	heap_free(&fx->heap, guard);
	assert_heap_ok(fx);
}

/* Header bit 1 says "the block below is free"; heap_check verifies it. */
static void list_check_notices_a_wrong_prev_free_bit(void **state)
{
	struct fixture *fx = *state;
	char *a = heap_alloc(&fx->heap, 100, 0), *b = heap_alloc(&fx->heap, 100, 0);
	uint64_t *b_hdr = (uint64_t *)b - 1;

	assert_false(*b_hdr & 2);
	heap_free(&fx->heap, a);
	assert_true(*b_hdr & 2);
	*b_hdr &= ~(uint64_t)2;
	assert_int_equal(heap_check(&fx->heap), -E_INVAL);
	*b_hdr |= 2;
	assert_heap_ok(fx);
}

static void list_gives_a_large_request_the_tightest_of_the_first_fits(void **state)
{
	struct fixture *fx = *state;
	char *a = heap_alloc(&fx->heap, 20000, 0), *s1 = heap_alloc(&fx->heap, 64, 0);
	char *b = heap_alloc(&fx->heap, 6000, 0), *s2 = heap_alloc(&fx->heap, 64, 0);

	heap_free(&fx->heap, a);
	heap_free(&fx->heap, b);
	/* First fit would cut a; the tighter b takes it. Small ones: first fit. */
	assert_true(within(heap_alloc(&fx->heap, 5000, 0), b, b + 6000));
	assert_true(within(heap_alloc(&fx->heap, 100, 0), a, a + 20000));
	(void)s1;
	(void)s2;
	assert_heap_ok(fx);
}

static void list_keeps_the_top_block_for_when_nothing_lower_fits(void **state)
{
	struct fixture *fx = *state;
	char *a = heap_alloc(&fx->heap, 40000, 0), *guard = heap_alloc(&fx->heap, 64, 0);
	uintptr_t end = fx->heap.end;
	struct heap_stats st;

	heap_free(&fx->heap, a);
	heap_get_stats(&fx->heap, &st);
	assert_true(st.free - st.largest_free >= 20000);	/* the top fits too */
	assert_true(within(heap_alloc(&fx->heap, 20000, 0), a, a + 40000));
	assert_int_equal(fx->heap.end, end);
	(void)guard;
	assert_heap_ok(fx);
}

static void heap_realloc_grows_in_place_into_a_free_neighbour(void **state)
{
	struct fixture *fx = *state;
	void *a = heap_alloc(&fx->heap, 3000, 0), *b = heap_alloc(&fx->heap, 3000, 0);
	void *guard = heap_alloc(&fx->heap, 3000, 0);

	fill(a, 3000, 4);
	heap_free(&fx->heap, b);
	assert_ptr_equal(heap_realloc(&fx->heap, a, 5900), a);
	assert_true(filled(a, 3000, 4));
	assert_true(heap_usable_size(&fx->heap, a) >= 5900);
	assert_ptr_equal(heap_realloc(&fx->heap, a, 2500), a);
	assert_true(filled(a, 2500, 4));
	heap_free(&fx->heap, a);
	heap_free(&fx->heap, guard);
	assert_heap_ok(fx);
}

static void block_reuses_the_last_freed_block_of_a_class_first(void **state)
{
	struct fixture *fx = *state;
	void *p = heap_alloc(&fx->heap, 40, 0), *q = heap_alloc(&fx->heap, 40, 0);
	void *other;

	assert_int_equal(heap_usable_size(&fx->heap, p), 40);
	heap_free(&fx->heap, p);
	heap_free(&fx->heap, q);
	other = heap_alloc(&fx->heap, 100, 0);
	assert_ptr_not_equal(other, q);
	assert_ptr_equal(heap_alloc(&fx->heap, 33, 0), q);
	assert_ptr_equal(heap_alloc(&fx->heap, 40, 0), p);
	assert_heap_ok(fx);
}

static void block_serves_large_and_aligned_requests_from_the_tree(void **state)
{
	struct fixture *fx = *state;
	void *big = heap_alloc(&fx->heap, 5000, 0);
	void *al = heap_alloc(&fx->heap, 64, 256);

	assert_true(heap_usable_size(&fx->heap, big) >= 5000);
	assert_true(IS_ALIGNED((uintptr_t)al, 256));
	heap_free(&fx->heap, big);
	assert_true(within(heap_alloc(&fx->heap, 4000, 0), big, (char *)big + 5000));
	heap_free(&fx->heap, al);
	assert_heap_ok(fx);
}

static void bump_resets_when_the_last_allocation_is_freed(void **state)
{
	struct fixture *fx = *state;
	void *first = heap_alloc(&fx->heap, 100, 0);
	void *p = heap_alloc(&fx->heap, 100, 0);
	struct heap_stats before, after;

	heap_get_stats(&fx->heap, &before);
	heap_free(&fx->heap, first);
	heap_get_stats(&fx->heap, &after);
	assert_int_equal(after.free, before.free);	/* nothing comes back */
	heap_free(&fx->heap, p);
	heap_get_stats(&fx->heap, &after);
	assert_true(after.free > before.free);
	assert_ptr_equal(heap_alloc(&fx->heap, 100, 0), first);
}

/* Small requests take the front's fast path; its failures still count once. */
static void heap_counts_each_failed_small_request_once(void **state)
{
	struct fixture *fx = *state;
	struct heap_stats st;
	unsigned int n = 0;

	fx_start(fx, 32 * 1024, 32 * 1024, false, false);
	while (heap_alloc(&fx->heap, 100, 0))
		n++;
	assert_true(n > 100);
	assert_null(heap_alloc(&fx->heap, 100, 16));
	heap_get_stats(&fx->heap, &st);
	assert_int_equal(st.nr_failed, 2);
	assert_int_equal(st.nr_alloc, n);
	assert_heap_ok(fx);
}

/* Three large blocks side by side: the middle one has no free neighbour. */
static void alloc_three(struct fixture *fx, void *p[3], size_t size)
{
	for (int i = 0; i < 3; i++)
		p[i] = heap_alloc(&fx->heap, size, 0);
	assert_true((char *)p[1] > (char *)p[0] && (char *)p[2] > (char *)p[1]);
}

static void block_holds_a_freed_large_block_for_the_next_request_of_its_size(void **state)
{
	struct fixture *fx = *state;
	struct heap_stats before, held;
	void *p[3];

	alloc_three(fx, p, 3000);
	heap_get_stats(&fx->heap, &before);
	heap_free(&fx->heap, p[1]);
	heap_get_stats(&fx->heap, &held);
	assert_int_equal(held.in_use, before.in_use - heap_usable_size(&fx->heap, p[0]));
	assert_int_equal(held.free, before.free + heap_usable_size(&fx->heap, p[0]));
	assert_heap_ok(fx);
	assert_ptr_equal(heap_alloc(&fx->heap, 2900, 0), p[1]);
	assert_heap_ok(fx);
}

static void block_reports_a_second_free_of_a_held_block(void **state)
{
	struct fixture *fx = *state;
	void *p[3];

	alloc_three(fx, p, 6000);
	heap_free(&fx->heap, p[1]);
	heap_free(&fx->heap, p[1]);
	assert_int_equal(reported.count, 1);
	assert_string_equal(reported.what, "double free");
	assert_ptr_equal(reported.addr, p[1]);
	assert_int_equal(heap_usable_size(&fx->heap, p[1]), 0);
	assert_int_equal(reported.count, 2);
	assert_heap_ok(fx);
}

/*
 * Held blocks go back to the tree and merge before the arena may grow:
 * with every other 3000-byte block freed (each held: its neighbours are
 * live) and the arena at its limit, the freed neighbours of a block freed
 * last merge into room for a 9000-byte block.
 */
static void block_gives_held_blocks_back_before_the_arena_grows(void **state)
{
	struct fixture *fx = *state;
	void *p[64];
	unsigned int n = 0;
	struct heap_stats st;

	fx_start(fx, 4096, 128 * 1024, true, false);
	while (n < ARRAY_SIZE(p) && (p[n] = heap_alloc(&fx->heap, 3000, 0)))
		n++;
	assert_true(n > 20 && n < ARRAY_SIZE(p));
	for (unsigned int i = 1; i + 1 < n; i += 2)
		heap_free(&fx->heap, p[i]);
	heap_free(&fx->heap, p[4]);
	heap_get_stats(&fx->heap, &st);
	assert_true(st.largest_free < 9000);
	assert_heap_ok(fx);
	assert_non_null(heap_alloc(&fx->heap, 9000, 0));
	assert_int_equal(fx->heap.end, (uintptr_t)fx->arena.base + 128 * 1024);
	assert_heap_ok(fx);
}

/* ---- the groups ------------------------------------------------------ */

#define T(f, ops) cmocka_unit_test_prestate_setup_teardown(f, fx_setup, \
	fx_teardown, (void *)(ops))
#define COMMON(ops) \
	T(heap_aligns_every_power_of_two_up_to_4096, ops), \
	T(heap_aligns_to_16_when_asked_and_in_realloc_and_calloc, ops), \
	T(heap_rejects_alignments_that_are_not_powers_of_two_up_to_4096, ops), \
	T(heap_gives_a_unique_minimal_block_for_size_zero, ops), \
	T(heap_returns_null_for_huge_sizes_and_stays_usable, ops), \
	T(heap_realloc_grows_and_shrinks_preserving_contents, ops), \
	T(heap_failed_realloc_keeps_the_old_block, ops), \
	T(heap_calloc_returns_zeroed_memory, ops), \
	T(heap_calloc_rejects_products_that_overflow, ops), \
	T(heap_returns_null_when_out_of_memory_then_recovers, ops), \
	T(heap_grows_the_arena_on_demand_up_to_its_limit, ops), \
	T(heap_without_a_grow_callback_stays_in_its_arena, ops), \
	T(heap_reuses_freed_memory, ops), \
	T(heap_counts_each_failed_small_request_once, ops), \
	T(heap_stats_count_usage_and_peak, ops), \
	T(heap_reports_a_double_free_even_without_debug_mode, ops), \
	T(heap_reports_frees_of_pointers_it_never_handed_out, ops), \
	T(heap_init_rejects_bad_configs_and_too_small_arenas, ops), \
	T(heap_survives_random_operations_checked_against_a_shadow, ops), \
	T(debug_mode_reports_a_double_free_with_name_and_address, ops), \
	T(debug_mode_reports_a_one_byte_overrun, ops), \
	T(debug_mode_poisons_freed_memory_and_catches_writes_after_free, ops), \
	T(debug_mode_survives_random_operations, ops)

int main(void)
{
	const struct CMUnitTest bump[] = {
		COMMON(&heap_bump_ops),
		T(bump_resets_when_the_last_allocation_is_freed, &heap_bump_ops),
	};
	const struct CMUnitTest list[] = {
		COMMON(&heap_list_ops),
		T(list_is_first_fit_in_address_order, &heap_list_ops),
		T(list_coalesces_neighbours_on_free, &heap_list_ops),
		T(list_returns_alignment_padding_to_the_free_list, &heap_list_ops),
		T(list_packs_blocks_at_an_8_byte_grain_down_to_32_bytes, &heap_list_ops),
		T(list_finds_a_free_lower_neighbour_through_its_footer, &heap_list_ops),
		T(list_check_notices_a_wrong_prev_free_bit, &heap_list_ops),
		T(list_gives_a_large_request_the_tightest_of_the_first_fits,
		  &heap_list_ops),
		T(list_keeps_the_top_block_for_when_nothing_lower_fits, &heap_list_ops),
		T(heap_realloc_grows_in_place_into_a_free_neighbour, &heap_list_ops),
	};
	const struct CMUnitTest block[] = {
		COMMON(&heap_block_ops),
		T(block_reuses_the_last_freed_block_of_a_class_first, &heap_block_ops),
		T(block_serves_large_and_aligned_requests_from_the_tree, &heap_block_ops),
		T(block_holds_a_freed_large_block_for_the_next_request_of_its_size,
		  &heap_block_ops),
		T(block_reports_a_second_free_of_a_held_block, &heap_block_ops),
		T(block_gives_held_blocks_back_before_the_arena_grows, &heap_block_ops),
		T(heap_realloc_grows_in_place_into_a_free_neighbour, &heap_block_ops),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("heap bump", bump, NULL, NULL);
	failed += cmocka_run_group_tests_name("heap list", list, NULL, NULL);
	failed += cmocka_run_group_tests_name("heap block", block, NULL, NULL);
	return failed ? 1 : 0;
}
