/*
 * Terminal logic of the console (grid, cursor, control characters, escape
 * parser, scrollback) and the kernel's one console. Cells are written into
 * the grid and shown through the back end at once, except after a scroll or
 * a move of the view: then every cell has moved, and the whole screen is
 * handed over once at the end of the write, however many lines scrolled in
 * between. The grid is a ring of rows, so a scroll copies no cell. Rows scrolled off the top go into the scrollback ring packed into
 * 32 bits (code point, foreground, background); while the view is scrolled
 * back, screen row y shows the line y - view of the scrollback-plus-grid.
 * Task context, not reentrant (see the header).
 */
#include "kernel/console/console.h"
#include "kernel/console/fbcon.h"
#include "lib/cmdline.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/psf.h"
#include "lib/string.h"

#define ASCII_ESC     0x1b
#define PARAM_MAX     9999u           /* larger numbers are clamped */

/* A scrollback cell: code point in bits 0-20, foreground 21-24, background 25-28. */
#define SB_CP_MASK    0x1fffffu
#define SB_FG_SHIFT   21
#define SB_BG_SHIFT   25

/* Escape parser states. */
enum { ESC_NONE, ESC_START, ESC_CSI };

/* ---- grid helpers ----------------------------------------------------------- */

static uint8_t console_fg(const struct console *con)
{
	return (con->bold && con->fg < 8) ? con->fg + 8 : con->fg;
}

/* A cell showing cp in the current colours. */
static struct console_cell console_make(const struct console *con, uint32_t cp)
{
	struct console_cell c = { .cp = cp, .fg = console_fg(con), .bg = con->bg };

	return c;
}

/* Position of cell (x, y) in reading order: what ranges of cells count in. */
static size_t console_index(const struct console *con, unsigned x, unsigned y)
{
	return (size_t)y * con->cols + x;
}

/* Screen row y of the grid (the rows are a ring, see the header). */
static struct console_cell *console_row(const struct console *con, unsigned y)
{
	unsigned r = con->top + y;

	if (r >= con->rows)
		r -= con->rows;
	return (struct console_cell *)con->cells + (size_t)r * con->cols;
}

static void console_set(struct console *con, unsigned x, unsigned y, struct console_cell c)
{
	console_row(con, y)[x] = c;
	if (!con->redraw)
		con->ops->draw_cell(con->ctx, x, y, &c);
}

/* Blank cells [from, to) (console_index order) in the current background. */
static void console_fill(struct console *con, size_t from, size_t to)
{
	struct console_cell blank = console_make(con, ' '), *row;
	unsigned x, y, end;

	while (from < to) {
		y = (unsigned)(from / con->cols);
		x = (unsigned)(from % con->cols);
		end = (unsigned)MIN((size_t)con->cols, x + (to - from));
		row = console_row(con, y);
		from += end - x;
		for (; x < end; x++) {
			row[x] = blank;
			if (!con->redraw)
				con->ops->draw_cell(con->ctx, x, y, &blank);
		}
	}
}

/* ---- scrollback --------------------------------------------------------------- */

static uint32_t console_pack(const struct console_cell *c)
{
	return (c->cp & SB_CP_MASK) | (uint32_t)(c->fg & 15) << SB_FG_SHIFT |
	       (uint32_t)(c->bg & 15) << SB_BG_SHIFT;
}

static struct console_cell console_unpack(uint32_t v)
{
	struct console_cell c = {
		.cp = v & SB_CP_MASK,
		.fg = (uint8_t)((v >> SB_FG_SHIFT) & 15),
		.bg = (uint8_t)((v >> SB_BG_SHIFT) & 15),
	};

	return c;
}

/* Row i of the scrollback, 0 = oldest. */
static const uint32_t *console_sb_row(const struct console *con, unsigned i)
{
	unsigned slot = (con->sb_next + con->sb_lines - con->sb_count + i) % con->sb_lines;

	return con->sb + (size_t)slot * con->cols;
}

