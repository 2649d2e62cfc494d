/*
 * The console's framebuffer back end: draws each cell as a PSF glyph in one
 * of 16 colours, on RGBX, BGRX and bitmask modes of 8, 16, 24 or 32 bits per
 * pixel, honouring any pitch. It never reads the framebuffer: a shadow grid
 * records what every cell on the screen shows, and a cell is drawn only when
 * it differs, so scrolling is a redraw of the cells that changed.
 *
 * Context: called through the console (task context, serialised by it).
 */
#ifndef EMBER_KERNEL_FBCON_H
#define EMBER_KERNEL_FBCON_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel/boot_info.h"
#include "kernel/console/console.h"
#include "lib/psf.h"

#define FBCON_MAX_FONT_WIDTH 32      /* glyph rows are handled as 32-bit words */

struct fbcon {
	uint8_t *pixels;             /* top-left pixel */
	uint32_t width, height;      /* visible pixels */
	uint32_t pitch;              /* bytes from one scan line to the next */
	uint32_t bytes;              /* bytes per pixel, 1..4 */
	unsigned cols, rows;         /* cells shown: top-left part of the mode */
	const struct psf_font *font;
	uint32_t colours[16];        /* fbcon_palette encoded as pixel values */
	/* 32 bpp: the 4 pixels of each 4-bit glyph slice in colours nib_fg/nib_bg */
	uint64_t nib[16][2];
	uint8_t nib_fg, nib_bg;
	bool nib_valid;
	struct console_cell shadow[CONSOLE_MAX_CELLS]; /* what each cell shows */
};

/* The 16 console colours as 0xRRGGBB (the VGA text-mode palette). */
extern const uint32_t fbcon_palette[16];

/* draw_cell = fbcon_draw_cell; the context is a struct fbcon. */
extern const struct console_ops fbcon_ops;

/*
 * Draw on the mode described by mode, whose first pixel is at pixels (the
 * kernel passes the mapping in mode->virt, tests any buffer), with font. The
 * visible area is painted in the default background and every cell counts as
 * blank. Returns 0; -E_NODEV for FB_NONE or an unknown format; -E_INVAL for
 * bad masks, bpp, pitch or size, or a font wider than FBCON_MAX_FONT_WIDTH;
 * -E_RANGE if not one cell fits.
 */
int fbcon_init(struct fbcon *fb, const struct boot_framebuffer *mode,
	       void *pixels, const struct psf_font *font);

/* Show cell at (x, y) unless the screen already shows it; outside: ignored. */
void fbcon_draw_cell(void *ctx, unsigned x, unsigned y,
		     const struct console_cell *cell);

/*
 * Font rule: the 16x32 font when the mode is at least 1920 pixels wide or
 * 1200 high, where 8x16 cells (240+ columns or 75+ rows) get too small to
 * read; 1920x1080 then gives 120x33 cells, 1280x800 keeps 8x16 for 160x50.
 */
bool fbcon_wants_large_font(const struct boot_framebuffer *mode);

/*
 * The Terminus fonts font_data.S embeds (8x16 and 16x32 PSF). The kernel must
 * link them; host tests link the console without them (weak, NULL there).
 */
#ifdef EMBER_HOST
#define FONT_LINKAGE __attribute__((weak))
#else
#define FONT_LINKAGE
#endif
extern const uint8_t font_terminus16_start[] FONT_LINKAGE;
extern const uint8_t font_terminus16_end[] FONT_LINKAGE;
extern const uint8_t font_terminus32_start[] FONT_LINKAGE;
extern const uint8_t font_terminus32_end[] FONT_LINKAGE;

#endif
