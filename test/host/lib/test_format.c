/*
 * Host tests for the printf engine (format.h). The host C library's
 * vsnprintf is the oracle: generated tables run every conversion with every
 * combination of flags, several widths and precisions (literal and '*'),
 * every length modifier and edge values, and both outputs must agree byte
 * for byte, return values included. Explicit tests cover what has no oracle
 * (unsupported directives, overflow) and the contracts of the API
 * (truncation at every size, NULL buffers, streaming, bounded %s reads).
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/format.h"

/* ---- the oracle ------------------------------------------------------------------ */

#define ORACLE_BUF	512
#define MAX_REPORTS	20

static long checked, failed;

static void oracle_reset(void)
{
	checked = 0;
	failed = 0;
}

/* Formats with libc and with fmt_vsnprintf; records and reports a mismatch. */
static void check_oracle(const char *fmt, ...)
{
	char want[ORACLE_BUF], got[ORACLE_BUF];
	va_list ap, aq;
	int wn, gn;

	va_start(ap, fmt);
	va_copy(aq, ap);
	wn = vsnprintf(want, sizeof(want), fmt, ap);
	gn = fmt_vsnprintf(got, sizeof(got), fmt, aq);
	va_end(aq);
	va_end(ap);
	checked++;
	assert_true(wn >= 0 && wn < ORACLE_BUF);
	if (wn == gn && memcmp(want, got, (size_t)wn + 1) == 0)
		return;
	if (failed++ < MAX_REPORTS)
		print_error("\"%s\": libc [%s] %d, fmt [%s] %d\n", fmt, want, wn, got, gn);
}

/* '*' arguments that come before the value, in order. */
struct stars {
	int n;
	int arg[2];
};

#define CHECK_WITH_STARS(fmt, st, v) do {					\
	if ((st)->n == 0)							\
		check_oracle(fmt, v);						\
	else if ((st)->n == 1)							\
		check_oracle(fmt, (st)->arg[0], v);				\
	else									\
		check_oracle(fmt, (st)->arg[0], (st)->arg[1], v);		\
} while (0)

/* ---- the generated table ------------------------------------------------------- */

struct field {
	const char *text;
	int star_arg;		/* the argument when text holds '*' */
};

static const struct field widths[] = {
	{ "", 0 }, { "1", 0 }, { "6", 0 }, { "25", 0 }, { "*", 9 }, { "*", -9 },
};

static const struct field precs[] = {
	{ "", 0 }, { ".", 0 }, { ".0", 0 }, { ".1", 0 }, { ".6", 0 }, { ".25", 0 },
	{ ".*", 4 }, { ".*", -1 },
};

#define FLAG_SETS	32	/* every subset of "-0+ #" */
#define SPECS_PER_LEN	(FLAG_SETS * ARRAY_SIZE(widths) * ARRAY_SIZE(precs))

enum arg_type { ARG_INT, ARG_LONG, ARG_LLONG, ARG_SIZE, ARG_PTRDIFF, ARG_INTMAX };

struct length {
	const char *text;
	enum arg_type type;
};

static const struct length lengths[] = {
	{ "", ARG_INT }, { "hh", ARG_INT }, { "h", ARG_INT }, { "l", ARG_LONG },
	{ "ll", ARG_LLONG }, { "z", ARG_SIZE }, { "t", ARG_PTRDIFF }, { "j", ARG_INTMAX },
};

static const uint64_t int_values[] = {
	0, 1, (uint64_t)-1, 7, 8, 10, 42, (uint64_t)-42, 0x7f, 0x80, 0xff, 0x100,
	0x7fff, 0x8000, 0xffff, INT_MAX, (uint64_t)(int64_t)INT_MIN, UINT_MAX,
	(uint64_t)UINT_MAX + 1, 0x123456789abcdef0, LLONG_MAX, (uint64_t)LLONG_MIN,
	ULLONG_MAX, SIZE_MAX,
};

/* Calls fn once per flag set x width x precision, with "%<spec><len><conv>". */
typedef void (*spec_fn)(const char *fmt, const struct stars *st, const void *ctx);

