/*
 * In-kernel tests of the kernel heap on whatever design the command line
 * chose (heap=bump|list|block): the blog's heap_allocation tests (simple
 * allocation, a large vector, many boxes, many boxes with a long-lived one),
 * alignment, calloc/realloc, the window's pages, growth on demand, running
 * out (of window or of frames) and recovering.
 *
 * The suite runs the order-independent ones on the default design. The boot
 * test heap_design_suite runs all of them in a fixed order, ending with the
 * ones that grow the window to its limit; test/scenarios_memory.py boots it
 * once per design with a small heap.max. Crash boots: heap.debug=1 double
 * free and overrun.
 */
#include "kernel/arch.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/kprintf.h"
#include "kernel/ktest.h"
#include "kernel/mm/paging.h"
#include "kernel/mm/pmm.h"
#include "lib/string.h"

static struct kmalloc_stats stats(void)
{
	struct kmalloc_stats s;

	kmalloc_get_stats(&s);
	return s;
}

static uint64_t free_frames(void)
{
	struct pmm_stats st;

	pmm_get_stats(&st);
	return st.free;
}

static bool design_is(const char *name)
{
	return !strcmp(stats().design, name);
}

/* ---- the blog's heap_allocation tests ------------------------------------------ */

static void simple_allocation(void)
{
	uint64_t *a = kmalloc(sizeof(*a)), *b = kmalloc(sizeof(*b));

	KREQUIRE(a && b);
	KEXPECT(a != b);
	*a = 41;
	*b = 13;
	KEXPECT_EQ(*a, 41);
	KEXPECT_EQ(*b, 13);
	kfree(a);
	kfree(b);
	KEXPECT_EQ(kmalloc_check(), 0);
}

/* A vector grown by doubling with krealloc, past the initial window. */
static void large_vector(void)
{
	const uint64_t n = 100000;
	uint64_t *v = NULL, cap = 0, len, sum = 0;

	for (len = 0; len < n; len++) {
		if (len == cap) {
			uint64_t *w = krealloc(v, (cap ? cap * 2 : 4) * sizeof(*v));
			if (!KEXPECT(w != NULL))
				break;
			v = w;
			cap = cap ? cap * 2 : 4;
		}
		v[len] = len;
	}
	for (uint64_t i = 0; i < len; i++)
		sum += v[i];
	KEXPECT_EQ(sum, (n - 1) * n / 2);
	KEXPECT(stats().mapped > KMALLOC_INITIAL);
	kfree(v);
	KEXPECT_EQ(kmalloc_check(), 0);
}

/* Enough 8-byte boxes that together they need twice the heap's limit. */
static uint64_t box_iterations(void)
{
	return stats().limit / 8;
}

static void many_boxes(void)
{
	uint64_t n = box_iterations(), wrong = 0, failed = 0;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t *x = kmalloc(sizeof(*x));
		if (!x) {
			failed++;
			break;
		}
		*x = i;
		wrong += *x != i;
		kfree(x);
	}
	KEXPECT_EQ(failed, 0);
	KEXPECT_EQ(wrong, 0);
}

/*
 * With one box alive all along. The bump design cannot reuse memory while
 * anything is alive: it must run out (NULL, not a crash) and recover once
 * the survivor is freed; the others must not run out.
 */
static void many_boxes_long_lived(void)
{
	uint64_t n = box_iterations(), failed = 0, *x;
	uint64_t *survivor = kmalloc(sizeof(*survivor));

	KREQUIRE(survivor);
	*survivor = 1;
	for (uint64_t i = 0; i < n; i++) {
		x = kmalloc(sizeof(*x));
		if (!x) {
			failed++;
			break;
		}
		*x = i;
		kfree(x);
	}
	KEXPECT_EQ(*survivor, 1);
	KEXPECT_EQ(failed, design_is("bump") ? 1 : 0);
	kfree(survivor);
	x = kmalloc(sizeof(*x));
	KEXPECT(x != NULL);
	kfree(x);
	KEXPECT_EQ(kmalloc_check(), 0);
}

/* ---- beyond the blog ------------------------------------------------------------ */

