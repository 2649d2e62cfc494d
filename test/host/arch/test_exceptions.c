/*
 * Host tests for the words an exception report is made of: vector names and
 * mnemonics, which vectors carry an error code, page-fault and selector error
 * codes decoded bit by bit, and the symbol-table look-up (binary search,
 * sizes, gaps, ends) on a table this file provides in place of the generated
 * one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86_64/exceptions.h"
#include "kernel/ksyms.h"

/* ---- a symbol table as gen_ksyms.py would emit it ---------------------------------- */

const unsigned ksyms_table_count = 4;
const struct ksym ksyms_table[4] = {
	{ 0xffffffff80000000ull, 0x20, 0 },    /* _start */
	{ 0xffffffff80000020ull, 0x10, 7 },    /* alpha: ends where beta starts */
	{ 0xffffffff80000030ull, 0x08, 13 },   /* beta, then 8 bytes of padding */
	{ 0xffffffff80000040ull, 0x100, 18 },  /* gamma.cold, the last */
};
const char ksyms_names[] = "_start\0alpha\0beta\0gamma.cold\0";

/* ---- names ------------------------------------------------------------------------- */

static void names_cover_every_vector_below_32(void **state)
{
	static const unsigned reserved[] = { 15, 22, 23, 24, 25, 26, 27, 31 };

	(void)state;
	assert_string_equal(exception_name(0), "divide error");
	assert_string_equal(exception_name(8), "double fault");
	assert_string_equal(exception_name(13), "general protection fault");
	assert_string_equal(exception_name(14), "page fault");
	assert_string_equal(exception_name(18), "machine check");
	assert_string_equal(exception_name(21), "control protection exception");
	assert_string_equal(exception_mnemonic(6), "#UD");
	assert_string_equal(exception_mnemonic(2), "");
	for (unsigned v = 0; v < 32; v++) {
		assert_non_null(exception_name(v));
		assert_non_null(exception_mnemonic(v));
	}
	for (unsigned i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		assert_string_equal(exception_name(reserved[i]), "reserved");
		assert_string_equal(exception_mnemonic(reserved[i]), "");
	}
	assert_null(exception_name(32));
	assert_null(exception_mnemonic(255));
}

static void error_codes_are_pushed_for_exactly_ten_vectors(void **state)
{
	static const unsigned with[] = { 8, 10, 11, 12, 13, 14, 17, 21, 29, 30 };
	unsigned count = 0;

	(void)state;
	for (unsigned v = 0; v < 256; v++)
		count += exception_has_error_code(v);
	assert_int_equal(count, 10);
	for (unsigned i = 0; i < sizeof(with) / sizeof(with[0]); i++)
		assert_true(exception_has_error_code(with[i]));
	assert_true(exception_has_selector_error(13));
	assert_true(exception_has_selector_error(10));
	assert_false(exception_has_selector_error(14));
	assert_false(exception_has_selector_error(8));
}

/* ---- page faults ------------------------------------------------------------------- */

static const char *pf(uint64_t err)
{
	static char buf[128];

	assert_true(exception_describe_pf(err, buf, sizeof(buf)) < (int)sizeof(buf));
	return buf;
}

static void page_fault_bits_in_words(void **state)
{
	(void)state;
	assert_string_equal(pf(0), "not present, read, kernel mode");
	assert_string_equal(pf(PF_P | PF_W), "protection violation, write, kernel mode");
	assert_string_equal(pf(PF_P | PF_I), "protection violation, instruction fetch, kernel mode");
	assert_string_equal(pf(PF_U | PF_W), "not present, write, user mode");
	assert_string_equal(pf(PF_P | PF_RSVD), "protection violation, read, kernel mode, reserved bit set");
	assert_string_equal(pf(PF_P | PF_PK | PF_U), "protection violation, read, user mode, protection key");
	assert_string_equal(pf(PF_P | PF_W | PF_SS), "protection violation, write, kernel mode, shadow stack");
	assert_string_equal(pf(PF_SGX | PF_P), "protection violation, read, kernel mode, SGX");
	assert_string_equal(exception_pf_access(PF_I | PF_W), "instruction fetch");
	assert_string_equal(exception_pf_cause(PF_W), "not present");
}

