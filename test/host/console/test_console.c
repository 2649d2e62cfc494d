/*
 * Host tests for the console: the terminal logic (console.h) on a recording
 * back end, and the framebuffer back end (fbcon.h) drawing with the real
 * Terminus fonts into plain memory in every pixel format it supports. Pixel
 * buffers are malloc'ed to the exact size of the mode (AddressSanitizer
 * catches any write outside), pre-filled with a canary so that padding
 * written by mistake shows, and scrolled output is compared byte for byte
 * with a fresh render of the same screen. The scrollback is checked through
 * what the back end shows while the view moves, and the choice between the
 * framebuffer and VGA text with fake probes.
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
#include "kernel/console/fbcon.h"
#include "lib/errno.h"
#include "lib/psf.h"
#include "test/host/build_file.h"

#define CANARY 0x5a

/* ---- fonts, read from the build directory --------------------------------------- */

struct font_file {
	const char *name;
	uint8_t *data;
	size_t size;
	struct psf_font font;
	struct psf_map_entry map[CONSOLE_FONT_MAP_MAX];
};

static struct font_file small = { .name = "terminus16.psf" };
static struct font_file large = { .name = "terminus32.psf" };

/* Read and parse build/font/NAME (the Makefile makes it). */
static int load_font(const char *argv0, struct font_file *f)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "font/%s", f->name);
	if (build_file_read(argv0, rel, &f->data, &f->size))
		return -1;
	return psf_parse(&f->font, f->data, f->size, f->map, CONSOLE_FONT_MAP_MAX);
}

/* ---- a back end that records what it is told ------------------------------------ */

struct mirror {
	unsigned cols;
	unsigned draws;
	struct console_cell cells[CONSOLE_MAX_CELLS];
};

static void mirror_draw(void *ctx, unsigned x, unsigned y, const struct console_cell *cell)
{
	struct mirror *m = ctx;

	m->cells[y * m->cols + x] = *cell;
	m->draws++;
}

static const struct console_ops mirror_ops = { .draw_cell = mirror_draw };

struct fixture {
	struct console con;
	struct mirror mirror;
};

static struct console *new_console(void **state, unsigned cols, unsigned rows)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	*state = f;
	f->mirror.cols = cols;
	assert_int_equal(console_attach(&f->con, &mirror_ops, &f->mirror, cols, rows), 0);
	return &f->con;
}

static int free_state(void **state)
{
	free(*state);
	return 0;
}

static void put(struct console *con, const char *s)
{
	console_feed(con, s, strlen(s));
}

/* Row y as text, trailing blanks dropped; non-ASCII shows as '#'. */
static const char *row(const struct console *con, unsigned y)
{
	static char buf[CONSOLE_MAX_COLS + 1];
	unsigned x, end = 0;
	uint32_t cp;

	for (x = 0; x < con->cols; x++) {
		cp = console_cell(con, x, y)->cp;
		buf[x] = cp < 0x80 ? (char)cp : '#';
		if (cp != ' ')
			end = x + 1;
	}
	buf[end] = '\0';
	return buf;
}

static void assert_cursor(const struct console *con, unsigned x, unsigned y)
{
	assert_int_equal(con->x, x);
	assert_int_equal(con->y, y);
}

/* ---- text, control characters, wrapping, scrolling ------------------------------- */

static void text_starts_at_the_top_left_and_advances_the_cursor(void **state)
{
	struct console *con = new_console(state, 10, 3);

	put(con, "hello");
	assert_string_equal(row(con, 0), "hello");
	assert_string_equal(row(con, 1), "");
	assert_cursor(con, 5, 0);
}

static void newline_goes_to_the_start_of_the_next_row(void **state)
{
	struct console *con = new_console(state, 10, 3);

	put(con, "ab\ncd");
	assert_string_equal(row(con, 0), "ab");
	assert_string_equal(row(con, 1), "cd");
	assert_cursor(con, 2, 1);
}

static void carriage_return_goes_back_to_column_0_of_the_same_row(void **state)
{
	struct console *con = new_console(state, 10, 3);

	put(con, "hello\rJ");
	assert_string_equal(row(con, 0), "Jello");
	assert_cursor(con, 1, 0);
}

static void tab_moves_to_the_next_multiple_of_8_without_writing(void **state)
{
	struct console *con = new_console(state, 20, 3);

	put(con, "xxxxxxxxxxxxxxxxxxxx\r");
	put(con, "a\tb\t\tc");
	assert_string_equal(row(con, 0), "axxxxxxxbxxxxxxxxxxc");
	put(con, "\nabcdefgh\t!");
	assert_string_equal(row(con, 1), "abcdefgh        !");
}

static void tab_near_the_right_edge_stops_in_the_last_column(void **state)
{
	struct console *con = new_console(state, 12, 3);

	put(con, "abcdefghi\t");
	assert_cursor(con, 11, 0);
	put(con, "\t\tZ");
	assert_string_equal(row(con, 0), "abcdefghi  Z");
	assert_cursor(con, 11, 0);
}

static void backspace_moves_left_without_erasing_and_stops_at_column_0(void **state)
{
	struct console *con = new_console(state, 10, 3);

	put(con, "abc\b");
	assert_string_equal(row(con, 0), "abc");
	assert_cursor(con, 2, 0);
	put(con, "\b \b");
	assert_string_equal(row(con, 0), "a c");
	put(con, "\b\b\b\b\bZ");
	assert_string_equal(row(con, 0), "Z c");
}

static void text_wraps_at_the_right_edge_onto_the_next_row(void **state)
{
	struct console *con = new_console(state, 5, 3);

	put(con, "abcdefg");
	assert_string_equal(row(con, 0), "abcde");
	assert_string_equal(row(con, 1), "fg");
	assert_cursor(con, 2, 1);
}

static void a_full_line_then_newline_leaves_no_empty_row(void **state)
{
	struct console *con = new_console(state, 5, 3);

	put(con, "abcde");
	assert_cursor(con, 4, 0);           /* wrap is pending, not done */
	put(con, "\nxy");
	assert_string_equal(row(con, 0), "abcde");
	assert_string_equal(row(con, 1), "xy");
}

static void backspace_after_the_last_column_erases_that_column(void **state)
{
	struct console *con = new_console(state, 5, 3);

	put(con, "abcde\b \b");
	assert_string_equal(row(con, 0), "abcd");
	assert_string_equal(row(con, 1), "");
	assert_cursor(con, 4, 0);
}

static void scrolling_moves_rows_up_and_blanks_the_bottom_row(void **state)
{
	struct console *con = new_console(state, 6, 3);
	unsigned x;

	put(con, "one\ntwo\nthree\nfour");
	assert_string_equal(row(con, 0), "two");
	assert_string_equal(row(con, 1), "three");
	assert_string_equal(row(con, 2), "four");
	put(con, "\n");
	assert_string_equal(row(con, 0), "three");
	assert_string_equal(row(con, 1), "four");
	for (x = 0; x < 6; x++) {
		assert_int_equal(console_cell(con, x, 2)->cp, ' ');
		assert_int_equal(console_cell(con, x, 2)->bg, CONSOLE_DEFAULT_BG);
	}
	assert_cursor(con, 0, 2);
}

static void wrapping_on_the_last_row_scrolls(void **state)
{
	struct console *con = new_console(state, 4, 2);

	put(con, "abcdefghij");
	assert_string_equal(row(con, 0), "efgh");
	assert_string_equal(row(con, 1), "ij");
}

static void rows_scrolled_in_take_the_current_background(void **state)
{
	struct console *con = new_console(state, 4, 2);

	put(con, "\n\x1b[44m\n");
	assert_int_equal(console_cell(con, 3, 1)->bg, CON_BLUE);
	assert_int_equal(console_cell(con, 3, 0)->bg, CON_BLACK);
}

