/*
 * ELF64 validation for the loader (see elf.h). Every field is copied out of
 * the image with memcpy before it is looked at, and every offset is checked
 * against the file size with subtractions that cannot wrap.
 * Pure, any context; the reason buffer makes it non-reentrant.
 */
#include <stdbool.h>

#include "lib/elf.h"
#include "lib/errno.h"
#include "lib/string.h"

#define PAGE_MASK (ELF_PAGE_SIZE - 1)

/* Reasons that name a segment are built here; others are string literals. */
static char elf_reason[96];

static void reason_add(size_t *len, const char *s)
{
	while (*s && *len < sizeof(elf_reason) - 1)
		elf_reason[(*len)++] = *s++;
	elf_reason[*len] = '\0';
}

static void reason_add_num(size_t *len, unsigned v)
{
	char digits[12];
	int n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n > 0) {
		char one[2] = { digits[--n], '\0' };

		reason_add(len, one);
	}
}

/* "segment <idx> <text>" */
static const char *reason_seg(unsigned idx, const char *text)
{
	size_t len = 0;

	reason_add(&len, "segment ");
	reason_add_num(&len, idx);
	reason_add(&len, " ");
	reason_add(&len, text);
	return elf_reason;
}

/* "segments <a> and <b> overlap" */
static const char *reason_overlap(unsigned a, unsigned b)
{
	size_t len = 0;

	reason_add(&len, "segments ");
	reason_add_num(&len, a);
	reason_add(&len, " and ");
	reason_add_num(&len, b);
	reason_add(&len, " overlap");
	return elf_reason;
}

/* Does [off, off + len) lie inside a file of `size` bytes? */
static bool range_in_file(uint64_t off, uint64_t len, size_t size)
{
	return off <= size && len <= size - off;
}

/* The file header on its own; the table it points to is checked by bounds. */
static const char *check_header(const struct elf64_ehdr *eh, size_t size, bool allow_dyn)
{
	static const uint8_t magic[4] = { ELF_MAGIC0, 'E', 'L', 'F' };

	if (memcmp(eh->e_ident, magic, sizeof(magic)) != 0)
		return "bad ELF magic";
	if (eh->e_ident[ELF_EI_CLASS] != ELF_CLASS64)
		return "not a 64-bit ELF file";
	if (eh->e_ident[ELF_EI_DATA] != ELF_DATA_LSB)
		return "not a little-endian ELF file";
	if (eh->e_ident[ELF_EI_VERSION] != ELF_EV_CURRENT ||
	    eh->e_version != ELF_EV_CURRENT)
		return "unsupported ELF version";
	if (eh->e_type != ELF_ET_EXEC && !(allow_dyn && eh->e_type == ELF_ET_DYN))
		return allow_dyn ? "not an executable ELF file (e_type is neither ET_EXEC nor ET_DYN)"
				 : "not an executable ELF file (e_type is not ET_EXEC)";
	if (eh->e_machine != ELF_EM_X86_64)
		return "not an x86_64 executable";
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return "program header size is not 56 bytes";
	if (eh->e_phnum == ELF_PN_XNUM)
		return "extended program header numbering is not supported";
	if (!range_in_file(eh->e_phoff,
			   (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr), size))
		return "program header table outside the file";
	return NULL;
}

/* One PT_LOAD header on its own, in the order the checks are documented. */
static const char *check_segment(const struct elf64_phdr *ph, unsigned idx,
				 size_t size, uint64_t min_vaddr)
{
	uint64_t end;

	if (ph->p_filesz > ph->p_memsz)
		return reason_seg(idx, "has p_filesz larger than p_memsz");
	if (!range_in_file(ph->p_offset, ph->p_filesz, size))
		return reason_seg(idx, "file data outside the file");
	/* The end must also survive rounding up to a page boundary. */
	if (__builtin_add_overflow(ph->p_vaddr, ph->p_memsz, &end) ||
	    end > UINT64_MAX - PAGE_MASK)
		return reason_seg(idx, "address overflows");
	if (ph->p_vaddr < min_vaddr)
		return reason_seg(idx, "lies below the higher half");
	if ((ph->p_flags & ELF_PF_W) && (ph->p_flags & ELF_PF_X))
		return reason_seg(idx, "is both writable and executable");
	if ((ph->p_vaddr & PAGE_MASK) != (ph->p_offset & PAGE_MASK))
		return reason_seg(idx, "misaligned (vaddr and offset differ modulo 4096)");
	return NULL;
}

