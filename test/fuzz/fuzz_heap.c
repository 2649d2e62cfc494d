/*
 * Fuzz target: the kernel heap (kernel/mm/heap*.c) against its contract in
 * heap.h, for each design (bump, list, block) with and without debug mode.
 * The input is a list of alloc / free / realloc / calloc calls on up to
 * SLOTS live blocks; a shadow model here keeps each block's address, size
 * and a fill pattern. After every call: pointers are aligned to
 * max(align, HEAP_PTR_ALIGN) (HEAP_MIN_ALIGN after a move), inside the
 * arena, never overlapping another live block's usable bytes; every live
 * block still holds its pattern (realloc keeps the common prefix, calloc
 * gives zeros); bad alignments and huge sizes give NULL; in_use is the sum
 * of usable (debug: requested) sizes; heap_check passes; misuse is never
 * reported, since this caller never misuses.
 */
#include <stdbool.h>
#include <string.h>

#include "kernel/mm/heap.h"
#include "test/fuzz/fuzz.h"

#define SLOTS         48
#define ARENA_LIMIT   (2u << 20)
#define ARENA_INITIAL (16u << 10)

struct block { uint8_t *p; size_t size; uint8_t id; };

static struct {
	uint8_t *base;
	uintptr_t end;
	struct heap heap;
	struct block b[SLOTS];
	uint8_t next_id;
	bool debug;
} fz;

static int grow(void *ctx, uintptr_t end, size_t min_bytes, size_t *added)
{
	size_t room = (uintptr_t)fz.base + ARENA_LIMIT - end;

	FUZZ_CHECK(end == fz.end && min_bytes > 0);
	if (min_bytes > room)
		return -1;
	*added = (min_bytes + 4095) & ~(size_t)4095;
	if (*added > room)
		*added = room;
	fz.end += *added;
	return 0;
}

static void report(const char *heap, const char *what, void *addr)
{
	fprintf(stderr, "heap %s reported %s at %p\n", heap, what, addr);
	FUZZ_CHECK(!"misuse reported for a correct caller");
}

static uint8_t pat(uint8_t id, size_t i)
{
	return (uint8_t)(id * 37u + i * 11u + 1u);
}

static void fill(struct block *b)
{
	for (size_t i = 0; i < b->size; i++)
		b->p[i] = pat(b->id, i);
}

/* A new block must be aligned, in the arena and clear of every live block. */
static void check_new(const uint8_t *p, size_t size, size_t align, int self)
{
	size_t use = heap_usable_size(&fz.heap, p);
	size_t want = align > HEAP_PTR_ALIGN ? align : HEAP_PTR_ALIGN;

	FUZZ_CHECK((uintptr_t)p % want == 0);
	FUZZ_CHECK(use >= size);
	FUZZ_CHECK(p >= fz.base && (uintptr_t)p + use <= fz.end);
	for (int i = 0; i < SLOTS; i++) {
		const struct block *o = &fz.b[i];

		if (i == self || !o->p)
			continue;
		FUZZ_CHECK(p + use <= o->p ||
			   o->p + heap_usable_size(&fz.heap, o->p) <= p);
	}
}

static void check_all(void)
{
	struct heap_stats st;
	size_t in_use = 0;

	for (int i = 0; i < SLOTS; i++) {
		const struct block *b = &fz.b[i];

		if (!b->p)
			continue;
		for (size_t j = 0; j < b->size; j++)
			FUZZ_CHECK(b->p[j] == pat(b->id, j));
		in_use += fz.debug ? b->size : heap_usable_size(&fz.heap, b->p);
	}
	heap_get_stats(&fz.heap, &st);
	FUZZ_CHECK(st.in_use == in_use);
	FUZZ_CHECK(heap_check(&fz.heap) == 0);
}

static size_t pick_size(struct fuzz_in *in)
{
	uint16_t v = fuzz_u16(in);

	switch (v >> 14) {
	case 0:  return v & 63;
	case 1:  return v & 1023;
	case 2:  return (v & 0x3fff) * 4;
	default: return (v & 1) ? SIZE_MAX / 8 : HEAP_MAX_SIZE + (v & 0xff);
	}
}