static void other_control_characters_print_nothing(void **state)
{
	struct console *con = new_console(state, 10, 2);

	put(con, "a\a\x01\x7f" "b\xc2\x85" "c");   /* BEL, SOH, DEL, NEL */
	assert_string_equal(row(con, 0), "abc");
}

/* ---- UTF-8 ------------------------------------------------------------------------ */

static void utf8_characters_take_one_cell_even_when_split_across_writes(void **state)
{
	struct console *con = new_console(state, 10, 2);

	put(con, "\xc3\xa9\xe2\x94");
	put(con, "\x80!");
	assert_int_equal(console_cell(con, 0, 0)->cp, 0xe9);
	assert_int_equal(console_cell(con, 1, 0)->cp, 0x2500);
	assert_int_equal(console_cell(con, 2, 0)->cp, '!');
	assert_cursor(con, 3, 0);
}

static void malformed_utf8_shows_the_replacement_character(void **state)
{
	struct console *con = new_console(state, 10, 2);

	put(con, "a\xff" "b\xe2\x82" "c");
	assert_int_equal(console_cell(con, 1, 0)->cp, 0xfffd);
	assert_int_equal(console_cell(con, 3, 0)->cp, 0xfffd);
	assert_string_equal(row(con, 0), "a#b#c");
}

/* ---- escape sequences ------------------------------------------------------------- */

static void sgr_sets_foreground_and_background_colours(void **state)
{
	struct console *con = new_console(state, 20, 2);

	put(con, "a\x1b[31mb\x1b[42mc\x1b[97;104md\x1b[0me\x1b[35;46mf\x1b[mg");
	assert_int_equal(console_cell(con, 0, 0)->fg, CONSOLE_DEFAULT_FG);
	assert_int_equal(console_cell(con, 0, 0)->bg, CONSOLE_DEFAULT_BG);
	assert_int_equal(console_cell(con, 1, 0)->fg, CON_RED);
	assert_int_equal(console_cell(con, 2, 0)->fg, CON_RED);
	assert_int_equal(console_cell(con, 2, 0)->bg, CON_GREEN);
	assert_int_equal(console_cell(con, 3, 0)->fg, CON_BRIGHT_WHITE);
	assert_int_equal(console_cell(con, 3, 0)->bg, CON_BRIGHT_BLUE);
	assert_int_equal(console_cell(con, 4, 0)->fg, CONSOLE_DEFAULT_FG);
	assert_int_equal(console_cell(con, 4, 0)->bg, CONSOLE_DEFAULT_BG);
	assert_int_equal(console_cell(con, 5, 0)->fg, CON_MAGENTA);
	assert_int_equal(console_cell(con, 5, 0)->bg, CON_CYAN);
	assert_int_equal(console_cell(con, 6, 0)->fg, CONSOLE_DEFAULT_FG);
	assert_int_equal(console_cell(con, 6, 0)->bg, CONSOLE_DEFAULT_BG);
	assert_string_equal(row(con, 0), "abcdefg");
}

static void every_sgr_colour_number_maps_to_its_colour(void **state)
{
	struct console *con = new_console(state, 40, 2);
	char seq[32];
	unsigned i;

	for (i = 0; i < 8; i++) {
		snprintf(seq, sizeof(seq), "\x1b[%u;%umx\x1b[%u;%umy", 30 + i, 40 + i,
			 90 + i, 100 + i);
		put(con, seq);
		assert_int_equal(console_cell(con, 2 * i, 0)->fg, i);
		assert_int_equal(console_cell(con, 2 * i, 0)->bg, i);
		assert_int_equal(console_cell(con, 2 * i + 1, 0)->fg, i + 8);
		assert_int_equal(console_cell(con, 2 * i + 1, 0)->bg, i + 8);
	}
}

static void bold_shows_the_eight_basic_colours_bright(void **state)
{
	struct console *con = new_console(state, 20, 2);

	put(con, "\x1b[1ma\x1b[31mb\x1b[94mc\x1b[22md\x1b[1;32me\x1b[0mf");
	assert_int_equal(console_cell(con, 0, 0)->fg, CON_BRIGHT_WHITE);
	assert_int_equal(console_cell(con, 1, 0)->fg, CON_BRIGHT_RED);
	assert_int_equal(console_cell(con, 2, 0)->fg, CON_BRIGHT_BLUE);
	assert_int_equal(console_cell(con, 3, 0)->fg, CON_BRIGHT_BLUE);
	assert_int_equal(console_cell(con, 4, 0)->fg, CON_BRIGHT_GREEN);
	assert_int_equal(console_cell(con, 5, 0)->fg, CONSOLE_DEFAULT_FG);
}

static void sgr_39_and_49_restore_the_default_colours(void **state)
{
	struct console *con = new_console(state, 20, 2);

	put(con, "\x1b[33;45ma\x1b[39mb\x1b[49mc");
	assert_int_equal(console_cell(con, 1, 0)->fg, CONSOLE_DEFAULT_FG);
	assert_int_equal(console_cell(con, 1, 0)->bg, CON_MAGENTA);
	assert_int_equal(console_cell(con, 2, 0)->bg, CONSOLE_DEFAULT_BG);
}

static void escape_sequences_split_across_writes_still_apply(void **state)
{
	struct console *con = new_console(state, 20, 2);

	put(con, "\x1b");
	put(con, "[3");
	put(con, "6mz");
	assert_int_equal(console_cell(con, 0, 0)->fg, CON_CYAN);
	assert_string_equal(row(con, 0), "z");
}

static void unsupported_sequences_are_swallowed_without_effect(void **state)
{
	struct console *con = new_console(state, 20, 2);

	put(con, "\x1b[?25l" "a" "\x1b[38;5;31m" "b" "\x1b[4m" "c" "\x1b" "7" "d"
		 "\x1b[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18;31m" "e" "\x1b[99999999m" "f");
	assert_string_equal(row(con, 0), "abcdef");
	assert_int_equal(console_cell(con, 1, 0)->fg, CONSOLE_DEFAULT_FG);
	assert_int_equal(console_cell(con, 2, 0)->fg, CONSOLE_DEFAULT_FG);
	assert_int_equal(console_cell(con, 4, 0)->fg, CON_BRIGHT_WHITE); /* 1 applied, 31 beyond 16 dropped */
}

static void a_control_character_inside_a_sequence_ends_it_and_takes_effect(void **state)
{
	struct console *con = new_console(state, 20, 3);

	put(con, "a\x1b[3\nb");
	assert_string_equal(row(con, 0), "a");
	assert_string_equal(row(con, 1), "b");
	assert_int_equal(console_cell(con, 0, 1)->fg, CONSOLE_DEFAULT_FG);
}

static void clear_screen_and_home_blank_everything_in_the_current_background(void **state)
{
	struct console *con = new_console(state, 8, 3);
	unsigned x, y;

	put(con, "abc\ndef\nghi\x1b[41m\x1b[2J");
	assert_cursor(con, 3, 2);           /* 2J alone does not move */
	put(con, "\x1b[H");
	assert_cursor(con, 0, 0);
	for (y = 0; y < 3; y++)
		for (x = 0; x < 8; x++) {
			assert_int_equal(console_cell(con, x, y)->cp, ' ');
			assert_int_equal(console_cell(con, x, y)->bg, CON_RED);
		}
}

