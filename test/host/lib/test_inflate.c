/*
 * Host tests for DEFLATE and gzip decompression (inflate.h). Real data (both
 * fonts and the stripped kernel) compressed by Python's zlib in every kind of
 * block (build/inflate/, gen_inflate_cases.py) and by gzip -9n (the loader's
 * own build/gz/kernel.elf.gz) must come back byte for byte; streams written
 * bit by bit here cover each rule of RFC 1951 and RFC 1952 and each way a
 * stream or file can be corrupt, truncated or too large for its buffer.
 */
#include <libgen.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/errno.h"
#include "lib/inflate.h"

static char build_dir[4096];

/* ---- files from the build ---------------------------------------------------------- */

struct blob {
	uint8_t *data;
	size_t size;
};

static struct blob read_file(const char *rel)
{
	struct blob b = { NULL, 0 };
	char path[8300];
	FILE *fp;
	long n = 0;

	snprintf(path, sizeof(path), "%s/%s", build_dir, rel);
	fp = fopen(path, "rb");
	if (!fp || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0)
		fail_msg("cannot read %s: build it with `make test-host`", path);
	rewind(fp);
	b.size = (size_t)n;
	b.data = malloc(b.size + 1);
	assert_non_null(b.data);
	assert_int_equal(fread(b.data, 1, b.size, fp), b.size);
	fclose(fp);
	return b;
}

static const char *originals[] = { "font/terminus16.psf", "font/terminus32.psf", "strip/kernel.elf" };
static const char *kinds[] = { "stored", "fixed", "dynamic", "huffman", "rle", "small" };

/* Raw DEFLATE of each real file in each block kind decodes to the file. */
static void zlib_streams_of_real_files_inflate_exactly(void **state)
{
	for (size_t f = 0; f < 3; f++) {
		struct blob orig = read_file(originals[f]);
		uint8_t *out = malloc(orig.size + 64);

		for (size_t k = 0; k < 6; k++) {
			char rel[256];
			const char *why = "?";
			size_t n = 0, used = 0;
			struct blob z;

			snprintf(rel, sizeof(rel), "inflate/%s.%s.deflate", strrchr(originals[f], '/') + 1, kinds[k]);
			z = read_file(rel);
			if (inflate_raw(z.data, z.size, out, orig.size + 64, &n, &used, &why))
				fail_msg("%s: %s", rel, why);
			assert_int_equal(n, orig.size);
			assert_int_equal(used, z.size);
			assert_memory_equal(out, orig.data, orig.size);
			assert_string_equal(why, "");
			free(z.data);
		}
		free(out);
		free(orig.data);
	}
}

static void check_gzip_file(const char *gz_rel, const char *orig_rel)
{
	struct blob orig = read_file(orig_rel), gz = read_file(gz_rel);
	uint8_t *out = malloc(orig.size);
	struct gzip_member m;
	const char *why = "?";
	size_t n = 0;

	assert_int_equal(gzip_parse(gz.data, gz.size, &m, &why), 0);
	assert_int_equal(m.isize, orig.size);
	assert_int_equal(m.crc32, crc32_update(0, orig.data, orig.size));
	if (gzip_inflate(gz.data, gz.size, out, orig.size, &n, &why))
		fail_msg("%s: %s", gz_rel, why);
	assert_int_equal(n, orig.size);
	assert_memory_equal(out, orig.data, orig.size);
	/* one byte less room than ISIZE: refused, never written past */
	assert_int_equal(gzip_inflate(gz.data, gz.size, out, orig.size - 1, &n, &why), -E_NOSPC);
	free(out);
	free(orig.data);
	free(gz.data);
}

static void the_loaders_gzip_kernel_inflates_exactly(void **state)
{
	check_gzip_file("gz/kernel.elf.gz", "strip/kernel.elf");
}

static void python_gzip_with_a_file_name_inflates_exactly(void **state)
{
	check_gzip_file("inflate/terminus16.psf.gz", "font/terminus16.psf");
	check_gzip_file("inflate/kernel.elf.gz", "strip/kernel.elf");
}

/* Every prefix of a real gzip file is refused, with or without room to spare. */
static void every_truncation_of_a_gzip_file_is_refused(void **state)
{
	struct blob gz = read_file("inflate/terminus16.psf.gz");
	uint8_t *out = malloc(1 << 16);
	size_t n;

	for (size_t len = 0; len < gz.size; len++) {
		const char *why = "";

		assert_int_not_equal(gzip_inflate(gz.data, len, out, 1 << 16, &n, &why), 0);
		assert_true(why[0] != 0);
	}
	free(out);
	free(gz.data);
}

