/*
 * PSF1/PSF2 font parser. Layouts (all little-endian):
 *   PSF1: 36 04, mode, charsize; 256 or 512 glyphs 8 pixels wide; the table
 *         is 16-bit UCS-2 values, FFFE starts sequences, FFFF ends a glyph.
 *   PSF2: 32-byte header (magic, version 0, header size, flags, glyph count,
 *         bytes per glyph, height, width); the table is UTF-8, FE starts
 *         sequences, FF ends a glyph.
 * Each glyph's table entry lists the code points it draws, glyphs in order.
 * Pure, any context.
 */
#include "lib/psf.h"
#include "lib/errno.h"
#include "lib/utf8.h"

#define PSF1_HEADER_SIZE  4
#define PSF1_MODE512      0x01
#define PSF1_MODEHASTAB   0x02
#define PSF1_MODESEQ      0x04
#define PSF1_END          0xffffu
#define PSF1_SEQ          0xfffeu

#define PSF2_HEADER_SIZE  32
#define PSF2_HAS_TABLE    0x01
#define PSF2_END          0xffu
#define PSF2_SEQ          0xfeu

/* What the next item of a glyph's table entry is. */
enum psf_token { PSF_TOK_CP, PSF_TOK_SEQ, PSF_TOK_END };

/* The Unicode table still to read, and how it is coded. */
struct psf_table {
	const uint8_t *pos, *end;
	uint32_t version;
};

static uint32_t psf_le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Common tail of both headers: do the glyphs fit, where does the table start. */
static int psf_place(struct psf_font *font, const uint8_t *data, size_t size,
		     size_t offset, struct psf_table *t)
{
	uint64_t bytes = (uint64_t)font->glyph_count * font->glyph_bytes;

	if (offset > size || bytes > size - offset)
		return -E_INVAL;
	font->glyphs = data + offset;
	t->pos = data + offset + bytes;
	t->end = data + size;
	t->version = font->version;
	return 0;
}

static int psf1_header(struct psf_font *font, const uint8_t *d, size_t size,
		       struct psf_table *t)
{
	uint8_t mode;

	if (size < PSF1_HEADER_SIZE)
		return -E_INVAL;
	mode = d[2];
	if ((mode & ~0x07) || d[3] == 0)
		return -E_INVAL;
	font->version = 1;
	font->glyph_count = (mode & PSF1_MODE512) ? 512 : 256;
	font->width = 8;
	font->height = d[3];
	font->row_bytes = 1;
	font->glyph_bytes = d[3];
	font->has_table = (mode & (PSF1_MODEHASTAB | PSF1_MODESEQ)) != 0;
	return psf_place(font, d, size, PSF1_HEADER_SIZE, t);
}

static int psf2_header(struct psf_font *font, const uint8_t *d, size_t size,
		       struct psf_table *t)
{
	uint32_t hsize = psf_le32(d + 8), count = psf_le32(d + 16);
	uint32_t charsize = psf_le32(d + 20);
	uint32_t height = psf_le32(d + 24), width = psf_le32(d + 28);

	if (psf_le32(d + 4) != 0 || hsize < PSF2_HEADER_SIZE || hsize > size)
		return -E_INVAL;
	if (count == 0 || count > PSF_MAX_GLYPHS)
		return -E_INVAL;
	if (width == 0 || width > PSF_MAX_DIM || height == 0 || height > PSF_MAX_DIM)
		return -E_INVAL;
	font->version = 2;
	font->glyph_count = count;
	font->width = width;
	font->height = height;
	font->row_bytes = (width + 7) / 8;
	font->glyph_bytes = height * font->row_bytes;
	if (charsize != font->glyph_bytes)
		return -E_INVAL;
	font->has_table = (psf_le32(d + 12) & PSF2_HAS_TABLE) != 0;
	return psf_place(font, d, size, hsize, t);
}

/* Read one item of the table: a code point, a sequence start or the end. */
static int psf_next(struct psf_table *t, uint32_t *cp)
{
	uint32_t v;
	int n;

	if (t->version == 1) {
		if (t->end - t->pos < 2)
			return -E_INVAL;
		v = t->pos[0] | (uint32_t)t->pos[1] << 8;
		t->pos += 2;
		if (v == PSF1_END)
			return PSF_TOK_END;
		*cp = v;
		return v == PSF1_SEQ ? PSF_TOK_SEQ : PSF_TOK_CP;
	}
	if (t->pos == t->end)
		return -E_INVAL;
	if (*t->pos == PSF2_END || *t->pos == PSF2_SEQ)
		return *t->pos++ == PSF2_END ? PSF_TOK_END : PSF_TOK_SEQ;
	n = utf8_decode(t->pos, (size_t)(t->end - t->pos), cp);
	if (n < 0)
		return n;
	t->pos += n;
	return PSF_TOK_CP;
}

