/*
 * Fuzz target: ELF validation (lib/elf.c), the loader's only defence against
 * a malformed kernel. An accepted image must be exactly what the contract in
 * elf.h promises: every segment's file bytes inside the file, no segment both
 * writable and executable, segments page-disjoint and at or above min_vaddr,
 * the entry in an executable segment, and the summary equal to the PT_LOAD
 * headers read back independently. A rejected one leaves *out zeroed with a
 * reason. Accepting is monotonic in min_vaddr: what passes the higher-half
 * check also passes with min_vaddr 0.
 */
#include <string.h>

#include "lib/elf.h"
#include "test/fuzz/fuzz.h"

#define HIGHER_HALF 0xffffffff80000000ull
#define PAGE        4096ull

static int all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

/* The PT_LOAD headers with something to load, read without elf.c's help. */
static unsigned read_loads(const uint8_t *d, struct elf64_phdr *ph, unsigned max)
{
	struct elf64_ehdr eh;
	unsigned n = 0;

	memcpy(&eh, d, sizeof(eh));
	for (unsigned i = 0; i < eh.e_phnum && n < max; i++) {
		memcpy(&ph[n], d + eh.e_phoff + (size_t)i * sizeof(*ph), sizeof(*ph));
		if (ph[n].p_type == ELF_PT_LOAD && (ph[n].p_memsz || ph[n].p_filesz))
			n++;
	}
	return n;
}

static void check_segment(const struct elf_segment *s, size_t size, uint64_t min)
{
	FUZZ_CHECK(s->offset <= size && s->filesz <= size - s->offset);
	FUZZ_CHECK(s->filesz <= s->memsz);
	FUZZ_CHECK(s->vaddr >= min);
	FUZZ_CHECK(s->vaddr + s->memsz >= s->vaddr);
	FUZZ_CHECK((s->flags & ~(uint32_t)(ELF_PF_R | ELF_PF_W | ELF_PF_X)) == 0);
	FUZZ_CHECK(!((s->flags & ELF_PF_W) && (s->flags & ELF_PF_X)));
	FUZZ_CHECK(s->vaddr % PAGE == s->offset % PAGE);
}

static void check_accepted(const uint8_t *d, size_t size, uint64_t min,
			   const struct elf_image *img)
{
	struct elf64_phdr ph[ELF_MAX_SEGMENTS];
	int entry_ok = 0;

	FUZZ_CHECK(img->count >= 1 && img->count <= ELF_MAX_SEGMENTS);
	FUZZ_CHECK(read_loads(d, ph, ELF_MAX_SEGMENTS) == img->count);
	FUZZ_CHECK(img->vbase % PAGE == 0 && img->vend % PAGE == 0);
	FUZZ_CHECK(img->vbase < img->vend);
	for (unsigned i = 0; i < img->count; i++) {
		const struct elf_segment *s = &img->seg[i];
		uint64_t lo = s->vaddr & ~(PAGE - 1);
		uint64_t hi = (s->vaddr + s->memsz + PAGE - 1) & ~(PAGE - 1);

		check_segment(s, size, min);
		FUZZ_CHECK(s->vaddr == ph[i].p_vaddr && s->memsz == ph[i].p_memsz);
		FUZZ_CHECK(s->offset == ph[i].p_offset && s->filesz == ph[i].p_filesz);
		FUZZ_CHECK(lo >= img->vbase && hi <= img->vend);
		for (unsigned j = 0; j < i; j++) {
			const struct elf_segment *t = &img->seg[j];
			uint64_t tlo = t->vaddr & ~(PAGE - 1);
			uint64_t thi = (t->vaddr + t->memsz + PAGE - 1) & ~(PAGE - 1);

			FUZZ_CHECK(hi <= tlo || thi <= lo);
		}
		if ((s->flags & ELF_PF_X) && img->entry >= s->vaddr &&
		    img->entry - s->vaddr < s->memsz)
			entry_ok = 1;
	}
	FUZZ_CHECK(entry_ok);
}

static int validate(const uint8_t *d, size_t size, uint64_t min, struct elf_image *img)
{
	const char *why = "unset";
	int err;

	memset(img, 0xa5, sizeof(*img));
	err = elf_validate(d, size, min, img, &why);
	if (err == 0) {
		FUZZ_CHECK(why == NULL);
		check_accepted(d, size, min, img);
	} else {
		FUZZ_CHECK(err < 0);
		FUZZ_CHECK(why != NULL && why[0] != '\0' && strlen(why) < 200);
		FUZZ_CHECK(all_zero(img, sizeof(*img)));
	}
	return err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);    /* exact size: ASan sees overreads */
	struct elf_image img;
	int high, low;

	memcpy(copy, data, size);
	high = validate(copy, size, HIGHER_HALF, &img);
	low = validate(copy, size, 0, &img);
	FUZZ_CHECK(!(high == 0 && low != 0));
	FUZZ_CHECK(elf_validate(copy, size, 0, NULL, NULL) < 0);
	free(copy);
	return 0;
}