/* ---- streams written bit by bit ----------------------------------------------------- */

struct bw {
	uint8_t buf[4096];
	size_t bits;
};

/* n bits of v, lowest first (RFC 1951 3.1.1: data elements). */
static void put(struct bw *w, unsigned v, unsigned n)
{
	for (unsigned i = 0; i < n; i++, w->bits++)
		if (v >> i & 1)
			w->buf[w->bits / 8] |= (uint8_t)(1u << (w->bits % 8));
}

/* A Huffman code of len bits, most significant first. */
static void put_code(struct bw *w, unsigned code, unsigned len)
{
	while (len--)
		put(w, code >> len & 1, 1);
}

static size_t bw_bytes(const struct bw *w)
{
	return (w->bits + 7) / 8;
}

/* RFC 1951 3.2.6: the fixed literal/length code. */
static void put_fixed_lit(struct bw *w, unsigned sym)
{
	if (sym < 144)
		put_code(w, 0x30 + sym, 8);
	else if (sym < 256)
		put_code(w, 0x190 + sym - 144, 9);
	else if (sym < 280)
		put_code(w, sym - 256, 7);
	else
		put_code(w, 0xc0 + sym - 280, 8);
}

static int run(const struct bw *w, uint8_t *out, size_t cap, size_t *n, const char **why)
{
	size_t used;

	return inflate_raw(w->buf, bw_bytes(w), out, cap, n, &used, why);
}

static void stored_block_copies_bytes(void **state)
{
	struct bw w = { 0 };
	uint8_t out[16];
	const char *why;
	size_t n, used;

	put(&w, 1, 1);
	put(&w, 0, 2);
	w.bits = 8;                          /* pad to the byte boundary */
	put(&w, 5, 16);
	put(&w, 0xffff ^ 5, 16);
	memcpy(w.buf + 5, "hello", 5);
	w.bits += 40;
	assert_int_equal(inflate_raw(w.buf, 10, out, sizeof(out), &n, &used, &why), 0);
	assert_int_equal(n, 5);
	assert_int_equal(used, 10);
	assert_memory_equal(out, "hello", 5);
	/* LEN and NLEN disagree */
	w.buf[3] ^= 1;
	assert_int_equal(inflate_raw(w.buf, 10, out, sizeof(out), &n, &used, &why), -E_INVAL);
	assert_string_equal(why, "stored block length check failed");
	w.buf[3] ^= 1;
	/* LEN beyond the input */
	assert_int_equal(inflate_raw(w.buf, 9, out, sizeof(out), &n, &used, &why), -E_RANGE);
	/* LEN beyond the output */
	assert_int_equal(inflate_raw(w.buf, 10, out, 4, &n, &used, &why), -E_NOSPC);
}

/* Fixed codes: "ab", then <length 3, distance 2> overlapping, then a long 9-bit literal. */
static void fixed_block_literals_and_overlapping_match(void **state)
{
	struct bw w = { 0 };
	uint8_t out[16];
	const char *why;
	size_t n;

	put(&w, 1, 1);
	put(&w, 1, 2);
	put_fixed_lit(&w, 'a');
	put_fixed_lit(&w, 'b');
	put_fixed_lit(&w, 257);              /* length 3 */
	put_code(&w, 1, 5);                  /* distance code 1: distance 2 */
	put_fixed_lit(&w, 0xff);
	put_fixed_lit(&w, 256);
	assert_int_equal(run(&w, out, sizeof(out), &n, &why), 0);
	assert_int_equal(n, 6);
	assert_memory_equal(out, "ababa\xff", 6);
	/* the same stream with room for 5 bytes only */
	assert_int_equal(run(&w, out, 5, &n, &why), -E_NOSPC);
	assert_int_equal(n, 5);
}

static void distance_before_the_start_is_refused(void **state)
{
	struct bw w = { 0 };
	uint8_t out[16];
	const char *why;
	size_t n;

	put(&w, 1, 1);
	put(&w, 1, 2);
	put_fixed_lit(&w, 'a');
	put_fixed_lit(&w, 257);
	put_code(&w, 1, 5);                  /* distance 2, only 1 byte out */
	put_fixed_lit(&w, 256);
	assert_int_equal(run(&w, out, sizeof(out), &n, &why), -E_INVAL);
	assert_string_equal(why, "distance reaches before the start of the output");
}

