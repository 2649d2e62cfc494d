/*
 * The console's VGA text back end: 80x25 cells of two bytes (a character in
 * code page 437 and an attribute: foreground in bits 0-3, background in bits
 * 4-7, blinking off) in a buffer given at init, which is the VGA's text
 * memory in the kernel and plain memory in tests. The cursor is the VGA's
 * own, moved through a hook. It also prepares what the VGA needs loaded:
 * the 256 glyphs of code page 437 taken from an 8x16 PSF font, and the 16
 * colours as DAC values. Never reads the buffer back.
 *
 * Context: called through the console (task context, serialised by it).
 */
#ifndef EMBER_KERNEL_VGACON_H
#define EMBER_KERNEL_VGACON_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel/console/console.h"
#include "lib/psf.h"

#define VGACON_COLS         80
#define VGACON_ROWS         25
#define VGACON_FONT_HEIGHT  16                          /* 8x16 glyphs */
#define VGACON_FONT_BYTES   (256 * VGACON_FONT_HEIGHT)  /* one byte per glyph row */
#define VGACON_UNKNOWN      '?'                         /* for code points outside CP437 */

struct vgacon {
	volatile uint16_t *cells;    /* rows x cols, row-major */
	unsigned cols, rows;
	/* hardware cursor: show at cell offset y * cols + x, or hide; may be NULL */
	void (*cursor)(bool visible, unsigned offset);
};

/* draw_cell = vgacon_draw_cell, set_cursor = vgacon_set_cursor; context: struct vgacon. */
extern const struct console_ops vgacon_ops;

/* The code point code page 437 shows for each byte (0 shows a blank). */
extern const uint16_t vgacon_cp437[256];

/*
 * Draw into cells (cols x rows, at most VGACON_COLS x VGACON_ROWS) and blank
 * them in the default colours. -E_INVAL for NULL cells, -E_RANGE for a bad size.
 */
int vgacon_init(struct vgacon *vc, volatile uint16_t *cells, unsigned cols, unsigned rows,
		void (*cursor)(bool visible, unsigned offset));

void vgacon_draw_cell(void *ctx, unsigned x, unsigned y, const struct console_cell *cell);
void vgacon_set_cursor(void *ctx, bool visible, unsigned x, unsigned y);

/* The CP437 byte that shows cp, VGACON_UNKNOWN if none does. */
uint8_t vgacon_char(uint32_t cp);

/* The attribute byte for console colours fg and bg (enum console_colour). */
uint8_t vgacon_attr(uint8_t fg, uint8_t bg);

/*
 * The glyph of every CP437 byte from font (8 pixels wide, 16 high), one byte
 * per row, 16 bytes per glyph; byte 0 is blank. -E_INVAL for another size.
 */
int vgacon_build_font(const struct psf_font *font, uint8_t out[VGACON_FONT_BYTES]);

/*
 * The DAC values (6 bits each, red, green, blue) for attribute colours
 * 0..15: the console's palette (fbcon_palette) in the VGA's colour order.
 */
void vgacon_dac_palette(uint8_t out[16 * 3]);

#endif
