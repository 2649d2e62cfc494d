/*
 * User executables (see uelf.h): the check on top of lib/elf.c and the
 * initial stack builder. The stack is written top down into a buffer that
 * mirrors the user addresses [top - size, top).
 */
#include <stdbool.h>

#include "kernel/proc/uelf.h"
#include "lib/errno.h"
#include "lib/string.h"

#define PT_PHDR 6
#define PAGE_MASK 0xfffull

static bool find_phdr(const uint8_t *data, const struct elf64_ehdr *eh, struct uelf *out)
{
	uint64_t bytes = (uint64_t)eh->e_phnum * eh->e_phentsize;

	for (unsigned i = 0; i < out->img.count; i++) {
		const struct elf_segment *s = &out->img.seg[i];

		if (eh->e_phoff >= s->offset && bytes <= s->filesz &&
		    eh->e_phoff - s->offset <= s->filesz - bytes) {
			out->phdr_vaddr = s->vaddr + (eh->e_phoff - s->offset);
			return true;
		}
	}
	(void)data;
	return false;
}

/* Whether the (bounds-checked) program header table has a PT_INTERP entry. */
static bool has_interp(const uint8_t *data, const struct elf64_ehdr *eh)
{
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		struct elf64_phdr ph;

		memcpy(&ph, data + eh->e_phoff + (size_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type == ELF_PT_INTERP)
			return true;
	}
	return false;
}

/* A static PIE's addresses moved by bias; why set when they would not fit. */
static int place(struct elf_image *img, uint64_t bias, const char **why)
{
	if (bias & PAGE_MASK)
		return *why = "the load bias is not page aligned", -E_INVAL;
	if (img->vend > UELF_MAX_VADDR || bias > UELF_MAX_VADDR - img->vend)
		return *why = "a segment lies above the user program area", -E_INVAL;
	for (unsigned i = 0; i < img->count; i++)
		img->seg[i].vaddr += bias;
	img->entry += bias;       /* inside a segment: no overflow either */
	img->vbase += bias;
	img->vend += bias;
	return 0;
}

int uelf_check(const void *data, size_t size, struct uelf *out, const char **why)
{
	return uelf_check_at(data, size, UELF_PIE_BASE, out, why);
}

int uelf_check_at(const void *data, size_t size, uint64_t bias, struct uelf *out,
		  const char **why)
{
	struct elf64_ehdr eh;
	uint64_t total = 0;
	const char *dummy;

	if (!why)
		why = &dummy;
	memset(out, 0, sizeof(*out));
	if (elf_validate_type(data, size, 0, true, &out->img, why))
		return -E_INVAL;
	memcpy(&eh, data, sizeof(eh));
	if (out->img.type == ELF_ET_DYN && has_interp(data, &eh))
		return *why = "dynamic programs need an interpreter (PT_INTERP): Ember runs "
			      "static and static-PIE programs", -E_INVAL;
	if (out->img.type == ELF_ET_DYN && place(&out->img, bias, why))
		return -E_INVAL;
	out->bias = out->img.type == ELF_ET_DYN ? bias : 0;
	if (out->img.vbase < UELF_MIN_VADDR)
		return *why = "a segment lies below the user program area (the low 64 KiB)", -E_INVAL;
	if (out->img.vend > UELF_MAX_VADDR)
		return *why = "a segment lies above the user program area", -E_INVAL;
	for (unsigned i = 0; i < out->img.count; i++)
		total += out->img.seg[i].memsz;       /* each below 2^47: no overflow */
	if (total > UELF_MAX_MEMSZ)
		return *why = "segments want more memory than a program may have", -E_INVAL;
	out->phnum = eh.e_phnum;
	out->phent = eh.e_phentsize;
	if (!find_phdr(data, &eh, out))
		return *why = "the program headers are not inside a loaded segment", -E_INVAL;
	return 0;
}

/* ---- the initial stack ------------------------------------------------------ */

