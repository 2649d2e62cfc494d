/*
 * Host tests for the UTF-8 decoder and encoder (utf8.h). The incremental
 * decoder is checked on hand-picked well-formed and ill-formed input (one
 * U+FFFD per maximal ill-formed subpart), fed whole and byte by byte; the
 * one-shot decoder is checked exhaustively against the encoder over every
 * two-byte sequence and every three- and four-byte sequence it can start.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/errno.h"
#include "lib/utf8.h"

#define R UTF8_REPLACEMENT
#define MAX_OUT 64

/* Decode len bytes of s with a fresh decoder, then flush. */
static size_t decode_all(const char *s, size_t len, uint32_t *out)
{
	struct utf8_decoder d;
	size_t i, n = 0;

	utf8_decoder_init(&d);
	for (i = 0; i < len; i++)
		n += utf8_feed(&d, (uint8_t)s[i], out + n);
	if (utf8_flush(&d, &out[n]))
		n++;
	return n;
}

static void expect(const char *s, size_t len, const uint32_t *want, size_t nwant)
{
	uint32_t got[MAX_OUT];
	size_t n = decode_all(s, len, got), i;

	assert_int_equal(n, nwant);
	for (i = 0; i < n; i++)
		assert_int_equal(got[i], want[i]);
}

#define EXPECT(bytes, ...) do { \
	static const uint32_t want_[] = { __VA_ARGS__ }; \
	expect(bytes, sizeof(bytes) - 1, want_, sizeof(want_) / sizeof(want_[0])); \
} while (0)

static void ascii_bytes_decode_to_themselves(void **state)
{
	EXPECT("Az~\x7f", 'A', 'z', '~', 0x7f);
	EXPECT("\0x", 0, 'x');
}

static void two_three_and_four_byte_characters_decode(void **state)
{
	EXPECT("\xc3\xa9", 0xe9);                      /* é */
	EXPECT("\xe2\x94\x80", 0x2500);                /* box drawing */
	EXPECT("\xe2\x82\xac", 0x20ac);                /* euro sign */
	EXPECT("\xf0\x9f\x98\x80", 0x1f600);           /* emoji */
	EXPECT("\xf4\x8f\xbf\xbf", 0x10ffff);          /* highest scalar */
	EXPECT("\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80",
	       0x80, 0x7ff, 0x800, 0xffff, 0x10000);   /* every boundary */
}

static void overlong_forms_become_one_replacement_per_byte(void **state)
{
	EXPECT("\xc0\x80", R, R);
	EXPECT("\xc1\xbf", R, R);
	EXPECT("\xe0\x80\x80", R, R, R);
	EXPECT("\xe0\x9f\xbf", R, R, R);
	EXPECT("\xf0\x80\x80\x80", R, R, R, R);
	EXPECT("\xf0\x8f\xbf\xbf", R, R, R, R);
}

static void surrogates_are_rejected(void **state)
{
	EXPECT("\xed\xa0\x80", R, R, R);               /* U+D800 */
	EXPECT("\xed\xbf\xbf", R, R, R);               /* U+DFFF */
	EXPECT("\xed\x9f\xbf", 0xd7ff);                /* just below */
	EXPECT("\xee\x80\x80", 0xe000);                /* just above */
}

static void values_above_u10ffff_are_rejected(void **state)
{
	EXPECT("\xf4\x90\x80\x80", R, R, R, R);
	EXPECT("\xf5\x80\x80\x80", R, R, R, R);
	EXPECT("\xf8\x88\x80\x80\x80", R, R, R, R, R);
	EXPECT("\xff\xfe", R, R);
}

static void a_lone_continuation_byte_is_one_replacement(void **state)
{
	EXPECT("a\x80z", 'a', R, 'z');
	EXPECT("\xbf\xbf", R, R);
}

static void a_broken_sequence_is_one_replacement_and_the_next_byte_still_counts(void **state)
{
	EXPECT("\xe2\x82" "A", R, 'A');                /* cut 3-byte, then ASCII */
	EXPECT("\xf0\x9f\x98" "\xc3\xa9", R, 0xe9);    /* cut 4-byte, then é */
	EXPECT("\xc3" "\xc3\xa9", R, 0xe9);            /* lead after lead */
}

static void input_ending_inside_a_sequence_flushes_one_replacement(void **state)
{
	EXPECT("ok\xf0\x9f", 'o', 'k', R);
	EXPECT("\xe2", R);
}