static void for_each_spec(const char *len, char conv, spec_fn fn, const void *ctx)
{
	static const char flag_chars[] = "-0+ #";
	char fmt[32];

	for (unsigned int mask = 0; mask < FLAG_SETS; mask++) {
		char flags[8] = "";
		size_t nf = 0;

		for (unsigned int b = 0; b < 5; b++)
			if (mask & (1u << b))
				flags[nf++] = flag_chars[b];
		for (size_t w = 0; w < ARRAY_SIZE(widths); w++) {
			for (size_t p = 0; p < ARRAY_SIZE(precs); p++) {
				struct stars st = { 0 };

				if (strchr(widths[w].text, '*'))
					st.arg[st.n++] = widths[w].star_arg;
				if (strchr(precs[p].text, '*'))
					st.arg[st.n++] = precs[p].star_arg;
				snprintf(fmt, sizeof(fmt), "%%%s%s%s%s%c", flags,
					 widths[w].text, precs[p].text, len, conv);
				fn(fmt, &st, ctx);
			}
		}
	}
}

struct int_ctx {
	enum arg_type type;
	bool is_signed;
};

/* Passes v as exactly the type the length modifier makes va_arg read. */
static void check_int_value(const char *fmt, const struct stars *st,
			    const struct int_ctx *c, uint64_t v)
{
	switch (c->type) {
	case ARG_INT:
		if (c->is_signed)
			CHECK_WITH_STARS(fmt, st, (int)v);
		else
			CHECK_WITH_STARS(fmt, st, (unsigned int)v);
		break;
	case ARG_LONG:
		if (c->is_signed)
			CHECK_WITH_STARS(fmt, st, (long)v);
		else
			CHECK_WITH_STARS(fmt, st, (unsigned long)v);
		break;
	case ARG_LLONG:
		if (c->is_signed)
			CHECK_WITH_STARS(fmt, st, (long long)v);
		else
			CHECK_WITH_STARS(fmt, st, (unsigned long long)v);
		break;
	case ARG_SIZE:
	case ARG_PTRDIFF:
		if (c->is_signed)
			CHECK_WITH_STARS(fmt, st, (ptrdiff_t)v);
		else
			CHECK_WITH_STARS(fmt, st, (size_t)v);
		break;
	case ARG_INTMAX:
		if (c->is_signed)
			CHECK_WITH_STARS(fmt, st, (intmax_t)v);
		else
			CHECK_WITH_STARS(fmt, st, (uintmax_t)v);
		break;
	}
}

static void check_int_spec(const char *fmt, const struct stars *st, const void *ctx)
{
	for (size_t i = 0; i < ARRAY_SIZE(int_values); i++)
		check_int_value(fmt, st, ctx, int_values[i]);
}

/* Every length modifier and flag/width/precision for each of convs. */
static void check_int_table(const char *convs, bool is_signed)
{
	oracle_reset();
	for (const char *conv = convs; *conv; conv++) {
		for (size_t l = 0; l < ARRAY_SIZE(lengths); l++) {
			struct int_ctx c = { lengths[l].type, is_signed };

			for_each_spec(lengths[l].text, *conv, check_int_spec, &c);
		}
	}
	assert_int_equal(failed, 0);
	assert_int_equal(checked, (long)(strlen(convs) * ARRAY_SIZE(lengths) *
					 SPECS_PER_LEN * ARRAY_SIZE(int_values)));
}

static void signed_integers_match_libc_for_all_flags_widths_precisions_lengths(void **state)
{
	check_int_table("di", true);
}

static void unsigned_and_octal_match_libc_for_all_flags_widths_precisions_lengths(void **state)
{
	check_int_table("uo", false);
}

static void hex_integers_match_libc_for_all_flags_widths_precisions_lengths(void **state)
{
	check_int_table("xX", false);
}

static void check_char_spec(const char *fmt, const struct stars *st, const void *ctx)
{
	static const int chars[] = { 'a', 'Z', ' ', '%', '0', 0, 0x7f, 0xe9, -1, 0x141 };

	for (size_t i = 0; i < ARRAY_SIZE(chars); i++)
		CHECK_WITH_STARS(fmt, st, chars[i]);
}

