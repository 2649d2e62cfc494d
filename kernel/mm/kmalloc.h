/*
 * kmalloc: the kernel heap. One heap (kernel/mm/heap.h) in the heap window at
 * HEAP_BASE: KMALLOC_INITIAL bytes are mapped at start-up, and the window
 * grows on demand, a frame at a time mapped read-write no-execute, up to a
 * limit. Out of memory returns NULL and the heap stays usable.
 *
 * Kernel command line:
 *   heap=bump|list|block  the allocator design (default block)
 *   heap.max=SIZE         growth limit, bytes with an optional K, M or G
 *                         suffix (default 64M; from 64K to 32G)
 *   heap.debug=1          poison, canaries and a quarantine: a double free,
 *                         an overrun or a write after free panics
 *                         ("heap: double free of 0x... (block heap)")
 *
 * Context: task context. Every call runs with interrupts off (the heap is
 * not reentrant); IRQ handlers must not allocate or free.
 */
#ifndef EMBER_KERNEL_KMALLOC_H
#define EMBER_KERNEL_KMALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/mm/heap.h"

#define KMALLOC_INITIAL      (64u * 1024)      /* mapped by kmalloc_init */
#define KMALLOC_GROW_MIN     (64u * 1024)      /* smallest growth step */
#define KMALLOC_MAX_DEFAULT  (64ull << 20)
#define KMALLOC_MAX_LIMIT    (32ull << 30)     /* the list design's arena limit */

/* The heap's figures, for the shell and the tests. */
struct kmalloc_stats {
	const char *design;     /* "bump", "list" or "block" */
	bool debug;
	uint64_t base;          /* HEAP_BASE */
	uint64_t mapped;        /* bytes of the window mapped now */
	uint64_t limit;         /* bytes the window may grow to */
	uint64_t grows;         /* times the window grew */
	struct heap_stats heap; /* the allocator's own figures */
};

/* Sets the heap up from the command line. Panics if it cannot. */
void kmalloc_init(const char *cmdline);

/* size bytes aligned to 16, or NULL. kmalloc(0) is a unique pointer to free. */
void *kmalloc(size_t size);
/* align: a power of two up to HEAP_MAX_ALIGN (4096), else NULL. */
void *kmalloc_aligned(size_t size, size_t align);
/* n * size zeroed bytes; NULL on overflow or out of memory. */
void *kcalloc(size_t n, size_t size);
/* Resizes (may move); NULL leaves ptr as it was. krealloc(NULL, n) allocates. */
void *krealloc(void *ptr, size_t size);
/* kfree(NULL) does nothing; misuse the heap notices panics. */
void kfree(void *ptr);
/* Bytes usable at ptr (at least what was asked for). */
size_t kmalloc_usable_size(const void *ptr);

void kmalloc_get_stats(struct kmalloc_stats *out);
/* The design's invariants (heap_check): 0 or -E_INVAL. */
int kmalloc_check(void);

#endif
