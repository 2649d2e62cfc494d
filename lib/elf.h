/*
 * ELF64 validation: the loader checks the embedded kernel image with
 * elf_validate() before it allocates or copies anything, and afterwards
 * trusts only the summary in struct elf_image.
 *
 * Pure code, any context: reads nothing outside [data, data + size), needs
 * no alignment of data, allocates nothing. Not reentrant: a reason that names
 * a segment is formatted into a static buffer (the loader is single-threaded).
 */
#ifndef EMBER_LIB_ELF_H
#define EMBER_LIB_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/compiler.h"

/* Fixed values from the ELF64 specification and the x86_64 psABI. */
#define ELF_MAGIC0        0x7f
#define ELF_CLASS64       2
#define ELF_DATA_LSB      1       /* little endian */
#define ELF_EV_CURRENT    1
#define ELF_ET_EXEC       2
#define ELF_ET_DYN        3       /* position-independent: a static PIE or a shared object */
#define ELF_EM_X86_64     62
#define ELF_PT_LOAD       1
#define ELF_PT_DYNAMIC    2
#define ELF_PT_INTERP     3
#define ELF_PN_XNUM       0xffff  /* "real count is elsewhere": not supported */
#define ELF_PF_X          0x1
#define ELF_PF_W          0x2
#define ELF_PF_R          0x4
#define ELF_PAGE_SIZE     4096ull

/* Offsets into e_ident[]. */
#define ELF_EI_CLASS      4
#define ELF_EI_DATA       5
#define ELF_EI_VERSION    6
#define ELF_EI_NIDENT     16

/* The file header, at offset 0. */
struct elf64_ehdr {
	uint8_t  e_ident[ELF_EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
} __packed;
_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header is 64 bytes");

/* One program header, e_phnum of them at e_phoff. */
struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
} __packed;
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header is 56 bytes");

#define ELF_MAX_SEGMENTS 16

/* One PT_LOAD segment, in program header order. */
struct elf_segment {
	uint64_t vaddr, memsz;    /* where it goes, bytes in memory */
	uint64_t offset, filesz;  /* where its bytes are in the file; the rest is zero */
	uint32_t flags;           /* ELF_PF_R / ELF_PF_W / ELF_PF_X, other bits cleared */
};

/* What the loader needs of a validated kernel. */
struct elf_image {
	uint64_t entry;
	unsigned count;           /* PT_LOAD segments in seg[] */
	struct elf_segment seg[ELF_MAX_SEGMENTS];
	uint64_t vbase, vend;     /* page-rounded span of all PT_LOAD segments */
	uint16_t type;            /* ELF_ET_EXEC, or ELF_ET_DYN when allowed */
};

/*
 * Check that data[0..size) is an x86_64 ELF64 executable the loader can map:
 * every header and segment inside the file, PT_LOAD segments at or above
 * min_vaddr, page-disjoint, never both writable and executable, vaddr and
 * offset congruent modulo 4096, and an entry point inside an executable
 * segment. PT_LOAD segments with p_memsz 0 and other program header types
 * are ignored.
 *
 * Returns 0 and fills *out, or -E_INVAL with *out cleared and *why (if why is
 * not NULL) set to a one-line English reason. Segments in reasons are
 * numbered by program header index, as `readelf -l` shows them.
 */
int elf_validate(const void *data, size_t size, uint64_t min_vaddr,
		 struct elf_image *out, const char **why);

/*
 * As elf_validate, also accepting ELF_ET_DYN when allow_dyn: its addresses
 * (segments, entry, span) are then offsets from a load bias the caller
 * chooses and checks; min_vaddr applies to them as they are in the file.
 */
int elf_validate_type(const void *data, size_t size, uint64_t min_vaddr, bool allow_dyn,
		      struct elf_image *out, const char **why);

#endif
