/*
 * Framebuffer console back end. A pixel is the colour's channel values
 * scaled to each mask's width and shifted into place, stored little-endian
 * in 1..4 bytes; RGBX and BGRX are bitmask modes with fixed masks. Only
 * writes reach the framebuffer (reads of write-combining memory are slow, and
 * some framebuffers do not read back at all): the shadow grid answers "what
 * is on the screen". Context: see the header.
 */
#include "kernel/console/fbcon.h"
#include "lib/compiler.h"
#include "lib/errno.h"

const uint32_t fbcon_palette[16] = {
	0x000000, 0xaa0000, 0x00aa00, 0xaa5500, 0x0000aa, 0xaa00aa, 0x00aaaa, 0xaaaaaa,
	0x555555, 0xff5555, 0x55ff55, 0xffff55, 0x5555ff, 0xff55ff, 0x55ffff, 0xffffff,
};

const struct console_ops fbcon_ops = {
	.draw_cell = fbcon_draw_cell,
};

/* Where one colour channel sits in a pixel. */
struct fbcon_channel {
	uint32_t shift, bits;
};

/* A mask must be non-empty, contiguous and inside the pixel's bits. */
static int fbcon_channel(uint32_t mask, uint32_t bpp, struct fbcon_channel *ch)
{
	uint32_t m;

	if (mask == 0 || (bpp < 32 && (mask >> bpp)))
		return -E_INVAL;
	ch->shift = (uint32_t)__builtin_ctz(mask);
	m = mask >> ch->shift;
	if (m & (m + 1))
		return -E_INVAL;
	for (ch->bits = 0; m; m >>= 1)
		ch->bits++;
	return 0;
}

/* An 8-bit channel value scaled, rounded, to the channel's width. */
static uint32_t fbcon_scale(uint32_t v8, const struct fbcon_channel *ch)
{
	uint64_t max = (1ull << ch->bits) - 1;

	return (uint32_t)((v8 * max + 127) / 255) << ch->shift;
}

/* Masks and bytes per pixel of the mode; RGBX/BGRX have fixed ones. */
static int fbcon_masks(const struct boot_framebuffer *mode, uint32_t m[3], uint32_t *bpp)
{
	*bpp = mode->bpp;
	if (mode->format == FB_RGBX || mode->format == FB_BGRX) {
		if (*bpp != 0 && *bpp != 32)
			return -E_INVAL;
		*bpp = 32;
		m[0] = mode->format == FB_RGBX ? 0x0000ff : 0xff0000;
		m[1] = 0x00ff00;
		m[2] = mode->format == FB_RGBX ? 0xff0000 : 0x0000ff;
		return 0;
	}
	if (mode->format != FB_BITMASK)
		return -E_NODEV;
	if (*bpp != 8 && *bpp != 16 && *bpp != 24 && *bpp != 32)
		return -E_INVAL;
	m[0] = mode->red_mask;
	m[1] = mode->green_mask;
	m[2] = mode->blue_mask;
	return (m[0] & m[1]) || (m[0] & m[2]) || (m[1] & m[2]) ? -E_INVAL : 0;
}

/* Encode the palette for the mode. */
static int fbcon_encode_palette(struct fbcon *fb, const struct boot_framebuffer *mode)
{
	struct fbcon_channel ch[3];
	uint32_t masks[3], bpp, rgb;
	int i, err;

	err = fbcon_masks(mode, masks, &bpp);
	for (i = 0; i < 3 && !err; i++)
		err = fbcon_channel(masks[i], bpp, &ch[i]);
	if (err)
		return err;
	fb->bytes = bpp / 8;
	for (i = 0; i < 16; i++) {
		rgb = fbcon_palette[i];
		fb->colours[i] = fbcon_scale(rgb >> 16, &ch[0]) |
				 fbcon_scale((rgb >> 8) & 0xff, &ch[1]) |
				 fbcon_scale(rgb & 0xff, &ch[2]);
	}
	return 0;
}