static void cursor_position_and_moves_follow_their_parameters(void **state)
{
	struct console *con = new_console(state, 10, 5);

	put(con, "\x1b[3;4HX");
	assert_int_equal(console_cell(con, 3, 2)->cp, 'X');
	put(con, "\x1b[2AY\x1b[BZ\x1b[3D<\x1b[2C>");
	assert_string_equal(row(con, 0), "    Y");
	assert_string_equal(row(con, 1), "   < Z>");
	put(con, "\x1b[99;99H");
	assert_cursor(con, 9, 4);
	put(con, "\x1b[99A\x1b[99D");
	assert_cursor(con, 0, 0);
	put(con, "\x1b[0;0H");
	assert_cursor(con, 0, 0);
}

static void erase_in_line_and_display_clear_the_parts_they_name(void **state)
{
	struct console *con = new_console(state, 6, 3);

	put(con, "abcdef\nghijkl\nmnopqr\x1b[2;3H");
	put(con, "\x1b[K");
	assert_string_equal(row(con, 1), "gh");
	put(con, "\x1b[1K");
	assert_string_equal(row(con, 1), "");
	put(con, "\x1b[1;3H\x1b[1J");
	assert_string_equal(row(con, 0), "   def");
	put(con, "\x1b[3;5H\x1b[0J");
	assert_string_equal(row(con, 2), "mnop");
	put(con, "\x1b[2K");
	assert_string_equal(row(con, 2), "");
	assert_string_equal(row(con, 0), "   def");
}

/* ---- what the back end is told ------------------------------------------------------ */

/* The back end shows the grid, with the cursor flag on exactly one cell. */
static void assert_mirror_matches(const struct fixture *f)
{
	const struct console *con = &f->con;
	const struct console_cell *m, *c;
	unsigned x, y;

	for (y = 0; y < con->rows; y++)
		for (x = 0; x < con->cols; x++) {
			m = &f->mirror.cells[y * con->cols + x];
			c = console_cell(con, x, y);
			assert_int_equal(m->cp, c->cp);
			assert_int_equal(m->fg, c->fg);
			assert_int_equal(m->bg, c->bg);
			assert_int_equal(m->flags, (x == con->x && y == con->y &&
						    con->cursor_visible) ? CONSOLE_CELL_CURSOR : 0);
		}
}

static void the_back_end_is_up_to_date_after_every_write(void **state)
{
	struct console *con = new_console(state, 7, 4);
	struct fixture *f = *state;
	static const char *const writes[] = {
		"hello", " world\n", "\x1b[31mred\x1b[0m\tx", "\b\b", "\n\n\n\n",
		"wrapping text that scrolls", "\x1b[2;2H\x1b[K", "\x1b[2J", "\x1b[H!",
	};
	size_t i;

	assert_mirror_matches(f);
	for (i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
		put(con, writes[i]);
		assert_mirror_matches(f);
	}
}

static void many_scrolled_lines_in_one_write_redraw_the_grid_once(void **state)
{
	struct console *con = new_console(state, 10, 5);
	struct fixture *f = *state;
	char text[2000];
	unsigned i;

	text[0] = '\0';
	for (i = 0; i < 100; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "line %u\n", i);
	f->mirror.draws = 0;
	put(con, text);
	/* rows before the first scroll, then one pass over 50 cells, plus cursor */
	assert_true(f->mirror.draws <= 4 * 10 + 50 + 2);
	assert_string_equal(row(con, 3), "line 99");
	assert_mirror_matches(f);
}

static void the_cursor_can_be_hidden_and_shown(void **state)
{
	struct console *con = new_console(state, 5, 2);
	struct fixture *f = *state;

	put(con, "ab");
	assert_int_equal(f->mirror.cells[2].flags, CONSOLE_CELL_CURSOR);
	console_set_cursor_visible(con, false);
	assert_mirror_matches(f);
	assert_int_equal(f->mirror.cells[2].flags, 0);
	put(con, "c");
	assert_mirror_matches(f);
	console_set_cursor_visible(con, true);
	assert_int_equal(f->mirror.cells[3].flags, CONSOLE_CELL_CURSOR);
	assert_mirror_matches(f);
}

static void attach_refuses_empty_and_oversized_grids(void **state)
{
	struct console *con = calloc(1, sizeof(*con));
	struct mirror *m = calloc(1, sizeof(*m));

	assert_int_equal(console_attach(con, &mirror_ops, m, 0, 5), -E_RANGE);
	assert_int_equal(console_attach(con, &mirror_ops, m, 5, 0), -E_RANGE);
	assert_int_equal(console_attach(con, &mirror_ops, m, CONSOLE_MAX_COLS + 1, 5), -E_RANGE);
	assert_int_equal(console_attach(con, &mirror_ops, m, 5, CONSOLE_MAX_ROWS + 1), -E_RANGE);
	m->cols = CONSOLE_MAX_COLS;
	assert_int_equal(console_attach(con, &mirror_ops, m, CONSOLE_MAX_COLS, CONSOLE_MAX_ROWS), 0);
	assert_int_equal(m->draws, CONSOLE_MAX_CELLS + 1);
	free(m);
	free(con);
}

/* ---- scrollback and the view ------------------------------------------------------- */

#define SB_CELLS 4096
static uint32_t sb_store[SB_CELLS];

/* What the back end shows on row y, trailing blanks dropped. */
static const char *shown(const struct fixture *f, unsigned y)
{
	static char buf[CONSOLE_MAX_COLS + 1];
	unsigned x, end = 0;
	uint32_t cp;

	for (x = 0; x < f->con.cols; x++) {
		cp = f->mirror.cells[y * f->con.cols + x].cp;
		buf[x] = cp < 0x80 ? (char)cp : '#';
		if (cp != ' ')
			end = x + 1;
	}
	buf[end] = '\0';
	return buf;
}

/* The cell flagged as the cursor on the back end, or rows if none. */
static unsigned shown_cursor_row(const struct fixture *f, unsigned *x)
{
	unsigned i, n = f->con.cols * f->con.rows, found = f->con.rows;

	for (i = 0; i < n; i++)
		if (f->mirror.cells[i].flags & CONSOLE_CELL_CURSOR) {
			assert_int_equal(found, f->con.rows);     /* only one */
			found = i / f->con.cols;
			*x = i % f->con.cols;
		}
	return found;
}

static struct fixture *new_scrollback(void **state, unsigned cols, unsigned rows, size_t cells)
{
	struct fixture *f;

	new_console(state, cols, rows);
	f = *state;
	memset(sb_store, 0xee, sizeof(sb_store));
	console_set_scrollback(&f->con, sb_store, cells);
	return f;
}

static void rows_scrolled_off_the_top_are_kept_and_can_be_looked_at(void **state)
{
	struct fixture *f = new_scrollback(state, 10, 3, SB_CELLS);

	put(&f->con, "l0\nl1\nl2\nl3\nl4");
	assert_int_equal(console_scrollback_count(&f->con), 2);
	assert_string_equal(shown(f, 0), "l2");
	assert_int_equal(console_view_move(&f->con, 1), 1);
	assert_string_equal(shown(f, 0), "l1");
	assert_string_equal(shown(f, 1), "l2");
	assert_string_equal(shown(f, 2), "l3");
	assert_int_equal(console_view_move(&f->con, 5), 2);      /* clamped */
	assert_string_equal(shown(f, 0), "l0");
	assert_string_equal(shown(f, 2), "l2");
	assert_int_equal(console_view_move(&f->con, -1), 1);
	assert_string_equal(shown(f, 0), "l1");
	assert_int_equal(console_view_move(&f->con, -9), 0);     /* clamped */
	assert_string_equal(shown(f, 0), "l2");
	assert_mirror_matches(f);
	assert_string_equal(row(&f->con, 0), "l2");              /* the grid never moved */
}