static void op_alloc(struct block *b, int slot, struct fuzz_in *in)
{
	static const size_t aligns[] = { 0, 8, 16, 32, 64, 256, 4096, 24, 8192 };
	size_t align = aligns[fuzz_u8(in) % (sizeof(aligns) / sizeof(aligns[0]))];
	size_t size = pick_size(in);
	bool bad = (align & (align - 1)) || align > HEAP_MAX_ALIGN || size > HEAP_MAX_SIZE;
	uint8_t *p = heap_alloc(&fz.heap, size, align);

	if (bad)
		FUZZ_CHECK(p == NULL);
	if (!p)
		return;
	check_new(p, size, align, slot);
	*b = (struct block){ p, size, fz.next_id++ };
	fill(b);
}

static void op_realloc(struct block *b, int slot, struct fuzz_in *in)
{
	size_t size = pick_size(in), keep = size < b->size ? size : b->size;
	uint8_t *p = heap_realloc(&fz.heap, b->p, size);

	if (!p) {
		FUZZ_CHECK(size > 0 || !b->p);
		return;
	}
	if (b->p && p != b->p)
		FUZZ_CHECK((uintptr_t)p % HEAP_MIN_ALIGN == 0);
	check_new(p, size, b->p ? HEAP_PTR_ALIGN : HEAP_MIN_ALIGN, slot);
	for (size_t i = 0; b->p && i < keep; i++)
		FUZZ_CHECK(p[i] == pat(b->id, i));
	if (!b->p)
		b->id = fz.next_id++;
	b->p = p;
	b->size = size;
	fill(b);
}

static void op_calloc(struct block *b, int slot, struct fuzz_in *in)
{
	size_t n = fuzz_u8(in), size = pick_size(in);
	uint8_t *p = heap_calloc(&fz.heap, n, size);

	if (n && size > SIZE_MAX / n)
		FUZZ_CHECK(p == NULL);
	if (!p)
		return;
	check_new(p, n * size, HEAP_MIN_ALIGN, slot);
	for (size_t i = 0; i < n * size; i++)
		FUZZ_CHECK(p[i] == 0);
	*b = (struct block){ p, n * size, fz.next_id++ };
	fill(b);
}

static void step(struct fuzz_in *in)
{
	uint8_t op = fuzz_u8(in);
	int slot = (op >> 2) % SLOTS;
	struct block *b = &fz.b[slot];

	if ((op & 3) != 3 && b->p) {          /* the slot is taken: free it */
		heap_free(&fz.heap, b->p);
		b->p = NULL;
		return;
	}
	switch (op & 3) {
	case 0: case 1: op_alloc(b, slot, in); break;
	case 2: op_calloc(b, slot, in); break;
	default: op_realloc(b, slot, in); break;
	}
}

static const struct heap_ops *const designs[] = { &heap_bump_ops, &heap_list_ops, &heap_block_ops };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t conf = fuzz_u8(&in);
	struct heap_config cfg = {
		.ops = designs[(conf & 0x7f) % 3], .size = ARENA_INITIAL, .grow = grow,
		.report = report, .debug = conf >> 7,
	};

	memset(&fz, 0, sizeof(fz));
	fz.base = aligned_alloc(4096, ARENA_LIMIT);
	fz.end = (uintptr_t)fz.base + ARENA_INITIAL;
	fz.debug = cfg.debug;
	cfg.start = fz.base;
	FUZZ_CHECK(heap_init(&fz.heap, &cfg) == 0);
	for (int n = 0; in.left && n < 400; n++) {
		step(&in);
		check_all();
	}
	for (int i = 0; i < SLOTS; i++)
		heap_free(&fz.heap, fz.b[i].p);
	heap_free(&fz.heap, NULL);
	FUZZ_CHECK(heap_check(&fz.heap) == 0);
	free(fz.base);
	return 0;
}
