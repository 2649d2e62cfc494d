/*
 * Host tests for ELF validation: a well-formed kernel-like image built in
 * memory, one test per malformation the loader must refuse (exact error and
 * reason), every truncation of the good image, and the real build/kernel.elf
 * when it has been built.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/boot_info.h"
#include "lib/elf.h"
#include "lib/errno.h"

#define KBASE      0xffffffff80000000ull
#define PT_NOTE    4
#define PT_GNU_STACK 0x6474e551u
#define GOOD_SIZE  0x3080
#define GOOD_ENTRY (KBASE + 0x1010)

/* ---- a tiny image builder --------------------------------------------------------- */

static uint8_t img[0x8000];

static struct elf64_ehdr get_eh(void)
{
	struct elf64_ehdr eh;

	memcpy(&eh, img, sizeof(eh));
	return eh;
}

static void put_eh(const struct elf64_ehdr *eh)
{
	memcpy(img, eh, sizeof(*eh));
}

static struct elf64_phdr get_ph(unsigned i)
{
	struct elf64_phdr ph;

	memcpy(&ph, img + get_eh().e_phoff + i * sizeof(ph), sizeof(ph));
	return ph;
}

static void put_ph(unsigned i, const struct elf64_phdr *ph)
{
	memcpy(img + get_eh().e_phoff + i * sizeof(*ph), ph, sizeof(*ph));
}

static void put_header(uint16_t phnum, uint64_t entry)
{
	struct elf64_ehdr eh = {
		.e_ident = { 0x7f, 'E', 'L', 'F', ELF_CLASS64, ELF_DATA_LSB, ELF_EV_CURRENT },
		.e_type = ELF_ET_EXEC, .e_machine = ELF_EM_X86_64,
		.e_version = ELF_EV_CURRENT, .e_entry = entry,
		.e_phoff = sizeof(struct elf64_ehdr), .e_ehsize = sizeof(struct elf64_ehdr),
		.e_phentsize = sizeof(struct elf64_phdr), .e_phnum = phnum,
	};
	put_eh(&eh);
}

static void put_load(unsigned i, uint64_t off, uint64_t filesz, uint64_t memsz,
		     uint32_t flags)
{
	struct elf64_phdr ph = {
		.p_type = ELF_PT_LOAD, .p_flags = flags, .p_offset = off,
		.p_vaddr = KBASE + off, .p_paddr = off, .p_filesz = filesz,
		.p_memsz = memsz, .p_align = 0x1000,
	};
	put_ph(i, &ph);
}

/*
 * The good image: text (RX), a GNU_STACK header with junk in it, rodata (R)
 * and data+bss (RW). The data segment's bytes end the file, so every prefix
 * is missing something.
 */
static size_t build_good(void)
{
	struct elf64_phdr stack = { .p_type = PT_GNU_STACK, .p_flags = 7,
				    .p_offset = ~0ull, .p_vaddr = 1, .p_filesz = ~0ull };

	memset(img, 0, sizeof(img));
	put_header(4, GOOD_ENTRY);
	put_load(0, 0x1000, 0x900, 0x900, ELF_PF_R | ELF_PF_X);
	put_ph(1, &stack);
	put_load(2, 0x2000, 0x100, 0x100, ELF_PF_R);
	put_load(3, 0x3000, 0x80, 0x2000, ELF_PF_R | ELF_PF_W);
	for (size_t i = 0x1000; i < GOOD_SIZE; i++)
		img[i] = (uint8_t)(i * 7);
	return GOOD_SIZE;
}

/* Validate img[0..size) from an exact-size heap copy, so ASan sees over-reads. */
static int validate_copy(size_t size, struct elf_image *out, const char **why)
{
	uint8_t *copy = malloc(size ? size : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, img, size);
	rc = elf_validate(copy, size, KBASE, out, why);
	free(copy);
	return rc;
}