/* Keep the top row, about to scroll off, as the newest scrollback row. */
static void console_keep_top_row(struct console *con)
{
	uint32_t *dst;
	unsigned x;

	if (con->sb_lines == 0)
		return;
	dst = con->sb + (size_t)con->sb_next * con->cols;
	for (x = 0; x < con->cols; x++)
		dst[x] = console_pack(&console_row(con, 0)[x]);
	con->sb_next = (con->sb_next + 1) % con->sb_lines;
	if (con->sb_count < con->sb_lines)
		con->sb_count++;
}

struct console_cell console_shown_cell(const struct console *con, unsigned x, unsigned y)
{
	if (y >= con->view)
		return console_row(con, y - con->view)[x];
	return console_unpack(console_sb_row(con, con->sb_count - con->view + y)[x]);
}

static void console_scroll(struct console *con)
{
	size_t keep = (size_t)(con->rows - 1) * con->cols;

	console_keep_top_row(con);
	con->top = con->top + 1 < con->rows ? con->top + 1 : 0;
	con->redraw = true;
	console_fill(con, keep, keep + con->cols);
}

/* ---- cursor movement and control characters ---------------------------------- */

static void console_line_feed(struct console *con)
{
	con->wrap_pending = false;
	con->x = 0;
	if (con->y + 1 < con->rows)
		con->y++;
	else
		console_scroll(con);
}

static void console_move_to(struct console *con, unsigned x, unsigned y)
{
	con->x = MIN(x, con->cols - 1);
	con->y = MIN(y, con->rows - 1);
	con->wrap_pending = false;
}

/* Tab: to the next multiple of 8, at most the last column; writes nothing. */
static void console_tab(struct console *con)
{
	if (!con->wrap_pending)
		console_move_to(con, (con->x / CONSOLE_TAB_WIDTH + 1) * CONSOLE_TAB_WIDTH,
				con->y);
}

/*
 * Backspace moves left without erasing ("\b \b" erases) and stops at column
 * 0. After the last column was written the cursor is still on it, so
 * backspace only cancels the pending wrap: "\b \b" then erases that cell.
 */
static void console_backspace(struct console *con)
{
	if (con->wrap_pending)
		con->wrap_pending = false;
	else if (con->x > 0)
		con->x--;
}

static void console_control(struct console *con, uint32_t cp)
{
	switch (cp) {
	case '\n':
		console_line_feed(con);
		break;
	case '\r':
		console_move_to(con, 0, con->y);
		break;
	case '\t':
		console_tab(con);
		break;
	case '\b':
		console_backspace(con);
		break;
	case ASCII_ESC:
		con->esc = ESC_START;
		break;
	default:                        /* BEL, C1 controls, DEL...: ignored */
		break;
	}
}

static void console_print(struct console *con, uint32_t cp)
{
	if (con->wrap_pending)
		console_line_feed(con);
	console_set(con, con->x, con->y, console_make(con, cp));
	if (con->x + 1 < con->cols)
		con->x++;
	else
		con->wrap_pending = true;
}

/* ---- escape sequences ----------------------------------------------------------- */

/* One SGR number; false for 38/48 (extended colour): its arguments follow. */
static bool console_sgr_one(struct console *con, unsigned p)
{
	if (p == 0) {
		con->fg = CONSOLE_DEFAULT_FG;
		con->bg = CONSOLE_DEFAULT_BG;
		con->bold = false;
	} else if (p == 1 || p == 22) {
		con->bold = (p == 1);
	} else if (p >= 30 && p <= 37) {
		con->fg = (uint8_t)(p - 30);
	} else if (p >= 90 && p <= 97) {
		con->fg = (uint8_t)(p - 90 + 8);
	} else if (p >= 40 && p <= 47) {
		con->bg = (uint8_t)(p - 40);
	} else if (p >= 100 && p <= 107) {
		con->bg = (uint8_t)(p - 100 + 8);
	} else if (p == 39) {
		con->fg = CONSOLE_DEFAULT_FG;
	} else if (p == 49) {
		con->bg = CONSOLE_DEFAULT_BG;
	} else if (p == 38 || p == 48) {
		return false;
	}
	return true;                    /* others (underline, blink...) ignored */
}

