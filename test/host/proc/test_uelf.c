/*
 * Host tests for user executables: a small static program built in memory
 * passes uelf_check and reports where its program headers are; each
 * malformation is refused with a reason (kernel-half or low segments,
 * W+X, absurd p_memsz, overlap, entry outside, truncation, ET_DYN with
 * PT_INTERP, other types); a static PIE is placed at its load bias; the
 * initial stack has argc, argv, envp and auxv where Linux puts them, 16-byte
 * aligned, and the builder refuses what does not fit.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/proc/uelf.h"
#include "lib/errno.h"

#define BASE   0x400000ull
#define SIZE   0x2100

static uint8_t img[SIZE];

static void put_phdr(unsigned i, uint32_t flags, uint64_t off, uint64_t va, uint64_t filesz,
		     uint64_t memsz)
{
	struct elf64_phdr ph = { ELF_PT_LOAD, flags, off, va, va, filesz, memsz, 0x1000 };

	memcpy(img + 64 + i * sizeof(ph), &ph, sizeof(ph));
}

/* Text RX at 0x400000 (file 0..0x1000, holding the headers), data RW at 0x401000. */
static void build(void)
{
	struct elf64_ehdr eh = { .e_type = ELF_ET_EXEC, .e_machine = ELF_EM_X86_64,
		.e_version = 1, .e_entry = BASE + 0x100, .e_phoff = 64, .e_ehsize = 64,
		.e_phentsize = sizeof(struct elf64_phdr), .e_phnum = 2 };

	memset(img, 0, sizeof(img));
	memcpy(eh.e_ident, "\x7f" "ELF", 4);
	eh.e_ident[ELF_EI_CLASS] = ELF_CLASS64;
	eh.e_ident[ELF_EI_DATA] = ELF_DATA_LSB;
	eh.e_ident[ELF_EI_VERSION] = ELF_EV_CURRENT;
	memcpy(img, &eh, sizeof(eh));
	put_phdr(0, ELF_PF_R | ELF_PF_X, 0, BASE, 0x1000, 0x1000);
	put_phdr(1, ELF_PF_R | ELF_PF_W, 0x1000, BASE + 0x1000, 0x1100, 0x3000);
}

static void expect_refused(size_t size)
{
	struct uelf u;
	const char *why = NULL;

	assert_int_equal(uelf_check(img, size, &u, &why), -E_INVAL);
	assert_non_null(why);
}

static void good_program_is_accepted(void **state)
{
	struct uelf u;

	build();
	assert_int_equal(uelf_check(img, sizeof(img), &u, NULL), 0);
	assert_int_equal(u.img.count, 2);
	assert_int_equal(u.img.entry, BASE + 0x100);
	assert_int_equal(u.phdr_vaddr, BASE + 64);
	assert_int_equal(u.phnum, 2);
	assert_int_equal(u.phent, 56);
}

static void kernel_half_segment_is_refused(void **state)
{
	build();
	put_phdr(1, ELF_PF_R | ELF_PF_W, 0x1000, 0xffffffff80001000ull, 0x1100, 0x3000);
	expect_refused(sizeof(img));
}

static void segment_above_user_area_is_refused(void **state)
{
	build();
	put_phdr(1, ELF_PF_R | ELF_PF_W, 0x1000, UELF_MAX_VADDR, 0x1100, 0x3000);
	expect_refused(sizeof(img));
}

static void low_segment_is_refused(void **state)
{
	build();
	put_phdr(1, ELF_PF_R | ELF_PF_W, 0x1000, 0x1000, 0x1100, 0x3000);
	expect_refused(sizeof(img));
}

static void wx_segment_is_refused(void **state)
{
	build();
	put_phdr(1, ELF_PF_R | ELF_PF_W | ELF_PF_X, 0x1000, BASE + 0x1000, 0x1100, 0x3000);
	expect_refused(sizeof(img));
}

static void absurd_memsz_is_refused(void **state)
{
	build();
	put_phdr(1, ELF_PF_R | ELF_PF_W, 0x1000, BASE + 0x1000, 0x1100, 1ull << 40);
	expect_refused(sizeof(img));
	put_phdr(1, ELF_PF_R | ELF_PF_W, 0x1000, BASE + 0x1000, 0x1100, UINT64_MAX - 0x1000);
	expect_refused(sizeof(img));
}