static void expect_reject(size_t size, const char *reason)
{
	struct elf_image out;
	const char *why = NULL;

	memset(&out, 0xaa, sizeof(out));
	assert_int_equal(validate_copy(size, &out, &why), -E_INVAL);
	assert_non_null(why);
	if (!strstr(why, reason))
		fail_msg("reason \"%s\" does not contain \"%s\"", why, reason);
	assert_int_equal(out.count, 0);
	assert_int_equal(out.entry, 0);
}

/* ---- the good image ---------------------------------------------------------------- */

static void good_image_validates_with_its_segments_and_span(void **state)
{
	struct elf_image out;
	const char *why = "unset";
	size_t size = build_good();

	assert_int_equal(validate_copy(size, &out, &why), 0);
	assert_null(why);
	assert_int_equal(out.entry, GOOD_ENTRY);
	assert_int_equal(out.count, 3);
	assert_int_equal(out.seg[0].vaddr, KBASE + 0x1000);
	assert_int_equal(out.seg[0].memsz, 0x900);
	assert_int_equal(out.seg[0].offset, 0x1000);
	assert_int_equal(out.seg[0].filesz, 0x900);
	assert_int_equal(out.seg[0].flags, ELF_PF_R | ELF_PF_X);
	assert_int_equal(out.seg[1].vaddr, KBASE + 0x2000);
	assert_int_equal(out.seg[1].flags, ELF_PF_R);
	assert_int_equal(out.seg[2].vaddr, KBASE + 0x3000);
	assert_int_equal(out.seg[2].filesz, 0x80);
	assert_int_equal(out.seg[2].memsz, 0x2000);
	assert_int_equal(out.seg[2].flags, ELF_PF_R | ELF_PF_W);
	assert_int_equal(out.vbase, KBASE + 0x1000);
	assert_int_equal(out.vend, KBASE + 0x5000);
}

static void unaligned_image_pointer_is_read_safely(void **state)
{
	static uint8_t shifted[GOOD_SIZE + 1];
	struct elf_image out;
	const char *why;
	size_t size = build_good();

	memcpy(shifted + 1, img, size);
	assert_int_equal(elf_validate(shifted + 1, size, KBASE, &out, &why), 0);
	assert_int_equal(out.count, 3);
}

static void unknown_flag_bits_are_dropped_from_segments(void **state)
{
	struct elf_image out;
	const char *why;
	size_t size = build_good();
	struct elf64_phdr ph = get_ph(2);

	ph.p_flags |= 0x0ff00000;       /* PF_MASKOS */
	put_ph(2, &ph);
	assert_int_equal(validate_copy(size, &out, &why), 0);
	assert_int_equal(out.seg[1].flags, ELF_PF_R);
}

static void empty_load_segment_is_ignored(void **state)
{
	struct elf_image out;
	const char *why;
	size_t size = build_good();
	struct elf64_phdr ph = get_ph(1);

	/* An empty PT_LOAD even below the higher half and misaligned. */
	ph.p_type = ELF_PT_LOAD;
	ph.p_vaddr = 0x123;
	ph.p_offset = 0;
	ph.p_filesz = ph.p_memsz = 0;
	put_ph(1, &ph);
	assert_int_equal(validate_copy(size, &out, &why), 0);
	assert_int_equal(out.count, 3);
}

static void null_arguments_are_rejected(void **state)
{
	struct elf_image out;
	const char *why = NULL;
	size_t size = build_good();

	assert_int_equal(elf_validate(NULL, size, KBASE, &out, &why), -E_INVAL);
	assert_non_null(why);
	assert_int_equal(elf_validate(img, size, KBASE, NULL, &why), -E_INVAL);
	assert_int_equal(elf_validate(img, size, KBASE, &out, NULL), 0);
}

/* ---- every malformation ------------------------------------------------------------ */

static void file_shorter_than_header_is_rejected(void **state)
{
	build_good();
	expect_reject(sizeof(struct elf64_ehdr) - 1, "too small for an ELF header");
}

static void bad_magic_is_rejected(void **state)
{
	size_t size = build_good();

	img[1] = 'e';
	expect_reject(size, "bad ELF magic");
}