/* ESC[nJ and ESC[nK: 0 = cursor to end, 1 = start to cursor, 2 = all. */
static void console_erase_part(struct console *con, unsigned n, size_t start, size_t end)
{
	size_t here = console_index(con, con->x, con->y);

	if (n == 0)
		console_fill(con, here, end);
	else if (n == 1)
		console_fill(con, start, here + 1);
	else if (n == 2)
		console_fill(con, start, end);
}

static void console_csi(struct console *con, uint32_t final, unsigned count)
{
	unsigned n = con->params[0], step = n ? n : 1, i;
	size_t line = console_index(con, 0, con->y);

	switch (final) {
	case 'm':
		for (i = 0; i < count && console_sgr_one(con, con->params[i]); i++)
			;
		break;
	case 'H':
	case 'f':
		console_move_to(con, con->params[1] ? con->params[1] - 1 : 0, n ? n - 1 : 0);
		break;
	case 'J':
		console_erase_part(con, n, 0, console_index(con, 0, con->rows));
		break;
	case 'K':
		console_erase_part(con, n, line, line + con->cols);
		break;
	case 'A':
		console_move_to(con, con->x, con->y > step ? con->y - step : 0);
		break;
	case 'B':
		console_move_to(con, con->x, con->y + step);
		break;
	case 'C':
		console_move_to(con, con->x + step, con->y);
		break;
	case 'D':
		console_move_to(con, con->x > step ? con->x - step : 0, con->y);
		break;
	default:                        /* unsupported: ignored */
		break;
	}
}

static void console_char(struct console *con, uint32_t cp);

/* Parameter and final bytes of ESC[ ... as ECMA-48 lays them out. */
static void console_csi_byte(struct console *con, uint32_t cp)
{
	unsigned i = con->esc_param;

	if (cp >= '0' && cp <= '9') {
		if (i < CONSOLE_MAX_PARAMS)
			con->params[i] = (uint16_t)MIN(con->params[i] * 10u + (cp - '0'),
						       PARAM_MAX);
	} else if (cp == ';') {
		if (con->esc_param < CONSOLE_MAX_PARAMS)
			con->esc_param++;
		if (con->esc_param < CONSOLE_MAX_PARAMS)
			con->params[con->esc_param] = 0;
	} else if (cp >= 0x20 && cp <= 0x3f) {
		con->esc_ignore = true;  /* private markers, intermediates */
	} else if (cp >= 0x40 && cp <= 0x7e) {
		con->esc = ESC_NONE;
		if (!con->esc_ignore)
			console_csi(con, cp, MIN(con->esc_param + 1, CONSOLE_MAX_PARAMS));
	} else {
		con->esc = ESC_NONE;     /* not part of a sequence: abandon it */
		console_char(con, cp);
	}
}

static void console_escape(struct console *con, uint32_t cp)
{
	if (con->esc == ESC_CSI) {
		console_csi_byte(con, cp);
	} else if (cp == '[') {
		con->esc = ESC_CSI;
		con->esc_ignore = false;
		con->esc_param = 0;
		con->params[0] = 0;
		con->params[1] = 0;
	} else {
		con->esc = ESC_NONE;     /* other ESC x sequences: dropped */
	}
}

static void console_char(struct console *con, uint32_t cp)
{
	if (con->esc != ESC_NONE)
		console_escape(con, cp);
	else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		console_control(con, cp);
	else
		console_print(con, cp);
}

/* ---- feeding text ---------------------------------------------------------------- */

/* Where the cursor is on the screen; false when it is not to be shown. */
static bool console_cursor_on_screen(const struct console *con, unsigned *x, unsigned *y)
{
	*x = con->x;
	*y = con->y + con->view;
	return con->cursor_visible && *y < con->rows;
}