static void unused_fixed_codes_are_refused(void **state)
{
	uint8_t out[16];
	const char *why;
	size_t n;
	struct bw a = { 0 }, b = { 0 };

	put(&a, 1, 1);
	put(&a, 1, 2);
	put_fixed_lit(&a, 286);
	assert_int_equal(run(&a, out, sizeof(out), &n, &why), -E_INVAL);
	assert_string_equal(why, "invalid length code");

	put(&b, 1, 1);
	put(&b, 1, 2);
	put_fixed_lit(&b, 'x');
	put_fixed_lit(&b, 257);
	put_code(&b, 30, 5);
	assert_int_equal(run(&b, out, sizeof(out), &n, &why), -E_INVAL);
	assert_string_equal(why, "invalid distance code");
}

static void reserved_block_type_is_refused(void **state)
{
	struct bw w = { 0 };
	uint8_t out[4];
	const char *why;
	size_t n;

	put(&w, 1, 1);
	put(&w, 3, 2);
	assert_int_equal(run(&w, out, sizeof(out), &n, &why), -E_INVAL);
	assert_string_equal(why, "reserved block type");
}

/* A dynamic header: HLIT, HDIST, HCLEN and the code length code lengths (in order). */
static void put_dyn_header(struct bw *w, unsigned hlit, unsigned hdist, const uint8_t *cl, unsigned ncl)
{
	put(w, 1, 1);
	put(w, 2, 2);
	put(w, hlit - 257, 5);
	put(w, hdist - 1, 5);
	put(w, ncl - 4, 4);
	for (unsigned i = 0; i < ncl; i++)
		put(w, cl[i], 3);
}

/*
 * A hand-built dynamic block. The code length code has symbols 0, 1, 2 and
 * 18, each 2 bits long; canonical codes go by symbol order within a length:
 * 0 -> 00, 1 -> 01, 2 -> 10, 18 -> 11. The literal/length code has 'A' and
 * end-of-block (1 bit each), the distance code one lone 1-bit code (an
 * incomplete code RFC 1951 allows). Two more length-2 symbols over-subscribe
 * the code length code.
 */
static void dynamic_block_hand_built(void **state)
{
	/* order 16 17 18 0 8 7 9 6 10 5 11 4 12 3 13 2 14 1 15 */
	uint8_t cl[19] = { 0, 0, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2 };
	uint8_t out[16];
	const char *why;
	size_t n;
	struct bw w = { 0 };

	/* 257 lit/len + 1 dist lengths: 'A' (65) and 256 get length 1, dist 0 gets 1 */
	put_dyn_header(&w, 257, 1, cl, 18);
	put_code(&w, 3, 2); put(&w, 65 - 11, 7);     /* 18: 65 zeros */
	put_code(&w, 1, 2);                          /* 'A': 1 */
	put_code(&w, 3, 2); put(&w, 138 - 11, 7);    /* 18: 138 zeros */
	put_code(&w, 3, 2); put(&w, 52 - 11, 7);     /* 18: 52 zeros: up to 255 */
	put_code(&w, 1, 2);                          /* 256: 1 */
	put_code(&w, 1, 2);                          /* dist 0: 1 (lone code, allowed) */
	put_code(&w, 0, 1);                          /* 'A' */
	put_code(&w, 0, 1);                          /* 'A' */
	put_code(&w, 1, 1);                          /* end */
	assert_int_equal(run(&w, out, sizeof(out), &n, &why), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "AA", 2);

	/* code length code lengths with one code too many: over-subscribed */
	cl[16] = 2;                                  /* symbol 14 as well */
	cl[4] = 2;                                   /* symbol 8 as well */
	memset(&w, 0, sizeof(w));
	put_dyn_header(&w, 257, 1, cl, 18);
	assert_int_equal(run(&w, out, sizeof(out), &n, &why), -E_INVAL);
	assert_string_equal(why, "invalid code length code");
}

static void dynamic_header_limits_are_enforced(void **state)
{
	uint8_t cl[4] = { 1, 0, 0, 1 };              /* 0 -> 0, 16 -> 1 */
	uint8_t out[16];
	const char *why;
	size_t n;
	struct bw a = { 0 }, b = { 0 }, c = { 0 };

	put_dyn_header(&a, 287, 1, cl, 4);           /* HLIT 287 > 286 */
	assert_int_equal(run(&a, out, sizeof(out), &n, &why), -E_INVAL);
	assert_string_equal(why, "too many length or distance codes");

	put_dyn_header(&b, 257, 1, cl, 4);
	put_code(&b, 1, 1);                          /* 16 first: nothing to repeat */
	put(&b, 0, 2);
	assert_int_equal(run(&b, out, sizeof(out), &n, &why), -E_INVAL);
	assert_string_equal(why, "length repeat with no previous length");

	uint8_t cl18[4] = { 0, 0, 1, 1 };            /* 18 and 0 */
	put_dyn_header(&c, 257, 1, cl18, 4);
	put_code(&c, 1, 1); put(&c, 127, 7);         /* 138 zeros */
	put_code(&c, 1, 1); put(&c, 127, 7);         /* 138 more: past 258 */
	assert_int_equal(run(&c, out, sizeof(out), &n, &why), -E_INVAL);
	assert_string_equal(why, "code lengths repeat past the end");
}

