/* Host tests of the shell's word splitting with quotes (lib/words.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/errno.h"
#include "lib/words.h"

#define MAXW 8

/* Split a copy of s; check the count and each word. */
static void expect_words(const char *s, int n, const char *const *want)
{
	char line[128];
	char *argv[MAXW + 1];

	strcpy(line, s);
	memset(argv, 0x5a, sizeof(argv));
	assert_int_equal(words_split(line, argv, MAXW), n);
	for (int i = 0; i < n; i++)
		assert_string_equal(argv[i], want[i]);
	if (n < MAXW)
		assert_null(argv[n]);
}

static void plain_words_split_at_blanks(void **state)
{
	(void)state;
	expect_words("run /bin/busybox echo hi", 4,
		     (const char *[]){ "run", "/bin/busybox", "echo", "hi" });
	expect_words("  a \t b  ", 2, (const char *[]){ "a", "b" });
	expect_words("", 0, NULL);
	expect_words(" \t ", 0, NULL);
}

static void single_quotes_keep_everything(void **state)
{
	(void)state;
	expect_words("sh -c 'echo a; echo b'", 3, (const char *[]){ "sh", "-c", "echo a; echo b" });
	expect_words("'a\\b \"c\"'", 1, (const char *[]){ "a\\b \"c\"" });
	expect_words("'' x", 2, (const char *[]){ "", "x" });
}

static void double_quotes_and_escapes(void **state)
{
	(void)state;
	expect_words("\"a 'b' \\\" \\\\ \\n\"", 1, (const char *[]){ "a 'b' \" \\ \\n" });
	expect_words("a\\ b \\'c", 2, (const char *[]){ "a b", "'c" });
	expect_words("expr 6 \\* 7", 4, (const char *[]){ "expr", "6", "*", "7" });
	expect_words("\"\"", 1, (const char *[]){ "" });
}

static void quotes_join_into_one_word(void **state)
{
	(void)state;
	expect_words("a'b c'd \"e\"f", 2, (const char *[]){ "ab cd", "ef" });
	expect_words("x''y", 1, (const char *[]){ "xy" });
}

static void open_quotes_and_trailing_backslash_are_refused(void **state)
{
	char a[] = "echo 'abc", b[] = "echo \"abc", c[] = "echo abc\\", d[] = "\"\\\"";
	char *argv[MAXW];

	(void)state;
	assert_int_equal(words_split(a, argv, MAXW), -E_INVAL);
	assert_int_equal(words_split(b, argv, MAXW), -E_INVAL);
	assert_int_equal(words_split(c, argv, MAXW), -E_INVAL);
	assert_int_equal(words_split(d, argv, MAXW), -E_INVAL);
}

static void too_many_words_is_a_range_error(void **state)
{
	char line[] = "a b c d";
	char *argv[3];

	(void)state;
	assert_int_equal(words_split(line, argv, 3), -E_RANGE);
	assert_string_equal(argv[0], "a");
	assert_string_equal(argv[2], "c");
	char exact[] = "a b c";
	assert_int_equal(words_split(exact, argv, 3), 3);
	assert_string_equal(argv[2], "c");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_words_split_at_blanks),
		cmocka_unit_test(single_quotes_keep_everything),
		cmocka_unit_test(double_quotes_and_escapes),
		cmocka_unit_test(quotes_join_into_one_word),
		cmocka_unit_test(open_quotes_and_trailing_backslash_are_refused),
		cmocka_unit_test(too_many_words_is_a_range_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