static void char_conversion_matches_libc_for_every_flag_width_and_precision(void **state)
{
	oracle_reset();
	for_each_spec("", 'c', check_char_spec, NULL);
	for_each_spec("hh", 'c', check_char_spec, NULL);
	assert_int_equal(failed, 0);
	assert_int_equal(checked, (long)(2 * SPECS_PER_LEN * 10));
}

static void check_string_spec(const char *fmt, const struct stars *st, const void *ctx)
{
	static const char *const strings[] = {
		"", "a", "hello", "hello, world", "  padded  ", "%d%s", NULL,
	};

	for (size_t i = 0; i < ARRAY_SIZE(strings); i++)
		CHECK_WITH_STARS(fmt, st, strings[i]);
}

static void string_conversion_matches_libc_for_every_flag_width_precision_and_null(void **state)
{
	oracle_reset();
	for_each_spec("", 's', check_string_spec, NULL);
	assert_int_equal(failed, 0);
	assert_int_equal(checked, (long)(SPECS_PER_LEN * 7));
}

static void check_pointer_spec(const char *fmt, const struct stars *st, const void *ctx)
{
	static const uintptr_t ptrs[] = {
		0, 1, 0x10, 0xdeadbeef, 0xffff800000000000, 0xffffffff80001000, UINTPTR_MAX,
	};

	for (size_t i = 0; i < ARRAY_SIZE(ptrs); i++)
		CHECK_WITH_STARS(fmt, st, (void *)ptrs[i]);
}

static void pointer_conversion_matches_libc_for_every_flag_width_precision_and_null(void **state)
{
	oracle_reset();
	for_each_spec("", 'p', check_pointer_spec, NULL);
	assert_int_equal(failed, 0);
	assert_int_equal(checked, (long)(SPECS_PER_LEN * 7));
}

/* '%%' takes no argument; only literal widths keep libc's reading defined. */
static void check_percent_spec(const char *fmt, const struct stars *st, const void *ctx)
{
	if (st->n == 0)
		check_oracle(fmt, 0);
}

static void percent_directive_matches_libc_whatever_its_flags_and_width(void **state)
{
	oracle_reset();
	for_each_spec("", '%', check_percent_spec, NULL);
	for_each_spec("ll", '%', check_percent_spec, NULL);
	assert_int_equal(failed, 0);
	assert_true(checked > 0);
	assert_int_equal(fmt_snprintf(NULL, 0, "100%%"), 4);
}

/* No format attribute: these directives are deliberately unusual. */
static int loose_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return ret;
}

/* ---- explicit values ---------------------------------------------------------------- */

static void expect(const char *want, const char *got, int ret)
{
	assert_string_equal(got, want);
	assert_int_equal(ret, (int)strlen(want));
}

static void extreme_integers_print_every_digit(void **state)
{
	char b[64];

	expect("-9223372036854775808", b, fmt_snprintf(b, sizeof(b), "%lld", LLONG_MIN));
	expect("-9223372036854775808", b, fmt_snprintf(b, sizeof(b), "%jd", INTMAX_MIN));
	expect("18446744073709551615", b, fmt_snprintf(b, sizeof(b), "%llu", ULLONG_MAX));
	expect("1777777777777777777777", b, fmt_snprintf(b, sizeof(b), "%llo", ULLONG_MAX));
	expect("0xffffffffffffffff", b, fmt_snprintf(b, sizeof(b), "%#zx", SIZE_MAX));
	expect("-2147483648 2147483647", b, fmt_snprintf(b, sizeof(b), "%d %d", INT_MIN, INT_MAX));
	expect("-128 255 -1", b, fmt_snprintf(b, sizeof(b), "%hhd %hhu %hd", 128, 255, 0xffff));
}

static void mixed_text_and_unusual_spellings_match_libc(void **state)
{
	oracle_reset();
	check_oracle("x=%d, y=%s, p=%p!", -5, "ok", (void *)0x1000);
	check_oracle("%00005d|%--5d|%+ d|% +d", 1, 2, 3, 4);
	check_oracle("%-+ #010.3x|%#-8X|%#08x", 255, 255, 1);
	check_oracle("%#.0o|%#.0x|%#o|%#5o|%#05o|%#.3o", 0, 0, 0, 8, 8, 8);
	check_oracle("%.0d|%+.0d|% .0d|%5.0d|%-5.0u|", 0, 0, 0, 0, 0u);
	check_oracle("%*.*d|%-*.*s|", -12, -3, 77, 8, 2, "abcdef");
	check_oracle("%5.*d|%.*x|", -1, 3, INT_MIN, 0xabc);
	check_oracle("%c%c%c", 'a', 0, 'b');
	assert_int_equal(failed, 0);
}

