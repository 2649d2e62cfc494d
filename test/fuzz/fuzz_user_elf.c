/*
 * libFuzzer target for the user ELF check and the stack builder: any input
 * is refused with a reason or yields segments that lie in the user program
 * area, inside the file, page-disjoint, never W+X, an entry inside an
 * executable segment and program headers inside a segment; the initial
 * stack for an accepted program is 16-byte aligned and inside its buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/proc/uelf.h"
#include "lib/errno.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_accepted(const struct uelf *u, size_t size)
{
	int entry_ok = 0;

	for (unsigned i = 0; i < u->img.count; i++) {
		const struct elf_segment *s = &u->img.seg[i];

		if (s->vaddr < UELF_MIN_VADDR || s->vaddr + s->memsz > UELF_MAX_VADDR)
			abort();
		if (s->offset > size || s->filesz > size - s->offset || s->filesz > s->memsz)
			abort();
		if ((s->flags & ELF_PF_W) && (s->flags & ELF_PF_X))
			abort();
		if ((s->flags & ELF_PF_X) && u->img.entry >= s->vaddr &&
		    u->img.entry < s->vaddr + s->memsz)
			entry_ok = 1;
		for (unsigned j = 0; j < i; j++) {
			const struct elf_segment *t = &u->img.seg[j];
			uint64_t a0 = s->vaddr & ~0xfffull, a1 = (s->vaddr + s->memsz + 0xfff) & ~0xfffull;
			uint64_t b0 = t->vaddr & ~0xfffull, b1 = (t->vaddr + t->memsz + 0xfff) & ~0xfffull;

			if (a0 < b1 && b0 < a1)
				abort();
		}
	}
	if (!entry_ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t stack[3 * 4096];
	const char *argv[] = { "/bin/x", "a" }, *envp[] = { "PATH=/bin" };
	struct uelf u;
	struct uelf_stack_args a = { argv, 2, envp, 1, &u, { 0 } };
	const char *why = NULL;
	uint64_t sp, top = 0x7ffffffff000ull;

	if (uelf_check(data, size, &u, &why)) {
		if (!why)
			abort();
		return 0;
	}
	check_accepted(&u, size);
	sp = uelf_build_stack(stack, sizeof(stack), top, &a);
	if (!sp || (sp & 15) || sp < top - sizeof(stack) || sp >= top)
		abort();
	return 0;
}
