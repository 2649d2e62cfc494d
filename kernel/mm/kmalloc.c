/*
 * The kernel heap's glue (see kmalloc.h): picks the design from the command
 * line, grows the heap window by mapping frames when the design asks, turns
 * misuse reports into panics and serialises every call with interrupts off.
 */
#include "kernel/arch.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/kprintf.h"
#include "kernel/mm/paging.h"
#include "kernel/panic.h"
#include "kernel/mm/pmm.h"
#include "kernel/smp/spinlock.h"
#include "lib/cmdline.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"

/* Every CPU allocates: the heap state below is under this lock. */
static struct spinlock kheap_lock = SPINLOCK_INIT("heap", SPIN_RANK_HEAP);

_Static_assert(KMALLOC_MAX_LIMIT <= HEAP_WINDOW_SIZE, "the heap limit fits the window");

static struct heap kheap;
static struct {
	uint64_t mapped;        /* [HEAP_BASE, HEAP_BASE + mapped) is mapped */
	uint64_t limit;
	uint64_t grows;
} window;

/* Unmaps [from, to) of the window and frees its frames. */
static void window_unmap(uint64_t from, uint64_t to)
{
	struct page_mapping old;

	for (uint64_t va = from; va < to; va += PAGE_SIZE)
		if (paging_unmap(va, &old) == 0)
			pmm_free_frame(old.phys);
}

/*
 * Maps fresh frames at [from, to); all or nothing. Each frame is zeroed
 * first: no stale data (firmware's, a freed page table's) reaches an
 * allocation. Under QEMU TCG this also matters for speed: a frame that held
 * firmware code keeps its stale translations until every byte is
 * overwritten, and until then each store to it takes a slow path.
 */
static int window_map(uint64_t from, uint64_t to)
{
	for (uint64_t va = from; va < to; va += PAGE_SIZE) {
		uint64_t frame = pmm_alloc_frame();
		int err = -E_NOMEM;

		if (frame) {
			memset((void *)(DIRECT_MAP_BASE + frame), 0, PAGE_SIZE);
			err = paging_map(va, frame, PAGE_SIZE, PAGE_WRITE);
		}
		if (err) {
			if (frame)
				pmm_free_frame(frame);
			window_unmap(from, va);
			return err;
		}
	}
	return 0;
}

/*
 * The heap's grow callback: at least min_bytes more at end, in steps of at
 * least KMALLOC_GROW_MIN, never past the limit.
 */
static int kmalloc_grow(void *ctx, uintptr_t end, size_t min_bytes, size_t *added)
{
	uint64_t room = window.limit - window.mapped;
	uint64_t want = MAX(ALIGN_UP((uint64_t)min_bytes, PAGE_SIZE), (uint64_t)KMALLOC_GROW_MIN);

	ASSERT(end == HEAP_BASE + window.mapped);
	if (min_bytes > room)
		return -E_NOMEM;
	want = MIN(want, room);
	if (window_map(end, end + want))
		return -E_NOMEM;
	window.mapped += want;
	window.grows++;
	*added = (size_t)want;
	return 0;
}

static void kmalloc_report(const char *heap, const char *what, void *addr)
{
	panic("heap: %s of %p (%s heap)", what, addr, heap);
}

/* "64M", "512K", "1G", "1048576": bytes, or 0 when malformed. */
static uint64_t parse_size(const char *s)
{
	uint64_t v = 0;

	if (*s < '0' || *s > '9')
		return 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - 9) / 10)
			return 0;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	switch (*s) {
	case 'G': case 'g': v = v > (UINT64_MAX >> 30) ? 0 : v << 30; s++; break;
	case 'M': case 'm': v = v > (UINT64_MAX >> 20) ? 0 : v << 20; s++; break;
	case 'K': case 'k': v = v > (UINT64_MAX >> 10) ? 0 : v << 10; s++; break;
	}
	return *s ? 0 : v;
}