static void scrolled_back_rows_keep_their_colours(void **state)
{
	struct fixture *f = new_scrollback(state, 10, 2, SB_CELLS);
	struct console_cell c;

	put(&f->con, "\x1b[91;44mhot\x1b[0m\n\xe2\x82\xac\n\n");
	assert_int_equal(console_view_move(&f->con, 2), 2);
	c = f->mirror.cells[0];
	assert_int_equal(c.cp, 'h');
	assert_int_equal(c.fg, CON_BRIGHT_RED);
	assert_int_equal(c.bg, CON_BLUE);
	assert_int_equal(f->mirror.cells[3].bg, CON_BLACK);
	assert_int_equal(f->mirror.cells[10].cp, 0x20ac);        /* € in row 1 */
	c = console_shown_cell(&f->con, 0, 0);
	assert_int_equal(c.cp, 'h');
}

static void new_output_snaps_the_view_back_to_the_bottom(void **state)
{
	struct fixture *f = new_scrollback(state, 10, 3, SB_CELLS);

	put(&f->con, "a\nb\nc\nd\ne");
	console_view_move(&f->con, 2);
	assert_string_equal(shown(f, 0), "a");
	put(&f->con, "!");
	assert_int_equal(console_view_move(&f->con, 0), 0);
	assert_string_equal(shown(f, 2), "e!");
	assert_mirror_matches(f);
	console_view_move(&f->con, 1);
	console_feed(&f->con, "", 0);                           /* no output, no snap */
	assert_int_equal(console_view_move(&f->con, 0), 1);
	console_erase(&f->con);                                 /* erasing snaps too */
	assert_int_equal(console_view_move(&f->con, 0), 0);
	assert_mirror_matches(f);
}

static void a_full_scrollback_keeps_only_the_newest_rows(void **state)
{
	struct fixture *f = new_scrollback(state, 8, 2, 8 * 4 + 7);   /* 4 rows */
	char line[16];
	unsigned i;

	for (i = 0; i < 20; i++) {
		snprintf(line, sizeof(line), "n%u\n", i);
		put(&f->con, line);
	}
	/* grid: n19, blank; kept: n15..n18 */
	assert_int_equal(console_scrollback_count(&f->con), 4);
	assert_int_equal(console_view_move(&f->con, 100), 4);
	assert_string_equal(shown(f, 0), "n15");
	assert_string_equal(shown(f, 1), "n16");
	for (i = 8 * 4; i < SB_CELLS; i++)                      /* nothing past the rows */
		assert_int_equal(sb_store[i], 0xeeeeeeee);
}

static void the_cursor_moves_with_the_view_and_vanishes_below_the_screen(void **state)
{
	struct fixture *f = new_scrollback(state, 10, 3, SB_CELLS);
	unsigned x = 99;

	put(&f->con, "a\nb\nc\nd\ne\nf\x1b[1;4H");                /* cursor: row 0, column 3 */
	assert_int_equal(shown_cursor_row(f, &x), 0);
	console_view_move(&f->con, 1);
	assert_int_equal(shown_cursor_row(f, &x), 1);
	assert_int_equal(x, 3);
	console_view_move(&f->con, 2);
	assert_int_equal(shown_cursor_row(f, &x), f->con.rows);  /* none */
	console_view_move(&f->con, -2);
	assert_int_equal(shown_cursor_row(f, &x), 1);
	console_view_move(&f->con, -1);
	assert_int_equal(shown_cursor_row(f, &x), 0);
	assert_mirror_matches(f);
}

static void without_scrollback_the_view_does_not_move(void **state)
{
	struct console *con = new_console(state, 10, 3);
	struct fixture *f = *state;
	unsigned draws;

	put(con, "1\n2\n3\n4\n5\n");
	draws = f->mirror.draws;
	assert_int_equal(console_view_move(con, 3), 0);
	assert_int_equal(f->mirror.draws, draws);
	console_set_scrollback(con, sb_store, 9);                 /* less than a row */
	put(con, "6\n7\n");
	assert_int_equal(console_view_move(con, 3), 0);
	assert_int_equal(console_scrollback_count(con), 0);
}

static void moving_the_view_redraws_only_when_it_moves(void **state)
{
	struct fixture *f = new_scrollback(state, 10, 3, SB_CELLS);
	unsigned draws;

	put(&f->con, "a\nb\nc\nd");
	draws = f->mirror.draws;
	console_view_move(&f->con, 0);
	console_view_move(&f->con, -3);
	assert_int_equal(f->mirror.draws, draws);
	console_view_move(&f->con, 1);
	assert_true(f->mirror.draws >= draws + 30);
	draws = f->mirror.draws;
	console_view_move(&f->con, 10);                          /* 1 -> 1: clamped, no move */
	assert_int_equal(f->mirror.draws, draws);
}

static void clearing_the_screen_keeps_nothing_in_the_scrollback(void **state)
{
	struct fixture *f = new_scrollback(state, 10, 3, SB_CELLS);

	put(&f->con, "a\nb\n\x1b[2J\x1b[Hc");
	assert_int_equal(console_scrollback_count(&f->con), 0);
	put(&f->con, "\nd\ne\n");
	assert_int_equal(console_scrollback_count(&f->con), 1);
	console_view_move(&f->con, 1);
	assert_string_equal(shown(f, 0), "c");
}

/* ---- a back end with a cursor of its own ------------------------------------------------- */

struct hw_mirror {
	struct mirror m;
	unsigned calls;
	bool visible;
	unsigned x, y;
};

static void hw_cursor(void *ctx, bool visible, unsigned x, unsigned y)
{
	struct hw_mirror *h = ctx;

	h->calls++;
	h->visible = visible;
	h->x = x;
	h->y = y;
}

static const struct console_ops hw_ops = { .draw_cell = mirror_draw, .set_cursor = hw_cursor };

static void a_back_end_with_its_own_cursor_is_told_where_it_goes(void **state)
{
	struct hw_mirror *h = calloc(1, sizeof(*h));
	struct console *con = calloc(1, sizeof(*con));
	unsigned i;

	h->m.cols = 10;
	assert_int_equal(console_attach(con, &hw_ops, h, 10, 3), 0);
	assert_int_equal(h->calls, 1);
	assert_true(h->visible);
	put(con, "abc");
	assert_int_equal(h->calls, 2);
	assert_int_equal(h->x, 3);
	put(con, "");
	put(con, "\x1b[1m");                                     /* cursor did not move */
	assert_int_equal(h->calls, 2);
	console_set_cursor_visible(con, false);
	assert_false(h->visible);
	assert_int_equal(h->calls, 3);
	put(con, "d\ne");
	assert_int_equal(h->calls, 3);                           /* still hidden */
	console_set_cursor_visible(con, true);
	assert_true(h->visible);
	assert_int_equal(h->x, 1);
	assert_int_equal(h->y, 1);
	for (i = 0; i < 30; i++)
		assert_int_equal(h->m.cells[i].flags, 0);           /* no cell is flagged */
	free(con);
	free(h);
}

/* ---- which console the kernel gets ------------------------------------------------------- */

static unsigned probes;
static bool vga_yes(void) { probes++; return true; }
static bool vga_no(void) { probes++; return false; }

static void the_framebuffer_is_the_default_and_vga_the_fallback(void **state)
{
	probes = 0;
	assert_int_equal(console_choose("", FB_BGRX, vga_yes), CONSOLE_FB);
	assert_int_equal(console_choose("heap=list quiet", FB_RGBX, vga_yes), CONSOLE_FB);
	assert_int_equal(probes, 0);                             /* no need to probe */
	assert_int_equal(console_choose("", FB_NONE, vga_yes), CONSOLE_VGA);
	assert_int_equal(console_choose("", FB_NONE, vga_no), CONSOLE_NONE);
	assert_int_equal(probes, 2);
}