static void page_fault_description_truncates_like_snprintf(void **state)
{
	char small[8];
	int n;

	(void)state;
	n = exception_describe_pf(0, small, sizeof(small));
	assert_int_equal(n, (int)strlen("not present, read, kernel mode"));
	assert_string_equal(small, "not pre");
}

/* ---- selector error codes ---------------------------------------------------------- */

static const char *sel(uint64_t err)
{
	static char buf[128];

	exception_describe_selector(err, buf, sizeof(buf));
	return buf;
}

static void selector_error_codes_in_words(void **state)
{
	(void)state;
	assert_string_equal(sel(0), "no selector involved");
	assert_string_equal(sel(0x18), "GDT index 3 (selector 0x0018)");
	assert_string_equal(sel(0x0c), "LDT index 1 (selector 0x000c)");
	assert_string_equal(sel(13 << 3 | SEL_IDT), "IDT vector 0x0d");
	assert_string_equal(sel(0x20 << 3 | SEL_IDT | SEL_EXT), "external event, IDT vector 0x20");
	assert_string_equal(sel(0xfff8 | SEL_EXT), "external event, GDT index 8191 (selector 0xfff8)");
}

/* ---- symbol look-up ---------------------------------------------------------------- */

static void expect_symbol(uint64_t addr, const char *name, uint64_t off)
{
	const char *got = NULL;
	uint64_t got_off = ~0ull;

	assert_true(ksyms_lookup(addr, &got, &got_off));
	assert_string_equal(got, name);
	assert_int_equal(got_off, off);
}

static void lookup_finds_the_containing_symbol(void **state)
{
	(void)state;
	expect_symbol(0xffffffff80000000ull, "_start", 0);
	expect_symbol(0xffffffff8000001full, "_start", 0x1f);
	expect_symbol(0xffffffff80000020ull, "alpha", 0);
	expect_symbol(0xffffffff8000002full, "alpha", 0xf);
	expect_symbol(0xffffffff80000030ull, "beta", 0);
	expect_symbol(0xffffffff8000013full, "gamma.cold", 0xff);
	assert_int_equal(ksyms_count(), 4);
}

static void lookup_misses_outside_symbols(void **state)
{
	const char *name;
	uint64_t off;

	(void)state;
	assert_false(ksyms_lookup(0, &name, &off));
	assert_false(ksyms_lookup(0xffffffff7fffffffull, &name, &off));   /* below the first */
	assert_false(ksyms_lookup(0xffffffff80000038ull, &name, &off));   /* padding after beta */
	assert_false(ksyms_lookup(0xffffffff80000140ull, &name, &off));   /* past the last */
	assert_false(ksyms_lookup(~0ull, &name, &off));
}

static void format_and_reverse_lookup(void **state)
{
	char buf[64];

	(void)state;
	ksyms_format(0xffffffff80000024ull, buf, sizeof(buf));
	assert_string_equal(buf, "alpha+0x4");
	ksyms_format(0xffffffff80000020ull, buf, sizeof(buf));
	assert_string_equal(buf, "alpha+0x0");
	ksyms_format(0x1234, buf, sizeof(buf));
	assert_string_equal(buf, "??");
	assert_int_equal(ksyms_address_of("beta"), 0xffffffff80000030ull);
	assert_int_equal(ksyms_address_of("gamma.cold"), 0xffffffff80000040ull);
	assert_int_equal(ksyms_address_of("gamma"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_cover_every_vector_below_32),
		cmocka_unit_test(error_codes_are_pushed_for_exactly_ten_vectors),
		cmocka_unit_test(page_fault_bits_in_words),
		cmocka_unit_test(page_fault_description_truncates_like_snprintf),
		cmocka_unit_test(selector_error_codes_in_words),
		cmocka_unit_test(lookup_finds_the_containing_symbol),
		cmocka_unit_test(lookup_misses_outside_symbols),
		cmocka_unit_test(format_and_reverse_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