static void flush_between_characters_reports_nothing(void **state)
{
	struct utf8_decoder d;
	uint32_t out[2], cp = 0;

	utf8_decoder_init(&d);
	assert_false(utf8_flush(&d, &cp));
	assert_int_equal(utf8_feed(&d, 'x', out), 1);
	assert_false(utf8_flush(&d, &cp));
}

static void a_zeroed_decoder_works_like_an_initialised_one(void **state)
{
	struct utf8_decoder d;
	uint32_t out[2];

	memset(&d, 0, sizeof(d));
	assert_int_equal(utf8_feed(&d, 0xe2, out), 0);
	assert_int_equal(utf8_feed(&d, 0x94, out), 0);
	assert_int_equal(utf8_feed(&d, 0x80, out), 1);
	assert_int_equal(out[0], 0x2500);
}

static void decode_reports_length_and_rejects_cut_or_bad_input(void **state)
{
	uint32_t cp = 0;

	assert_int_equal(utf8_decode("A", 1, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(utf8_decode("\xe2\x94\x80xyz", 6, &cp), 3);
	assert_int_equal(cp, 0x2500);
	assert_int_equal(utf8_decode("\xe2\x94\x80", 2, &cp), -E_INVAL);
	assert_int_equal(utf8_decode("\xe2", 0, &cp), -E_INVAL);
	assert_int_equal(utf8_decode("\x80", 1, &cp), -E_INVAL);
	assert_int_equal(utf8_decode("\xed\xa0\x80", 3, &cp), -E_INVAL);
}

/* Every scalar value survives encode then decode, both ways of decoding. */
static void every_scalar_value_round_trips(void **state)
{
	struct utf8_decoder d;
	uint32_t cp, got = 0, out[2];
	char buf[4];
	size_t n, i, k;

	utf8_decoder_init(&d);
	for (cp = 0; cp <= UTF8_MAX_CP; cp++) {
		if (cp >= 0xd800 && cp <= 0xdfff) {
			assert_int_equal(utf8_encode(cp, buf), 0);
			continue;
		}
		n = utf8_encode(cp, buf);
		assert_int_equal(n, cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4);
		assert_int_equal(utf8_decode(buf, n, &got), (int)n);
		assert_int_equal(got, cp);
		for (i = 0, k = 0; i < n; i++)
			k += utf8_feed(&d, (uint8_t)buf[i], out);
		assert_int_equal(k, 1);
		assert_int_equal(out[0], cp);
	}
	assert_int_equal(utf8_encode(UTF8_MAX_CP + 1, buf), 0);
}

/* A sequence is accepted exactly when it is the encoding of its value. */
static void check_sequence(const uint8_t *s, size_t len)
{
	uint32_t cp = 0;
	char again[4];
	int n = utf8_decode(s, len, &cp);

	if (n < 0)
		return;
	assert_int_equal(utf8_encode(cp, again), (size_t)n);
	assert_memory_equal(again, s, (size_t)n);
}

static void decode_accepts_only_shortest_encodings_exhaustively(void **state)
{
	uint8_t s[4];
	unsigned a, b, c, accepted = 0;
	uint32_t cp;

	for (a = 0; a < 256; a++)
		for (b = 0; b < 256; b++)
			for (c = 0; c < 256; c++) {
				s[0] = (uint8_t)a;
				s[1] = (uint8_t)b;
				s[2] = (uint8_t)c;
				s[3] = 0x80;
				check_sequence(s, 4);
				accepted += utf8_decode(s, 4, &cp) > 0;
			}
	/* 128*65536 ASCII + 1920*256 two-byte + 61440 three-byte + 1048576/64 four-byte */
	assert_int_equal(accepted, 128u * 65536 + 1920u * 256 + 61440u + 1048576u / 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ascii_bytes_decode_to_themselves),
		cmocka_unit_test(two_three_and_four_byte_characters_decode),
		cmocka_unit_test(overlong_forms_become_one_replacement_per_byte),
		cmocka_unit_test(surrogates_are_rejected),
		cmocka_unit_test(values_above_u10ffff_are_rejected),
		cmocka_unit_test(a_lone_continuation_byte_is_one_replacement),
		cmocka_unit_test(a_broken_sequence_is_one_replacement_and_the_next_byte_still_counts),
		cmocka_unit_test(input_ending_inside_a_sequence_flushes_one_replacement),
		cmocka_unit_test(flush_between_characters_reports_nothing),
		cmocka_unit_test(a_zeroed_decoder_works_like_an_initialised_one),
		cmocka_unit_test(decode_reports_length_and_rejects_cut_or_bad_input),
		cmocka_unit_test(every_scalar_value_round_trips),
		cmocka_unit_test(decode_accepts_only_shortest_encodings_exhaustively),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
