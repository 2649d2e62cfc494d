/*
 * Fuzz target: DEFLATE and gzip decompression (lib/inflate.c), the loader's
 * first contact with the embedded kernel. Each input is tried both as a raw
 * DEFLATE stream and as a gzip file, and the answers are checked against
 * zlib's inflate as the reference (linked into this fuzz build only):
 *   - whatever either accepts, the other accepts too, with the same bytes
 *     out and the same bytes of input used (zlib must have used all of a
 *     gzip file: ours refuses data after the member);
 *   - output never exceeds the buffer: an accepted output of n bytes is
 *     refused with -E_NOSPC in n - 1 bytes, having written the same prefix;
 *   - every refusal carries a reason, every success an empty one.
 */
#include <string.h>
#include <zlib.h>

#include "lib/errno.h"
#include "lib/inflate.h"
#include "test/fuzz/fuzz.h"

#define OUT_CAP (1u << 20)

static uint8_t ours[OUT_CAP], ref[OUT_CAP + 1], again[OUT_CAP];

/* zlib's answer: 1 and *n, *used when the stream (or member) ended cleanly. */
static int zlib_inflate(const uint8_t *in, size_t len, int wbits, size_t *n, size_t *used)
{
	z_stream s;
	int ret;

	memset(&s, 0, sizeof(s));
	if (inflateInit2(&s, wbits) != Z_OK)
		abort();
	s.next_in = (Bytef *)in;
	s.avail_in = (uInt)len;
	s.next_out = ref;
	s.avail_out = sizeof(ref);
	ret = inflate(&s, Z_FINISH);
	*n = s.total_out;
	*used = s.total_in;
	inflateEnd(&s);
	return ret == Z_STREAM_END;
}

/* An accepted output of n bytes does not fit in n - 1. */
static void check_no_overflow(const uint8_t *in, size_t len, size_t n, int gzip)
{
	const char *why = "";
	size_t m = 0;
	int err;

	if (n == 0)
		return;
	err = gzip ? gzip_inflate(in, len, again, n - 1, &m, &why)
		   : inflate_raw(in, len, again, n - 1, &m, NULL, &why);
	FUZZ_CHECK(err == -E_NOSPC);
	FUZZ_CHECK(m <= n - 1);
	FUZZ_CHECK(memcmp(again, ours, m) == 0);
}

static void check_raw(const uint8_t *in, size_t len)
{
	const char *why = NULL;
	size_t n = 0, used = 0, rn, rused;
	int err = inflate_raw(in, len, ours, OUT_CAP, &n, &used, &why);
	int zok = zlib_inflate(in, len, -15, &rn, &rused);

	FUZZ_CHECK(n <= OUT_CAP && used <= len && why);
	FUZZ_CHECK(err ? why[0] != 0 : why[0] == 0);
	if (!err) {
		FUZZ_CHECK(zok && rn == n && rused == used);
		FUZZ_CHECK(memcmp(ours, ref, n) == 0);
		check_no_overflow(in, len, n, 0);
	} else if (zok) {
		FUZZ_CHECK(rn > OUT_CAP && err == -E_NOSPC);
	}
}

static void check_gzip(const uint8_t *in, size_t len)
{
	const char *why = NULL;
	size_t n = 0, rn, rused;
	int err = gzip_inflate(in, len, ours, OUT_CAP, &n, &why);
	int zok = zlib_inflate(in, len, 16 + 15, &rn, &rused);

	FUZZ_CHECK(n <= OUT_CAP && why);
	FUZZ_CHECK(err ? why[0] != 0 : why[0] == 0);
	if (!err) {
		FUZZ_CHECK(zok && rn == n && rused == len);
		FUZZ_CHECK(memcmp(ours, ref, n) == 0);
		check_no_overflow(in, len, n, 1);
	} else if (zok && rused == len) {
		FUZZ_CHECK(rn > OUT_CAP && err == -E_NOSPC);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	size_t len;
	uint8_t *copy = fuzz_rest(&in, &len);   /* reads past the end are caught */

	check_raw(copy, len);
	check_gzip(copy, len);
	free(copy);
	return 0;
}
