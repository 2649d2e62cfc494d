/*
 * Host tests for the VGA text back end (vgacon.h): the console draws into a
 * malloc'ed buffer of exactly 80x25 two-byte cells (AddressSanitizer catches
 * any write outside), and the bytes are checked: CP437 characters, attribute
 * colours in the VGA's order, the hardware cursor through a recording hook,
 * the 256 glyphs taken from the real Terminus 8x16 font, the DAC palette,
 * and, after random writes and moves of the scrollback view, every cell
 * against what the console says the screen shows.
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

#include "kernel/console/console.h"
#include "kernel/console/vgacon.h"
#include "lib/errno.h"
#include "lib/psf.h"
#include "test/host/build_file.h"

#define CELLS (VGACON_COLS * VGACON_ROWS)

/* VGA attribute colours by name, IBM order. */
enum { VGA_BLACK, VGA_BLUE, VGA_GREEN, VGA_CYAN, VGA_RED, VGA_MAGENTA, VGA_BROWN,
       VGA_LIGHT_GREY, VGA_DARK_GREY, VGA_LIGHT_BLUE, VGA_LIGHT_GREEN, VGA_LIGHT_CYAN,
       VGA_LIGHT_RED, VGA_LIGHT_MAGENTA, VGA_YELLOW, VGA_WHITE };

static uint8_t *font_data;
static size_t font_size;

struct fx {
	struct console con;
	struct vgacon vc;
	uint16_t *cells;
	uint32_t sb[VGACON_COLS * 50];
};

/* The hardware cursor hook records its last call. */
static unsigned cursor_calls, cursor_offset;
static bool cursor_visible;

static void record_cursor(bool visible, unsigned offset)
{
	cursor_calls++;
	cursor_visible = visible;
	cursor_offset = offset;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->cells = malloc(CELLS * 2);
	assert_non_null(f->cells);
	memset(f->cells, 0xaa, CELLS * 2);
	cursor_calls = 0;
	assert_int_equal(vgacon_init(&f->vc, f->cells, VGACON_COLS, VGACON_ROWS, record_cursor), 0);
	assert_int_equal(console_attach(&f->con, &vgacon_ops, &f->vc, VGACON_COLS, VGACON_ROWS), 0);
	console_set_scrollback(&f->con, f->sb, sizeof(f->sb) / sizeof(f->sb[0]));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	free(f->cells);
	free(f);
	return 0;
}

static void put(struct fx *f, const char *s)
{
	console_feed(&f->con, s, strlen(s));
}

/* The two bytes of cell (x, y) as they lie in memory. */
static const uint8_t *bytes_at(const struct fx *f, unsigned x, unsigned y)
{
	return (const uint8_t *)f->cells + 2 * (y * VGACON_COLS + x);
}

/* ---- cells ---------------------------------------------------------------------------- */

static void init_blanks_every_cell_grey_on_black(void **state)
{
	struct fx *f = *state;
	unsigned i;

	for (i = 0; i < CELLS; i++) {
		assert_int_equal(((uint8_t *)f->cells)[2 * i], ' ');
		assert_int_equal(((uint8_t *)f->cells)[2 * i + 1], VGA_LIGHT_GREY);
	}
}

static void a_cell_is_the_cp437_byte_then_the_attribute(void **state)
{
	struct fx *f = *state;

	put(f, "\x1b[91;44mA\x1b[0m\xc3\xa9\xe2\x94\x80\xe2\x82\xac");   /* A é ─ € */
	assert_int_equal(bytes_at(f, 0, 0)[0], 'A');
	assert_int_equal(bytes_at(f, 0, 0)[1], VGA_BLUE << 4 | VGA_LIGHT_RED);
	assert_int_equal(bytes_at(f, 1, 0)[0], 0x82);
	assert_int_equal(bytes_at(f, 1, 0)[1], VGA_LIGHT_GREY);
	assert_int_equal(bytes_at(f, 2, 0)[0], 0xc4);
	assert_int_equal(bytes_at(f, 3, 0)[0], VGACON_UNKNOWN);         /* € is not in CP437 */
	put(f, "\x1b[2;80H\x1b[107;30mZ");
	assert_int_equal(bytes_at(f, 79, 1)[0], 'Z');
	assert_int_equal(bytes_at(f, 79, 1)[1], VGA_WHITE << 4 | VGA_BLACK);   /* no blink bit */
}