/* Do the pixels the mode claims fit in pitch and size? */
static int fbcon_check_geometry(const struct fbcon *fb, const struct boot_framebuffer *mode)
{
	uint64_t row = (uint64_t)mode->width * fb->bytes;

	if (mode->width == 0 || mode->height == 0 || mode->pitch < row)
		return -E_INVAL;
	if (mode->size && (uint64_t)(mode->height - 1) * mode->pitch + row > mode->size)
		return -E_INVAL;
	return 0;
}

static inline uint32_t fbcon_pick(uint32_t bits, uint32_t fg, uint32_t bg)
{
	return (bits & 0x80000000u) ? fg : bg;
}

static inline void fbcon_put24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
}

/*
 * Store n pixels from p on: bit 31 of bits (then 30, ...) picks fg over bg.
 * One loop per pixel size so the inner loop does not branch on it; the
 * memcpy builtins compile to single (unaligned-safe) stores.
 */
static void fbcon_span(uint8_t *p, uint32_t bytes, uint32_t n, uint32_t bits,
		       uint32_t fg, uint32_t bg)
{
	uint32_t i, v;
	uint16_t v16;

	if (bytes == 4) {
		for (i = 0; i < n; i++, bits <<= 1) {
			v = fbcon_pick(bits, fg, bg);
			__builtin_memcpy(p + 4 * i, &v, 4);
		}
	} else if (bytes == 3) {
		for (i = 0; i < n; i++, bits <<= 1)
			fbcon_put24(p + 3 * i, fbcon_pick(bits, fg, bg));
	} else if (bytes == 2) {
		for (i = 0; i < n; i++, bits <<= 1) {
			v16 = (uint16_t)fbcon_pick(bits, fg, bg);
			__builtin_memcpy(p + 2 * i, &v16, 2);
		}
	} else {
		for (i = 0; i < n; i++, bits <<= 1)
			p[i] = (uint8_t)fbcon_pick(bits, fg, bg);
	}
}

/* One glyph row as a word, leftmost pixel in bit 31 (row_bytes 1..4). */
static inline uint32_t fbcon_row_bits(const uint8_t *row, uint32_t row_bytes)
{
	uint32_t bits = (uint32_t)row[0] << 24;

	if (row_bytes > 1)
		bits |= (uint32_t)row[1] << 16;
	if (row_bytes > 2)
		bits |= (uint32_t)row[2] << 8 | (row_bytes > 3 ? row[3] : 0);
	return bits;
}

/* The 16 four-pixel slices in colours fg/bg, unless the table has them. */
static void fbcon_nibbles(struct fbcon *fb, uint8_t fg, uint8_t bg)
{
	uint32_t n, j, px[4];

	if (fb->nib_valid && fb->nib_fg == fg && fb->nib_bg == bg)
		return;
	for (n = 0; n < 16; n++) {
		for (j = 0; j < 4; j++)
			px[j] = (n & (8u >> j)) ? fb->colours[fg] : fb->colours[bg];
		fb->nib[n][0] = px[0] | (uint64_t)px[1] << 32;
		fb->nib[n][1] = px[2] | (uint64_t)px[3] << 32;
	}
	fb->nib_fg = fg;
	fb->nib_bg = bg;
	fb->nib_valid = true;
}

/* 32 bpp: store a glyph row of 4 * slices pixels, four at a time. */
static void fbcon_row32(uint8_t *p, uint32_t bits, uint32_t slices,
			const uint64_t (*nib)[2])
{
	uint32_t i;

	/* 8- and 16-pixel glyphs, the usual ones, without a loop */
	if (slices == 4) {
		__builtin_memcpy(p + 32, nib[(bits >> 20) & 15], 16);
		__builtin_memcpy(p + 48, nib[(bits >> 16) & 15], 16);
	}
	if (slices == 2 || slices == 4) {
		__builtin_memcpy(p, nib[bits >> 28], 16);
		__builtin_memcpy(p + 16, nib[(bits >> 24) & 15], 16);
		return;
	}
	for (i = 0; i < slices; i++, bits <<= 4)
		__builtin_memcpy(p + 16 * i, nib[bits >> 28], 16);
}

/* What a cell shows: its glyph and its colours with the cursor applied. */
struct fbcon_look {
	const uint8_t *glyph;
	uint8_t fg, bg;
};