static void console_vga_and_console_fb_force_their_choice(void **state)
{
	assert_int_equal(console_choose("console=vga", FB_BGRX, vga_yes), CONSOLE_VGA);
	assert_int_equal(console_choose("kbd=de console=vga", FB_NONE, vga_yes), CONSOLE_VGA);
	assert_int_equal(console_choose("console=vga", FB_BGRX, vga_no), CONSOLE_FB);
	assert_int_equal(console_choose("console=vga", FB_NONE, vga_no), CONSOLE_NONE);
	probes = 0;
	assert_int_equal(console_choose("console=fb", FB_BGRX, vga_yes), CONSOLE_FB);
	assert_int_equal(console_choose("console=fb", FB_NONE, vga_yes), CONSOLE_NONE);
	assert_int_equal(probes, 0);
	assert_int_equal(console_choose("console=vgax", FB_BGRX, vga_yes), CONSOLE_FB);
}

/* ---- the framebuffer back end ------------------------------------------------------ */

/* A mode, and the bytes of bright red (FF5555) and blue (0000AA) in it. */
struct pixel_case {
	const char *name;
	uint32_t format, bpp, red, green, blue;
	uint8_t fg[4], bg[4];
};

static const struct pixel_case pixel_cases[] = {
	{ "RGBX", FB_RGBX, 32, 0, 0, 0, { 0xff, 0x55, 0x55, 0 }, { 0, 0, 0xaa, 0 } },
	{ "BGRX", FB_BGRX, 32, 0, 0, 0, { 0x55, 0x55, 0xff, 0 }, { 0xaa, 0, 0, 0 } },
	{ "x:10:10:10 red high", FB_BITMASK, 32, 0x3ff00000, 0x000ffc00, 0x000003ff,
	  { 0x55, 0x55, 0xf5, 0x3f }, { 0xaa, 0x02, 0, 0 } },
	{ "24-bit BGR", FB_BITMASK, 24, 0xff0000, 0x00ff00, 0x0000ff,
	  { 0x55, 0x55, 0xff }, { 0xaa, 0, 0 } },
	{ "5:6:5", FB_BITMASK, 16, 0xf800, 0x07e0, 0x001f, { 0xaa, 0xfa }, { 0x15, 0 } },
	{ "x:5:5:5", FB_BITMASK, 16, 0x7c00, 0x03e0, 0x001f, { 0x4a, 0x7d }, { 0x15, 0 } },
	{ "3:3:2", FB_BITMASK, 8, 0xe0, 0x1c, 0x03, { 0xe9 }, { 0x02 } },
};

struct screen {
	struct boot_framebuffer mode;
	uint8_t *pixels;
	struct fbcon *fb;
	struct console *con;
};

/* A mode of w x h pixels whose pitch has pad bytes; buffer of exact size. */
static void screen_open(struct screen *s, const struct pixel_case *pc, uint32_t w,
			uint32_t h, uint32_t pad, const struct psf_font *font)
{
	memset(&s->mode, 0, sizeof(s->mode));
	s->mode.format = pc->format;
	s->mode.bpp = pc->bpp;
	s->mode.red_mask = pc->red;
	s->mode.green_mask = pc->green;
	s->mode.blue_mask = pc->blue;
	s->mode.width = w;
	s->mode.height = h;
	s->mode.pitch = w * (pc->bpp / 8) + pad;
	s->mode.size = (uint64_t)s->mode.pitch * h;
	s->pixels = malloc(s->mode.size);
	s->fb = calloc(1, sizeof(*s->fb));
	s->con = calloc(1, sizeof(*s->con));
	assert_non_null(s->pixels);
	assert_non_null(s->fb);
	assert_non_null(s->con);
	memset(s->pixels, CANARY, s->mode.size);
	s->mode.virt = (uintptr_t)s->pixels;
	assert_int_equal(fbcon_init(s->fb, &s->mode, s->pixels, font), 0);
	assert_int_equal(console_attach(s->con, &fbcon_ops, s->fb, s->fb->cols, s->fb->rows), 0);
}

static void screen_close(struct screen *s)
{
	free(s->pixels);
	free(s->fb);
	free(s->con);
}

static const uint8_t *pixel(const struct screen *s, uint32_t x, uint32_t y)
{
	return s->pixels + (size_t)y * s->mode.pitch + (size_t)x * (s->mode.bpp / 8);
}

static void assert_padding_untouched(const struct screen *s)
{
	uint32_t y, i, used = s->mode.width * (s->mode.bpp / 8);

	for (y = 0; y < s->mode.height; y++)
		for (i = used; i < s->mode.pitch; i++)
			if (s->pixels[(size_t)y * s->mode.pitch + i] != CANARY)
				fail_msg("padding byte %u of row %u was written", i, y);
}

/* The cell at (cx, cy) shows glyph bitmap g in fg on bg, pixel for pixel. */
static void assert_cell_shows(const struct screen *s, const struct pixel_case *pc,
			      unsigned cx, unsigned cy, const uint8_t *g)
{
	const struct psf_font *font = s->fb->font;
	uint32_t x, y, bytes = pc->bpp / 8;
	bool on;

	for (y = 0; y < font->height; y++)
		for (x = 0; x < font->width; x++) {
			on = g[y * font->row_bytes + x / 8] & (0x80 >> (x % 8));
			if (memcmp(pixel(s, cx * font->width + x, cy * font->height + y),
				   on ? pc->fg : pc->bg, bytes) != 0)
				fail_msg("%s: pixel (%u,%u) of cell (%u,%u) is not %s",
					 pc->name, x, y, cx, cy, on ? "fg" : "bg");
		}
}

static void letter_a_is_drawn_as_its_glyph_in_every_pixel_format(void **state)
{
	const struct psf_font *fonts[] = { &small.font, &large.font };
	struct screen s;
	size_t i, f;

	for (f = 0; f < 2; f++)
		for (i = 0; i < sizeof(pixel_cases) / sizeof(pixel_cases[0]); i++) {
			screen_open(&s, &pixel_cases[i], 37, 70, 13, fonts[f]);
			put(s.con, "\x1b[91;44mA");
			assert_cell_shows(&s, &pixel_cases[i], 0, 0, psf_glyph(fonts[f], 'A'));
			assert_padding_untouched(&s);
			screen_close(&s);
		}
}

static void colours_land_in_the_bytes_each_format_puts_them(void **state)
{
	struct screen s;
	size_t i;

	for (i = 0; i < sizeof(pixel_cases) / sizeof(pixel_cases[0]); i++) {
		screen_open(&s, &pixel_cases[i], 16, 16, 3, &small.font);
		/* cell 1 is blank; cell 0 holds the (inverted) cursor */
		put(s.con, "\x1b[91;44m\x1b[2J");          /* all blue */
		assert_memory_equal(pixel(&s, 8, 0), pixel_cases[i].bg, pixel_cases[i].bpp / 8);
		assert_memory_equal(pixel(&s, 0, 0), pixel_cases[i].fg, pixel_cases[i].bpp / 8);
		put(s.con, "\x1b[101m\x1b[2J");            /* all bright red */
		assert_memory_equal(pixel(&s, 15, 15), pixel_cases[i].fg, pixel_cases[i].bpp / 8);
		screen_close(&s);
	}
}

