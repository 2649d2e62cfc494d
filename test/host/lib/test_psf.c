/*
 * Host tests for the PSF font parser (psf.h). The real Terminus fonts the
 * kernel embeds are read from the build directory (8x16 is PSF1, 16x32 is
 * PSF2) and every code point of their tables is checked against a linear
 * scan done here; small fonts built in memory cover each rule of the formats
 * and each way a file can be malformed.
 */
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
#include "lib/psf.h"
#include "test/host/build_file.h"
#include "lib/utf8.h"

#define MAP_CAP 2048

/* ---- the real fonts ---------------------------------------------------------------- */

struct font_file {
	const char *name;
	uint8_t *data;
	size_t size;
};

static struct font_file small = { "terminus16.psf", NULL, 0 };
static struct font_file large = { "terminus32.psf", NULL, 0 };
static struct psf_map_entry map[MAP_CAP];

/* Read build/font/NAME, where the Makefile puts the fonts. */
static int load_font(const char *argv0, struct font_file *f)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "font/%s", f->name);
	return build_file_read(argv0, rel, &f->data, &f->size);
}

static void parse_ok(struct psf_font *font, const struct font_file *f)
{
	assert_int_equal(psf_parse(font, f->data, f->size, map, MAP_CAP), 0);
}

/* ---- fonts built in memory --------------------------------------------------------- */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* A PSF2 font: glyph i's bytes all equal i + 1; table appended as given. */
static size_t make_psf2(uint8_t *buf, uint32_t count, uint32_t w, uint32_t h,
			const char *table, size_t table_len)
{
	uint32_t charsize = h * ((w + 7) / 8), i;

	put32(buf, PSF2_MAGIC);
	put32(buf + 4, 0);
	put32(buf + 8, 32);
	put32(buf + 12, table ? 1 : 0);
	put32(buf + 16, count);
	put32(buf + 20, charsize);
	put32(buf + 24, h);
	put32(buf + 28, w);
	for (i = 0; i < count; i++)
		memset(buf + 32 + i * charsize, (int)(i + 1), charsize);
	if (table)
		memcpy(buf + 32 + count * charsize, table, table_len);
	return 32 + count * charsize + (table ? table_len : 0);
}

/* A PSF1 font of 256 or 512 glyphs of height h, with a UCS-2 table. */
static size_t make_psf1(uint8_t *buf, uint8_t mode, uint8_t h,
			const uint16_t *table, size_t n)
{
	size_t count = (mode & 1) ? 512 : 256, i, pos = 4 + count * h;

	buf[0] = 0x36;
	buf[1] = 0x04;
	buf[2] = mode;
	buf[3] = h;
	for (i = 0; i < count * h; i++)
		buf[4 + i] = (uint8_t)(i / h);
	for (i = 0; i < n; i++) {
		buf[pos++] = (uint8_t)table[i];
		buf[pos++] = (uint8_t)(table[i] >> 8);
	}
	return pos;
}

#define TABLE(s) s, sizeof(s) - 1

/* ---- the real fonts ---------------------------------------------------------------- */

static void terminus16_is_read_as_psf1_with_512_glyphs_of_8x16(void **state)
{
	struct psf_font font;

	parse_ok(&font, &small);
	assert_int_equal(font.version, 1);
	assert_int_equal(font.glyph_count, 512);
	assert_int_equal(font.width, 8);
	assert_int_equal(font.height, 16);
	assert_int_equal(font.row_bytes, 1);
	assert_int_equal(font.glyph_bytes, 16);
	assert_true(font.has_table);
	assert_ptr_equal(font.glyphs, small.data + 4);
}

static void terminus32_is_read_as_psf2_with_512_glyphs_of_16x32(void **state)
{
	struct psf_font font;

	parse_ok(&font, &large);
	assert_int_equal(font.version, 2);
	assert_int_equal(font.glyph_count, 512);
	assert_int_equal(font.width, 16);
	assert_int_equal(font.height, 32);
	assert_int_equal(font.row_bytes, 2);
	assert_int_equal(font.glyph_bytes, 64);
	assert_true(font.has_table);
	assert_ptr_equal(font.glyphs, large.data + 32);
}

