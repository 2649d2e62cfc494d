/*
 * The line editor: turns key events (struct kbd_event, from the PS/2 decoder
 * or the serial ANSI decoder alike) into one line of UTF-8 text, with cursor
 * movement, history and Tab completion, and writes the terminal bytes that
 * keep the screen in step through an output callback. It only emits what
 * both Ember's console and a serial terminal understand: text, CR, LF, BEL,
 * ESC[nC, ESC[nD, ESC[K, and ESC[H ESC[2J for Ctrl+L.
 *
 * A line never wraps: when prompt and text are wider than the terminal
 * (cols), the editor shows a window of the text around the cursor and never
 * writes the last column. The cursor moves by code point; one code point
 * takes one column (as on Ember's console).
 *
 * Usage: lineedit_init once, lineedit_start(prompt) per line, then
 * lineedit_key for every event until it returns LINEEDIT_SUBMIT (the line is
 * lineedit_line()) or LINEEDIT_CANCEL. The terminal cursor must be at column
 * 0 when lineedit_start is called.
 *
 * Pure logic on caller-owned memory; one struct lineedit belongs to one task.
 * The output callback runs inside lineedit_* calls.
 */
#ifndef EMBER_KERNEL_LINEEDIT_H
#define EMBER_KERNEL_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/input/kbd.h"

#define LINEEDIT_MAX        256   /* bytes per line, the NUL included */
#define LINEEDIT_HISTORY    32    /* lines the history ring keeps */
#define LINEEDIT_PROMPT_MAX 64    /* bytes of prompt, the NUL included */
#define LINEEDIT_OUT_CHUNK  128   /* output is handed over in pieces this big */

/* What a key did to the line. */
enum lineedit_status {
	LINEEDIT_EDITING,   /* handled, refused (BEL) or ignored: the line is open */
	LINEEDIT_SUBMIT,    /* Enter: lineedit_line() is the line, now in the history */
	LINEEDIT_CANCEL,    /* Ctrl+C: the line was abandoned ("^C" shown) */
	LINEEDIT_CLEAR,     /* Ctrl+L: the editor cleared the screen and redrew the line */
};

struct lineedit {
	void (*write)(void *ctx, const char *s, size_t len); /* output, len > 0 */
	void *ctx;
	unsigned cols;                   /* terminal width, 0 = unlimited */
	const char *const *words;        /* Tab completion candidates */
	size_t nwords;

	char prompt[LINEEDIT_PROMPT_MAX];
	unsigned prompt_cols;            /* columns it takes (escapes excluded) */
	char buf[LINEEDIT_MAX];          /* the line, UTF-8, NUL-terminated */
	size_t len, pos;                 /* bytes; pos is on a code point boundary */
	size_t view;                     /* byte offset of the first code point shown */
	unsigned shown;                  /* columns of text on screen after the prompt */
	unsigned term_col;               /* terminal cursor, columns after the prompt */
	bool open;                       /* between lineedit_start and submit/cancel */

	char history[LINEEDIT_HISTORY][LINEEDIT_MAX];
	unsigned hist_next;              /* slot the next entry goes to */
	unsigned hist_count;
	unsigned hist_pos;               /* 0: the new line; n: the n-th newest entry */
	char saved[LINEEDIT_MAX];        /* the new line while browsing the history */

	char out[LINEEDIT_OUT_CHUNK];    /* output not yet handed to write */
	size_t out_len;
};

/*
 * Set up le with an empty history. write(ctx, ...) receives the output;
 * cols is the terminal width (0: unlimited, lines may then wrap and the
 * editor's cursor moves go wrong on the wrapped part).
 */
void lineedit_init(struct lineedit *le,
		   void (*write)(void *ctx, const char *s, size_t len), void *ctx,
		   unsigned cols);

/* Change the terminal width; takes effect at the next redraw. */
void lineedit_set_cols(struct lineedit *le, unsigned cols);

/*
 * Words for Tab completion (each printable UTF-8 without spaces; the array
 * must stay valid). Tab completes the word before the cursor (from the last
 * space): one match is completed and followed by a space; several matches
 * are completed as far as they agree, and if they agree no further than
 * what is typed, they are listed on the lines below and the line redrawn.
 * No match: BEL.
 */
void lineedit_set_words(struct lineedit *le, const char *const *words, size_t nwords);

/* Open a new, empty line: print the prompt (cut to LINEEDIT_PROMPT_MAX - 1). */
void lineedit_start(struct lineedit *le, const char *prompt);

/*
 * Apply one key event (releases are ignored). Keys arriving while no line is
 * open are ignored and return LINEEDIT_EDITING.
 */
enum lineedit_status lineedit_key(struct lineedit *le, const struct kbd_event *ev);

/*
 * Print the prompt and the line again on the cursor's row, for callers that
 * printed something on a line of its own while the line was open.
 */
void lineedit_redraw(struct lineedit *le);

/* The line (NUL-terminated UTF-8) and the cursor as a byte offset into it. */
const char *lineedit_line(const struct lineedit *le);
size_t lineedit_cursor(const struct lineedit *le);

/*
 * Add line to the history as submitting it would: empty lines and repeats of
 * the newest entry are not added; the oldest entry goes when the ring is full.
 */
void lineedit_history_add(struct lineedit *le, const char *line);

/* Entries in the history, and entry n (0 = newest), NULL if out of range. */
unsigned lineedit_history_count(const struct lineedit *le);
const char *lineedit_history_get(const struct lineedit *le, unsigned n);

#endif
