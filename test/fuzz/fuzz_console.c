/*
 * Fuzz target: the console's terminal logic and escape parser
 * (kernel/console/console.c). The input picks a grid size, a cursor style
 * (flagged cell or the back end's own) and a scrollback, then a list of
 * actions: feed bytes, move the view, erase, show or hide the cursor. A
 * recording back end keeps what it was told. After every action the back
 * end must show exactly the console's cells (console_shown_cell), never be
 * told about a cell outside the grid or a colour out of range, and show the
 * cursor in one place only: at the cursor, when it is visible and on the
 * screen. The cursor always stays inside the grid; the view never goes past
 * the scrollback kept.
 */
#include <stdbool.h>
#include <string.h>

#include "kernel/console/console.h"
#include "test/fuzz/fuzz.h"

#define MAX_COLS 90
#define MAX_ROWS 40

struct shadow {
	unsigned cols, rows;
	struct console_cell cell[MAX_ROWS][MAX_COLS];
	bool hw_visible;
	unsigned hw_x, hw_y;
};

static void rec_draw(void *ctx, unsigned x, unsigned y, const struct console_cell *c)
{
	struct shadow *s = ctx;

	FUZZ_CHECK(x < s->cols && y < s->rows);
	FUZZ_CHECK(c->fg < 16 && c->bg < 16 && c->pad == 0);
	FUZZ_CHECK((c->flags & ~CONSOLE_CELL_CURSOR) == 0);
	FUZZ_CHECK(c->cp <= 0x10ffff && !(c->cp >= 0xd800 && c->cp <= 0xdfff));
	s->cell[y][x] = *c;
}

static void rec_cursor(void *ctx, bool visible, unsigned x, unsigned y)
{
	struct shadow *s = ctx;

	FUZZ_CHECK(!visible || (x < s->cols && y < s->rows));
	s->hw_visible = visible;
	s->hw_x = x;
	s->hw_y = y;
}

static const struct console_ops flag_ops = { .draw_cell = rec_draw };
static const struct console_ops hw_ops = { .draw_cell = rec_draw, .set_cursor = rec_cursor };

static bool same_cell(struct console_cell a, struct console_cell b)
{
	return a.cp == b.cp && a.fg == b.fg && a.bg == b.bg;
}

static void check(const struct console *con, const struct shadow *s, bool hw)
{
	unsigned cx = con->x, cy = con->y + con->view, flagged = 0;
	bool shown = con->cursor_visible && cy < con->rows;

	FUZZ_CHECK(con->x < con->cols && con->y < con->rows);
	FUZZ_CHECK(con->view <= con->sb_count && con->sb_count <= con->sb_lines);
	for (unsigned y = 0; y < s->rows; y++)
		for (unsigned x = 0; x < s->cols; x++) {
			FUZZ_CHECK(same_cell(s->cell[y][x], console_shown_cell(con, x, y)));
			if (s->cell[y][x].flags & CONSOLE_CELL_CURSOR) {
				flagged++;
				FUZZ_CHECK(x == cx && y == cy);
			}
		}
	if (hw) {
		FUZZ_CHECK(flagged == 0 && s->hw_visible == shown);
		FUZZ_CHECK(!shown || (s->hw_x == cx && s->hw_y == cy));
	} else {
		FUZZ_CHECK(flagged == (shown ? 1u : 0u));
	}
}

static void act(struct console *con, struct fuzz_in *in)
{
	uint8_t t = fuzz_u8(in);
	char buf[64];
	size_t n;

	if ((t & 0xc0) != 0xc0) {
		n = (t & 0x3f) + 1u;
		for (size_t i = 0; i < n; i++)
			buf[i] = (char)fuzz_u8(in);
		console_feed(con, buf, n);
		return;
	}
	switch (t & 3) {
	case 0:
		console_view_move(con, (int8_t)fuzz_u8(in));
		break;
	case 1:
		console_erase(con);
		break;
	default:
		console_set_cursor_visible(con, t & 1);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct console con;
	static struct shadow s;
	static uint32_t store[64 * MAX_COLS];
	struct fuzz_in in = { data, size };
	uint8_t mode;

	memset(&s, 0, sizeof(s));
	s.cols = fuzz_u8(&in) % MAX_COLS + 1;
	s.rows = fuzz_u8(&in) % MAX_ROWS + 1;
	mode = fuzz_u8(&in);
	FUZZ_CHECK(console_attach(&con, mode & 1 ? &hw_ops : &flag_ops, &s,
				  s.cols, s.rows) == 0);
	if (mode & 2)
		console_set_scrollback(&con, store, (size_t)(mode >> 2) * s.cols);
	check(&con, &s, mode & 1);
	while (in.left) {
		act(&con, &in);
		check(&con, &s, mode & 1);
	}
	return 0;
}
