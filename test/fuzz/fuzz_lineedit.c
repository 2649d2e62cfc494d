/*
 * Fuzz target: the line editor (kernel/input/lineedit.c) driven by a stream
 * of key events, its output played on a real terminal model: Ember's own
 * console (kernel/console/console.c) of the editor's width. After every key:
 * the buffer is NUL-terminated UTF-8 of len < LINEEDIT_MAX bytes with the
 * cursor on a code point boundary; the history holds at most
 * LINEEDIT_HISTORY non-empty entries, no entry twice in a row; output comes
 * in pieces of 1..LINEEDIT_OUT_CHUNK bytes. With a width set, the screen is
 * in step: the terminal cursor sits after the prompt at the cursor's column
 * in the window, the row shows the window of the line, and the last column
 * is never written (so the console never wraps). A submitted line is the
 * buffer and becomes the newest history entry unless empty or a repeat.
 */
#include <stdbool.h>
#include <string.h>

#include "kernel/console/console.h"
#include "kernel/input/lineedit.h"
#include "lib/utf8.h"
#include "test/fuzz/fuzz.h"

#define ROWS 30

static struct console term;
static bool term_on;

static void null_draw(void *ctx, unsigned x, unsigned y, const struct console_cell *c)
{
}

static const struct console_ops null_ops = { .draw_cell = null_draw };

static void out(void *ctx, const char *s, size_t len)
{
	FUZZ_CHECK(len > 0 && len <= LINEEDIT_OUT_CHUNK);
	if (term_on)
		console_feed(&term, s, len);
}

static const char *const words[] = { "help", "heap", "history", "halt", "echo", ("\xc3\xa9" "clair") };
static const char *const prompts[] = {
	"> ", "ember> ", "\x1b[32mgreen\x1b[0m$ ", "a-rather-long-prompt-of-some-thirty-cols> ",
};
static const uint32_t wide[] = { 0xe9, 0x20ac, 0x1f600, 0xfffd, 0x3b1, 0x7ff, 0x800, 0x10ffff };
static const uint16_t nav[] = {
	KBD_KEY_LEFT, KBD_KEY_RIGHT, KBD_KEY_HOME, KBD_KEY_END, KBD_KEY_UP, KBD_KEY_DOWN,
	KBD_KEY_DELETE, KBD_KEY_BACKSPACE, KBD_KEY_TAB, KBD_KEY_ENTER, KBD_KEY_KP_ENTER,
};
#define N_NAV (sizeof(nav) / sizeof(nav[0]))

/*
 * One event per input byte: below 0x80 the character itself (control
 * characters are the Ctrl keys), 0x80..0xbf a character beyond ASCII,
 * 0xc0..0xdf Alt+letter, 0xe0 and up a navigation key (0xf8 and up: its
 * release, which must do nothing).
 */
static struct kbd_event make_event(struct fuzz_in *in)
{
	uint8_t a = fuzz_u8(in);
	struct kbd_event ev = { .pressed = true };

	if (a < 0x80) {
		ev.ch = a;
	} else if (a < 0xc0) {
		ev.ch = wide[a % (sizeof(wide) / sizeof(wide[0]))];
	} else if (a < 0xe0) {
		ev.ch = 'a' + (a - 0xc0u);
		ev.mods = KBD_MOD_LALT;
	} else {
		ev.key = ev.phys = nav[(a - 0xe0u) % N_NAV];
		ev.pressed = a < 0xf8;
	}
	return ev;
}

static void check_buffer(const struct lineedit *le)
{
	const char *line = lineedit_line(le);
	size_t len = strlen(line), pos = lineedit_cursor(le), i = 0;
	uint32_t cp;

	FUZZ_CHECK(len == le->len && len < LINEEDIT_MAX && pos <= len);
	FUZZ_CHECK(pos == len || ((uint8_t)line[pos] & 0xc0) != 0x80);
	while (i < len) {
		int n = utf8_decode(line + i, len - i, &cp);

		FUZZ_CHECK(n > 0);
		i += (size_t)n;
	}
	FUZZ_CHECK(lineedit_history_count(le) <= LINEEDIT_HISTORY);
	for (unsigned h = 0; h < lineedit_history_count(le); h++) {
		const char *e = lineedit_history_get(le, h);

		FUZZ_CHECK(e && e[0] && strnlen(e, LINEEDIT_MAX) < LINEEDIT_MAX);
		FUZZ_CHECK(h == 0 || strcmp(e, lineedit_history_get(le, h - 1)));
	}
	FUZZ_CHECK(!lineedit_history_get(le, lineedit_history_count(le)));
}

/* The row the cursor is on shows prompt + the window of the line. */
static void check_screen(const struct lineedit *le)
{
	unsigned col = le->prompt_cols, y = term.y;
	size_t i = le->view;
	uint32_t cp;

	FUZZ_CHECK(!term.wrap_pending);
	FUZZ_CHECK(term.x == le->prompt_cols + le->term_col);
	for (unsigned k = 0; k < le->shown; k++) {
		int n = utf8_decode(le->buf + i, le->len - i, &cp);

		FUZZ_CHECK(n > 0 && col < le->cols - 1);
		FUZZ_CHECK(console_cell(&term, col++, y)->cp == cp);
		i += (size_t)n;
	}
	for (; col < le->cols; col++)
		FUZZ_CHECK(console_cell(&term, col, y)->cp == ' ');
	FUZZ_CHECK(i <= le->len);
	FUZZ_CHECK(le->pos >= le->view);
}

static void check_submit(const struct lineedit *le, const char *before, unsigned count_before,
			 const char *newest_before)
{
	FUZZ_CHECK(!strcmp(lineedit_line(le), before));
	if (!before[0] || (newest_before && !strcmp(newest_before, before)))
		FUZZ_CHECK(lineedit_history_count(le) == count_before);
	else
		FUZZ_CHECK(!strcmp(lineedit_history_get(le, 0), before));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lineedit le;
	static char before[LINEEDIT_MAX], newest[LINEEDIT_MAX];
	struct fuzz_in in = { data, size };
	uint8_t conf = fuzz_u8(&in);
	unsigned cols = (conf & 0x7f) < 8 ? 0 : (conf & 0x7f) + 4;
	const char *prompt = prompts[conf >> 7 | (cols > 60) << 1];

	term_on = cols != 0;
	if (term_on)
		FUZZ_CHECK(console_attach(&term, &null_ops, NULL, cols, ROWS) == 0);
	lineedit_init(&le, out, NULL, cols);
	lineedit_set_words(&le, words, sizeof(words) / sizeof(words[0]));
	while (in.left) {
		struct kbd_event ev;
		unsigned count;
		bool had_newest;
		enum lineedit_status st;

		if (!le.open)
			lineedit_start(&le, prompt);
		ev = make_event(&in);
		strcpy(before, lineedit_line(&le));
		count = lineedit_history_count(&le);
		had_newest = count > 0;
		if (had_newest)
			strcpy(newest, lineedit_history_get(&le, 0));
		st = lineedit_key(&le, &ev);
		check_buffer(&le);
		if (st == LINEEDIT_SUBMIT)
			check_submit(&le, before, count, had_newest ? newest : NULL);
		if (term_on && le.open)
			check_screen(&le);
	}
	return 0;
}