static void the_cursor_is_drawn_as_the_inverted_cell(void **state)
{
	const struct pixel_case *pc = &pixel_cases[0];
	struct pixel_case inverted = *pc;
	struct screen s;

	memcpy(inverted.fg, pc->bg, 4);
	memcpy(inverted.bg, pc->fg, 4);
	screen_open(&s, pc, 40, 16, 0, &small.font);
	put(s.con, "\x1b[91;44mAB\b");
	assert_cell_shows(&s, pc, 0, 0, psf_glyph(&small.font, 'A'));
	assert_cell_shows(&s, &inverted, 1, 0, psf_glyph(&small.font, 'B'));
	screen_close(&s);
}

/* Draw the console's grid (and cursor) on a new fbcon: the reference render. */
static void render_fresh(struct screen *ref, const struct pixel_case *pc,
			 const struct screen *s)
{
	struct console_cell c;
	unsigned x, y;

	screen_open(ref, pc, s->mode.width, s->mode.height,
		    s->mode.pitch - s->mode.width * (pc->bpp / 8), s->fb->font);
	for (y = 0; y < s->con->rows; y++)
		for (x = 0; x < s->con->cols; x++) {
			c = *console_cell(s->con, x, y);
			if (x == s->con->x && y == s->con->y)
				c.flags |= CONSOLE_CELL_CURSOR;
			fbcon_draw_cell(ref->fb, x, y, &c);
		}
}

static void assert_same_pixels(const struct screen *a, const struct screen *b)
{
	size_t i;

	for (i = 0; i < a->mode.size; i++)
		if (a->pixels[i] != b->pixels[i])
			fail_msg("byte %zu (row %zu) differs", i, i / a->mode.pitch);
}

static void scrolled_output_equals_a_fresh_render_of_the_same_text(void **state)
{
	const struct pixel_case *pc = &pixel_cases[4];
	struct screen a, b;
	char line[64];
	unsigned i;

	screen_open(&a, pc, 203, 99, 5, &small.font);   /* 25 x 6 cells */
	for (i = 0; i < 40; i++) {
		snprintf(line, sizeof(line), "\x1b[%u;%umline %u \xe2\x94\x80\xc3\xa9\x1b[0m\n",
			 31 + i % 7, 40 + i % 3, i);
		put(a.con, line);
	}
	screen_open(&b, pc, 203, 99, 5, &small.font);
	for (i = 35; i < 40; i++) {
		snprintf(line, sizeof(line), "\x1b[%u;%umline %u \xe2\x94\x80\xc3\xa9\x1b[0m\n",
			 31 + i % 7, 40 + i % 3, i);
		put(b.con, line);
	}
	assert_same_pixels(&a, &b);
	assert_padding_untouched(&a);
	screen_close(&a);
	screen_close(&b);
}

/* Small deterministic generator: the same stream on every run. */
static uint32_t rng_next(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 16;
}

static size_t random_text(char *buf, uint32_t *seed)
{
	static const char *const bits[] = {
		"\n", "\r", "\t", "\b", "\b \b", "\x1b[2J", "\x1b[H", "\x1b[K", "\x1b[0m",
		"\x1b[1m", "\x1b[31m", "\x1b[44m", "\x1b[97;101m", "\x1b[3;5H", "\x1b[2A",
		"\xc3\xa9", "\xe2\x94\x80", "\xf0\x9f\x98\x80", "\xff", "word", "x",
	};
	size_t n = 0, k = rng_next(seed) % 12;
	const char *b;

	while (k--) {
		b = bits[rng_next(seed) % (sizeof(bits) / sizeof(bits[0]))];
		memcpy(buf + n, b, strlen(b));
		n += strlen(b);
	}
	return n;
}

static void incremental_drawing_always_equals_a_fresh_render(void **state)
{
	const struct pixel_case *pc = &pixel_cases[3];
	struct screen a, ref;
	char buf[256];
	uint32_t seed = 12345;
	unsigned i;

	screen_open(&a, pc, 77, 53, 2, &small.font);    /* 9 x 3 cells */
	for (i = 0; i < 1500; i++) {
		console_feed(a.con, buf, random_text(buf, &seed));
		render_fresh(&ref, pc, &a);
		assert_same_pixels(&a, &ref);
		screen_close(&ref);
	}
	assert_padding_untouched(&a);
	screen_close(&a);
}

/* The same, on the 32-bpp modes' four-pixel path with both fonts. */
static void incremental_32bpp_drawing_with_both_fonts_equals_a_fresh_render(void **state)
{
	const struct psf_font *fonts[] = { &small.font, &large.font };
	struct screen a, ref;
	char buf[256];
	uint32_t seed = 777;
	unsigned i, f, p;

	for (p = 0; p < 2; p++)                          /* RGBX, BGRX */
		for (f = 0; f < 2; f++) {
			screen_open(&a, &pixel_cases[p], 83, 70, 4, fonts[f]);
			for (i = 0; i < 400; i++) {
				console_feed(a.con, buf, random_text(buf, &seed));
				render_fresh(&ref, &pixel_cases[p], &a);
				assert_same_pixels(&a, &ref);
				screen_close(&ref);
			}
			assert_padding_untouched(&a);
			screen_close(&a);
		}
}

/* Line i of the burst tests: colours, UTF-8 and a tab, about 40 characters. */
static void burst_line(char *out, size_t size, unsigned i)
{
	snprintf(out, size, "\x1b[%u;%umline %u\t\xe2\x94\x80 %u\x1b[0m and more text\n",
		 31 + i % 7, 40 + i % 8, i, i * 7919u);
}

/*
 * Text longer than the screen written in one call, where the grid scrolls
 * many times before the back end is brought up to date once, shows the
 * same pixels as the same text written a line per call.
 */
static void a_burst_larger_than_the_screen_draws_what_line_by_line_output_draws(void **state)
{
	const struct psf_font *fonts[] = { &small.font, &large.font };
	static char burst[64 * 200];
	struct screen a, b;
	char line[128];
	size_t n;
	unsigned i, f;

	for (f = 0; f < 2; f++) {
		screen_open(&a, &pixel_cases[1], 400, 200, 0, fonts[f]);
		screen_open(&b, &pixel_cases[1], 400, 200, 0, fonts[f]);
		for (i = 0, n = 0; i < 150; i++) {
			burst_line(line, sizeof(line), i);
			put(b.con, line);
			memcpy(burst + n, line, strlen(line));
			n += strlen(line);
		}
		assert_true(150 > 3 * a.con->rows);
		console_feed(a.con, burst, n);
		assert_same_pixels(&a, &b);
		for (i = 0; i < a.con->rows; i++)
			assert_string_equal(row(a.con, i), row(b.con, i));
		screen_close(&a);
		screen_close(&b);
	}
}

/* The grid is a ring of rows: reading order survives any number of scrolls. */
static void rows_read_in_order_after_the_grid_wrapped_around(void **state)
{
	struct console *con = new_console(state, 12, 4);
	unsigned i, n = 3 * con->rows + 1;
	char line[16], want[16];

	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "\nrow %u", i);
		put(con, line);
	}
	for (i = 0; i < con->rows; i++) {
		snprintf(line, sizeof(line), "row %u", n - con->rows + i);
		assert_string_equal(row(con, i), line);
	}
	snprintf(want, sizeof(want), "   %s", row(con, 1) + 3);
	put(con, "\x1b[2;3H\x1b[1J");        /* erase from the top to (2, 1) */
	assert_string_equal(row(con, 0), "");
	assert_string_equal(row(con, 1), want);
	assert_mirror_matches(*state);
}

/*
 * Garbage in the pixels of a cell must not travel when the screen scrolls:
 * the new rows are drawn from the grid, never copied from the framebuffer.
 */