struct stack_writer {
	uint8_t *buf;
	uint64_t top, lo;         /* user addresses: buf[0] is at top - size */
	uint64_t sp;              /* next free byte is below sp */
	bool overflow;
};

/* Pushes n bytes; returns their user address. */
static uint64_t push_bytes(struct stack_writer *w, const void *p, size_t n)
{
	if (w->overflow || w->sp - w->lo < n) {
		w->overflow = true;
		return 0;
	}
	w->sp -= n;
	memcpy(w->buf + (w->sp - w->lo), p, n);
	return w->sp;
}

static void push_word(struct stack_writer *w, uint64_t v)
{
	push_bytes(w, &v, sizeof(v));
}

static bool strings_ok(const char *const *s, int n, size_t *bytes)
{
	if (n < 0 || n > UELF_MAX_ARGS)
		return false;
	for (int i = 0; i < n; i++)
		*bytes += strlen(s[i]) + 1;
	return *bytes <= UELF_MAX_STRINGS;
}

static void push_auxv(struct stack_writer *w, const struct uelf_stack_args *a, uint64_t rnd,
		      uint64_t execfn)
{
	const uint64_t aux[][2] = {
		{ AT_PHDR, a->prog->phdr_vaddr }, { AT_PHENT, a->prog->phent },
		{ AT_PHNUM, a->prog->phnum }, { AT_PAGESZ, 4096 }, { AT_BASE, 0 },
		{ AT_FLAGS, 0 }, { AT_ENTRY, a->prog->img.entry }, { AT_UID, 0 },
		{ AT_EUID, 0 }, { AT_GID, 0 }, { AT_EGID, 0 }, { AT_HWCAP, 0 },
		{ AT_CLKTCK, 100 }, { AT_SECURE, 0 }, { AT_RANDOM, rnd },
		{ AT_EXECFN, execfn }, { AT_NULL, 0 },
	};

	for (int i = (int)(sizeof(aux) / sizeof(aux[0])) - 1; i >= 0; i--) {
		push_word(w, aux[i][1]);
		push_word(w, aux[i][0]);
	}
}

uint64_t uelf_build_stack(uint8_t *buf, size_t size, uint64_t top,
			  const struct uelf_stack_args *a)
{
	struct stack_writer w = { .buf = buf, .top = top, .lo = top - size, .sp = top };
	uint64_t argp[UELF_MAX_ARGS], envp[UELF_MAX_ARGS], rnd, words;
	size_t bytes = 0;

	if ((top & 15) || size > top || !strings_ok(a->argv, a->argc, &bytes) ||
	    !strings_ok(a->envp, a->envc, &bytes))
		return 0;
	for (int i = a->envc - 1; i >= 0; i--)
		envp[i] = push_bytes(&w, a->envp[i], strlen(a->envp[i]) + 1);
	for (int i = a->argc - 1; i >= 0; i--)
		argp[i] = push_bytes(&w, a->argv[i], strlen(a->argv[i]) + 1);
	rnd = push_bytes(&w, a->random, sizeof(a->random));
	/* argc, argv[] NULL, envp[] NULL, 17 auxv pairs: keep the final SP 16-aligned. */
	words = 1 + (uint64_t)a->argc + 1 + (uint64_t)a->envc + 1 + 17 * 2;
	w.sp &= ~15ull;
	if (w.sp < w.lo)
		w.overflow = true;
	if (words & 1)
		push_word(&w, 0);
	push_auxv(&w, a, rnd, a->argc ? argp[0] : 0);
	push_word(&w, 0);
	for (int i = a->envc - 1; i >= 0; i--)
		push_word(&w, envp[i]);
	push_word(&w, 0);
	for (int i = a->argc - 1; i >= 0; i--)
		push_word(&w, argp[i]);
	push_word(&w, (uint64_t)a->argc);
	return w.overflow ? 0 : w.sp;
}