static void overlapping_segments_are_refused(void **state)
{
	build();
	put_phdr(1, ELF_PF_R | ELF_PF_W, 0x1000, BASE + 0x800, 0x1100, 0x3000);
	expect_refused(sizeof(img));
}

static void entry_outside_text_is_refused(void **state)
{
	struct elf64_ehdr eh;

	build();
	memcpy(&eh, img, sizeof(eh));
	eh.e_entry = BASE + 0x1800;        /* in the data segment */
	memcpy(img, &eh, sizeof(eh));
	expect_refused(sizeof(img));
}

/* The same program as a static PIE: ET_DYN, linked at 0, placed by a load bias. */
static void build_pie(unsigned extra_phdrs)
{
	struct elf64_ehdr eh;

	build();
	memcpy(&eh, img, sizeof(eh));
	eh.e_type = ELF_ET_DYN;
	eh.e_entry = 0x100;
	eh.e_phnum = (uint16_t)(2 + extra_phdrs);
	memcpy(img, &eh, sizeof(eh));
	put_phdr(0, ELF_PF_R | ELF_PF_X, 0, 0, 0x1000, 0x1000);
	put_phdr(1, ELF_PF_R | ELF_PF_W, 0x1000, 0x1000, 0x1100, 0x3000);
}

static void static_pie_is_placed_at_the_bias(void **state)
{
	const uint64_t bias = UELF_PIE_BASE + 0x1234000;
	struct uelf u;

	build_pie(0);
	assert_int_equal(uelf_check_at(img, sizeof(img), bias, &u, NULL), 0);
	assert_int_equal(u.img.type, ELF_ET_DYN);
	assert_int_equal(u.bias, bias);
	assert_int_equal(u.img.seg[0].vaddr, bias);
	assert_int_equal(u.img.seg[1].vaddr, bias + 0x1000);
	assert_int_equal(u.img.entry, bias + 0x100);           /* AT_ENTRY */
	assert_int_equal(u.phdr_vaddr, bias + 64);             /* AT_PHDR */
	assert_int_equal(u.img.vbase, bias);
	assert_int_equal(u.img.vend, bias + 0x4000);
	assert_int_equal(uelf_check(img, sizeof(img), &u, NULL), 0);
	assert_int_equal(u.bias, UELF_PIE_BASE);
}

static void static_pie_bias_must_be_aligned_and_fit(void **state)
{
	const uint64_t bad[] = { UELF_PIE_BASE + 0x10, 0, UELF_MAX_VADDR - 0x1000,
				 UELF_MAX_VADDR, UINT64_MAX & ~0xfffull };
	struct uelf u;
	const char *why;

	build_pie(0);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_int_equal(uelf_check_at(img, sizeof(img), bad[i], &u, &why), -E_INVAL);
		assert_non_null(why);
	}
}

static void exec_ignores_the_bias(void **state)
{
	struct uelf u;

	build();
	assert_int_equal(uelf_check_at(img, sizeof(img), 0x7000, &u, NULL), 0);
	assert_int_equal(u.bias, 0);
	assert_int_equal(u.img.entry, BASE + 0x100);
}

static void dynamic_program_is_refused(void **state)
{
	struct elf64_phdr interp = { ELF_PT_INTERP, ELF_PF_R, 0x200, 0x200, 0x200, 0x1c, 0x1c, 1 };
	struct uelf u;
	const char *why = NULL;

	build_pie(1);
	memcpy(img + 64 + 2 * sizeof(interp), &interp, sizeof(interp));
	assert_int_equal(uelf_check(img, sizeof(img), &u, &why), -E_INVAL);
	assert_non_null(strstr(why, "dynamic programs need an interpreter"));
}

static void other_types_are_refused(void **state)
{
	struct elf64_ehdr eh;

	build();
	memcpy(&eh, img, sizeof(eh));
	eh.e_type = 1;                     /* ET_REL */
	memcpy(img, &eh, sizeof(eh));
	expect_refused(sizeof(img));
	eh.e_type = 4;                     /* ET_CORE */
	memcpy(img, &eh, sizeof(eh));
	expect_refused(sizeof(img));
}