static void ascii_latin1_box_drawing_and_euro_find_their_glyphs(void **state)
{
	struct psf_font font;

	parse_ok(&font, &small);
	assert_int_equal(psf_lookup(&font, 'A'), 65);
	assert_int_equal(psf_lookup(&font, 0xe9), 130);      /* é */
	assert_int_equal(psf_lookup(&font, 0x2500), 196);    /* ─ */
	assert_int_equal(psf_lookup(&font, 0x20ac), 284);    /* € */
	assert_ptr_equal(psf_glyph(&font, 'A'), small.data + 4 + 65 * 16);
	parse_ok(&font, &large);
	assert_int_equal(psf_lookup(&font, 'A'), 65);
	assert_int_equal(psf_lookup(&font, 0xe9), 130);
	assert_int_equal(psf_lookup(&font, 0x2500), 196);
	assert_int_equal(psf_lookup(&font, 0x20ac), 272);
	assert_ptr_equal(psf_glyph(&font, 0x2500), large.data + 32 + 196 * 64);
}

/*
 * The oracle: walk the table the slow way; the first glyph listing a code
 * point (outside sequences) must be what the lookup returns. Returns how
 * many distinct code points the table lists.
 */
static size_t check_against_table(const struct psf_font *font, const uint8_t *t,
				  const uint8_t *end)
{
	static uint8_t seen[0x110000 / 8];
	uint32_t glyph = 0, cp = 0;
	size_t distinct = 0;
	bool seq = false;
	int n;

	memset(seen, 0, sizeof(seen));
	while (t < end && glyph < font->glyph_count) {
		if (font->version == 1) {
			cp = t[0] | (uint32_t)t[1] << 8;
			n = 2;
		} else if (*t == 0xff || *t == 0xfe) {
			cp = *t == 0xff ? 0xffff : 0xfffe;
			n = 1;
		} else {
			n = utf8_decode(t, (size_t)(end - t), &cp);
			assert_true(n > 0);
		}
		t += n;
		if (cp == 0xffff) {
			glyph++;
			seq = false;
		} else if (cp == 0xfffe) {
			seq = true;
		} else if (!seq && !(seen[cp / 8] & (1 << cp % 8))) {
			seen[cp / 8] |= (uint8_t)(1 << cp % 8);
			distinct++;
			assert_int_equal(psf_lookup(font, cp), glyph);
		}
	}
	assert_int_equal(glyph, font->glyph_count);
	return distinct;
}

/* Terminus lists 791 code points: 191 below 256, 600 above. */
static void every_code_point_in_the_tables_finds_the_first_glyph_listing_it(void **state)
{
	struct psf_font font;

	parse_ok(&font, &small);
	assert_int_equal(check_against_table(&font, small.data + 4 + 512 * 16,
					     small.data + small.size), 791);
	assert_int_equal(font.map_count, 600);
	parse_ok(&font, &large);
	assert_int_equal(check_against_table(&font, large.data + 32 + 512 * 64,
					     large.data + large.size), 791);
	assert_int_equal(font.map_count, 600);
}

static void the_map_above_255_is_sorted_without_repeats(void **state)
{
	struct psf_font font;
	size_t i;

	parse_ok(&font, &small);
	assert_ptr_equal(font.map, map);
	for (i = 0; i < font.map_count; i++) {
		assert_true(font.map[i].cp >= 256);
		if (i > 0)
			assert_true(font.map[i - 1].cp < font.map[i].cp);
	}
}

static void unknown_code_points_draw_the_replacement_glyph(void **state)
{
	struct psf_font font;

	parse_ok(&font, &small);
	assert_int_equal(psf_lookup(&font, 0xfffd), 4);
	assert_int_equal(font.fallback, 4);
	assert_int_equal(psf_lookup(&font, 0x1f600), -E_NOENT);
	assert_int_equal(psf_lookup(&font, 0x10ffff), -E_NOENT);
	assert_int_equal(psf_lookup(&font, 0xffffffff), -E_NOENT);
	assert_ptr_equal(psf_glyph(&font, 0x1f600), psf_glyph_bitmap(&font, 4));
	assert_ptr_equal(psf_glyph(&font, 0x1f600), psf_glyph(&font, 0xfffd));
}