static void elf32_class_is_rejected(void **state)
{
	size_t size = build_good();

	img[ELF_EI_CLASS] = 1;
	expect_reject(size, "not a 64-bit ELF file");
}

static void big_endian_is_rejected(void **state)
{
	size_t size = build_good();

	img[ELF_EI_DATA] = 2;
	expect_reject(size, "not a little-endian ELF file");
}

static void unknown_version_is_rejected(void **state)
{
	size_t size = build_good();
	struct elf64_ehdr eh = get_eh();

	img[ELF_EI_VERSION] = 2;
	expect_reject(size, "unsupported ELF version");
	eh.e_version = 0;
	put_eh(&eh);
	expect_reject(size, "unsupported ELF version");
}

static void shared_object_is_rejected(void **state)
{
	size_t size = build_good();
	struct elf64_ehdr eh = get_eh();

	eh.e_type = 3;                  /* ET_DYN */
	put_eh(&eh);
	expect_reject(size, "not an executable ELF file");
}

static void other_machine_is_rejected(void **state)
{
	size_t size = build_good();
	struct elf64_ehdr eh = get_eh();

	eh.e_machine = 3;               /* EM_386 */
	put_eh(&eh);
	expect_reject(size, "not an x86_64 executable");
}

static void wrong_program_header_size_is_rejected(void **state)
{
	size_t size = build_good();
	struct elf64_ehdr eh = get_eh();

	eh.e_phentsize = 32;
	put_eh(&eh);
	expect_reject(size, "program header size is not 56 bytes");
}

static void extended_program_header_count_is_rejected(void **state)
{
	size_t size = build_good();
	struct elf64_ehdr eh = get_eh();

	eh.e_phnum = ELF_PN_XNUM;
	put_eh(&eh);
	expect_reject(size, "extended program header numbering");
}

static void program_header_table_past_the_end_is_rejected(void **state)
{
	size_t size = build_good();
	struct elf64_ehdr eh = get_eh();

	eh.e_phoff = size - 2 * sizeof(struct elf64_phdr);
	put_eh(&eh);
	expect_reject(size, "program header table outside the file");
	eh.e_phoff = size + 1;
	put_eh(&eh);
	expect_reject(size, "program header table outside the file");
}

static void program_header_offset_that_wraps_is_rejected(void **state)
{
	size_t size = build_good();
	struct elf64_ehdr eh = get_eh();

	eh.e_phoff = UINT64_MAX - 8;
	put_eh(&eh);
	expect_reject(size, "program header table outside the file");
}

static void segment_data_past_the_end_is_rejected(void **state)
{
	size_t size = build_good();
	struct elf64_phdr ph = get_ph(3);

	ph.p_filesz = 0x81;
	put_ph(3, &ph);
	expect_reject(size, "segment 3 file data outside the file");
}

static void segment_offset_that_wraps_is_rejected(void **state)
{
	size_t size = build_good();
	struct elf64_phdr ph = get_ph(2);

	ph.p_offset = UINT64_MAX - 0xfff;       /* congruent to vaddr, wraps */
	ph.p_vaddr = KBASE + 0x2000;
	put_ph(2, &ph);
	expect_reject(size, "segment 2 file data outside the file");
}

static void segments_in_the_same_page_are_rejected(void **state)
{
	size_t size = build_good();
	struct elf64_phdr ph = get_ph(2);

	/* Bytes disjoint from text (which ends at +0x1900), same page. */
	ph.p_offset = 0x2a00;
	ph.p_vaddr = KBASE + 0x1a00;
	put_ph(2, &ph);
	expect_reject(size, "segments 0 and 2 overlap");
}

static void later_segment_below_an_earlier_one_in_its_page_is_rejected(void **state)
{
	size_t size = build_good();
	struct elf64_phdr ph = get_ph(0);

	/* Text moves up into the page that holds rodata's bytes, above them. */
	ph.p_offset = 0x1a00;
	ph.p_vaddr = KBASE + 0x2a00;
	ph.p_filesz = ph.p_memsz = 0x500;
	put_ph(0, &ph);
	expect_reject(size, "segments 0 and 2 overlap");
}