/* ---- snprintf's buffer contract ----------------------------------------------------- */

/*
 * For every size from 0 to len + 1, in a heap buffer of exactly that size
 * (so ASan catches a byte too many): same return as libc, same bytes as
 * libc, a NUL after min(len, size - 1) characters.
 */
static void check_truncation(const char *fmt, ...)
{
	char full[ORACLE_BUF];
	va_list ap, aq;
	int len;

	va_start(ap, fmt);
	va_copy(aq, ap);
	len = vsnprintf(full, sizeof(full), fmt, aq);
	va_end(aq);
	for (size_t size = 0; size <= (size_t)len + 1; size++) {
		char *got = malloc(size ? size : 1), *want = malloc(size ? size : 1);
		size_t kept = size ? MIN((size_t)len, size - 1) : 0;

		got[0] = want[0] = '@';	/* size 0: must stay untouched */
		va_copy(aq, ap);
		assert_int_equal(fmt_vsnprintf(got, size, fmt, aq), len);
		va_end(aq);
		va_copy(aq, ap);
		vsnprintf(want, size, fmt, aq);
		va_end(aq);
		assert_memory_equal(got, want, size ? size : 1);
		assert_memory_equal(got, full, kept);
		if (size)
			assert_int_equal(got[kept], '\0');
		free(got);
		free(want);
	}
	va_end(ap);
}

static void truncation_at_every_size_keeps_a_prefix_and_returns_the_full_length(void **state)
{
	check_truncation("hello");
	check_truncation("");
	check_truncation("%d", INT_MIN);
	check_truncation("[%-10s|%8.3s]", "left", "right");
	check_truncation("%#llx %p %s %c%%", ULLONG_MAX, (void *)0xfeed, (char *)NULL, 'z');
	check_truncation("%0*d", 40, -7);
}

static void size_zero_accepts_a_null_buffer_and_still_returns_the_length(void **state)
{
	assert_int_equal(fmt_snprintf(NULL, 0, "%s-%d", "abc", 12345), 9);
	assert_int_equal(loose_snprintf(NULL, 0, ""), 0);
	assert_int_equal(fmt_snprintf(NULL, 0, "%300d", 1), 300);
}

static void size_one_writes_only_the_terminator(void **state)
{
	char b[2] = { 'x', 'y' };

	assert_int_equal(fmt_snprintf(b, 1, "%s", "long text"), 9);
	assert_int_equal(b[0], '\0');
	assert_int_equal(b[1], 'y');
}

/* ---- strings and pointers ------------------------------------------------------------ */

static void string_precision_reads_no_byte_past_the_precision(void **state)
{
	char *raw = malloc(3);	/* "abc" with no terminator: ASan guards byte 4 */
	char b[16];

	memcpy(raw, "abc", 3);
	expect("abc", b, fmt_snprintf(b, sizeof(b), "%.3s", raw));
	expect("ab", b, fmt_snprintf(b, sizeof(b), "%.2s", raw));
	expect("   abc", b, fmt_snprintf(b, sizeof(b), "%6.*s", 3, raw));
	expect("", b, fmt_snprintf(b, sizeof(b), "%.0s", raw));
	free(raw);
	expect("ab", b, fmt_snprintf(b, sizeof(b), "%.10s", "ab"));
}

static void null_string_prints_null_in_parentheses_unless_precision_is_too_short(void **state)
{
	const char *nul = NULL;
	char b[32];

	expect("(null)", b, loose_snprintf(b, sizeof(b), "%s", nul));
	expect("    (null)", b, loose_snprintf(b, sizeof(b), "%10s", nul));
	expect("(null)", b, loose_snprintf(b, sizeof(b), "%.6s", nul));
	expect("", b, loose_snprintf(b, sizeof(b), "%.5s", nul));
}