/* ---- malformed input --------------------------------------------------------------- */

static void a_bad_magic_or_an_empty_file_is_rejected(void **state)
{
	static const uint8_t junk[64] = { 0x37, 0x04, 0x02, 0x10 };
	struct psf_font font;
	uint8_t buf[4096];
	size_t n;

	assert_int_equal(psf_parse(&font, junk, sizeof(junk), map, MAP_CAP), -E_INVAL);
	assert_int_equal(psf_parse(&font, junk, 0, map, MAP_CAP), -E_INVAL);
	n = make_psf2(buf, 2, 8, 8, NULL, 0);
	buf[3] ^= 1;
	assert_int_equal(psf_parse(&font, buf, n, map, MAP_CAP), -E_INVAL);
}

/* Every prefix is cut inside the header, the glyphs or the table. */
static void check_prefixes(const struct font_file *f)
{
	struct psf_font font;
	size_t n;
	int err;

	for (n = 0; n < f->size; n++) {
		err = psf_parse(&font, f->data, n, map, MAP_CAP);
		if (err != -E_INVAL)
			fail_msg("%s cut to %zu of %zu bytes: %d", f->name, n, f->size, err);
	}
}

static void every_truncated_prefix_of_the_real_fonts_is_rejected(void **state)
{
	check_prefixes(&small);
	check_prefixes(&large);
}

static void a_table_with_more_code_points_than_the_map_holds_is_refused(void **state)
{
	struct psf_font font;

	assert_int_equal(psf_parse(&font, small.data, small.size, map, 599), -E_NOSPC);
	assert_int_equal(psf_parse(&font, large.data, large.size, map, 599), -E_NOSPC);
	assert_int_equal(psf_parse(&font, small.data, small.size, map, 0), -E_NOSPC);
	assert_int_equal(psf_parse(&font, small.data, small.size, map, 600), 0);
	assert_int_equal(font.map_count, 600);
}

static void psf2_header_fields_are_checked(void **state)
{
	static const struct { unsigned off; uint32_t value; } bad[] = {
		{ 4, 1 },                /* version */
		{ 8, 31 },               /* header shorter than 32 */
		{ 8, 100000 },           /* header past the end */
		{ 16, 0 },               /* no glyphs */
		{ 16, 0x10000 },         /* more than 16-bit indices */
		{ 16, 0xffffffff },      /* glyph data size overflows */
		{ 20, 7 },               /* charsize != height * row bytes */
		{ 24, 0 },               /* height 0 */
		{ 24, 257 },             /* height above PSF_MAX_DIM */
		{ 28, 0 },               /* width 0 */
		{ 28, 257 },             /* width above PSF_MAX_DIM */
		{ 28, 9 },               /* 9 wide needs 2 bytes a row: charsize off */
	};
	struct psf_font font;
	uint8_t buf[4096];
	size_t n, i;

	n = make_psf2(buf, 3, 8, 8, NULL, 0);
	assert_int_equal(psf_parse(&font, buf, n, map, MAP_CAP), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = make_psf2(buf, 3, 8, 8, NULL, 0);
		put32(buf + bad[i].off, bad[i].value);
		if (psf_parse(&font, buf, n, map, MAP_CAP) != -E_INVAL)
			fail_msg("field at %u = %u accepted", bad[i].off, bad[i].value);
	}
}

static void a_longer_psf2_header_is_skipped(void **state)
{
	struct psf_font font;
	uint8_t buf[4096];
	size_t n = make_psf2(buf, 2, 8, 4, NULL, 0);

	memmove(buf + 40, buf + 32, n - 32);
	put32(buf + 8, 40);
	assert_int_equal(psf_parse(&font, buf, n + 8, map, MAP_CAP), 0);
	assert_ptr_equal(font.glyphs, buf + 40);
	assert_int_equal(psf_glyph_bitmap(&font, 1)[0], 2);
}