static struct fbcon_look fbcon_look(const struct fbcon *fb, const struct console_cell *cell)
{
	struct fbcon_look l = { psf_glyph(fb->font, cell->cp), cell->fg & 15, cell->bg & 15 };

	if (cell->flags & CONSOLE_CELL_CURSOR) {
		l.fg = cell->bg & 15;
		l.bg = cell->fg & 15;
	}
	return l;
}

/*
 * Draw cell at (x, y) over what the screen shows there (was): rows whose
 * pixels would not change are skipped, the others stored in one go.
 */
static void fbcon_paint(struct fbcon *fb, unsigned x, unsigned y,
			const struct console_cell *cell, const struct console_cell *was)
{
	const struct psf_font *font = fb->font;
	struct fbcon_look now = fbcon_look(fb, cell), old = fbcon_look(fb, was);
	uint32_t fg = fb->colours[now.fg], bg = fb->colours[now.bg], rb = font->row_bytes;
	uint8_t *line = fb->pixels + (size_t)y * font->height * fb->pitch +
			(size_t)x * font->width * fb->bytes;
	bool fast = fb->bytes == 4 && font->width % 4 == 0;
	bool same_colours = now.fg == old.fg && now.bg == old.bg;
	uint32_t r, bits;

	if (fast)
		fbcon_nibbles(fb, now.fg, now.bg);
	for (r = 0; r < font->height; r++, line += fb->pitch) {
		bits = fbcon_row_bits(now.glyph + r * rb, rb);
		if (same_colours && bits == fbcon_row_bits(old.glyph + r * rb, rb))
			continue;
		if (fast)
			fbcon_row32(line, bits, font->width / 4, fb->nib);
		else
			fbcon_span(line, fb->bytes, font->width, bits, fg, bg);
	}
}

static bool fbcon_same(const struct console_cell *a, const struct console_cell *b)
{
	return a->cp == b->cp && a->fg == b->fg && a->bg == b->bg && a->flags == b->flags;
}

void fbcon_draw_cell(void *ctx, unsigned x, unsigned y, const struct console_cell *cell)
{
	struct fbcon *fb = ctx;
	struct console_cell *seen;

	if (x >= fb->cols || y >= fb->rows)
		return;
	seen = &fb->shadow[(size_t)y * fb->cols + x];
	if (fbcon_same(seen, cell))
		return;
	fbcon_paint(fb, x, y, cell, seen);
	*seen = *cell;
	seen->pad = 0;
}

/* Paint the whole visible area and record every cell as a blank. */
static void fbcon_blank(struct fbcon *fb)
{
	struct console_cell blank = {
		.cp = ' ', .fg = CONSOLE_DEFAULT_FG, .bg = CONSOLE_DEFAULT_BG,
	};
	size_t i, n = (size_t)fb->cols * fb->rows;
	uint32_t y;

	for (y = 0; y < fb->height; y++)
		fbcon_span(fb->pixels + (size_t)y * fb->pitch, fb->bytes, fb->width, 0,
			   0, fb->colours[CONSOLE_DEFAULT_BG]);
	for (i = 0; i < n; i++)
		fb->shadow[i] = blank;
}

bool fbcon_wants_large_font(const struct boot_framebuffer *mode)
{
	return mode->width >= 1920 || mode->height >= 1200;
}

int fbcon_init(struct fbcon *fb, const struct boot_framebuffer *mode,
	       void *pixels, const struct psf_font *font)
{
	int err;

	if (mode->format == FB_NONE)
		return -E_NODEV;
	if (!pixels || !font || font->width > FBCON_MAX_FONT_WIDTH)
		return -E_INVAL;
	err = fbcon_encode_palette(fb, mode);
	if (!err)
		err = fbcon_check_geometry(fb, mode);
	if (err)
		return err;
	fb->pixels = pixels;
	fb->width = mode->width;
	fb->height = mode->height;
	fb->pitch = mode->pitch;
	fb->font = font;
	fb->nib_valid = false;
	fb->cols = MIN(mode->width / font->width, CONSOLE_MAX_COLS);
	fb->rows = MIN(mode->height / font->height, CONSOLE_MAX_ROWS);
	if (fb->cols == 0 || fb->rows == 0)
		return -E_RANGE;
	fbcon_blank(fb);
	return 0;
}