static void segments_covering_each_other_are_rejected(void **state)
{
	size_t size = build_good();
	struct elf64_phdr ph = get_ph(3);

	ph.p_vaddr = KBASE;             /* data+bss now spans text and rodata */
	ph.p_memsz = 0x4000;
	put_ph(3, &ph);
	expect_reject(size, "segments 0 and 3 overlap");
}

static void writable_executable_segment_is_rejected(void **state)
{
	size_t size = build_good();
	struct elf64_phdr ph = get_ph(0);

	ph.p_flags |= ELF_PF_W;
	put_ph(0, &ph);
	expect_reject(size, "segment 0 is both writable and executable");
}

static void segment_below_the_higher_half_is_rejected(void **state)
{
	size_t size = build_good();
	struct elf64_phdr ph = get_ph(2);

	ph.p_vaddr = 0x2000;
	put_ph(2, &ph);
	expect_reject(size, "segment 2 lies below the higher half");
}

static void entry_in_a_data_segment_is_rejected(void **state)
{
	size_t size = build_good();
	struct elf64_ehdr eh = get_eh();

	eh.e_entry = KBASE + 0x3000;
	put_eh(&eh);
	expect_reject(size, "entry point is not in an executable segment");
}

static void entry_just_past_the_text_is_rejected(void **state)
{
	size_t size = build_good();
	struct elf64_ehdr eh = get_eh();

	eh.e_entry = KBASE + 0x1900;
	put_eh(&eh);
	expect_reject(size, "entry point is not in an executable segment");
	eh.e_entry = 0;
	put_eh(&eh);
	expect_reject(size, "entry point is not in an executable segment");
}

/* n PT_LOAD headers: one text page, then bss pages. */
static size_t build_many(unsigned n)
{
	size_t size = 0x1000 + 0x10;

	memset(img, 0, sizeof(img));
	put_header((uint16_t)n, KBASE + 0x1000);
	put_load(0, 0x1000, 0x10, 0x10, ELF_PF_R | ELF_PF_X);
	for (unsigned i = 1; i < n; i++) {
		struct elf64_phdr ph = get_ph(0);

		ph.p_offset = 0;
		ph.p_vaddr = KBASE + 0x10000 + i * 0x1000ull;
		ph.p_filesz = 0;
		ph.p_memsz = 0x1000;
		ph.p_flags = ELF_PF_R | ELF_PF_W;
		put_ph(i, &ph);
	}
	return size;
}

static void sixteen_segments_are_accepted(void **state)
{
	struct elf_image out;
	const char *why;
	size_t size = build_many(ELF_MAX_SEGMENTS);

	assert_int_equal(validate_copy(size, &out, &why), 0);
	assert_int_equal(out.count, ELF_MAX_SEGMENTS);
	assert_int_equal(out.vend, KBASE + 0x10000 + ELF_MAX_SEGMENTS * 0x1000ull);
}

static void seventeen_segments_are_too_many(void **state)
{
	size_t size = build_many(ELF_MAX_SEGMENTS + 1);

	expect_reject(size, "too many PT_LOAD segments");
}

static void file_size_above_memory_size_is_rejected(void **state)
{
	size_t size = build_good();
	struct elf64_phdr ph = get_ph(2);

	ph.p_memsz = 0x80;
	put_ph(2, &ph);
	expect_reject(size, "segment 2 has p_filesz larger than p_memsz");
}

static void segment_wrapping_the_address_space_is_rejected(void **state)
{
	size_t size = build_good();
	struct elf64_phdr ph = get_ph(3);

	ph.p_vaddr = 0xfffffffffffff000ull;
	ph.p_memsz = 0x2000;
	put_ph(3, &ph);
	expect_reject(size, "segment 3 address overflows");
	/* Ends inside the last page: rounding its end up would wrap to 0. */
	ph.p_memsz = 0x800;
	put_ph(3, &ph);
	expect_reject(size, "segment 3 address overflows");
}