/* Cursor as a flagged cell: redraw the cell it left, flag the cell it is on. */
static void console_draw_cursor_cell(struct console *con)
{
	struct console_cell c;
	unsigned x, y;
	bool show = console_cursor_on_screen(con, &x, &y);

	if (con->cursor_drawn && (!show || x != con->cursor_x || y != con->cursor_y)) {
		c = console_shown_cell(con, con->cursor_x, con->cursor_y);
		con->ops->draw_cell(con->ctx, con->cursor_x, con->cursor_y, &c);
	}
	con->cursor_drawn = show;
	if (!show)
		return;
	c = console_shown_cell(con, x, y);
	c.flags |= CONSOLE_CELL_CURSOR;
	con->ops->draw_cell(con->ctx, x, y, &c);
	con->cursor_x = x;
	con->cursor_y = y;
}

/* Cursor of the back end's own: tell it only what changed. */
static void console_move_hw_cursor(struct console *con)
{
	unsigned x, y;
	bool show = console_cursor_on_screen(con, &x, &y);

	if (show == con->cursor_drawn && (!show || (x == con->cursor_x && y == con->cursor_y)))
		return;
	con->ops->set_cursor(con->ctx, show, x, y);
	con->cursor_drawn = show;
	con->cursor_x = x;
	con->cursor_y = y;
}

/*
 * Bring the back end up to date: moved cells, then the cursor. The old
 * cursor cell is redrawn only now, so a character typed over it is drawn
 * once (the back end skips the redundant redraw).
 */
static void console_flush(struct console *con)
{
	struct console_cell c;
	unsigned x, y;

	if (con->redraw) {
		con->redraw = false;
		for (y = 0; y < con->rows; y++)
			for (x = 0; x < con->cols; x++) {
				c = console_shown_cell(con, x, y);
				con->ops->draw_cell(con->ctx, x, y, &c);
			}
	}
	if (con->ops->set_cursor)
		console_move_hw_cursor(con);
	else
		console_draw_cursor_cell(con);
}

/* Output while the view is scrolled back: back to the bottom first. */
static void console_snap_back(struct console *con)
{
	if (con->view) {
		con->view = 0;
		con->redraw = true;
	}
}

/* A printable ASCII byte outside any sequence: straight to the grid. */
static bool console_plain_ascii(const struct console *con, uint8_t b)
{
	return b >= 0x20 && b < 0x7f && con->utf8.need == 0 && con->esc == ESC_NONE;
}

void console_feed(struct console *con, const char *s, size_t len)
{
	uint32_t out[2];
	size_t i, j, n;

	if (len == 0)
		return;
	console_snap_back(con);
	for (i = 0; i < len; i++) {
		if (console_plain_ascii(con, (uint8_t)s[i])) {
			console_print(con, (uint8_t)s[i]);
			continue;
		}
		n = utf8_feed(&con->utf8, (uint8_t)s[i], out);
		for (j = 0; j < n; j++)
			console_char(con, out[j]);
	}
	console_flush(con);
}

void console_erase(struct console *con)
{
	console_snap_back(con);
	con->redraw = true;
	console_fill(con, 0, console_index(con, 0, con->rows));
	console_move_to(con, 0, 0);
	console_flush(con);
}

void console_set_cursor_visible(struct console *con, bool visible)
{
	con->cursor_visible = visible;
	console_flush(con);
}

const struct console_cell *console_cell(const struct console *con,
					unsigned x, unsigned y)
{
	return &console_row(con, y)[x];
}

void console_set_scrollback(struct console *con, uint32_t *store, size_t cells)
{
	size_t lines = store ? cells / con->cols : 0;

	con->sb = store;
	con->sb_lines = (unsigned)MIN(lines, (size_t)UINT32_MAX);
	con->sb_next = 0;
	con->sb_count = 0;
	console_snap_back(con);
	console_flush(con);
}

unsigned console_scrollback_count(const struct console *con)
{
	return con->sb_count;
}