static void every_console_colour_has_its_vga_colour(void **state)
{
	static const uint8_t want[16] = {
		VGA_BLACK, VGA_RED, VGA_GREEN, VGA_BROWN, VGA_BLUE, VGA_MAGENTA, VGA_CYAN,
		VGA_LIGHT_GREY, VGA_DARK_GREY, VGA_LIGHT_RED, VGA_LIGHT_GREEN, VGA_YELLOW,
		VGA_LIGHT_BLUE, VGA_LIGHT_MAGENTA, VGA_LIGHT_CYAN, VGA_WHITE,
	};
	uint8_t c;

	for (c = 0; c < 16; c++) {
		assert_int_equal(vgacon_attr(c, CON_BLACK), want[c]);
		assert_int_equal(vgacon_attr(CON_BLACK, c), want[c] << 4);
	}
}

static void the_dac_gets_the_console_palette_in_vga_order(void **state)
{
	uint8_t dac[48];

	vgacon_dac_palette(dac);
	assert_memory_equal(dac + 3 * VGA_BLUE, ((uint8_t[]){ 0, 0, 0x2a }), 3);
	assert_memory_equal(dac + 3 * VGA_RED, ((uint8_t[]){ 0x2a, 0, 0 }), 3);
	assert_memory_equal(dac + 3 * VGA_BROWN, ((uint8_t[]){ 0x2a, 0x15, 0 }), 3);
	assert_memory_equal(dac + 3 * VGA_LIGHT_CYAN, ((uint8_t[]){ 0x15, 0x3f, 0x3f }), 3);
	assert_memory_equal(dac + 3 * VGA_WHITE, ((uint8_t[]){ 0x3f, 0x3f, 0x3f }), 3);
	assert_memory_equal(dac + 3 * VGA_BLACK, ((uint8_t[]){ 0, 0, 0 }), 3);
}

static void code_points_map_to_cp437_and_back(void **state)
{
	unsigned b;

	for (b = 1; b < 256; b++)
		assert_int_equal(vgacon_char(vgacon_cp437[b]), b);
	assert_int_equal(vgacon_char('A'), 'A');
	assert_int_equal(vgacon_char(0x2588), 0xdb);    /* █ */
	assert_int_equal(vgacon_char(0x00a0), 0xff);    /* no-break space */
	assert_int_equal(vgacon_char(0xfffd), VGACON_UNKNOWN);
	assert_int_equal(vgacon_char(0x0416), VGACON_UNKNOWN);    /* Ж */
	assert_int_equal(vgacon_char(0), VGACON_UNKNOWN);
	assert_int_equal(vgacon_char(0x10ffff), VGACON_UNKNOWN);
}

static void the_hardware_cursor_follows_the_console_cursor(void **state)
{
	struct fx *f = *state;

	assert_true(cursor_visible);
	assert_int_equal(cursor_offset, 0);
	put(f, "ab\ncd");
	assert_true(cursor_visible);
	assert_int_equal(cursor_offset, VGACON_COLS + 2);
	console_set_cursor_visible(&f->con, false);
	assert_false(cursor_visible);
	console_set_cursor_visible(&f->con, true);
	assert_int_equal(cursor_offset, VGACON_COLS + 2);
	put(f, "\x1b[25;80H");
	assert_int_equal(cursor_offset, CELLS - 1);
	vgacon_set_cursor(&f->vc, true, VGACON_COLS, 0);         /* off the grid: hidden */
	assert_false(cursor_visible);
	f->vc.cursor = NULL;                                      /* no hook: nothing */
	put(f, "\x1b[H");
}

static void init_refuses_bad_sizes_and_draws_off_the_grid_are_dropped(void **state)
{
	struct fx *f = *state;
	struct vgacon vc;
	struct console_cell c = { .cp = 'X', .fg = CON_WHITE };
	unsigned i;

	assert_int_equal(vgacon_init(&vc, NULL, 80, 25, NULL), -E_INVAL);
	assert_int_equal(vgacon_init(&vc, f->cells, 81, 25, NULL), -E_RANGE);
	assert_int_equal(vgacon_init(&vc, f->cells, 80, 26, NULL), -E_RANGE);
	assert_int_equal(vgacon_init(&vc, f->cells, 0, 25, NULL), -E_RANGE);
	vgacon_draw_cell(&f->vc, 80, 0, &c);
	vgacon_draw_cell(&f->vc, 0, 25, &c);
	for (i = 0; i < CELLS; i++)
		assert_int_equal(((uint8_t *)f->cells)[2 * i], ' ');
}

