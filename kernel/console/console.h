/*
 * The text console: a grid of character cells (code point + foreground and
 * background colour), a cursor, and the small part of a terminal the kernel
 * needs: \n (CR+LF), \r, \t (8-column stops), \b, wrapping at the right edge,
 * scrolling, and the escapes ESC[..m (colours), ESC[..H, ESC[..J, ESC[..K and
 * ESC[..A-D. Input is UTF-8; one code point takes one cell.
 *
 * The logic is independent of how cells reach the screen: it tells a back end
 * through struct console_ops which cells may have changed. The kernel's one
 * console (console_init/console_write) draws on the framebuffer with fbcon or
 * on the VGA text screen with vgacon, brought up by one back-end init each
 * (console_fb_init, console_vga_init); struct console instances on any back
 * end serve tests and future mirrors.
 *
 * Rows scrolled off the top can be kept in a scrollback ring (storage given
 * by the caller); the view can be moved back over them and any new output
 * snaps it back to the bottom.
 *
 * Context: task context, not reentrant. Callers serialise (no lock exists
 * yet); an interrupt handler must never write while a task may be writing.
 */
#ifndef EMBER_KERNEL_CONSOLE_H
#define EMBER_KERNEL_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kernel/boot_info.h"
#include "lib/utf8.h"

/*
 * Largest grid: 320x120 cells, 300 KiB per grid (the console's and fbcon's
 * shadow). That covers 5120x3840 with the 16x32 font and 2560x1920 with the
 * 8x16 one; a larger mode shows the console in its top-left part.
 */
#define CONSOLE_MAX_COLS    320
#define CONSOLE_MAX_ROWS    120
#define CONSOLE_MAX_CELLS   (CONSOLE_MAX_COLS * CONSOLE_MAX_ROWS)
#define CONSOLE_TAB_WIDTH   8
#define CONSOLE_MAX_PARAMS  16      /* numbers kept per escape sequence */
#define CONSOLE_FONT_MAP_MAX 2048   /* font code points >= 256 (Terminus: 600) */
#define CONSOLE_SCROLLBACK_LINES 500 /* rows the kernel's console keeps */

/* The 16 colours, in ANSI order; 8..15 are the bright versions of 0..7. */
enum console_colour {
	CON_BLACK, CON_RED, CON_GREEN, CON_YELLOW,
	CON_BLUE, CON_MAGENTA, CON_CYAN, CON_WHITE,
	CON_GREY, CON_BRIGHT_RED, CON_BRIGHT_GREEN, CON_BRIGHT_YELLOW,
	CON_BRIGHT_BLUE, CON_BRIGHT_MAGENTA, CON_BRIGHT_CYAN, CON_BRIGHT_WHITE,
};
#define CONSOLE_DEFAULT_FG  CON_WHITE
#define CONSOLE_DEFAULT_BG  CON_BLACK

#define CONSOLE_CELL_CURSOR 0x01    /* the cursor is here: draw inverted */

struct console_cell {
	uint32_t cp;                 /* code point */
	uint8_t fg, bg;              /* enum console_colour */
	uint8_t flags;               /* CONSOLE_CELL_* */
	uint8_t pad;                 /* always 0 */
};

struct console_ops {
	/*
	 * Show cell at column x, row y. Called for every cell that may have
	 * changed (after a scroll: for every cell); the back end may skip a
	 * cell it already shows.
	 */
	void (*draw_cell)(void *ctx, unsigned x, unsigned y,
			  const struct console_cell *cell);
	/*
	 * Optional, for a back end with a cursor of its own (the VGA's): show it
	 * at column x, row y of the screen, or hide it. Called at the end of a
	 * write when the cursor moved, appeared or vanished. Without it the
	 * cursor is the cell flagged CONSOLE_CELL_CURSOR.
	 */
	void (*set_cursor)(void *ctx, bool visible, unsigned x, unsigned y);
};

struct console {
	const struct console_ops *ops;
	void *ctx;                   /* the back end's state */
	unsigned cols, rows;
	unsigned x, y;               /* cursor, always inside the grid */
	bool wrap_pending;           /* last column written: wrap before the next character */
	uint8_t fg, bg;              /* colours set by SGR (fg before bold) */
	bool bold;                   /* SGR 1: colours 0..7 shown bright */
	bool cursor_visible;
	bool cursor_drawn;           /* the back end shows the cursor at... */
	unsigned cursor_x, cursor_y; /* ...this cell of the screen */
	bool redraw;                 /* cells moved: redraw all at the end of the write */
	struct utf8_decoder utf8;
	uint8_t esc;                 /* escape parser state */
	bool esc_ignore;             /* private or intermediate bytes seen */
	unsigned esc_param;          /* index of the number being read */
	uint16_t params[CONSOLE_MAX_PARAMS];
	uint32_t *sb;                /* scrollback ring: sb_lines rows of cols packed cells */
	unsigned sb_lines;           /* capacity, 0 = no scrollback */
	unsigned sb_next;            /* row the next line scrolled off goes to */
	unsigned sb_count;           /* rows kept */
	unsigned view;               /* rows the screen is scrolled back, 0 = live */
	unsigned top;                /* row of cells[] shown as screen row 0 */
	/*
	 * rows x cols, a ring of rows: screen row y is row (top + y) % rows, so
	 * a scroll moves top instead of the cells.
	 */
	struct console_cell cells[CONSOLE_MAX_CELLS];
};