/* The design and the limit the command line asks for, with warnings. */
static const struct heap_ops *choose(const char *cmdline, uint64_t *limit)
{
	const struct heap_ops *ops = &heap_block_ops;
	char val[32];

	*limit = KMALLOC_MAX_DEFAULT;
	if (cmdline_get(cmdline, "heap", val, sizeof(val)) >= 0) {
		ops = heap_ops_find(val);
		if (!ops) {
			kprintf("heap: unknown design \"%s\", using block\n", val);
			ops = &heap_block_ops;
		}
	}
	if (cmdline_get(cmdline, "heap.max", val, sizeof(val)) >= 0) {
		uint64_t v = parse_size(val);

		if (v < KMALLOC_INITIAL || v > KMALLOC_MAX_LIMIT)
			kprintf("heap: ignoring heap.max=%s (from 64K to 32G)\n", val);
		else
			*limit = ALIGN_UP(v, PAGE_SIZE);
	}
	return ops;
}

void kmalloc_init(const char *cmdline)
{
	struct heap_config cfg = {
		.start = (void *)HEAP_BASE,
		.grow = kmalloc_grow,
		.report = kmalloc_report,
		.debug = cmdline_has(cmdline, "heap.debug=1"),
	};
	size_t added;
	int err;

	cfg.ops = choose(cmdline, &window.limit);
	err = kmalloc_grow(NULL, HEAP_BASE, KMALLOC_INITIAL, &added);
	cfg.size = window.mapped;
	window.grows = 0;        /* count growth on demand only */
	if (!err)
		err = heap_init(&kheap, &cfg);
	if (err)
		panic("heap: cannot set up the %s heap: %s", cfg.ops->name, err_name(err));
	kprintf("heap: %s design at %#llx, %llu KiB mapped, grows to %llu MiB%s\n",
		cfg.ops->name, (unsigned long long)HEAP_BASE,
		(unsigned long long)(window.mapped >> 10),
		(unsigned long long)(window.limit >> 20), cfg.debug ? ", debug mode" : "");
}

/* Every heap call: under the heap lock (interrupts off: not reentrant), heap set up. */
static unsigned long heap_lock(void)
{
	unsigned long irq = spin_lock(&kheap_lock);

	ASSERT(kheap.ops != NULL);
	return irq;
}

void *kmalloc(size_t size)
{
	return kmalloc_aligned(size, HEAP_MIN_ALIGN);
}

void *kmalloc_aligned(size_t size, size_t align)
{
	unsigned long irq = heap_lock();
	void *p = heap_alloc(&kheap, size, align);

	spin_unlock(&kheap_lock, irq);
	return p;
}

void *kcalloc(size_t n, size_t size)
{
	unsigned long irq = heap_lock();
	void *p = heap_calloc(&kheap, n, size);

	spin_unlock(&kheap_lock, irq);
	return p;
}

void *krealloc(void *ptr, size_t size)
{
	unsigned long irq = heap_lock();
	void *p = heap_realloc(&kheap, ptr, size);

	spin_unlock(&kheap_lock, irq);
	return p;
}

void kfree(void *ptr)
{
	unsigned long irq = heap_lock();

	heap_free(&kheap, ptr);
	spin_unlock(&kheap_lock, irq);
}

size_t kmalloc_usable_size(const void *ptr)
{
	unsigned long irq = heap_lock();
	size_t n = heap_usable_size(&kheap, ptr);

	spin_unlock(&kheap_lock, irq);
	return n;
}

void kmalloc_get_stats(struct kmalloc_stats *out)
{
	unsigned long irq = spin_lock(&kheap_lock);

	memset(out, 0, sizeof(*out));
	out->design = kheap.ops ? kheap.ops->name : "none";
	out->debug = kheap.debug;
	out->base = HEAP_BASE;
	out->mapped = window.mapped;
	out->limit = window.limit;
	out->grows = window.grows;
	if (kheap.ops)
		heap_get_stats(&kheap, &out->heap);
	spin_unlock(&kheap_lock, irq);
}

int kmalloc_check(void)
{
	unsigned long irq = heap_lock();
	int err = heap_check(&kheap);

	spin_unlock(&kheap_lock, irq);
	return err;
}
