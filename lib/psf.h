/*
 * PC Screen Font (PSF1 and PSF2) parsing and glyph lookup by code point.
 *
 * psf_parse() checks every size and offset against the data, then builds the
 * Unicode map: a direct table for code points below 256 (inside struct
 * psf_font) and a sorted array in caller-provided memory for the rest, so a
 * lookup is one load or a binary search. Nothing is allocated; the font keeps
 * pointers into the caller's data and map array, which must outlive it.
 *
 * Glyph bitmaps: height rows of row_bytes bytes each, most significant bit =
 * leftmost pixel, 1 = foreground. A font without a Unicode table maps code
 * point i to glyph i for i < 256.
 *
 * Pure: any context; a parsed font is read-only and may be shared.
 */
#ifndef EMBER_LIB_PSF_H
#define EMBER_LIB_PSF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PSF1_MAGIC       0x0436u     /* bytes 36 04 */
#define PSF2_MAGIC       0x864ab572u /* bytes 72 b5 4a 86 */
#define PSF_NO_GLYPH     0xffffu
#define PSF_MAX_GLYPHS   0xfffeu     /* glyph indices fit in 16 bits */
#define PSF_MAX_DIM      256u        /* widest and tallest glyph accepted */
#define PSF_FALLBACK_CP  0xfffdu     /* U+FFFD, else '?', else glyph 0 */

/* One code point >= 256 and its glyph. */
struct psf_map_entry {
	uint32_t cp;
	uint32_t glyph;
};

struct psf_font {
	const uint8_t *glyphs;       /* glyph_count bitmaps, glyph_bytes each */
	uint32_t version;            /* 1 or 2 */
	uint32_t glyph_count;
	uint32_t glyph_bytes;        /* height * row_bytes */
	uint32_t width, height;      /* pixels */
	uint32_t row_bytes;          /* (width + 7) / 8 */
	bool has_table;              /* the file carried a Unicode table */
	uint32_t fallback;           /* glyph drawn for unmapped code points */
	const struct psf_map_entry *map; /* code points >= 256, sorted, unique */
	size_t map_count;
	uint16_t low[256];           /* glyph of code points < 256, or PSF_NO_GLYPH */
};

/*
 * Parse the font in data[0..size) into *font, using map[0..map_cap) for the
 * code points >= 256. When one code point is listed for two glyphs, the lower
 * glyph index wins. Multi-code-point sequences in the table are skipped.
 * Returns 0, -E_INVAL (bad magic, version or header, data truncated, malformed
 * table) or -E_NOSPC (the table has more than map_cap code points >= 256).
 */
int psf_parse(struct psf_font *font, const void *data, size_t size,
	      struct psf_map_entry *map, size_t map_cap);

/* Glyph index of cp, or -E_NOENT if the font has none. */
int psf_lookup(const struct psf_font *font, uint32_t cp);

/* Bitmap of cp's glyph, or of the fallback glyph. Never NULL. */
const uint8_t *psf_glyph(const struct psf_font *font, uint32_t cp);

/* Bitmap of glyph index (must be < glyph_count). */
const uint8_t *psf_glyph_bitmap(const struct psf_font *font, uint32_t index);

#endif