static uint64_t seg_page_start(const struct elf_segment *s)
{
	return s->vaddr & ~PAGE_MASK;
}

static uint64_t seg_page_end(const struct elf_segment *s)
{
	return (s->vaddr + s->memsz + PAGE_MASK) & ~PAGE_MASK;
}

/*
 * Page-rounded ranges must be disjoint: permissions are set per page, so two
 * segments sharing a page would force one of them to take the other's rights.
 * phidx[] maps seg[] back to program header numbers for the message.
 */
static const char *check_overlaps(const struct elf_image *img,
				  const uint16_t *phidx)
{
	for (unsigned i = 0; i < img->count; i++) {
		for (unsigned j = i + 1; j < img->count; j++) {
			const struct elf_segment *a = &img->seg[i], *b = &img->seg[j];

			if (seg_page_start(a) < seg_page_end(b) &&
			    seg_page_start(b) < seg_page_end(a))
				return reason_overlap(phidx[i], phidx[j]);
		}
	}
	return NULL;
}

static void add_segment(struct elf_image *img, const struct elf64_phdr *ph)
{
	struct elf_segment *s = &img->seg[img->count++];

	s->vaddr = ph->p_vaddr;
	s->memsz = ph->p_memsz;
	s->offset = ph->p_offset;
	s->filesz = ph->p_filesz;
	s->flags = ph->p_flags & (ELF_PF_R | ELF_PF_W | ELF_PF_X);
}

/* Walk the program header table (already known to be inside the file). */
static const char *collect_segments(const uint8_t *data, size_t size,
				    const struct elf64_ehdr *eh, uint64_t min_vaddr,
				    struct elf_image *img, uint16_t *phidx)
{
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		struct elf64_phdr ph;
		const char *why;

		memcpy(&ph, data + eh->e_phoff + (size_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != ELF_PT_LOAD)
			continue;
		if (ph.p_memsz == 0 && ph.p_filesz == 0)
			continue;       /* nothing to load (an empty PHDRS entry) */
		if (img->count == ELF_MAX_SEGMENTS)
			return "too many PT_LOAD segments";
		why = check_segment(&ph, i, size, min_vaddr);
		if (why)
			return why;
		phidx[img->count] = (uint16_t)i;
		add_segment(img, &ph);
	}
	if (img->count == 0)
		return "no PT_LOAD segments";
	return check_overlaps(img, phidx);
}

/* The entry point must be inside a segment that is executable. */
static const char *check_entry(struct elf_image *img)
{
	for (unsigned i = 0; i < img->count; i++) {
		const struct elf_segment *s = &img->seg[i];

		if ((s->flags & ELF_PF_X) && img->entry >= s->vaddr &&
		    img->entry - s->vaddr < s->memsz)
			return NULL;
	}
	return "entry point is not in an executable segment";
}

static void compute_span(struct elf_image *img)
{
	img->vbase = UINT64_MAX;
	img->vend = 0;
	for (unsigned i = 0; i < img->count; i++) {
		img->vbase = MIN(img->vbase, seg_page_start(&img->seg[i]));
		img->vend = MAX(img->vend, seg_page_end(&img->seg[i]));
	}
}

static int elf_fail(struct elf_image *out, const char **why, const char *reason)
{
	if (out)
		memset(out, 0, sizeof(*out));
	if (why)
		*why = reason;
	return -E_INVAL;
}

int elf_validate(const void *data, size_t size, uint64_t min_vaddr,
		 struct elf_image *out, const char **why)
{
	return elf_validate_type(data, size, min_vaddr, false, out, why);
}

int elf_validate_type(const void *data, size_t size, uint64_t min_vaddr, bool allow_dyn,
		      struct elf_image *out, const char **why)
{
	uint16_t phidx[ELF_MAX_SEGMENTS];
	struct elf64_ehdr eh;
	const char *reason;

	if (!data || !out)
		return elf_fail(out, why, "no image or no place for the result");
	memset(out, 0, sizeof(*out));
	if (size < sizeof(eh))
		return elf_fail(out, why, "file too small for an ELF header");
	memcpy(&eh, data, sizeof(eh));
	reason = check_header(&eh, size, allow_dyn);
	if (!reason)
		reason = collect_segments(data, size, &eh, min_vaddr, out, phidx);
	out->entry = eh.e_entry;
	if (!reason)
		reason = check_entry(out);
	if (reason)
		return elf_fail(out, why, reason);
	compute_span(out);
	out->type = eh.e_type;
	if (why)
		*why = NULL;
	return 0;
}