static void misaligned_segment_is_rejected(void **state)
{
	size_t size = build_good();
	struct elf64_phdr ph = get_ph(2);

	ph.p_vaddr += 0x10;
	put_ph(2, &ph);
	expect_reject(size, "segment 2 misaligned (vaddr and offset differ modulo 4096)");
}

static void image_without_load_segments_is_rejected(void **state)
{
	size_t size = build_good();

	for (unsigned i = 0; i < 4; i++) {
		struct elf64_phdr ph = get_ph(i);

		if (ph.p_type == ELF_PT_LOAD)
			ph.p_type = PT_NOTE;
		put_ph(i, &ph);
	}
	expect_reject(size, "no PT_LOAD segments");
}

static void every_truncation_is_rejected(void **state)
{
	size_t size = build_good();

	for (size_t len = 0; len < size; len++) {
		struct elf_image out;
		const char *why = NULL;

		if (validate_copy(len, &out, &why) != -E_INVAL)
			fail_msg("prefix of %zu bytes accepted", len);
		assert_non_null(why);
	}
}

/* ---- the real kernel --------------------------------------------------------------- */

static void built_kernel_elf_validates(void **state)
{
	FILE *f = fopen("build/kernel.elf", "rb");
	struct elf_image out;
	const char *why = NULL;
	uint8_t *data;
	long size;

	if (!f)
		skip();
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size > 0);
	rewind(f);
	data = malloc((size_t)size);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	if (elf_validate(data, (size_t)size, KERNEL_BASE_MIN, &out, &why) != 0)
		fail_msg("build/kernel.elf rejected: %s", why);
	assert_true(out.count >= 1);
	assert_true(out.vbase >= KERNEL_BASE_MIN);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_image_validates_with_its_segments_and_span),
		cmocka_unit_test(unaligned_image_pointer_is_read_safely),
		cmocka_unit_test(unknown_flag_bits_are_dropped_from_segments),
		cmocka_unit_test(empty_load_segment_is_ignored),
		cmocka_unit_test(null_arguments_are_rejected),
		cmocka_unit_test(file_shorter_than_header_is_rejected),
		cmocka_unit_test(bad_magic_is_rejected),
		cmocka_unit_test(elf32_class_is_rejected),
		cmocka_unit_test(big_endian_is_rejected),
		cmocka_unit_test(unknown_version_is_rejected),
		cmocka_unit_test(shared_object_is_rejected),
		cmocka_unit_test(other_machine_is_rejected),
		cmocka_unit_test(wrong_program_header_size_is_rejected),
		cmocka_unit_test(extended_program_header_count_is_rejected),
		cmocka_unit_test(program_header_table_past_the_end_is_rejected),
		cmocka_unit_test(program_header_offset_that_wraps_is_rejected),
		cmocka_unit_test(segment_data_past_the_end_is_rejected),
		cmocka_unit_test(segment_offset_that_wraps_is_rejected),
		cmocka_unit_test(segments_in_the_same_page_are_rejected),
		cmocka_unit_test(later_segment_below_an_earlier_one_in_its_page_is_rejected),
		cmocka_unit_test(segments_covering_each_other_are_rejected),
		cmocka_unit_test(writable_executable_segment_is_rejected),
		cmocka_unit_test(segment_below_the_higher_half_is_rejected),
		cmocka_unit_test(entry_in_a_data_segment_is_rejected),
		cmocka_unit_test(entry_just_past_the_text_is_rejected),
		cmocka_unit_test(sixteen_segments_are_accepted),
		cmocka_unit_test(seventeen_segments_are_too_many),
		cmocka_unit_test(file_size_above_memory_size_is_rejected),
		cmocka_unit_test(segment_wrapping_the_address_space_is_rejected),
		cmocka_unit_test(misaligned_segment_is_rejected),
		cmocka_unit_test(image_without_load_segments_is_rejected),
		cmocka_unit_test(every_truncation_is_rejected),
		cmocka_unit_test(built_kernel_elf_validates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
