/*
 * Fuzz target: UTF-8 (lib/utf8.c). The streaming decoder, fed one byte at a
 * time and flushed at the end, must give exactly what a straightforward
 * whole-buffer reference gives: well-formed sequences of Unicode's table 3-7
 * decoded, each maximal ill-formed subpart replaced by one U+FFFD, nothing
 * but scalar values out, at most two code points per byte. utf8_decode must agree with the reference on the first character, and
 * every decoded scalar value must survive utf8_encode and decode again.
 */
#include <string.h>

#include "lib/errno.h"
#include "lib/utf8.h"
#include "test/fuzz/fuzz.h"

/* Allowed range of the second byte after lead byte b (table 3-7). */
static void second_range(uint8_t b, uint8_t *lo, uint8_t *hi)
{
	*lo = 0x80;
	*hi = 0xbf;
	if (b == 0xe0)
		*lo = 0xa0;
	else if (b == 0xed)
		*hi = 0x9f;
	else if (b == 0xf0)
		*lo = 0x90;
	else if (b == 0xf4)
		*hi = 0x8f;
}

static int seq_len(uint8_t b)
{
	if (b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf)
		return 2;
	if (b >= 0xe0 && b <= 0xef)
		return 3;
	if (b >= 0xf0 && b <= 0xf4)
		return 4;
	return 0;
}

/*
 * One step of the reference: the character at s (or U+FFFD) in *cp, returns
 * the bytes it covers. A broken sequence covers its valid prefix only.
 */
static size_t ref_step(const uint8_t *s, size_t len, uint32_t *cp)
{
	int need = seq_len(s[0]);
	uint8_t lo, hi;
	uint32_t v;
	size_t i;

	if (need == 0) {
		*cp = UTF8_REPLACEMENT;
		return 1;
	}
	if (need == 1) {
		*cp = s[0];
		return 1;
	}
	v = s[0] & (need == 2 ? 0x1f : need == 3 ? 0x0f : 0x07);
	second_range(s[0], &lo, &hi);
	for (i = 1; i < (size_t)need; i++) {
		if (i >= len || s[i] < lo || s[i] > hi) {
			*cp = UTF8_REPLACEMENT;
			return i;
		}
		v = v << 6 | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = v;
	return i;
}

static size_t ref_decode(const uint8_t *s, size_t len, uint32_t *out)
{
	size_t n = 0, i = 0;

	while (i < len)
		i += ref_step(s + i, len - i, &out[n++]);
	return n;
}

/* Feed s one byte at a time, flush at the end. */
static size_t stream_decode(const uint8_t *s, size_t len, uint32_t *out)
{
	struct utf8_decoder d;
	size_t n = 0;
	uint32_t cp;

	utf8_decoder_init(&d);
	for (size_t i = 0; i < len; i++) {
		uint32_t two[2];
		size_t k = utf8_feed(&d, s[i], two);

		FUZZ_CHECK(k <= 2);
		for (size_t j = 0; j < k; j++)
			out[n++] = two[j];
		FUZZ_CHECK(n <= i + 1);
	}
	if (utf8_flush(&d, &cp))
		out[n++] = cp;
	FUZZ_CHECK(!utf8_flush(&d, &cp));
	return n;
}

static void check_roundtrip(uint32_t cp)
{
	char buf[4];
	uint32_t back;
	size_t n = utf8_encode(cp, buf);

	FUZZ_CHECK(n >= 1 && n <= 4);
	FUZZ_CHECK(utf8_decode(buf, n, &back) == (int)n && back == cp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t *want = malloc((size + 1) * sizeof(uint32_t));
	uint32_t *got = malloc((size + 1) * sizeof(uint32_t));
	size_t n = ref_decode(data, size, want), m, step;
	uint32_t ref_cp, cp = 0;
	int r;

	m = stream_decode(data, size, got);
	FUZZ_CHECK(m == n && !memcmp(want, got, n * sizeof(uint32_t)));
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(want[i] <= UTF8_MAX_CP && !(want[i] >= 0xd800 && want[i] <= 0xdfff));
		check_roundtrip(want[i]);
	}
	if (size) {
		step = ref_step(data, size, &ref_cp);
		r = utf8_decode(data, size, &cp);
		if (ref_cp == UTF8_REPLACEMENT && !(size >= 3 && !memcmp(data, "\xef\xbf\xbd", 3)))
			FUZZ_CHECK(r == -E_INVAL);
		else
			FUZZ_CHECK(r == (int)step && cp == ref_cp);
	}
	free(got);
	free(want);
	return 0;
}