static void pointer_prints_lowercase_hex_with_0x_and_nil_for_null(void **state)
{
	char b[64];

	expect("0x1234abcd", b, fmt_snprintf(b, sizeof(b), "%p", (void *)0x1234abcd));
	expect("0xffffffff80000000", b, fmt_snprintf(b, sizeof(b), "%p", (void *)0xffffffff80000000));
	expect("(nil)", b, fmt_snprintf(b, sizeof(b), "%p", NULL));
	expect("   (nil)", b, fmt_snprintf(b, sizeof(b), "%8p", NULL));
	expect("0x00ff", b, loose_snprintf(b, sizeof(b), "%.4p", (void *)0xff));
}

/* ---- what is not supported ------------------------------------------------------------ */

static void unknown_conversions_print_as_written_and_take_no_argument(void **state)
{
	char b[64];

	expect("%y 5", b, loose_snprintf(b, sizeof(b), "%y %d", 5));
	expect("%-5y|6", b, loose_snprintf(b, sizeof(b), "%-5y|%d", 6));
	expect("%f %e %g %a 7", b, loose_snprintf(b, sizeof(b), "%f %e %g %a %d", 7));
	expect("%-8.3lf 8", b, loose_snprintf(b, sizeof(b), "%-8.3lf %d", 8));
	expect("%ls %lc 9", b, loose_snprintf(b, sizeof(b), "%ls %lc %d", 9));
	expect("%m %1$d", b, loose_snprintf(b, sizeof(b), "%m %1$d"));
}

/* glibc's synonyms take the argument their length names: nothing shifts. */
static void glibc_length_synonyms_L_q_Z_take_their_argument(void **state)
{
	char b[64];

	expect("5|7", b, loose_snprintf(b, sizeof(b), "%Ld|%d", 5LL, 7));
	expect("-5|7", b, loose_snprintf(b, sizeof(b), "%qd|%d", -5LL, 7));
	expect("5|7", b, loose_snprintf(b, sizeof(b), "%Zu|%d", (size_t)5, 7));
	expect("ffffffffffffffff|8", b,
	       loose_snprintf(b, sizeof(b), "%Lx|%d", 0xffffffffffffffffULL, 8));
	expect("18446744073709551615 9", b,
	       loose_snprintf(b, sizeof(b), "%qu %d", 18446744073709551615ULL, 9));
	expect("-3 1", b, loose_snprintf(b, sizeof(b), "%Zd %d", (ptrdiff_t)-3, 1));
}

static void percent_n_writes_nothing_through_its_argument(void **state)
{
	int target = 1234;
	char b[16];

	expect("ab%ncd", b, loose_snprintf(b, sizeof(b), "ab%ncd", &target));
	assert_int_equal(target, 1234);
}

static void star_arguments_of_an_unknown_directive_are_still_consumed(void **state)
{
	char b[32];

	expect("%*.*y 3", b, loose_snprintf(b, sizeof(b), "%*.*y %d", 1, 2, 3));
}

static void a_directive_cut_by_the_end_of_the_string_prints_as_is(void **state)
{
	char b[32];

	expect("abc%", b, loose_snprintf(b, sizeof(b), "abc%"));
	expect("x%-05.", b, loose_snprintf(b, sizeof(b), "x%-05."));
	expect("%ll", b, loose_snprintf(b, sizeof(b), "%ll"));
}

static void width_or_precision_beyond_int_max_is_a_range_error(void **state)
{
	char b[8] = "";

	assert_int_equal(loose_snprintf(NULL, 0, "%2147483648d", 1), -E_RANGE);
	assert_int_equal(loose_snprintf(NULL, 0, "%.2147483648d", 1), -E_RANGE);
	assert_int_equal(loose_snprintf(NULL, 0, "%*d", INT_MIN, 1), -E_RANGE);
	assert_int_equal(loose_snprintf(b, sizeof(b), "ab%99999999999s", "x"), -E_RANGE);
	assert_string_equal(b, "ab");	/* what came before stays, terminated */
}

/* ---- streaming --------------------------------------------------------------------------- */

struct sink {
	char text[2048];
	size_t len;
	int calls;
};