static void every_truncation_is_refused(void **state)
{
	build();
	for (size_t n = 0; n < sizeof(img); n += 7)
		expect_refused(n);
}

/* ---- the stack ---- */

static uint64_t word(const uint8_t *buf, uint64_t lo, uint64_t va)
{
	uint64_t w;

	memcpy(&w, buf + (va - lo), 8);
	return w;
}

static void stack_has_linux_layout(void **state)
{
	static uint8_t buf[8192];
	const char *argv[] = { "/bin/x", "one" }, *envp[] = { "A=1" };
	const uint64_t top = 0x7ffffffff000ull, lo = top - sizeof(buf);
	struct uelf u;
	struct uelf_stack_args a = { argv, 2, envp, 1, &u, { 1, 2, 3 } };
	uint64_t sp, p, auxv;
	bool seen_random = false, seen_phdr = false;

	build();
	assert_int_equal(uelf_check(img, sizeof(img), &u, NULL), 0);
	sp = uelf_build_stack(buf, sizeof(buf), top, &a);
	assert_true(sp != 0);
	assert_int_equal(sp % 16, 0);
	assert_int_equal(word(buf, lo, sp), 2);                            /* argc */
	p = word(buf, lo, sp + 8);
	assert_string_equal((const char *)buf + (p - lo), "/bin/x");
	p = word(buf, lo, sp + 16);
	assert_string_equal((const char *)buf + (p - lo), "one");
	assert_int_equal(word(buf, lo, sp + 24), 0);                       /* argv end */
	p = word(buf, lo, sp + 32);
	assert_string_equal((const char *)buf + (p - lo), "A=1");
	assert_int_equal(word(buf, lo, sp + 40), 0);                       /* envp end */
	for (auxv = sp + 48; word(buf, lo, auxv) != AT_NULL; auxv += 16) {
		uint64_t type = word(buf, lo, auxv), val = word(buf, lo, auxv + 8);

		if (type == AT_RANDOM) {
			seen_random = true;
			assert_int_equal(buf[val - lo], 1);
			assert_int_equal(buf[val - lo + 2], 3);
		}
		if (type == AT_PHDR) {
			seen_phdr = true;
			assert_int_equal(val, BASE + 64);
		}
		if (type == AT_PAGESZ)
			assert_int_equal(val, 4096);
		if (type == AT_ENTRY)
			assert_int_equal(val, BASE + 0x100);
	}
	assert_true(seen_random && seen_phdr);
}

static void stack_refuses_what_does_not_fit(void **state)
{
	static uint8_t buf[128];
	static char big[9000];
	const char *argv[] = { big };
	struct uelf u;
	struct uelf_stack_args a = { argv, 1, NULL, 0, &u, { 0 } };

	build();
	uelf_check(img, sizeof(img), &u, NULL);
	memset(big, 'x', sizeof(big) - 1);
	assert_int_equal(uelf_build_stack(buf, sizeof(buf), 0x7ffffffff000ull, &a), 0);
	big[100] = 0;
	assert_int_equal(uelf_build_stack(buf, sizeof(buf), 0x7ffffffff000ull, &a), 0);
	a.argc = UELF_MAX_ARGS + 1;
	assert_int_equal(uelf_build_stack(buf, sizeof(buf), 0x7ffffffff000ull, &a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_program_is_accepted),
		cmocka_unit_test(kernel_half_segment_is_refused),
		cmocka_unit_test(segment_above_user_area_is_refused),
		cmocka_unit_test(low_segment_is_refused),
		cmocka_unit_test(wx_segment_is_refused),
		cmocka_unit_test(absurd_memsz_is_refused),
		cmocka_unit_test(overlapping_segments_are_refused),
		cmocka_unit_test(entry_outside_text_is_refused),
		cmocka_unit_test(static_pie_is_placed_at_the_bias),
		cmocka_unit_test(static_pie_bias_must_be_aligned_and_fit),
		cmocka_unit_test(exec_ignores_the_bias),
		cmocka_unit_test(dynamic_program_is_refused),
		cmocka_unit_test(other_types_are_refused),
		cmocka_unit_test(every_truncation_is_refused),
		cmocka_unit_test(stack_has_linux_layout),
		cmocka_unit_test(stack_refuses_what_does_not_fit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
