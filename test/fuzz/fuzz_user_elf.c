/*
 * libFuzzer target for the user ELF check and the stack builder: any input
 * is refused with a reason or yields segments that lie in the user program
 * area, inside the file, page-disjoint, never W+X, an entry inside an
 * executable segment and program headers inside a segment; the initial
 * stack for an accepted program is 16-byte aligned and inside its buffer.
 * Each input is also checked at a load bias taken from its last 8 bytes
 * (static PIEs): accepted only page-aligned, with the same invariants, and
 * never an ET_DYN program with PT_INTERP.
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
	if (u->phdr_vaddr < UELF_MIN_VADDR || u->phdr_vaddr >= UELF_MAX_VADDR)
		abort();
	if (u->img.type != ELF_ET_DYN && u->bias)
		abort();
}

/* Whether the input's program header table (in the file: it was accepted) names PT_INTERP. */
static int names_interp(const uint8_t *data)
{
	struct elf64_ehdr eh;

	memcpy(&eh, data, sizeof(eh));
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		struct elf64_phdr ph;

		memcpy(&ph, data + eh.e_phoff + (size_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type == ELF_PT_INTERP)
			return 1;
	}
	return 0;
}

static void check_at_bias(const uint8_t *data, size_t size)
{
	struct uelf u;
	const char *why = NULL;
	uint64_t bias = 0;

	if (size >= 8)
		memcpy(&bias, data + size - 8, 8);
	if (uelf_check_at(data, size, bias, &u, &why)) {
		if (!why)
			abort();
		return;
	}
	check_accepted(&u, size);
	if (u.img.type == ELF_ET_DYN && ((bias & 0xfff) || u.bias != bias || names_interp(data)))
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

	check_at_bias(data, size);
	if (uelf_check(data, size, &u, &why)) {
		if (!why)
			abort();
		return 0;
	}
	check_accepted(&u, size);
	if (u.img.type == ELF_ET_DYN && (u.bias != UELF_PIE_BASE || names_interp(data)))
		abort();
	sp = uelf_build_stack(stack, sizeof(stack), top, &a);
	if (!sp || (sp & 15) || sp < top - sizeof(stack) || sp >= top)
		abort();
	return 0;
}