/* ---- the kernel's console, on the boot framebuffer or VGA text ---------- */

/* Where the kernel's console goes. */
enum console_kind {
	CONSOLE_NONE,                /* serial only */
	CONSOLE_FB,                  /* the boot framebuffer (fbcon) */
	CONSOLE_VGA,                 /* the VGA's 80x25 text mode (vgacon) */
};

/*
 * The choice: "console=vga" on the command line picks VGA text if a VGA is
 * present, "console=fb" the framebuffer only; by default the framebuffer,
 * and VGA text when the loader found none (fb_format FB_NONE). vga_present
 * probes the hardware and is called only when the answer matters.
 */
enum console_kind console_choose(const char *cmdline, uint32_t fb_format,
				 bool (*vga_present)(void));

/*
 * The one start-up: bring up the back end console_choose picks for bi and
 * run the kernel's console on it (main flow, first thing after serial).
 * Returns 0, -E_NODEV when there is none, or the back-end init's error.
 */
int console_init(const struct boot_info *bi);

/* Which console console_init brought up (CONSOLE_NONE before, or on failure). */
enum console_kind console_active(void);

/*
 * The back-end inits console_init calls, one per kind; each ends in
 * console_bind. Tests call them directly.
 *
 * console_fb_init: the console on fb with fonts given as PSF data (either
 * may be NULL; the 16x32 one on large modes, see fbcon_wants_large_font).
 * Returns 0; -E_NODEV if fb->format is FB_NONE; -E_NOENT if no font is
 * given; a psf_parse or fbcon_init error.
 *
 * console_vga_init: switch the VGA to 80x25 text with the embedded 8x16
 * font (code page 437) and run the console there. -E_NODEV without a VGA.
 */
int console_fb_init(const struct boot_framebuffer *fb,
		    const void *small_font, size_t small_size,
		    const void *large_font, size_t large_size);
int console_vga_init(void);

/*
 * Make the kernel's console draw through a back end of cols x rows, with
 * the scrollback; for the back-end inits above. 0 or console_attach's error.
 */
int console_bind(const struct console_ops *ops, void *ctx, unsigned cols, unsigned rows);

/* Write UTF-8 text with control characters and escapes; no-op if not ready. */
void console_write(const char *s, size_t len);

/* Blank the screen in the current background colour, cursor home. */
void console_clear(void);

bool console_ready(void);

/* Grid size in cells; 0 x 0 before a console is up. */
void console_get_size(unsigned *cols, unsigned *rows);

/*
 * Move the view over the scrollback: lines > 0 looks further back, < 0 comes
 * towards the bottom, clamped. Returns the rows now scrolled back (0 if not
 * ready). Shift+PageUp/PageDown call it; any output snaps back to 0.
 */
unsigned console_scroll_view(int lines);

/* ---- any console on any back end ----------------------------------------- */

/*
 * Start a blank cols x rows console that draws through ops/ctx, default
 * colours, cursor visible at (0, 0). -E_RANGE if the grid is empty or larger
 * than CONSOLE_MAX_COLS x CONSOLE_MAX_ROWS.
 */
int console_attach(struct console *con, const struct console_ops *ops,
		   void *ctx, unsigned cols, unsigned rows);

/* Interpret len bytes of s; the back end is up to date when it returns. */
void console_feed(struct console *con, const char *s, size_t len);

/* ESC[2J ESC[H: blank every cell in the current background, cursor home. */
void console_erase(struct console *con);

/* Show or hide the cursor (shown as the inverted cell). */
void console_set_cursor_visible(struct console *con, bool visible);

/* The cell at column x, row y (inside the grid). */
const struct console_cell *console_cell(const struct console *con,
					unsigned x, unsigned y);

/*
 * Keep rows that scroll off the top in store, which holds cells packed cells
 * (4 bytes each): cells / cols rows, the oldest dropped when full. ESC[2J and
 * console_erase do not keep what they blank. NULL or fewer cells than one
 * row: no scrollback. Forgets what was kept; call after console_attach.
 */
void console_set_scrollback(struct console *con, uint32_t *store, size_t cells);

/* Rows kept in the scrollback. */
unsigned console_scrollback_count(const struct console *con);

/*
 * Scroll the view back (lines > 0) or forward (< 0) over the scrollback,
 * clamped to 0..console_scrollback_count; the back end is redrawn when the
 * view moved. Returns the rows now scrolled back. The cursor moves with the
 * text and is not shown while scrolled off the screen.
 */
unsigned console_view_move(struct console *con, int lines);

/* What row y of the screen shows at column x, with the view scrolled back. */
struct console_cell console_shown_cell(const struct console *con, unsigned x, unsigned y);

#endif