static void psf1_unknown_mode_bits_and_zero_height_are_rejected(void **state)
{
	struct psf_font font;
	uint8_t buf[16384];
	size_t n;

	n = make_psf1(buf, 0x08, 8, NULL, 0);
	assert_int_equal(psf_parse(&font, buf, n, map, MAP_CAP), -E_INVAL);
	n = make_psf1(buf, 0x00, 8, NULL, 0);
	buf[3] = 0;
	assert_int_equal(psf_parse(&font, buf, n, map, MAP_CAP), -E_INVAL);
	assert_int_equal(psf_parse(&font, buf, 3, map, MAP_CAP), -E_INVAL);
}

static void malformed_utf8_in_a_psf2_table_is_rejected(void **state)
{
	struct psf_font font;
	uint8_t buf[4096];
	size_t n;

	n = make_psf2(buf, 2, 8, 8, TABLE("a\xff" "\xc0\x80\xff"));
	assert_int_equal(psf_parse(&font, buf, n, map, MAP_CAP), -E_INVAL);
	n = make_psf2(buf, 2, 8, 8, TABLE("a\xff" "\xed\xa0\x80\xff"));
	assert_int_equal(psf_parse(&font, buf, n, map, MAP_CAP), -E_INVAL);
	n = make_psf2(buf, 2, 8, 8, TABLE("a\xff" "\xe2\x94"));
	assert_int_equal(psf_parse(&font, buf, n, map, MAP_CAP), -E_INVAL);
}

/* ---- table semantics --------------------------------------------------------------- */

static void sequences_in_a_table_are_skipped(void **state)
{
	static const uint16_t t1[] = { 'a', 0xfffe, 'b', 0x301, 0xffff, 'c', 0xffff };
	struct psf_font font;
	uint8_t buf[16384];
	size_t n;

	n = make_psf1(buf, 0x02, 8, t1, 7);
	assert_int_equal(psf_parse(&font, buf, n, map, MAP_CAP), -E_INVAL); /* 254 glyphs lack entries */
	n = make_psf1(buf, 0x02, 8, t1, 7);
	for (size_t i = 2; i < 256; i++, n += 2)
		buf[n] = buf[n + 1] = 0xff;
	assert_int_equal(psf_parse(&font, buf, n, map, MAP_CAP), 0);
	assert_int_equal(psf_lookup(&font, 'a'), 0);
	assert_int_equal(psf_lookup(&font, 'b'), -E_NOENT);
	assert_int_equal(psf_lookup(&font, 0x301), -E_NOENT);
	assert_int_equal(psf_lookup(&font, 'c'), 1);

	n = make_psf2(buf, 2, 8, 8, TABLE("a\xfe" "b\xcc\x81\xff" "\xe2\x94\x80\xff"));
	assert_int_equal(psf_parse(&font, buf, n, map, MAP_CAP), 0);
	assert_int_equal(psf_lookup(&font, 'a'), 0);
	assert_int_equal(psf_lookup(&font, 'b'), -E_NOENT);
	assert_int_equal(psf_lookup(&font, 0x301), -E_NOENT);
	assert_int_equal(psf_lookup(&font, 0x2500), 1);
}

static void a_code_point_listed_twice_maps_to_the_lower_glyph(void **state)
{
	struct psf_font font;
	uint8_t buf[4096];
	size_t n;

	n = make_psf2(buf, 3, 8, 8, TABLE("\xe2\x94\x80" "x\xff" "x\xe2\x94\x80\xff" "\xe2\x94\x80" "\xff"));
	assert_int_equal(psf_parse(&font, buf, n, map, MAP_CAP), 0);
	assert_int_equal(psf_lookup(&font, 'x'), 0);
	assert_int_equal(psf_lookup(&font, 0x2500), 0);
	assert_int_equal(font.map_count, 1);
}

