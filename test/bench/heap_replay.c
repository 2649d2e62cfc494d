/*
 * Replays an allocation trace (docs: the traces' README) through one heap
 * design in a 64 MiB arena, or through glibc malloc as the baseline, and
 * prints one line of figures. Built for the host at -O2 without sanitizers;
 * heap_bench.py runs it under callgrind and reads the inclusive cost of the
 * noinline entry points below.
 *
 *   heap_replay bump|list|block|glibc TRACE
 *
 * The whole trace is parsed into memory first, so parsing is not measured.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/mm/heap.h"
#include "lib/compiler.h"
#include "lib/errno.h"

#define ARENA_SIZE     (64u << 20)
#define ARENA_INITIAL  (64u << 10)
#define PAGE           4096u

struct event {
	uint32_t id;
	uint32_t size;		/* 0 marks a free */
	uint32_t align;
};

struct trace {
	struct event *ev;
	size_t nr_ev;
	uint32_t max_id;
};

struct arena {
	char *base;
	uintptr_t end;
};

void *heap_replay_alloc(size_t size, size_t align);
void heap_replay_free(void *p);
void *glibc_replay_alloc(size_t size, size_t align);
void glibc_replay_free(void *p);

static struct heap replay_heap;

/* The entry points callgrind measures: nothing but the call. */
__attribute__((noinline, noclone)) void *heap_replay_alloc(size_t size, size_t align)
{
	return heap_alloc(&replay_heap, size, align);
}

__attribute__((noinline, noclone)) void heap_replay_free(void *p)
{
	heap_free(&replay_heap, p);
}

__attribute__((noinline, noclone)) void *glibc_replay_alloc(size_t size, size_t align)
{
	if (align <= 16)
		return malloc(size);
	return aligned_alloc(align, ALIGN_UP(size, align));
}

__attribute__((noinline, noclone)) void glibc_replay_free(void *p)
{
	free(p);
}

/* Hands out the reserved 64 MiB a page at a time, as the kernel would. */
static int arena_grow(void *ctx, uintptr_t end, size_t min_bytes, size_t *added)
{
	struct arena *a = ctx;
	size_t room = (uintptr_t)a->base + ARENA_SIZE - end;
	size_t want = ALIGN_UP(min_bytes, (size_t)PAGE);

	if (end != a->end || min_bytes > room)
		return -E_NOMEM;
	*added = MIN(want, room);
	a->end += *added;
	return 0;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
		*len = fread(buf, 1, (size_t)n, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

/* One line: "a ID SIZE ALIGN" or "f ID". Returns false if malformed. */
static bool parse_line(char **cur, struct event *e)
{
	char *s = *cur, op = *s;

	e->id = (uint32_t)strtoul(s + 1, &s, 10);
	e->size = 0;
	e->align = 0;
	if (op == 'a') {
		e->size = (uint32_t)strtoul(s, &s, 10);
		e->align = (uint32_t)strtoul(s, &s, 10);
		if (e->size == 0)
			e->size = 1;	/* keep 0 for frees; the traces never ask 0 */
	} else if (op != 'f') {
		return false;
	}
	while (*s && *s != '\n')
		s++;
	*cur = *s ? s + 1 : s;
	return true;
}

static int load_trace(const char *path, struct trace *t)
{
	size_t len = 0, lines = 0;
	char *buf = read_file(path, &len), *cur;
	bool done;

	if (!buf)
		return -E_NOENT;
	for (size_t i = 0; i < len; i++)
		lines += buf[i] == '\n';
	t->ev = calloc(lines + 1, sizeof(*t->ev));
	t->nr_ev = 0;
	t->max_id = 0;
	for (cur = buf; t->ev && *cur; ) {
		if (*cur == '\n') {
			cur++;
			continue;
		}
		if (!parse_line(&cur, &t->ev[t->nr_ev]))
			break;
		t->max_id = MAX(t->max_id, t->ev[t->nr_ev].id);
		t->nr_ev++;
	}
	done = t->ev && !*cur;
	free(buf);
	return done ? 0 : -E_INVAL;
}

struct result {
	size_t allocs, frees, failed;
	size_t live, peak_live;
	uintptr_t peak_top;	/* highest address handed out + size */
};

static void replay(const struct trace *t, bool glibc, struct result *r)
{
	void **ptr = calloc(t->max_id + 1, sizeof(*ptr));
	uint32_t *size = calloc(t->max_id + 1, sizeof(*size));

	for (size_t i = 0; ptr && size && i < t->nr_ev; i++) {
		const struct event *e = &t->ev[i];
		void *p;

		if (!e->size) {
			if (!ptr[e->id])
				continue;
			glibc ? glibc_replay_free(ptr[e->id]) :
				heap_replay_free(ptr[e->id]);
			ptr[e->id] = NULL;
			r->live -= size[e->id];
			r->frees++;
			continue;
		}
		r->allocs++;
		p = glibc ? glibc_replay_alloc(e->size, e->align) :
			    heap_replay_alloc(e->size, e->align);
		if (!p) {
			r->failed++;
			continue;
		}
		ptr[e->id] = p;
		size[e->id] = e->size;
		r->live += e->size;
		r->peak_live = MAX(r->peak_live, r->live);
		r->peak_top = MAX(r->peak_top, (uintptr_t)p + e->size);
	}
	free(ptr);
	free(size);
}

static int setup_heap(const char *design, struct arena *a)
{
	struct heap_config cfg = {
		.ops = heap_ops_find(design), .size = ARENA_INITIAL,
		.grow = arena_grow, .ctx = a,
	};

	a->base = aligned_alloc(PAGE, ARENA_SIZE);
	if (!cfg.ops || !a->base)
		return -E_INVAL;
	a->end = (uintptr_t)a->base + ARENA_INITIAL;
	cfg.start = a->base;
	return heap_init(&replay_heap, &cfg);
}

int main(int argc, char **argv)
{
	struct result r = { 0 };
	struct trace t;
	struct arena a = { 0 };
	bool glibc;

	if (argc != 3) {
		fprintf(stderr, "usage: %s bump|list|block|glibc TRACE\n", argv[0]);
		return 2;
	}
	glibc = strcmp(argv[1], "glibc") == 0;
	if (!glibc && setup_heap(argv[1], &a) < 0) {
		fprintf(stderr, "heap_replay: no heap design '%s'\n", argv[1]);
		return 2;
	}
	if (load_trace(argv[2], &t) < 0) {
		fprintf(stderr, "heap_replay: cannot read trace %s\n", argv[2]);
		return 2;
	}
	replay(&t, glibc, &r);
	printf("design=%s allocs=%zu frees=%zu failed=%zu peak_live=%zu "
	       "peak_span=%zu check=%d\n", argv[1], r.allocs, r.frees, r.failed,
	       r.peak_live, glibc ? 0 : (size_t)(r.peak_top - (uintptr_t)a.base),
	       glibc ? 0 : heap_check(&replay_heap));
	return 0;
}