/* The whole screen equals what the console says it shows, cell by cell. */
static void assert_screen_is_the_console(const struct fx *f)
{
	struct console_cell c;
	unsigned x, y;

	for (y = 0; y < VGACON_ROWS; y++)
		for (x = 0; x < VGACON_COLS; x++) {
			c = console_shown_cell(&f->con, x, y);
			assert_int_equal(bytes_at(f, x, y)[0], vgacon_char(c.cp));
			assert_int_equal(bytes_at(f, x, y)[1], vgacon_attr(c.fg, c.bg));
		}
}

static void the_screen_always_shows_the_console_through_writes_and_views(void **state)
{
	static const char *const bits[] = {
		"hello ", "\n", "\x1b[31m", "\x1b[0m", "\x1b[44;93m", "\xc3\xa9t\xc3\xa9 ",
		"\t", "\b\b", "\x1b[20;7H", "\x1b[K", "\x1b[J", "\xe2\x95\x94\xe2\x95\x90",
		"a long line that wraps around the right edge of the eighty column screen ",
	};
	struct fx *f = *state;
	unsigned i, r = 7;

	for (i = 0; i < 3000; i++) {
		r = r * 1103515245u + 12345u;
		put(f, bits[(r >> 8) % (sizeof(bits) / sizeof(bits[0]))]);
		if ((r >> 20) % 17 == 0)
			console_view_move(&f->con, (int)((r >> 12) % 30) - 10);
		assert_screen_is_the_console(f);
	}
	assert_true(console_scrollback_count(&f->con) > 25);
}

/* ---- the font ---------------------------------------------------------------------------- */

static void the_font_holds_the_cp437_glyphs_of_the_psf(void **state)
{
	static struct psf_map_entry map[CONSOLE_FONT_MAP_MAX];
	static uint8_t out[VGACON_FONT_BYTES];
	struct psf_font font;
	unsigned b, blank = 0;

	assert_int_equal(psf_parse(&font, font_data, font_size, map, CONSOLE_FONT_MAP_MAX), 0);
	memset(out, 0x5a, sizeof(out));
	assert_int_equal(vgacon_build_font(&font, out), 0);
	for (b = 0; b < 16; b++)
		assert_int_equal(out[b], 0);                          /* byte 0: blank */
	for (b = 1; b < 256; b++)
		assert_memory_equal(out + 16 * b, psf_glyph(&font, vgacon_cp437[b]), 16);
	assert_memory_equal(out + 16 * 0x82, psf_glyph(&font, 0xe9), 16);    /* é */
	assert_memory_not_equal(out + 16 * 'A', out + 16 * 'B', 16);
	for (b = 0; b < 16; b++)
		blank |= out[16 * 0xc4 + b];                          /* ─ has ink */
	assert_true(blank != 0);
	font.width = 16;
	assert_int_equal(vgacon_build_font(&font, out), -E_INVAL);
	font.width = 8;
	font.height = 14;
	assert_int_equal(vgacon_build_font(&font, out), -E_INVAL);
}

static int load_font(const char *argv0)
{
	return build_file_read(argv0, "font/terminus16.psf", &font_data, &font_size);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(init_blanks_every_cell_grey_on_black),
		T(a_cell_is_the_cp437_byte_then_the_attribute),
		cmocka_unit_test(every_console_colour_has_its_vga_colour),
		cmocka_unit_test(the_dac_gets_the_console_palette_in_vga_order),
		cmocka_unit_test(code_points_map_to_cp437_and_back),
		T(the_hardware_cursor_follows_the_console_cursor),
		T(init_refuses_bad_sizes_and_draws_off_the_grid_are_dropped),
		T(the_screen_always_shows_the_console_through_writes_and_views),
		cmocka_unit_test(the_font_holds_the_cp437_glyphs_of_the_psf),
	};

	if (argc < 1 || load_font(argv[0]))
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