static void scrolling_never_reads_the_framebuffer_back(void **state)
{
	const struct pixel_case *pc = &pixel_cases[0];
	struct screen a, b;
	uint32_t y;

	screen_open(&a, pc, 64, 48, 8, &small.font);    /* 8 x 3 cells */
	put(a.con, "AAAA\nBBBB");
	for (y = 16; y < 32; y++)                        /* trash row 1's BBBB */
		memset(a.pixels + y * a.mode.pitch, 0x77, 4 * 8 * 4);
	put(a.con, "\n\n");
	screen_open(&b, pc, 64, 48, 8, &small.font);
	put(b.con, "BBBB\n\n");
	/*
	 * Row 0 now shows BBBB, drawn from the grid: none of the garbage came
	 * along. Row 1 turned blank; fbcon trusts its shadow down to glyph rows
	 * (see cells_that_did_not_change_are_not_drawn_again), so the garbage
	 * stays where B and blank share a glyph row: only row 0 and 2 compare.
	 */
	assert_memory_equal(a.pixels, b.pixels, 16 * a.mode.pitch);
	assert_memory_equal(a.pixels + 32 * a.mode.pitch, b.pixels + 32 * b.mode.pitch,
			    16 * a.mode.pitch);
	screen_close(&a);
	screen_close(&b);
}

static void cells_that_did_not_change_are_not_drawn_again(void **state)
{
	const struct pixel_case *pc = &pixel_cases[0];
	struct screen s;
	uint32_t y;

	screen_open(&s, pc, 64, 48, 0, &small.font);
	put(s.con, "same\nsame\nsame");
	for (y = 16; y < 32; y++)                        /* mark row 1 */
		memset(s.pixels + y * s.mode.pitch, 0x77, 4 * 8 * 4);
	put(s.con, "\nsame");                            /* scrolls: row 1 keeps "same" */
	for (y = 16; y < 32; y++)
		assert_int_equal(s.pixels[y * s.mode.pitch], 0x77);
	screen_close(&s);
}

static void margins_beyond_the_grid_are_painted_once_and_left_alone(void **state)
{
	const struct pixel_case *pc = &pixel_cases[1];
	struct screen s;
	const uint8_t black[4] = { 0, 0, 0, 0 };
	uint32_t x, y;

	screen_open(&s, pc, 8 * 3 + 5, 16 * 2 + 7, 4, &small.font);
	assert_int_equal(s.fb->cols, 3);
	assert_int_equal(s.fb->rows, 2);
	put(s.con, "\x1b[101m\x1b[2Jabcdefghijkl");
	for (y = 0; y < s.mode.height; y++)
		for (x = 0; x < s.mode.width; x++)
			if (x >= 24 || y >= 32)
				assert_memory_equal(pixel(&s, x, y), black, 4);
	assert_padding_untouched(&s);
	screen_close(&s);
}

static void modes_larger_than_the_maximum_grid_use_the_top_left_part(void **state)
{
	const struct pixel_case *pc = &pixel_cases[6];
	struct screen s;
	struct console_cell c = { .cp = 'x', .fg = 15 };

	screen_open(&s, pc, (CONSOLE_MAX_COLS + 3) * 8, 40, 0, &small.font);
	assert_int_equal(s.fb->cols, CONSOLE_MAX_COLS);
	assert_int_equal(s.fb->rows, 2);
	put(s.con, "\x1b[2;999H!\x1b[1;1H");
	assert_int_equal(console_cell(s.con, CONSOLE_MAX_COLS - 1, 1)->cp, '!');
	fbcon_draw_cell(s.fb, CONSOLE_MAX_COLS, 0, &c);  /* outside: ignored */
	fbcon_draw_cell(s.fb, 0, 2, &c);
	assert_int_equal(*pixel(&s, CONSOLE_MAX_COLS * 8, 0), 0);
	screen_close(&s);

	screen_open(&s, pc, 16, (CONSOLE_MAX_ROWS + 2) * 16, 0, &small.font);
	assert_int_equal(s.fb->rows, CONSOLE_MAX_ROWS);
	put(s.con, "\x1b[999;1H\n\n");
	screen_close(&s);
}

static void fbcon_init_refuses_modes_it_cannot_draw(void **state)
{
	struct boot_framebuffer good = {
		.format = FB_BITMASK, .bpp = 16, .red_mask = 0xf800, .green_mask = 0x07e0,
		.blue_mask = 0x001f, .width = 64, .height = 32, .pitch = 128, .size = 4096,
	};
	struct boot_framebuffer m;
	struct psf_font wide = small.font;
	struct fbcon *fb = calloc(1, sizeof(*fb));
	uint8_t *px = calloc(1, 4096);

	assert_int_equal(fbcon_init(fb, &good, px, &small.font), 0);
#define BAD(field, value, err) do { m = good; m.field = value; \
	assert_int_equal(fbcon_init(fb, &m, px, &small.font), err); } while (0)
	BAD(format, FB_NONE, -E_NODEV);
	BAD(format, 7, -E_NODEV);
	BAD(bpp, 12, -E_INVAL);
	BAD(bpp, 8, -E_INVAL);                 /* masks do not fit in 8 bits */
	BAD(red_mask, 0, -E_INVAL);
	BAD(red_mask, 0xf801, -E_INVAL);       /* not contiguous */
	BAD(green_mask, 0x0fe0, -E_INVAL);     /* overlaps red */
	BAD(pitch, 127, -E_INVAL);
	BAD(size, 4095, -E_INVAL);
	BAD(width, 0, -E_INVAL);
	BAD(height, 0, -E_INVAL);
	BAD(width, 7, -E_RANGE);               /* narrower than one glyph */
	BAD(height, 15, -E_RANGE);
	m = good;
	m.format = FB_RGBX;
	assert_int_equal(fbcon_init(fb, &m, px, &small.font), -E_INVAL); /* 16 bpp RGBX */
	m.bpp = 0;
	m.pitch = 256;
	m.size = 0;
	m.height = 16;
	assert_int_equal(fbcon_init(fb, &m, px, &small.font), 0);       /* bpp implied */
	assert_int_equal(fbcon_init(fb, &good, NULL, &small.font), -E_INVAL);
	wide.width = FBCON_MAX_FONT_WIDTH + 1;
	assert_int_equal(fbcon_init(fb, &good, px, &wide), -E_INVAL);
#undef BAD
	free(px);
	free(fb);
}

static void the_large_font_is_chosen_from_1920_wide_or_1200_high(void **state)
{
	struct boot_framebuffer m = { .width = 1280, .height = 800 };

	assert_false(fbcon_wants_large_font(&m));
	m.width = 1919;
	m.height = 1199;
	assert_false(fbcon_wants_large_font(&m));
	m.width = 1920;
	m.height = 1080;
	assert_true(fbcon_wants_large_font(&m));
	m.width = 1600;
	m.height = 1200;
	assert_true(fbcon_wants_large_font(&m));
}

/* ---- the kernel's console ------------------------------------------------------------- */