static void missing_end_of_block_code_is_refused(void **state)
{
	uint8_t cl[4] = { 0, 0, 1, 1 };              /* 18 and 0 */
	uint8_t out[16];
	const char *why;
	size_t n;
	struct bw w = { 0 };

	put_dyn_header(&w, 257, 1, cl, 4);
	put_code(&w, 1, 1); put(&w, 127, 7);         /* 138 zeros */
	put_code(&w, 1, 1); put(&w, 119 - 11, 7);    /* 119 zeros: 257 */
	put_code(&w, 0, 1);                          /* dist 0: 0 */
	assert_int_equal(run(&w, out, sizeof(out), &n, &why), -E_INVAL);
	assert_string_equal(why, "no end-of-block code");
}

static void empty_input_and_truncated_stream_are_refused(void **state)
{
	struct bw w = { 0 };
	uint8_t out[16];
	const char *why;
	size_t n;

	assert_int_equal(inflate_raw(w.buf, 0, out, sizeof(out), &n, NULL, &why), -E_RANGE);
	assert_string_equal(why, "compressed data ends early");
	put(&w, 1, 1);
	put(&w, 1, 2);
	put_fixed_lit(&w, 'a');                      /* no end-of-block */
	assert_int_equal(run(&w, out, sizeof(out), &n, &why), -E_RANGE);
}

/* ---- the gzip wrapper ------------------------------------------------------------------ */

/* A gzip file around the fixed-block "ab" stream, with the given flags and fields. */
static size_t make_gzip(uint8_t *g, unsigned flg, const uint8_t *fields, size_t nfields)
{
	struct bw w = { 0 };
	size_t n = 0, len;
	uint32_t crc = crc32_update(0, "ab", 2);

	put(&w, 1, 1);
	put(&w, 1, 2);
	put_fixed_lit(&w, 'a');
	put_fixed_lit(&w, 'b');
	put_fixed_lit(&w, 256);
	uint8_t hdr[10] = { 0x1f, 0x8b, 8, (uint8_t)flg, 0, 0, 0, 0, 0, 3 };
	memcpy(g, hdr, 10);
	n = 10;
	if (nfields)
		memcpy(g + n, fields, nfields);
	n += nfields;
	len = bw_bytes(&w);
	memcpy(g + n, w.buf, len);
	n += len;
	for (int i = 0; i < 4; i++)
		g[n++] = (uint8_t)(crc >> (8 * i));
	g[n++] = 2;                          /* ISIZE */
	g[n++] = 0;
	g[n++] = 0;
	g[n++] = 0;
	return n;
}

static void gzip_crc32_matches_the_check_value(void **state)
{
	assert_int_equal(crc32_update(0, "123456789", 9), 0xcbf43926);
	assert_int_equal(crc32_update(crc32_update(0, "1234", 4), "56789", 5), 0xcbf43926);
	assert_int_equal(crc32_update(0, "", 0), 0);
}

static void gzip_header_fields_are_skipped_and_checked(void **state)
{
	uint8_t g[256], out[8], f[64];
	const char *why;
	size_t len, n;
	uint32_t hcrc;

	len = make_gzip(g, 0, NULL, 0);
	assert_int_equal(gzip_inflate(g, len, out, sizeof(out), &n, &why), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "ab", 2);

	memcpy(f, "\x03\x00xyzname\0comment\0", 18);   /* FEXTRA(3) FNAME FCOMMENT */
	len = make_gzip(g, GZIP_FEXTRA | GZIP_FNAME | GZIP_FCOMMENT, f, 18);
	assert_int_equal(gzip_inflate(g, len, out, sizeof(out), &n, &why), 0);
	assert_memory_equal(out, "ab", 2);

	/* FHCRC: the low 16 bits of the CRC-32 of the header before it */
	memcpy(g, "\x1f\x8b\x08\x02\0\0\0\0\0\x03", 10);
	hcrc = crc32_update(0, g, 10);
	f[0] = (uint8_t)hcrc;
	f[1] = (uint8_t)(hcrc >> 8);
	len = make_gzip(g, GZIP_FHCRC, f, 2);
	assert_int_equal(gzip_inflate(g, len, out, sizeof(out), &n, &why), 0);
	g[10] ^= 1;
	assert_int_equal(gzip_inflate(g, len, out, sizeof(out), &n, &why), -E_INVAL);
	assert_string_equal(why, "gzip header CRC mismatch");
}

