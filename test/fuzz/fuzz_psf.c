/*
 * Fuzz target: PSF1/PSF2 font parsing (lib/psf.c). The whole input is the
 * font file. An accepted font must have its glyphs inside the data, sane
 * dimensions, a sorted map of unique code points >= 256 with glyphs in range,
 * and psf_lookup must agree with a reference walk of the Unicode table
 * written here (the lowest glyph listing a code point wins, code points after
 * a sequence mark do not count). A small map capacity may only make a parse
 * fail with -E_NOSPC instead of the full result, nothing else.
 */
#include <string.h>

#include "lib/errno.h"
#include "lib/psf.h"
#include "lib/utf8.h"
#include "test/fuzz/fuzz.h"

#define BIG_CAP   8192
#define REF_MAX   4096

struct pair { uint32_t cp, glyph; };

/* Reference table walk. Returns pairs found, or -1 if the table is malformed. */
static int ref_table(const uint8_t *p, const uint8_t *end, uint32_t version,
		     uint32_t glyphs, struct pair *out)
{
	int n = 0;

	for (uint32_t g = 0; g < glyphs; g++) {
		int seq = 0;

		for (;;) {
			uint32_t cp;

			if (version == 1) {
				if (end - p < 2)
					return -1;
				cp = p[0] | p[1] << 8;
				p += 2;
				if (cp == 0xffff)
					break;
				if (cp == 0xfffe) {
					seq = 1;
					continue;
				}
			} else {
				int len;

				if (p == end)
					return -1;
				if (*p == 0xff || *p == 0xfe) {
					if (*p++ == 0xff)
						break;
					seq = 1;
					continue;
				}
				len = utf8_decode(p, (size_t)(end - p), &cp);
				if (len < 0)
					return -1;
				p += len;
			}
			if (!seq && n < REF_MAX)
				out[n++] = (struct pair){ cp, g };
		}
	}
	return n;
}

static int ref_lookup(const struct pair *r, int n, uint32_t cp)
{
	for (int i = 0; i < n; i++)
		if (r[i].cp == cp)
			return (int)r[i].glyph;   /* glyphs are walked in order */
	return -E_NOENT;
}

static void check_font(const struct psf_font *f, const uint8_t *d, size_t size)
{
	const uint8_t *end = f->glyphs + (size_t)f->glyph_count * f->glyph_bytes;

	FUZZ_CHECK(f->version == 1 || f->version == 2);
	if (f->version == 1)
		FUZZ_CHECK(f->glyph_count == 256 || f->glyph_count == 512);
	else
		FUZZ_CHECK(f->glyph_count >= 1 && f->glyph_count <= PSF_MAX_GLYPHS);
	FUZZ_CHECK(f->width >= 1 && f->width <= PSF_MAX_DIM);
	FUZZ_CHECK(f->height >= 1 && f->height <= PSF_MAX_DIM);
	FUZZ_CHECK(f->row_bytes == (f->width + 7) / 8);
	FUZZ_CHECK(f->glyph_bytes == f->height * f->row_bytes);
	FUZZ_CHECK(f->glyphs >= d && end <= d + size);
	FUZZ_CHECK(f->fallback < f->glyph_count);
	for (size_t i = 0; i < f->map_count; i++) {
		FUZZ_CHECK(f->map[i].cp >= 256 && f->map[i].glyph < f->glyph_count);
		FUZZ_CHECK(i == 0 || f->map[i - 1].cp < f->map[i].cp);
	}
	for (uint32_t cp = 0; cp < 256; cp++) {
		const uint8_t *g = psf_glyph(f, cp);

		FUZZ_CHECK(g >= f->glyphs && g + f->glyph_bytes <= end);
	}
}

/* Table starts after the glyphs; version and count come from the parsed font. */
static void check_against_reference(const struct psf_font *f, const uint8_t *d,
				    size_t size, struct pair *ref)
{
	const uint8_t *table = f->glyphs + (size_t)f->glyph_count * f->glyph_bytes;
	int n;

	if (!f->has_table) {
		for (uint32_t cp = 0; cp < 300; cp++)
			FUZZ_CHECK(psf_lookup(f, cp) == (cp < 256 && cp < f->glyph_count ?
							 (int)cp : -E_NOENT));
		return;
	}
	n = ref_table(table, d + size, f->version, f->glyph_count, ref);
	FUZZ_CHECK(n >= 0);
	for (int i = 0; i < n; i++) {
		FUZZ_CHECK(psf_lookup(f, ref[i].cp) == ref_lookup(ref, n, ref[i].cp));
		FUZZ_CHECK(psf_lookup(f, ref[i].cp + 1) == ref_lookup(ref, n, ref[i].cp + 1));
	}
	if (n < REF_MAX)
		FUZZ_CHECK(f->map_count <= (size_t)n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pair ref[REF_MAX];
	struct psf_map_entry *map = malloc(BIG_CAP * sizeof(*map));
	size_t small_cap = size % 7;
	struct psf_map_entry *small = malloc((small_cap ? small_cap : 1) * sizeof(*small));
	uint8_t *d = malloc(size ? size : 1);
	struct psf_font f, g;
	int err, err_small;

	memcpy(d, data, size);
	err = psf_parse(&f, d, size, map, BIG_CAP);
	FUZZ_CHECK(err == 0 || err == -E_INVAL || err == -E_NOSPC);
	if (err == 0) {
		check_font(&f, d, size);
		check_against_reference(&f, d, size, ref);
	}
	err_small = psf_parse(&g, d, size, small, small_cap);
	FUZZ_CHECK(err_small == err || err_small == -E_NOSPC);
	if (err_small == 0)
		check_font(&g, d, size);
	free(d);
	free(small);
	free(map);
	return 0;
}