static void the_kernel_console_comes_up_on_a_framebuffer_and_prints(void **state)
{
	struct boot_framebuffer fb = {
		.format = FB_BGRX, .bpp = 32, .width = 1280, .height = 800, .pitch = 1280 * 4,
	};
	struct boot_framebuffer none = { .format = FB_NONE };
	unsigned cols = 1, rows = 1;
	uint32_t *px = calloc(1280 * 800, 4);

	fb.size = (uint64_t)fb.pitch * fb.height;
	fb.virt = (uintptr_t)px;
	assert_false(console_ready());
	console_get_size(&cols, &rows);
	assert_int_equal(cols, 0);
	console_write("ignored", 7);                     /* not ready: no-op */
	assert_int_equal(console_fb_init(&none, small.data, small.size, NULL, 0), -E_NODEV);
	assert_int_equal(console_fb_init(&fb, NULL, 0, NULL, 0), -E_NOENT);
	assert_int_equal(console_fb_init(&fb, small.data, 10, NULL, 0), -E_INVAL);
	assert_false(console_ready());
	assert_int_equal(console_fb_init(&fb, small.data, small.size, large.data, large.size), 0);
	assert_true(console_ready());
	console_get_size(&cols, &rows);
	assert_int_equal(cols, 160);                     /* 1280x800: 8x16 font */
	assert_int_equal(rows, 50);
	console_write("\x1b[97m#", 6);
	assert_int_equal(px[0], 0x00000000);             /* '#' has a blank top row */
	assert_int_equal(px[1280 * 8 + 10], 0x00aaaaaa); /* cursor cell: inverted */
	console_clear();                                 /* blanks take fg 97 */
	assert_int_equal(px[1280 * 8 + 2], 0x00ffffff);  /* cursor at home again */
	assert_int_equal(px[1280 * 8 + 10], 0x00000000);
	free(px);
}

static void a_1920x1080_console_uses_the_16x32_font(void **state)
{
	struct boot_framebuffer fb = {
		.format = FB_RGBX, .bpp = 32, .width = 1920, .height = 1080, .pitch = 1920 * 4,
	};
	unsigned cols, rows;
	uint32_t *px = calloc(1920 * 1080, 4);

	fb.virt = (uintptr_t)px;
	assert_int_equal(console_fb_init(&fb, small.data, small.size, large.data, large.size), 0);
	console_get_size(&cols, &rows);
	assert_int_equal(cols, 120);
	assert_int_equal(rows, 33);
	assert_int_equal(console_fb_init(&fb, small.data, small.size, large.data, 100), 0);
	console_get_size(&cols, &rows);                  /* broken large font: small */
	assert_int_equal(cols, 240);
	assert_int_equal(rows, 67);
	free(px);
}

static void the_kernel_console_scrolls_its_view_back_and_forth(void **state)
{
	struct boot_framebuffer fb = {
		.format = FB_BGRX, .bpp = 32, .width = 640, .height = 480, .pitch = 640 * 4,
	};
	size_t bytes = (size_t)640 * 480 * 4;
	uint32_t *px = calloc(1, bytes), *live = malloc(bytes);
	char line[32];
	unsigned i;

	fb.size = bytes;
	fb.virt = (uintptr_t)px;
	assert_int_equal(console_fb_init(&fb, small.data, small.size, NULL, 0), 0);
	assert_int_equal(console_scroll_view(5), 0);             /* nothing kept yet */
	for (i = 0; i < 40 + CONSOLE_SCROLLBACK_LINES; i++) {
		snprintf(line, sizeof(line), "line %u\n", i);
		console_write(line, strlen(line));
	}
	memcpy(live, px, bytes);
	assert_int_equal(console_scroll_view(10), 10);
	assert_memory_not_equal(px, live, bytes);
	assert_int_equal(console_scroll_view(100000), CONSOLE_SCROLLBACK_LINES);
	assert_int_equal(console_scroll_view(-100000), 0);
	assert_memory_equal(px, live, bytes);
	console_scroll_view(3);
	console_write("x", 1);                                   /* snaps back */
	assert_int_equal(console_scroll_view(0), 0);
	free(live);
	free(px);
}

#define T(name) cmocka_unit_test_teardown(name, free_state)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(text_starts_at_the_top_left_and_advances_the_cursor),
		T(newline_goes_to_the_start_of_the_next_row),
		T(carriage_return_goes_back_to_column_0_of_the_same_row),
		T(tab_moves_to_the_next_multiple_of_8_without_writing),
		T(tab_near_the_right_edge_stops_in_the_last_column),
		T(backspace_moves_left_without_erasing_and_stops_at_column_0),
		T(text_wraps_at_the_right_edge_onto_the_next_row),
		T(a_full_line_then_newline_leaves_no_empty_row),
		T(backspace_after_the_last_column_erases_that_column),
		T(scrolling_moves_rows_up_and_blanks_the_bottom_row),
		T(wrapping_on_the_last_row_scrolls),
		T(rows_scrolled_in_take_the_current_background),
		T(other_control_characters_print_nothing),
		T(utf8_characters_take_one_cell_even_when_split_across_writes),
		T(malformed_utf8_shows_the_replacement_character),
		T(sgr_sets_foreground_and_background_colours),
		T(every_sgr_colour_number_maps_to_its_colour),
		T(bold_shows_the_eight_basic_colours_bright),
		T(sgr_39_and_49_restore_the_default_colours),
		T(escape_sequences_split_across_writes_still_apply),
		T(unsupported_sequences_are_swallowed_without_effect),
		T(a_control_character_inside_a_sequence_ends_it_and_takes_effect),
		T(clear_screen_and_home_blank_everything_in_the_current_background),
		T(cursor_position_and_moves_follow_their_parameters),
		T(erase_in_line_and_display_clear_the_parts_they_name),
		T(the_back_end_is_up_to_date_after_every_write),
		T(many_scrolled_lines_in_one_write_redraw_the_grid_once),
		T(rows_read_in_order_after_the_grid_wrapped_around),
		T(the_cursor_can_be_hidden_and_shown),
		T(rows_scrolled_off_the_top_are_kept_and_can_be_looked_at),
		T(scrolled_back_rows_keep_their_colours),
		T(new_output_snaps_the_view_back_to_the_bottom),
		T(a_full_scrollback_keeps_only_the_newest_rows),
		T(the_cursor_moves_with_the_view_and_vanishes_below_the_screen),
		T(without_scrollback_the_view_does_not_move),
		T(moving_the_view_redraws_only_when_it_moves),
		T(clearing_the_screen_keeps_nothing_in_the_scrollback),
		cmocka_unit_test(a_back_end_with_its_own_cursor_is_told_where_it_goes),
		cmocka_unit_test(the_framebuffer_is_the_default_and_vga_the_fallback),
		cmocka_unit_test(console_vga_and_console_fb_force_their_choice),
		cmocka_unit_test(attach_refuses_empty_and_oversized_grids),
		cmocka_unit_test(letter_a_is_drawn_as_its_glyph_in_every_pixel_format),
		cmocka_unit_test(colours_land_in_the_bytes_each_format_puts_them),
		cmocka_unit_test(the_cursor_is_drawn_as_the_inverted_cell),
		cmocka_unit_test(scrolled_output_equals_a_fresh_render_of_the_same_text),
		cmocka_unit_test(incremental_drawing_always_equals_a_fresh_render),
		cmocka_unit_test(incremental_32bpp_drawing_with_both_fonts_equals_a_fresh_render),
		cmocka_unit_test(a_burst_larger_than_the_screen_draws_what_line_by_line_output_draws),
		cmocka_unit_test(scrolling_never_reads_the_framebuffer_back),
		cmocka_unit_test(cells_that_did_not_change_are_not_drawn_again),
		cmocka_unit_test(margins_beyond_the_grid_are_painted_once_and_left_alone),
		cmocka_unit_test(modes_larger_than_the_maximum_grid_use_the_top_left_part),
		cmocka_unit_test(fbcon_init_refuses_modes_it_cannot_draw),
		cmocka_unit_test(the_large_font_is_chosen_from_1920_wide_or_1200_high),
		cmocka_unit_test(the_kernel_console_comes_up_on_a_framebuffer_and_prints),
		cmocka_unit_test(a_1920x1080_console_uses_the_16x32_font),
		cmocka_unit_test(the_kernel_console_scrolls_its_view_back_and_forth),
	};

	if (argc < 1 || load_font(argv[0], &small) || load_font(argv[0], &large))
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