/* Record "cp is drawn by glyph": glyphs come in order, so the first wins. */
static int psf_add(struct psf_font *font, struct psf_map_entry *map,
		   size_t cap, size_t *count, uint32_t cp, uint32_t glyph)
{
	if (cp < 256) {
		if (font->low[cp] == PSF_NO_GLYPH)
			font->low[cp] = (uint16_t)glyph;
		return 0;
	}
	if (*count == cap)
		return -E_NOSPC;
	map[*count].cp = cp;
	map[*count].glyph = glyph;
	(*count)++;
	return 0;
}

/* Walk one entry per glyph; code points after a sequence mark are skipped. */
static int psf_read_table(struct psf_font *font, struct psf_table *t,
			  struct psf_map_entry *map, size_t cap, size_t *count)
{
	uint32_t glyph, cp = 0;
	bool in_seq;
	int tok, err;

	for (glyph = 0; glyph < font->glyph_count; glyph++) {
		in_seq = false;
		while ((tok = psf_next(t, &cp)) != PSF_TOK_END) {
			if (tok < 0)
				return tok;
			if (tok == PSF_TOK_SEQ)
				in_seq = true;
			else if (!in_seq && (err = psf_add(font, map, cap, count, cp, glyph)))
				return err;
		}
	}
	return 0;
}

static bool psf_entry_less(const struct psf_map_entry *a, const struct psf_map_entry *b)
{
	return a->cp != b->cp ? a->cp < b->cp : a->glyph < b->glyph;
}

static void psf_sift_down(struct psf_map_entry *m, size_t root, size_t n)
{
	struct psf_map_entry tmp;
	size_t child;

	while ((child = 2 * root + 1) < n) {
		if (child + 1 < n && psf_entry_less(&m[child], &m[child + 1]))
			child++;
		if (!psf_entry_less(&m[root], &m[child]))
			return;
		tmp = m[root];
		m[root] = m[child];
		m[child] = tmp;
		root = child;
	}
}

/* Heapsort by (code point, glyph): O(n log n) with no recursion or memory. */
static void psf_sort(struct psf_map_entry *m, size_t n)
{
	struct psf_map_entry tmp;
	size_t i;

	for (i = n / 2; i-- > 0;)
		psf_sift_down(m, i, n);
	for (i = n; i-- > 1;) {
		tmp = m[0];
		m[0] = m[i];
		m[i] = tmp;
		psf_sift_down(m, 0, i);
	}
}

/* Drop repeated code points of a sorted map, keeping the lowest glyph. */
static size_t psf_unique(struct psf_map_entry *m, size_t n)
{
	size_t i, out = 0;

	for (i = 0; i < n; i++)
		if (out == 0 || m[out - 1].cp != m[i].cp)
			m[out++] = m[i];
	return out;
}

static uint32_t psf_pick_fallback(const struct psf_font *font)
{
	int g = psf_lookup(font, PSF_FALLBACK_CP);

	if (g < 0)
		g = psf_lookup(font, '?');
	return g < 0 ? 0 : (uint32_t)g;
}

int psf_parse(struct psf_font *font, const void *data, size_t size,
	      struct psf_map_entry *map, size_t map_cap)
{
	const uint8_t *d = data;
	struct psf_table t;
	size_t i, count = 0;
	int err;

	if (size >= 2 && (d[0] | d[1] << 8) == PSF1_MAGIC)
		err = psf1_header(font, d, size, &t);
	else if (size >= PSF2_HEADER_SIZE && psf_le32(d) == PSF2_MAGIC)
		err = psf2_header(font, d, size, &t);
	else
		err = -E_INVAL;
	if (err)
		return err;
	for (i = 0; i < 256; i++)
		font->low[i] = PSF_NO_GLYPH;
	if (font->has_table) {
		err = psf_read_table(font, &t, map, map_cap, &count);
		if (err)
			return err;
	} else {
		for (i = 0; i < 256 && i < font->glyph_count; i++)
			font->low[i] = (uint16_t)i;
	}
	psf_sort(map, count);
	font->map = map;
	font->map_count = psf_unique(map, count);
	font->fallback = psf_pick_fallback(font);
	return 0;
}

int psf_lookup(const struct psf_font *font, uint32_t cp)
{
	size_t lo = 0, hi = font->map_count, mid;

	if (cp < 256)
		return font->low[cp] == PSF_NO_GLYPH ? -E_NOENT : font->low[cp];
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (font->map[mid].cp == cp)
			return (int)font->map[mid].glyph;
		if (font->map[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -E_NOENT;
}

const uint8_t *psf_glyph_bitmap(const struct psf_font *font, uint32_t index)
{
	return font->glyphs + (size_t)index * font->glyph_bytes;
}

const uint8_t *psf_glyph(const struct psf_font *font, uint32_t cp)
{
	int g = psf_lookup(font, cp);

	return psf_glyph_bitmap(font, g < 0 ? font->fallback : (uint32_t)g);
}