static void the_fallback_is_the_question_mark_without_u_fffd_else_glyph_0(void **state)
{
	struct psf_font font;
	uint8_t buf[4096];
	size_t n;

	n = make_psf2(buf, 3, 8, 8, TABLE("a\xff" "b\xff" "?\xff"));
	assert_int_equal(psf_parse(&font, buf, n, map, MAP_CAP), 0);
	assert_int_equal(font.fallback, 2);
	assert_ptr_equal(psf_glyph(&font, 'z'), psf_glyph_bitmap(&font, 2));
	n = make_psf2(buf, 3, 8, 8, TABLE("a\xff" "b\xff" "c\xff"));
	assert_int_equal(psf_parse(&font, buf, n, map, MAP_CAP), 0);
	assert_int_equal(font.fallback, 0);
}

static void a_font_without_a_table_maps_code_points_below_256_to_glyph_indices(void **state)
{
	struct psf_font font;
	uint8_t buf[16384];
	size_t n;

	n = make_psf1(buf, 0x01, 8, NULL, 0);
	assert_int_equal(psf_parse(&font, buf, n, NULL, 0), 0);
	assert_false(font.has_table);
	assert_int_equal(font.glyph_count, 512);
	assert_int_equal(psf_lookup(&font, 'A'), 'A');
	assert_int_equal(psf_lookup(&font, 255), 255);
	assert_int_equal(psf_lookup(&font, 300), -E_NOENT);
	assert_int_equal(psf_glyph(&font, 'A')[0], 'A');

	n = make_psf2(buf, 3, 8, 8, NULL, 0);
	assert_int_equal(psf_parse(&font, buf, n, NULL, 0), 0);
	assert_int_equal(psf_lookup(&font, 2), 2);
	assert_int_equal(psf_lookup(&font, 3), -E_NOENT);
}

static void glyph_bitmaps_are_found_by_index_with_wide_rows(void **state)
{
	struct psf_font font;
	uint8_t buf[4096];
	size_t n = make_psf2(buf, 4, 12, 5, TABLE("\xff\xff\xff" "A\xff"));

	assert_int_equal(psf_parse(&font, buf, n, map, MAP_CAP), 0);
	assert_int_equal(font.row_bytes, 2);
	assert_int_equal(font.glyph_bytes, 10);
	assert_ptr_equal(psf_glyph(&font, 'A'), buf + 32 + 3 * 10);
	assert_int_equal(psf_glyph(&font, 'A')[9], 4);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(terminus16_is_read_as_psf1_with_512_glyphs_of_8x16),
		cmocka_unit_test(terminus32_is_read_as_psf2_with_512_glyphs_of_16x32),
		cmocka_unit_test(ascii_latin1_box_drawing_and_euro_find_their_glyphs),
		cmocka_unit_test(every_code_point_in_the_tables_finds_the_first_glyph_listing_it),
		cmocka_unit_test(the_map_above_255_is_sorted_without_repeats),
		cmocka_unit_test(unknown_code_points_draw_the_replacement_glyph),
		cmocka_unit_test(a_bad_magic_or_an_empty_file_is_rejected),
		cmocka_unit_test(every_truncated_prefix_of_the_real_fonts_is_rejected),
		cmocka_unit_test(a_table_with_more_code_points_than_the_map_holds_is_refused),
		cmocka_unit_test(psf2_header_fields_are_checked),
		cmocka_unit_test(a_longer_psf2_header_is_skipped),
		cmocka_unit_test(psf1_unknown_mode_bits_and_zero_height_are_rejected),
		cmocka_unit_test(malformed_utf8_in_a_psf2_table_is_rejected),
		cmocka_unit_test(sequences_in_a_table_are_skipped),
		cmocka_unit_test(a_code_point_listed_twice_maps_to_the_lower_glyph),
		cmocka_unit_test(the_fallback_is_the_question_mark_without_u_fffd_else_glyph_0),
		cmocka_unit_test(a_font_without_a_table_maps_code_points_below_256_to_glyph_indices),
		cmocka_unit_test(glyph_bitmaps_are_found_by_index_with_wide_rows),
	};

	if (argc < 1 || load_font(argv[0], &small) || load_font(argv[0], &large))
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
