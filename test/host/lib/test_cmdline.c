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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cmdline_has_matches_whole_words_only),
		cmocka_unit_test(cmdline_get_returns_value_and_length),
		cmocka_unit_test(cmdline_get_reports_absent_keys_and_prefixes),
		cmocka_unit_test(cmdline_get_takes_the_last_value_and_allows_empty),
		cmocka_unit_test(cmdline_get_truncates_to_the_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