static void alignment(void)
{
	void *p[10];
	unsigned i = 0;

	for (size_t align = 16; align <= HEAP_MAX_ALIGN; align *= 2, i++) {
		p[i] = kmalloc_aligned(40, align);
		if (!KEXPECT(p[i] != NULL))
			return;
		KEXPECT_EQ((uintptr_t)p[i] % align, 0);
		memset(p[i], 0x5a, 40);
	}
	p[i] = kmalloc(1);
	KEXPECT(p[i] != NULL && (uintptr_t)p[i] % HEAP_MIN_ALIGN == 0);
	i++;
	KEXPECT(kmalloc_aligned(8, 24) == NULL);
	KEXPECT(kmalloc_aligned(8, HEAP_MAX_ALIGN * 2) == NULL);
	while (i--)
		kfree(p[i]);
	KEXPECT_EQ(kmalloc_check(), 0);
}

static void calloc_zeroes_and_realloc_keeps_contents(void)
{
	uint8_t *p = kmalloc(256), *q;
	unsigned nonzero = 0, changed = 0;

	KREQUIRE(p);
	memset(p, 0xff, 256);
	kfree(p);
	p = kcalloc(32, 8);
	KREQUIRE(p);
	for (unsigned i = 0; i < 256; i++)
		nonzero += p[i] != 0;
	KEXPECT_EQ(nonzero, 0);
	KEXPECT(kcalloc(SIZE_MAX / 4, 8) == NULL);
	for (unsigned i = 0; i < 256; i++)
		p[i] = (uint8_t)i;
	q = krealloc(p, 10000);
	KREQUIRE(q);
	for (unsigned i = 0; i < 256; i++)
		changed += q[i] != (uint8_t)i;
	KEXPECT_EQ(changed, 0);
	KEXPECT(kmalloc_usable_size(q) >= 10000);
	KEXPECT(krealloc(q, SIZE_MAX / 2) == NULL);
	KEXPECT_EQ(q[255], 255);
	kfree(q);
	kfree(NULL);
	KEXPECT_EQ(kmalloc_check(), 0);
}

static void window_pages_are_writable_no_execute_and_end_at_mapped(void)
{
	struct kmalloc_stats s = stats();
	struct page_mapping m;
	unsigned bad = 0;

	KEXPECT_EQ(s.base, HEAP_BASE);
	KEXPECT(s.mapped >= KMALLOC_INITIAL && s.mapped <= s.limit);
	for (uint64_t va = HEAP_BASE; va < HEAP_BASE + s.mapped; va += PAGE_SIZE)
		bad += !paging_translate(va, &m) || m.flags != PAGE_WRITE ||
		       !pmm_owns_frame(m.phys);
	KEXPECT_EQ(bad, 0);
	KEXPECT(!paging_translate(HEAP_BASE + s.mapped, &m));
	KEXPECT_EQ(s.heap.arena, s.mapped);
}

static void absurd_requests_return_null_without_growing(void)
{
	struct kmalloc_stats before = stats();

	KEXPECT(kmalloc(before.limit + 1) == NULL);
	KEXPECT(kmalloc(SIZE_MAX) == NULL);
	KEXPECT(kmalloc_aligned(SIZE_MAX - 4096, 4096) == NULL);
	KEXPECT_EQ(stats().mapped, before.mapped);
	KEXPECT_EQ(stats().heap.nr_failed, before.heap.nr_failed + 3);
}

/*
 * With the frame pool empty the window cannot grow: NULL, nothing half
 * mapped; with the frames back the same request succeeds.
 */
static void out_of_frames_returns_null_and_recovers(void)
{
	struct kmalloc_stats before = stats();
	size_t size = before.heap.largest_free + 256 * 1024;
	uint64_t head = 0, phys, frames;
	void *p;

	KREQUIRE(before.mapped + size + KMALLOC_GROW_MIN <= before.limit);
	while ((phys = pmm_alloc_frame()) != 0) {      /* a list through the frames */
		*(uint64_t *)(DIRECT_MAP_BASE + phys) = head;
		head = phys;
	}
	KEXPECT(kmalloc(size) == NULL);
	KEXPECT_EQ(stats().mapped, before.mapped);
	KEXPECT_EQ(free_frames(), 0);                   /* the failed growth gave all back */
	while (head) {
		phys = *(uint64_t *)(DIRECT_MAP_BASE + head);
		pmm_free_frame(head);
		head = phys;
	}
	frames = free_frames();
	p = kmalloc(size);
	KEXPECT(p != NULL);
	KEXPECT(stats().mapped > before.mapped);
	KEXPECT(free_frames() < frames);
	kfree(p);
	KEXPECT_EQ(kmalloc_check(), 0);
}