static void sink_emit(char c, void *ctx)
{
	struct sink *s = ctx;

	s->calls++;
	if (s->len < sizeof(s->text))
		s->text[s->len++] = c;
}

static int stream(struct sink *s, const char *fmt, ...)
{
	va_list ap;
	int ret;

	memset(s, 0, sizeof(*s));
	va_start(ap, fmt);
	ret = fmt_format(sink_emit, s, fmt, ap);
	va_end(ap);
	return ret;
}

static void stream_delivers_each_character_once_in_order_without_a_terminator(void **state)
{
	char want[128];
	struct sink s;
	int n = snprintf(want, sizeof(want), "[%5d|%-4s|%#x|%%|%c]", -42, "ab", 255, 'q');

	assert_int_equal(stream(&s, "[%5d|%-4s|%#x|%%|%c]", -42, "ab", 255, 'q'), n);
	assert_int_equal(s.calls, n);
	assert_memory_equal(s.text, want, (size_t)n);
}

static void stream_output_is_not_limited_by_any_internal_buffer(void **state)
{
	struct sink s;

	assert_int_equal(stream(&s, "%1500d", 7), 1500);
	assert_int_equal(s.calls, 1500);
	assert_int_equal(s.text[0], ' ');
	assert_int_equal(s.text[1498], ' ');
	assert_int_equal(s.text[1499], '7');
	assert_int_equal(stream(&s, "%.1200x", 0xab), 1200);
	assert_int_equal(s.text[1197], '0');
	assert_memory_equal(s.text + 1198, "ab", 2);
}

static void stream_passes_a_nul_character_through_like_any_other(void **state)
{
	struct sink s;

	assert_int_equal(stream(&s, "x%cy", 0), 3);
	assert_int_equal(s.calls, 3);
	assert_memory_equal(s.text, "x\0y", 3);
}

static void stream_of_an_empty_format_emits_nothing(void **state)
{
	struct sink s;

	assert_int_equal(stream(&s, ""), 0);
	assert_int_equal(s.calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(signed_integers_match_libc_for_all_flags_widths_precisions_lengths),
		cmocka_unit_test(unsigned_and_octal_match_libc_for_all_flags_widths_precisions_lengths),
		cmocka_unit_test(hex_integers_match_libc_for_all_flags_widths_precisions_lengths),
		cmocka_unit_test(char_conversion_matches_libc_for_every_flag_width_and_precision),
		cmocka_unit_test(string_conversion_matches_libc_for_every_flag_width_precision_and_null),
		cmocka_unit_test(pointer_conversion_matches_libc_for_every_flag_width_precision_and_null),
		cmocka_unit_test(percent_directive_matches_libc_whatever_its_flags_and_width),
		cmocka_unit_test(extreme_integers_print_every_digit),
		cmocka_unit_test(mixed_text_and_unusual_spellings_match_libc),
		cmocka_unit_test(truncation_at_every_size_keeps_a_prefix_and_returns_the_full_length),
		cmocka_unit_test(size_zero_accepts_a_null_buffer_and_still_returns_the_length),
		cmocka_unit_test(size_one_writes_only_the_terminator),
		cmocka_unit_test(string_precision_reads_no_byte_past_the_precision),
		cmocka_unit_test(null_string_prints_null_in_parentheses_unless_precision_is_too_short),
		cmocka_unit_test(pointer_prints_lowercase_hex_with_0x_and_nil_for_null),
		cmocka_unit_test(unknown_conversions_print_as_written_and_take_no_argument),
		cmocka_unit_test(glibc_length_synonyms_L_q_Z_take_their_argument),
		cmocka_unit_test(percent_n_writes_nothing_through_its_argument),
		cmocka_unit_test(star_arguments_of_an_unknown_directive_are_still_consumed),
		cmocka_unit_test(a_directive_cut_by_the_end_of_the_string_prints_as_is),
		cmocka_unit_test(width_or_precision_beyond_int_max_is_a_range_error),
		cmocka_unit_test(stream_delivers_each_character_once_in_order_without_a_terminator),
		cmocka_unit_test(stream_output_is_not_limited_by_any_internal_buffer),
		cmocka_unit_test(stream_passes_a_nul_character_through_like_any_other),
		cmocka_unit_test(stream_of_an_empty_format_emits_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
