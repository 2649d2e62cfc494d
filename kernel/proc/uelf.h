/*
 * User executables: the strict check of a static x86_64 ELF program before
 * anything is mapped, and the initial stack as Linux lays it out (argc,
 * argv, envp, auxv, then the strings), so unmodified musl programs start.
 *
 * Pure code over plain memory (host tests, the fuzz target): any context,
 * allocates nothing, reads nothing outside the buffers it is given.
 */
#ifndef EMBER_KERNEL_PROC_UELF_H
#define EMBER_KERNEL_PROC_UELF_H

#include <stddef.h>
#include <stdint.h>

#include "lib/elf.h"

#define UELF_MIN_VADDR   0x10000ull             /* the low 64 KiB stay unmapped */
#define UELF_MAX_VADDR   0x00007f0000000000ull  /* room above for mmap and the stack */
#define UELF_MAX_MEMSZ   (512ull << 20)         /* all segments together */
#define UELF_MAX_ARGS    64                     /* argv or envp entries */
#define UELF_MAX_STRINGS 8192                   /* bytes of argv + envp strings */
/*
 * Static PIEs (ET_DYN) load at UELF_PIE_BASE plus a random whole number of
 * pages below UELF_PIE_PAGES: 2^28 pages (1 TiB) of room, all below the
 * mmap area (PROC_MMAP_BASE, 16 TiB) so that the break can grow above them.
 */
#define UELF_PIE_BASE    0x0000005500000000ull
#define UELF_PIE_PAGES   (1ull << 28)

/* Auxiliary vector types (Linux, include/uapi/linux/auxvec.h). */
#define AT_NULL    0
#define AT_PHDR    3
#define AT_PHENT   4
#define AT_PHNUM   5
#define AT_PAGESZ  6
#define AT_BASE    7
#define AT_FLAGS   8
#define AT_ENTRY   9
#define AT_UID     11
#define AT_EUID    12
#define AT_GID     13
#define AT_EGID    14
#define AT_HWCAP   16
#define AT_CLKTCK  17
#define AT_SECURE  23
#define AT_RANDOM  25
#define AT_EXECFN  31

/* A checked program: the segments to map and what auxv reports. */
struct uelf {
	struct elf_image img;     /* entry, PT_LOAD segments, span */
	uint64_t phdr_vaddr;      /* where the program headers are in memory (AT_PHDR) */
	uint64_t bias;            /* added to a static PIE's addresses; 0 for ET_EXEC */
	uint16_t phnum, phent;
};

/*
 * Checks data[0..size): everything elf_validate checks (bounds, x86_64,
 * page-disjoint segments, no W+X, entry in an executable segment), plus:
 * ET_EXEC, or ET_DYN without PT_INTERP (a static PIE, self-relocating:
 * musl's rcrt1.o) placed at the page-aligned load bias; segments (biased)
 * inside [UELF_MIN_VADDR, UELF_MAX_VADDR), memory size at most
 * UELF_MAX_MEMSZ, program headers inside a loaded segment. On success
 * out->img, phdr_vaddr and entry are the addresses in memory (bias added).
 * 0, or -E_INVAL with *why (if not NULL) a one-line reason.
 */
int uelf_check_at(const void *data, size_t size, uint64_t bias, struct uelf *out,
		  const char **why);

/* uelf_check_at with the bias UELF_PIE_BASE (ignored for ET_EXEC). */
int uelf_check(const void *data, size_t size, struct uelf *out, const char **why);

/* What the initial stack holds. */
struct uelf_stack_args {
	const char *const *argv;  /* argc strings */
	int argc;
	const char *const *envp;  /* envc strings */
	int envc;
	const struct uelf *prog;
	uint8_t random[16];       /* AT_RANDOM's bytes */
};

/*
 * Builds the initial stack in buf[0..size), which will be the top `size`
 * bytes of the user stack ending at user address top (16-byte aligned).
 * Returns the user RSP for the entry (16-byte aligned, pointing at argc),
 * or 0 when it does not fit or the arguments break the limits.
 */
uint64_t uelf_build_stack(uint8_t *buf, size_t size, uint64_t top,
			  const struct uelf_stack_args *a);

#endif