static void window_grows_on_demand(void)
{
	struct kmalloc_stats before = stats();
	size_t size = before.heap.largest_free + 64 * 1024;
	void *p;

	KREQUIRE(before.mapped + size + KMALLOC_GROW_MIN <= before.limit);
	p = kmalloc(size);
	KREQUIRE(p);
	memset(p, 0x77, size);
	KEXPECT(stats().mapped > before.mapped);
	KEXPECT(stats().grows > before.grows);
	kfree(p);
}

/* Fills the window to its limit with chunks, then frees and allocates again. */
static void out_of_window_returns_null_and_recovers(void)
{
	uint64_t limit = stats().limit, chunk = limit / 16;
	void *p[40];
	unsigned n = 0;

	while (n < 40 && (p[n] = kmalloc(chunk)) != NULL)
		memset(p[n++], 0x11, chunk);
	KEXPECT(n < 40);
	KEXPECT(n >= 8);                        /* at least half the window was usable */
	KEXPECT_EQ(stats().mapped <= limit, 1);
	KEXPECT(kmalloc(chunk) == NULL);
	KEXPECT_EQ(kmalloc_check(), 0);
	while (n--)
		kfree(p[n]);
	p[0] = kmalloc(chunk);
	KEXPECT(p[0] != NULL);
	kfree(p[0]);
	KEXPECT_EQ(kmalloc_check(), 0);
}

/* ---- registration -------------------------------------------------------------- */

KTEST(heap_simple_allocation) { simple_allocation(); }
KTEST(heap_large_vector) { large_vector(); }
KTEST(heap_alignment_up_to_a_page) { alignment(); }
KTEST(heap_calloc_zeroes_and_realloc_keeps_contents) { calloc_zeroes_and_realloc_keeps_contents(); }
KTEST(heap_window_pages_are_writable_no_execute) { window_pages_are_writable_no_execute_and_end_at_mapped(); }
KTEST(heap_absurd_requests_return_null) { absurd_requests_return_null_without_growing(); }
KTEST(heap_out_of_frames_returns_null_and_recovers) { out_of_frames_returns_null_and_recovers(); }

/*
 * Every heap test, in an order where the window is small while the growth
 * tests run and fills up only at the end. Prints each step's time.
 */
KTEST_BOOT(heap_design_suite)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} steps[] = {
		{ "window_grows_on_demand", window_grows_on_demand },
		{ "out_of_frames", out_of_frames_returns_null_and_recovers },
		{ "simple_allocation", simple_allocation },
		{ "large_vector", large_vector },
		{ "alignment", alignment },
		{ "calloc_realloc", calloc_zeroes_and_realloc_keeps_contents },
		{ "window_pages", window_pages_are_writable_no_execute_and_end_at_mapped },
		{ "absurd_requests", absurd_requests_return_null_without_growing },
		{ "many_boxes", many_boxes },
		{ "many_boxes_long_lived", many_boxes_long_lived },
		{ "out_of_window", out_of_window_returns_null_and_recovers },
		{ "window_pages", window_pages_are_writable_no_execute_and_end_at_mapped },
	};
	uint64_t hz = ktest_boot_info()->tsc_hz;

	for (unsigned i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		uint64_t t0 = arch_timestamp();

		steps[i].fn();
		kprintf("heap_design_suite: %s %llu us\n", steps[i].name,
			hz ? (unsigned long long)((arch_timestamp() - t0) * 1000000 / hz) : 0ull);
	}
	kprintf("heap_design_suite: %s design, window %llu KiB of %llu KiB\n", stats().design,
		(unsigned long long)(stats().mapped >> 10), (unsigned long long)(stats().limit >> 10));
}

KTEST_BOOT(heap_limit_comes_from_the_command_line)
{
	KEXPECT_EQ(stats().limit, 1u << 20);
	KEXPECT_EQ(stats().mapped, KMALLOC_INITIAL);
}

/* Crash boots, with heap.debug=1 on the command line. */
KTEST_SHOULD_PANIC(heap_double_free_panics)
{
	void *p = kmalloc(32);

	kfree(p);
	kfree(p);
}

KTEST_SHOULD_PANIC(heap_overrun_panics)
{
	char *p = kmalloc(32);

	p[32] = 'x';
	kfree(p);
}
