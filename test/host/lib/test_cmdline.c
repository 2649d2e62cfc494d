/* Host tests of the command line look-ups in lib/cmdline.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/cmdline.h"

static void cmdline_has_matches_whole_words_only(void **state)
{
	(void)state;
	assert_true(cmdline_has("quiet heap=list", "quiet"));
	assert_true(cmdline_has("  heap=list   quiet ", "quiet"));
	assert_true(cmdline_has("heap=list", "heap=list"));
	assert_false(cmdline_has("quieter", "quiet"));
	assert_false(cmdline_has("notquiet", "quiet"));
	assert_false(cmdline_has("heap=listed", "heap=list"));
	assert_false(cmdline_has("", "quiet"));
}

static void cmdline_get_returns_value_and_length(void **state)
{
	char v[16];

	(void)state;
	assert_int_equal(cmdline_get("kbd=de heap=list", "heap", v, sizeof(v)), 4);
	assert_string_equal(v, "list");
	assert_int_equal(cmdline_get("kbd=de heap=list", "kbd", v, sizeof(v)), 2);
	assert_string_equal(v, "de");
}

static void cmdline_get_reports_absent_keys_and_prefixes(void **state)
{
	char v[16] = "untouched";

	(void)state;
	assert_int_equal(cmdline_get("heapx=1 heap", "heap", v, sizeof(v)), -1);
	assert_string_equal(v, "untouched");
	assert_int_equal(cmdline_get("", "heap", v, sizeof(v)), -1);
}

static void cmdline_get_takes_the_last_value_and_allows_empty(void **state)
{
	char v[16];

	(void)state;
	assert_int_equal(cmdline_get("heap=bump heap=block", "heap", v, sizeof(v)), 5);
	assert_string_equal(v, "block");
	assert_int_equal(cmdline_get("console=", "console", v, sizeof(v)), 0);
	assert_string_equal(v, "");
}

static void cmdline_get_truncates_to_the_buffer(void **state)
{
	char v[4];

	(void)state;
	assert_int_equal(cmdline_get("kbd=colemak", "kbd", v, sizeof(v)), 7);
	assert_string_equal(v, "col");
	assert_int_equal(cmdline_get("kbd=colemak", "kbd", NULL, 0), 7);
}

static void cmdline_append_joins_words_with_one_space(void **state)
{
	char buf[32] = "heap=block";

	(void)state;
	assert_int_equal(cmdline_append(buf, sizeof(buf), "  kbd=uk\r\n\tquiet ", 19), 23);
	assert_string_equal(buf, "heap=block kbd=uk quiet");
	buf[0] = 0;
	assert_int_equal(cmdline_append(buf, sizeof(buf), "a", 1), 1);
	assert_string_equal(buf, "a");
}

static void cmdline_append_handles_empty_and_garbage(void **state)
{
	char buf[16] = "x";
	const char garbage[] = { 1, 2, (char)0xff, 'y', (char)0x80, 0x7f, 3 };

	(void)state;
	assert_int_equal(cmdline_append(buf, sizeof(buf), "", 0), 1);
	assert_int_equal(cmdline_append(buf, sizeof(buf), "   ", 3), 1);
	assert_int_equal(cmdline_append(buf, sizeof(buf), NULL, 0), 1);
	assert_int_equal(cmdline_append(buf, sizeof(buf), garbage, sizeof(garbage)), 5);
	assert_string_equal(buf, "x ?y?");
	assert_int_equal(cmdline_append(buf, sizeof(buf), "z\0hidden", 8), 7);
	assert_string_equal(buf, "x ?y? z");
}

static void cmdline_append_never_cuts_a_word(void **state)
{
	char buf[12] = "";
	char tiny[1] = "";

	(void)state;
	assert_int_equal(cmdline_append(buf, sizeof(buf), "abcde fghij klm", 15), 11);
	assert_string_equal(buf, "abcde fghij");
	assert_int_equal(cmdline_append(buf, sizeof(buf), "q", 1), 11);
	assert_int_equal(cmdline_append(tiny, sizeof(tiny), "q", 1), 0);
	assert_int_equal(cmdline_append(tiny, 0, "q", 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cmdline_has_matches_whole_words_only),
		cmocka_unit_test(cmdline_get_returns_value_and_length),
		cmocka_unit_test(cmdline_get_reports_absent_keys_and_prefixes),
		cmocka_unit_test(cmdline_get_takes_the_last_value_and_allows_empty),
		cmocka_unit_test(cmdline_get_truncates_to_the_buffer),
		cmocka_unit_test(cmdline_append_joins_words_with_one_space),
		cmocka_unit_test(cmdline_append_handles_empty_and_garbage),
		cmocka_unit_test(cmdline_append_never_cuts_a_word),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