unsigned console_view_move(struct console *con, int lines)
{
	long view = (long)con->view + lines;

	view = MAX(view, 0L);
	view = MIN(view, (long)con->sb_count);
	if ((unsigned)view != con->view) {
		con->view = (unsigned)view;
		con->redraw = true;
		console_flush(con);
	}
	return con->view;
}

int console_attach(struct console *con, const struct console_ops *ops,
		   void *ctx, unsigned cols, unsigned rows)
{
	if (cols == 0 || rows == 0 || cols > CONSOLE_MAX_COLS || rows > CONSOLE_MAX_ROWS)
		return -E_RANGE;
	con->ops = ops;
	con->ctx = ctx;
	con->cols = cols;
	con->rows = rows;
	con->fg = CONSOLE_DEFAULT_FG;
	con->bg = CONSOLE_DEFAULT_BG;
	con->bold = false;
	con->cursor_visible = true;
	con->cursor_drawn = false;
	con->esc = ESC_NONE;
	con->sb = NULL;
	con->sb_lines = con->sb_next = con->sb_count = 0;
	con->view = 0;
	con->top = 0;
	utf8_decoder_init(&con->utf8);
	console_erase(con);
	return 0;
}

/* ---- the kernel's console ------------------------------------------------------ */

static struct console console_main;
static struct fbcon console_fb;
static struct psf_font console_font;
static struct psf_map_entry console_font_map[CONSOLE_FONT_MAP_MAX];
static uint32_t console_history[CONSOLE_SCROLLBACK_LINES * CONSOLE_MAX_COLS];
static bool console_is_ready;

enum console_kind console_choose(const char *cmdline, uint32_t fb_format,
				 bool (*vga_present)(void))
{
	bool has_fb = fb_format != FB_NONE;

	if (cmdline_has(cmdline, "console=fb"))
		return has_fb ? CONSOLE_FB : CONSOLE_NONE;
	if ((cmdline_has(cmdline, "console=vga") || !has_fb) && vga_present())
		return CONSOLE_VGA;
	return has_fb ? CONSOLE_FB : CONSOLE_NONE;
}

int console_bind(const struct console_ops *ops, void *ctx, unsigned cols, unsigned rows)
{
	int err;

	console_is_ready = false;
	err = console_attach(&console_main, ops, ctx, cols, rows);
	if (err)
		return err;
	console_set_scrollback(&console_main, console_history,
			       (size_t)CONSOLE_SCROLLBACK_LINES * cols);
	console_is_ready = true;
	return 0;
}

int console_fb_init(const struct boot_framebuffer *fb,
		    const void *small_font, size_t small_size,
		    const void *large_font, size_t large_size)
{
	int err = -E_NOENT;

	console_is_ready = false;
	if (fb->format == FB_NONE)
		return -E_NODEV;
	if (large_font && fbcon_wants_large_font(fb))
		err = psf_parse(&console_font, large_font, large_size,
				console_font_map, ARRAY_SIZE(console_font_map));
	if (err && small_font)          /* no large font, or it is broken */
		err = psf_parse(&console_font, small_font, small_size,
				console_font_map, ARRAY_SIZE(console_font_map));
	if (err)
		return err;
	err = fbcon_init(&console_fb, fb, (void *)(uintptr_t)fb->virt, &console_font);
	if (err)
		return err;
	return console_bind(&fbcon_ops, &console_fb, console_fb.cols, console_fb.rows);
}

void console_write(const char *s, size_t len)
{
	if (console_is_ready)
		console_feed(&console_main, s, len);
}

void console_clear(void)
{
	if (console_is_ready)
		console_erase(&console_main);
}

bool console_ready(void)
{
	return console_is_ready;
}

void console_get_size(unsigned *cols, unsigned *rows)
{
	*cols = console_is_ready ? console_main.cols : 0;
	*rows = console_is_ready ? console_main.rows : 0;
}

unsigned console_scroll_view(int lines)
{
	return console_is_ready ? console_view_move(&console_main, lines) : 0;
}