static void gzip_bad_headers_are_refused(void **state)
{
	uint8_t g[256], out[8];
	const char *why;
	size_t len, n;

	len = make_gzip(g, 0x20, NULL, 0);           /* a reserved flag */
	assert_int_equal(gzip_inflate(g, len, out, sizeof(out), &n, &why), -E_INVAL);
	assert_string_equal(why, "reserved gzip header flags set");
	len = make_gzip(g, 0, NULL, 0);
	g[2] = 7;
	assert_int_equal(gzip_inflate(g, len, out, sizeof(out), &n, &why), -E_INVAL);
	assert_string_equal(why, "gzip compression method is not DEFLATE");
	g[2] = 8;
	g[1] = 0x8c;
	assert_int_equal(gzip_inflate(g, len, out, sizeof(out), &n, &why), -E_INVAL);
	assert_string_equal(why, "not gzip data (bad magic)");
	/* FNAME never terminated: runs into the trailer */
	memset(g, 'n', sizeof(g));
	len = make_gzip(g, GZIP_FNAME, g + 100, 40);
	memset(g + 10, 'n', len - 18);
	assert_int_equal(gzip_inflate(g, len, out, sizeof(out), &n, &why), -E_RANGE);
	assert_string_equal(why, "gzip header fields run into the trailer");
	/* FEXTRA longer than the file */
	len = make_gzip(g, GZIP_FEXTRA, (const uint8_t *)"\xff\xff", 2);
	assert_int_equal(gzip_inflate(g, len, out, sizeof(out), &n, &why), -E_RANGE);
	assert_int_equal(gzip_inflate(g, 17, out, sizeof(out), &n, &why), -E_RANGE);
	assert_string_equal(why, "too short for a gzip header and trailer");
}

static void gzip_bad_trailer_or_extra_data_is_refused(void **state)
{
	uint8_t g[256], out[8];
	const char *why;
	size_t len, n;

	len = make_gzip(g, 0, NULL, 0);
	g[len - 8] ^= 0x80;                          /* CRC-32 */
	assert_int_equal(gzip_inflate(g, len, out, sizeof(out), &n, &why), -E_INVAL);
	assert_string_equal(why, "CRC-32 differs from the gzip trailer's");
	g[len - 8] ^= 0x80;
	g[len - 4] = 3;                              /* ISIZE */
	assert_int_equal(gzip_inflate(g, len, out, sizeof(out), &n, &why), -E_INVAL);
	assert_string_equal(why, "length differs from the gzip trailer's ISIZE");
	g[len - 4] = 2;
	/* a byte between the stream's end and the trailer */
	memmove(g + len - 7, g + len - 8, 8);
	g[len - 8] = 0;
	assert_int_equal(gzip_inflate(g, len + 1, out, sizeof(out), &n, &why), -E_INVAL);
	assert_string_equal(why, "data between the compressed stream and the gzip trailer");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(zlib_streams_of_real_files_inflate_exactly),
		cmocka_unit_test(the_loaders_gzip_kernel_inflates_exactly),
		cmocka_unit_test(python_gzip_with_a_file_name_inflates_exactly),
		cmocka_unit_test(every_truncation_of_a_gzip_file_is_refused),
		cmocka_unit_test(stored_block_copies_bytes),
		cmocka_unit_test(fixed_block_literals_and_overlapping_match),
		cmocka_unit_test(distance_before_the_start_is_refused),
		cmocka_unit_test(unused_fixed_codes_are_refused),
		cmocka_unit_test(reserved_block_type_is_refused),
		cmocka_unit_test(dynamic_block_hand_built),
		cmocka_unit_test(dynamic_header_limits_are_enforced),
		cmocka_unit_test(missing_end_of_block_code_is_refused),
		cmocka_unit_test(empty_input_and_truncated_stream_are_refused),
		cmocka_unit_test(gzip_crc32_matches_the_check_value),
		cmocka_unit_test(gzip_header_fields_are_skipped_and_checked),
		cmocka_unit_test(gzip_bad_headers_are_refused),
		cmocka_unit_test(gzip_bad_trailer_or_extra_data_is_refused),
	};
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s", argv[0]);
	snprintf(build_dir, sizeof(build_dir), "%s/../..", dirname(dir));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
