/*
 * Host tests for the line editor (lineedit.h): every editing key, the
 * history ring, Tab completion, UTF-8 text and the bounded buffer, and the
 * exact terminal bytes for the common cases. Every key is also checked on a
 * "virtual terminal": the editor's output is fed into the real console logic
 * (console.c on a recording back end) and, after each key, the cursor's row
 * must show exactly the prompt and the visible part of the buffer, with the
 * console's cursor on the editor's cursor. A random session of thousands of
 * keys runs the same check on a wide and on a narrow terminal.
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
#include "kernel/input/lineedit.h"
#include "lib/utf8.h"

#define TRANSCRIPT_MAX 4096

/* ---- the virtual terminal: the real console on a back end that draws nothing -------- */

static void ignore_cell(void *ctx, unsigned x, unsigned y, const struct console_cell *cell)
{
}

static const struct console_ops null_ops = { .draw_cell = ignore_cell };

struct fx {
	struct lineedit le;
	struct console con;
	char transcript[TRANSCRIPT_MAX];  /* output since the last mark() */
	size_t out_len;
	unsigned writes;                  /* calls of the output callback */
	unsigned line_row;                /* the row the line is on */
	char plain_prompt[64];            /* the prompt as the screen shows it */
	bool check;                       /* check the screen after every key */
};

static void out(void *ctx, const char *s, size_t len)
{
	struct fx *f = ctx;

	assert_true(len > 0 && len <= LINEEDIT_OUT_CHUNK);
	f->writes++;
	if (f->out_len + len < TRANSCRIPT_MAX) {
		memcpy(f->transcript + f->out_len, s, len);
		f->out_len += len;
		f->transcript[f->out_len] = '\0';
	}
	console_feed(&f->con, s, len);
}

static void mark(struct fx *f)
{
	f->out_len = 0;
	f->transcript[0] = '\0';
	f->writes = 0;
}

static struct fx *setup_size(void **state, unsigned cols, unsigned rows)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	*state = f;
	assert_int_equal(console_attach(&f->con, &null_ops, NULL, cols, rows), 0);
	lineedit_init(&f->le, out, f, cols);
	f->check = true;
	return f;
}

static struct fx *setup(void **state)
{
	return setup_size(state, 60, 8);
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/* ---- what the screen must show ------------------------------------------------------------ */

static size_t decode_all(const char *s, uint32_t *cps, size_t max)
{
	size_t n = 0, len = strlen(s);
	uint32_t cp;
	int k;

	while (len) {
		k = utf8_decode(s, len, &cp);
		if (k <= 0)
			fail_msg("malformed UTF-8 at \"%s\"", s);
		assert_true(n < max);
		cps[n++] = cp;
		s += k;
		len -= (size_t)k;
	}
	return n;
}

static unsigned count_cps(const char *s, size_t from, size_t to)
{
	unsigned n = 0;

	for (; from < to; from++)
		n += ((uint8_t)s[from] & 0xc0) != 0x80;
	return n;
}

/*
 * The line's row shows the prompt and buf[view...] up to the window's end,
 * blanks after it; the last column is never written; the console's cursor
 * is on the editor's cursor; the window holds the cursor and starts at 0
 * whenever the whole line fits.
 */
static void assert_screen_matches(struct fx *f)
{
	const struct lineedit *le = &f->le;
	const struct console *con = &f->con;
	uint32_t want[CONSOLE_MAX_COLS];
	size_t np, nt, i;
	unsigned cursor, total, avail = con->cols - le->prompt_cols - 1;

	np = decode_all(f->plain_prompt, want, CONSOLE_MAX_COLS);
	assert_int_equal(np, le->prompt_cols);
	cursor = count_cps(le->buf, le->view, le->pos);
	total = count_cps(le->buf, 0, le->len);
	assert_true(le->view <= le->pos);
	assert_true(cursor < avail);
	if (total < avail)
		assert_int_equal(le->view, 0);
	nt = decode_all(le->buf + le->view, want + np, CONSOLE_MAX_COLS - np);
	if (nt > avail)
		nt = avail;
	for (i = np + nt; i < con->cols; i++)
		want[i] = ' ';
	for (i = 0; i < con->cols; i++)
		if (console_cell(con, (unsigned)i, con->y)->cp != want[i])
			fail_msg("column %zu shows U+%04X, expected U+%04X (line \"%s\")", i,
				 console_cell(con, (unsigned)i, con->y)->cp, want[i], le->buf);
	assert_int_equal(con->x, le->prompt_cols + cursor);
	assert_false(con->wrap_pending);
}

/* ---- keys -------------------------------------------------------------------------------------- */

static enum lineedit_status send(struct fx *f, uint16_t key, uint16_t mods, uint32_t ch)
{
	struct kbd_event ev = {
		.key = key, .phys = key, .mods = mods, .pressed = true, .ch = ch,
	};
	enum lineedit_status st = lineedit_key(&f->le, &ev);

	if (f->check && f->le.open && (st == LINEEDIT_EDITING || st == LINEEDIT_CLEAR))
		assert_screen_matches(f);
	return st;
}

static enum lineedit_status key(struct fx *f, uint16_t k)
{
	static const uint32_t chars[KBD_KEY_COUNT] = {
		[KBD_KEY_ENTER] = '\n', [KBD_KEY_KP_ENTER] = '\n', [KBD_KEY_TAB] = '\t',
		[KBD_KEY_BACKSPACE] = '\b', [KBD_KEY_ESCAPE] = 0x1b,
	};

	return send(f, k, 0, chars[k]);
}

/* Ctrl+letter as the PS/2 decoder reports it: the letter's key, the control code in ch. */
static enum lineedit_status ctrl(struct fx *f, char letter)
{
	static const char *const rows[] = { "qwertyuiop", "asdfghjkl", "zxcvbnm" };
	static const uint16_t first[] = { KBD_KEY_Q, KBD_KEY_A, KBD_KEY_Z };
	const char *at;
	unsigned r;

	for (r = 0; r < 3; r++)
		if ((at = strchr(rows[r], letter)) != NULL)
			return send(f, (uint16_t)(first[r] + (at - rows[r])), KBD_MOD_LCTRL,
				    (uint32_t)(letter - 'a' + 1));
	fail_msg("not a letter: %c", letter);
	return LINEEDIT_EDITING;
}

/* Type UTF-8 text, one event per code point (letters carry no key here). */
static void type(struct fx *f, const char *s)
{
	uint32_t cps[512];
	size_t n = decode_all(s, cps, 512), i;

	for (i = 0; i < n; i++)
		assert_int_equal(send(f, KBD_KEY_NONE, 0, cps[i]), LINEEDIT_EDITING);
}

static void start(struct fx *f, const char *prompt, const char *plain)
{
	snprintf(f->plain_prompt, sizeof(f->plain_prompt), "%s", plain);
	lineedit_start(&f->le, prompt);
	f->line_row = f->con.y;
	if (f->check)
		assert_screen_matches(f);
}

static void assert_line(struct fx *f, const char *text, size_t cursor)
{
	assert_string_equal(lineedit_line(&f->le), text);
	assert_int_equal(lineedit_cursor(&f->le), cursor);
}

/* Console row y as UTF-8, trailing blanks dropped. */
static const char *screen_row(struct fx *f, unsigned y)
{
	static char buf[CONSOLE_MAX_COLS * 4 + 1];
	size_t n = 0, end = 0;
	unsigned x;

	for (x = 0; x < f->con.cols; x++) {
		n += utf8_encode(console_cell(&f->con, x, y)->cp, buf + n);
		if (console_cell(&f->con, x, y)->cp != ' ')
			end = n;
	}
	buf[end] = '\0';
	return buf;
}

/* ---- editing --------------------------------------------------------------------------------- */

static void typing_appends_and_echoes_only_the_characters(void **state)
{
	struct fx *f = setup(state);

	start(f, "> ", "> ");
	assert_string_equal(f->transcript, "> ");
	mark(f);
	type(f, "ls -l");
	assert_line(f, "ls -l", 5);
	assert_string_equal(f->transcript, "ls -l");
	assert_int_equal(f->writes, 5);                 /* one write per key */
	assert_string_equal(screen_row(f, 0), "> ls -l");
}

static void left_right_home_end_move_the_cursor_with_cursor_sequences(void **state)
{
	struct fx *f = setup(state);

	start(f, "> ", "> ");
	type(f, "abcdef");
	mark(f);
	key(f, KBD_KEY_LEFT);
	assert_string_equal(f->transcript, "\x1b[1D");
	key(f, KBD_KEY_HOME);
	assert_line(f, "abcdef", 0);
	assert_string_equal(f->transcript, "\x1b[1D\x1b[5D");
	mark(f);
	key(f, KBD_KEY_LEFT);                           /* at the start: nothing */
	assert_string_equal(f->transcript, "");
	key(f, KBD_KEY_RIGHT);
	key(f, KBD_KEY_RIGHT);
	assert_line(f, "abcdef", 2);
	key(f, KBD_KEY_END);
	assert_line(f, "abcdef", 6);
	assert_string_equal(f->transcript, "\x1b[1C\x1b[1C\x1b[4C");
	mark(f);
	key(f, KBD_KEY_RIGHT);                          /* at the end: nothing */
	assert_string_equal(f->transcript, "");
}

static void inserting_in_the_middle_rewrites_the_tail_and_steps_back(void **state)
{
	struct fx *f = setup(state);

	start(f, "> ", "> ");
	type(f, "helo");
	key(f, KBD_KEY_LEFT);
	mark(f);
	type(f, "l");
	assert_line(f, "hello", 4);
	assert_string_equal(f->transcript, "lo\x1b[1D");
	key(f, KBD_KEY_HOME);
	type(f, ">");
	assert_line(f, ">hello", 1);
}

static void backspace_and_delete_remove_one_code_point_and_erase_the_end(void **state)
{
	struct fx *f = setup(state);

	start(f, "> ", "> ");
	type(f, "abcd");
	mark(f);
	key(f, KBD_KEY_BACKSPACE);
	assert_line(f, "abc", 3);
	assert_string_equal(f->transcript, "\x1b[1D\x1b[K");
	key(f, KBD_KEY_HOME);
	mark(f);
	key(f, KBD_KEY_DELETE);
	assert_line(f, "bc", 0);
	assert_string_equal(f->transcript, "bc\x1b[K\x1b[2D");
	mark(f);
	key(f, KBD_KEY_BACKSPACE);                      /* nothing before: bell */
	assert_string_equal(f->transcript, "\a");
	key(f, KBD_KEY_END);
	mark(f);
	key(f, KBD_KEY_DELETE);                         /* nothing under: bell */
	assert_string_equal(f->transcript, "\a");
	assert_line(f, "bc", 2);
	send(f, KBD_KEY_NONE, 0, 0x7f);                 /* DEL from a terminal */
	assert_line(f, "b", 1);
}

static void ctrl_u_kills_to_the_start_and_ctrl_k_to_the_end(void **state)
{
	struct fx *f = setup(state);

	start(f, "$ ", "$ ");
	type(f, "echo hello world");
	key(f, KBD_KEY_LEFT);
	key(f, KBD_KEY_LEFT);
	key(f, KBD_KEY_LEFT);
	key(f, KBD_KEY_LEFT);
	key(f, KBD_KEY_LEFT);
	ctrl(f, 'k');
	assert_line(f, "echo hello ", 11);
	key(f, KBD_KEY_LEFT);
	ctrl(f, 'u');
	assert_line(f, " ", 0);
	assert_string_equal(screen_row(f, 0), "$");
	ctrl(f, 'k');
	assert_line(f, "", 0);
}

static void emacs_control_keys_move_and_delete(void **state)
{
	struct fx *f = setup(state);

	start(f, "> ", "> ");
	type(f, "abc");
	ctrl(f, 'a');
	assert_line(f, "abc", 0);
	ctrl(f, 'f');
	assert_line(f, "abc", 1);
	ctrl(f, 'd');
	assert_line(f, "ac", 1);
	ctrl(f, 'e');
	assert_line(f, "ac", 2);
	ctrl(f, 'b');
	assert_line(f, "ac", 1);
	ctrl(f, 'h');
	assert_line(f, "c", 0);
}

static void control_characters_alt_keys_and_releases_insert_nothing(void **state)
{
	struct fx *f = setup(state);
	struct kbd_event release = { .key = KBD_KEY_A, .phys = KBD_KEY_A, .ch = 'a' };

	start(f, "> ", "> ");
	type(f, "x");
	mark(f);
	key(f, KBD_KEY_ESCAPE);
	key(f, KBD_KEY_F1);
	key(f, KBD_KEY_PAGE_UP);
	send(f, KBD_KEY_NONE, 0, 0x1f);
	send(f, KBD_KEY_NONE, 0, 0x85);                 /* a C1 control */
	send(f, KBD_KEY_B, KBD_MOD_LALT, 'b');          /* Alt+b: not text */
	assert_int_equal(lineedit_key(&f->le, &release), LINEEDIT_EDITING);
	assert_line(f, "x", 1);
	assert_string_equal(f->transcript, "");
	send(f, KBD_KEY_Q, KBD_MOD_ALTGR, '@');         /* AltGr+Q on a German board */
	assert_line(f, "x@", 2);
}

static void enter_submits_the_line_and_keys_are_ignored_until_the_next_start(void **state)
{
	struct fx *f = setup(state);

	start(f, "> ", "> ");
	type(f, "help");
	key(f, KBD_KEY_LEFT);
	mark(f);
	assert_int_equal(key(f, KBD_KEY_ENTER), LINEEDIT_SUBMIT);
	assert_string_equal(f->transcript, "\r\n");
	assert_string_equal(lineedit_line(&f->le), "help");
	assert_int_equal(f->con.y, 1);
	assert_int_equal(f->con.x, 0);
	assert_string_equal(screen_row(f, 0), "> help");
	assert_int_equal(key(f, KBD_KEY_BACKSPACE), LINEEDIT_EDITING);
	type(f, "zz");
	assert_string_equal(lineedit_line(&f->le), "help");
	assert_string_equal(f->transcript, "\r\n");
	start(f, "> ", "> ");
	assert_line(f, "", 0);
	assert_int_equal(send(f, KBD_KEY_NONE, KBD_MOD_LCTRL, '\r'), LINEEDIT_SUBMIT);
	start(f, "> ", "> ");
	assert_int_equal(key(f, KBD_KEY_KP_ENTER), LINEEDIT_SUBMIT);
}

static void ctrl_c_cancels_the_line_shows_it_and_keeps_it_out_of_history(void **state)
{
	struct fx *f = setup(state);

	start(f, "> ", "> ");
	type(f, "rm -rf");
	key(f, KBD_KEY_HOME);
	assert_int_equal(ctrl(f, 'c'), LINEEDIT_CANCEL);
	assert_string_equal(screen_row(f, 0), "> rm -rf^C");
	assert_int_equal(f->con.y, 1);
	assert_string_equal(lineedit_line(&f->le), "");
	assert_int_equal(lineedit_history_count(&f->le), 0);
}

static void ctrl_l_clears_the_screen_and_redraws_the_line(void **state)
{
	struct fx *f = setup(state);

	console_feed(&f->con, "old output\nmore\n", 16);
	start(f, "\x1b[92mEmber\x1b[0m> ", "Ember> ");
	type(f, "abc");
	key(f, KBD_KEY_LEFT);
	assert_int_equal(ctrl(f, 'l'), LINEEDIT_CLEAR);
	assert_screen_matches(f);
	assert_int_equal(f->con.y, 0);
	assert_string_equal(screen_row(f, 0), "Ember> abc");
	assert_string_equal(screen_row(f, 1), "");
	assert_string_equal(screen_row(f, 2), "");
	assert_int_equal(console_cell(&f->con, 0, 0)->fg, CON_BRIGHT_GREEN);
	assert_line(f, "abc", 2);
	type(f, "X");
	assert_line(f, "abXc", 3);
}

static void redraw_puts_prompt_and_line_back_after_other_output(void **state)
{
	struct fx *f = setup(state);

	start(f, "> ", "> ");
	type(f, "make");
	key(f, KBD_KEY_LEFT);
	console_feed(&f->con, "\r\nkernel: something happened\r\n", 30);
	lineedit_redraw(&f->le);
	assert_screen_matches(f);
	assert_int_equal(f->con.y, 2);
	assert_string_equal(screen_row(f, 1), "kernel: something happened");
	assert_string_equal(screen_row(f, 2), "> make");
	type(f, "!");
	assert_line(f, "mak!e", 4);
}

static void prompt_escape_sequences_take_no_columns(void **state)
{
	struct fx *f = setup(state);

	start(f, "\x1b[1;34mdir\x1b[0m \xe2\x9d\xaf ", "dir \xe2\x9d\xaf ");
	assert_int_equal(f->le.prompt_cols, 6);
	type(f, "hi");
	assert_int_equal(f->con.x, 8);
}

/* ---- history ---------------------------------------------------------------------------------------- */

static void submit(struct fx *f, const char *line)
{
	start(f, "> ", "> ");
	type(f, line);
	assert_int_equal(key(f, KBD_KEY_ENTER), LINEEDIT_SUBMIT);
}

static void up_and_down_recall_entries_and_bring_back_the_new_line(void **state)
{
	struct fx *f = setup(state);

	submit(f, "one");
	submit(f, "two");
	start(f, "> ", "> ");
	type(f, "thr");
	key(f, KBD_KEY_UP);
	assert_line(f, "two", 3);
	key(f, KBD_KEY_UP);
	assert_line(f, "one", 3);
	mark(f);
	key(f, KBD_KEY_UP);                             /* oldest: bell */
	assert_string_equal(f->transcript, "\a");
	assert_line(f, "one", 3);
	key(f, KBD_KEY_DOWN);
	assert_line(f, "two", 3);
	key(f, KBD_KEY_DOWN);
	assert_line(f, "thr", 3);
	mark(f);
	key(f, KBD_KEY_DOWN);                           /* the new line: bell */
	assert_string_equal(f->transcript, "\a");
	ctrl(f, 'p');
	assert_line(f, "two", 3);
	ctrl(f, 'n');
	assert_line(f, "thr", 3);
}

static void recalling_rewrites_only_what_differs(void **state)
{
	struct fx *f = setup(state);

	submit(f, "echo hello");
	start(f, "> ", "> ");
	type(f, "echo world!");
	mark(f);
	key(f, KBD_KEY_UP);
	assert_string_equal(f->transcript, "\x1b[6Dhello\x1b[K");
}

static void empty_lines_and_consecutive_repeats_are_not_added(void **state)
{
	struct fx *f = setup(state);

	submit(f, "a");
	submit(f, "");
	submit(f, "a");
	submit(f, "b");
	submit(f, "a");
	assert_int_equal(lineedit_history_count(&f->le), 3);
	assert_string_equal(lineedit_history_get(&f->le, 0), "a");
	assert_string_equal(lineedit_history_get(&f->le, 1), "b");
	assert_string_equal(lineedit_history_get(&f->le, 2), "a");
	assert_null(lineedit_history_get(&f->le, 3));
}

static void the_ring_keeps_the_newest_entries(void **state)
{
	struct fx *f = setup(state);
	char line[16];
	unsigned i;

	f->check = false;
	for (i = 0; i < LINEEDIT_HISTORY + 5; i++) {
		snprintf(line, sizeof(line), "cmd %u", i);
		submit(f, line);
	}
	assert_int_equal(lineedit_history_count(&f->le), LINEEDIT_HISTORY);
	for (i = 0; i < LINEEDIT_HISTORY; i++) {
		snprintf(line, sizeof(line), "cmd %u", LINEEDIT_HISTORY + 4 - i);
		assert_string_equal(lineedit_history_get(&f->le, i), line);
	}
	start(f, "> ", "> ");
	for (i = 0; i < LINEEDIT_HISTORY; i++)
		key(f, KBD_KEY_UP);
	assert_string_equal(lineedit_line(&f->le), "cmd 5");
	mark(f);
	key(f, KBD_KEY_UP);
	assert_string_equal(f->transcript, "\a");
}

static void editing_a_recalled_line_changes_the_history_only_when_submitted(void **state)
{
	struct fx *f = setup(state);

	submit(f, "make test");
	submit(f, "make run");
	start(f, "> ", "> ");
	key(f, KBD_KEY_UP);
	key(f, KBD_KEY_UP);
	key(f, KBD_KEY_BACKSPACE);
	type(f, "x");
	assert_line(f, "make tesx", 9);
	key(f, KBD_KEY_DOWN);                           /* edit dropped... */
	key(f, KBD_KEY_UP);
	assert_line(f, "make test", 9);                 /* ...entry intact */
	assert_string_equal(lineedit_history_get(&f->le, 1), "make test");
	ctrl(f, 'u');
	type(f, "ls");
	assert_int_equal(key(f, KBD_KEY_ENTER), LINEEDIT_SUBMIT);
	assert_int_equal(lineedit_history_count(&f->le), 3);
	assert_string_equal(lineedit_history_get(&f->le, 0), "ls");
	assert_string_equal(lineedit_history_get(&f->le, 1), "make run");
	assert_string_equal(lineedit_history_get(&f->le, 2), "make test");
}

/* ---- completion ------------------------------------------------------------------------------------- */

static const char *const commands[] = {
	"help", "heap", "history", "histogram", "clear", "echo", "reboot", "reset", "résumé", "résolu",
};

static struct fx *setup_words(void **state)
{
	struct fx *f = setup(state);

	lineedit_set_words(&f->le, commands, sizeof(commands) / sizeof(commands[0]));
	start(f, "> ", "> ");
	return f;
}

static void tab_completes_a_unique_prefix_and_adds_a_space(void **state)
{
	struct fx *f = setup_words(state);

	type(f, "cl");
	key(f, KBD_KEY_TAB);
	assert_line(f, "clear ", 6);
	type(f, "ec");
	key(f, KBD_KEY_TAB);                            /* the word before the cursor */
	assert_line(f, "clear echo ", 11);
	ctrl(f, 'u');
	type(f, "ec x");
	key(f, KBD_KEY_LEFT);
	key(f, KBD_KEY_LEFT);
	key(f, KBD_KEY_TAB);                            /* a space follows: none added */
	assert_line(f, "echo x", 4);
	ctrl(f, 'e');
	ctrl(f, 'u');
	type(f, "echo");
	key(f, KBD_KEY_TAB);                            /* complete already: the space */
	assert_line(f, "echo ", 5);
}

static void tab_completes_ambiguous_words_as_far_as_they_agree(void **state)
{
	struct fx *f = setup_words(state);

	type(f, "hi");
	key(f, KBD_KEY_TAB);                            /* history, histogram */
	assert_line(f, "histo", 5);
	assert_string_equal(screen_row(f, 1), "");     /* nothing listed */
	type(f, "r");
	key(f, KBD_KEY_TAB);
	assert_line(f, "history ", 8);
}

static void tab_lists_the_candidates_when_nothing_can_be_added(void **state)
{
	struct fx *f = setup_words(state);

	type(f, "he");
	key(f, KBD_KEY_TAB);
	assert_line(f, "he", 2);
	assert_int_equal(f->con.y, 2);
	assert_string_equal(screen_row(f, 0), "> he");
	assert_string_equal(screen_row(f, 1), "help  heap");
	assert_string_equal(screen_row(f, 2), "> he");
	type(f, "l");
	key(f, KBD_KEY_TAB);
	assert_line(f, "help ", 5);
}

static void a_long_candidate_list_breaks_before_the_right_edge(void **state)
{
	static const char *const many[] = {
		"alpha", "alpine", "alps", "altitude", "alto", "also", "altar",
	};
	struct fx *f = setup_size(state, 20, 6);

	lineedit_set_words(&f->le, many, 7);
	start(f, "> ", "> ");
	type(f, "al");
	key(f, KBD_KEY_TAB);
	assert_string_equal(screen_row(f, 1), "alpha  alpine  alps");
	assert_string_equal(screen_row(f, 2), "altitude  alto  also");
	assert_string_equal(screen_row(f, 3), "altar");
	assert_string_equal(screen_row(f, 4), "> al");
}

static void tab_without_a_match_rings_the_bell(void **state)
{
	struct fx *f = setup_words(state);

	type(f, "xyz");
	mark(f);
	key(f, KBD_KEY_TAB);
	assert_string_equal(f->transcript, "\a");
	assert_line(f, "xyz", 3);
	lineedit_set_words(&f->le, NULL, 5);
	ctrl(f, 'u');
	mark(f);
	key(f, KBD_KEY_TAB);
	assert_string_equal(f->transcript, "\a");
}

static void completion_never_splits_a_code_point(void **state)
{
	static const char *const split[] = { "x\xc3\xa9", "x\xc3\xa8" };   /* common: x + 0xc3 */
	struct fx *f = setup_words(state);

	/* résumé and résolu agree on "rés"; "ré" + Tab must not add half of é */
	type(f, "r\xc3\xa9");
	key(f, KBD_KEY_TAB);
	assert_line(f, "r\xc3\xa9s", 4);
	key(f, KBD_KEY_TAB);
	assert_string_equal(screen_row(f, 1), "r\xc3\xa9sum\xc3\xa9  r\xc3\xa9solu");
	type(f, "u");
	key(f, KBD_KEY_TAB);
	assert_line(f, "r\xc3\xa9sum\xc3\xa9 ", 9);
	lineedit_set_words(&f->le, split, 2);
	ctrl(f, 'u');
	type(f, "x");
	key(f, KBD_KEY_TAB);
	assert_line(f, "x", 1);
	assert_string_equal(screen_row(f, f->con.y - 1), "x\xc3\xa9  x\xc3\xa8");
}

static void completion_refuses_malformed_words(void **state)
{
	static const char *const bad[] = { "ok\xff" };
	static const char *const ctl[] = { "a\tb" };
	struct fx *f = setup(state);

	lineedit_set_words(&f->le, bad, 1);
	start(f, "> ", "> ");
	type(f, "o");
	mark(f);
	key(f, KBD_KEY_TAB);
	assert_string_equal(f->transcript, "\a");
	lineedit_set_words(&f->le, ctl, 1);
	ctrl(f, 'u');
	type(f, "a");
	key(f, KBD_KEY_TAB);
	assert_line(f, "a", 1);
}

/* ---- UTF-8 and the bounded buffer --------------------------------------------------------------- */

static void cursor_moves_and_deletes_whole_code_points(void **state)
{
	struct fx *f = setup(state);

	start(f, "> ", "> ");
	type(f, "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z");     /* a é € 😀 z */
	assert_line(f, "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z", 11);
	assert_int_equal(f->con.x, 2 + 5);
	key(f, KBD_KEY_LEFT);
	assert_int_equal(lineedit_cursor(&f->le), 10);
	key(f, KBD_KEY_LEFT);
	assert_int_equal(lineedit_cursor(&f->le), 6);
	key(f, KBD_KEY_BACKSPACE);                              /* € */
	assert_line(f, "a\xc3\xa9\xf0\x9f\x98\x80z", 3);
	key(f, KBD_KEY_DELETE);                                 /* 😀 */
	assert_line(f, "a\xc3\xa9z", 3);
	key(f, KBD_KEY_LEFT);
	type(f, "\xc3\xbc");                                    /* ü before é */
	assert_line(f, "a\xc3\xbc\xc3\xa9z", 3);
	assert_string_equal(screen_row(f, 0), "> a\xc3\xbc\xc3\xa9z");
}

static void text_that_does_not_fit_is_refused_with_a_bell(void **state)
{
	struct fx *f = setup(state);
	char full[LINEEDIT_MAX];

	f->check = false;
	start(f, "> ", "> ");
	memset(full, 'x', LINEEDIT_MAX - 3);
	full[LINEEDIT_MAX - 3] = '\0';
	type(f, full);                                          /* 253 bytes */
	key(f, KBD_KEY_HOME);
	mark(f);
	type(f, "\xe2\x82\xac");                                /* 3 bytes: no */
	assert_string_equal(f->transcript, "\a");
	assert_int_equal(f->le.len, LINEEDIT_MAX - 3);
	type(f, "\xc3\xa9");                                    /* 2 bytes: fits */
	assert_int_equal(f->le.len, LINEEDIT_MAX - 1);
	assert_int_equal(lineedit_cursor(&f->le), 2);
	mark(f);
	type(f, "y");
	assert_string_equal(f->transcript, "\a");
	assert_int_equal(strlen(lineedit_line(&f->le)), LINEEDIT_MAX - 1);
	assert_memory_equal(lineedit_line(&f->le), "\xc3\xa9xxx", 5);
	f->check = true;
	assert_screen_matches(f);
	assert_int_equal(key(f, KBD_KEY_ENTER), LINEEDIT_SUBMIT);
	assert_int_equal(strlen(lineedit_history_get(&f->le, 0)), LINEEDIT_MAX - 1);
}

static void a_completion_that_does_not_fit_is_refused(void **state)
{
	static const char *const words[] = { "abcdefgh" };
	struct fx *f = setup(state);
	char full[LINEEDIT_MAX];

	f->check = false;
	lineedit_set_words(&f->le, words, 1);
	start(f, "> ", "> ");
	memset(full, 'x', LINEEDIT_MAX - 10);
	full[LINEEDIT_MAX - 10] = '\0';
	type(f, full);
	type(f, " a");                                          /* 248 bytes */
	mark(f);
	key(f, KBD_KEY_TAB);                                    /* + 7 + space = 256: no */
	assert_string_equal(f->transcript, "\a");
	assert_int_equal(f->le.len, LINEEDIT_MAX - 8);
	key(f, KBD_KEY_BACKSPACE);
	key(f, KBD_KEY_BACKSPACE);
	key(f, KBD_KEY_BACKSPACE);
	type(f, " a");                                          /* 247 bytes */
	key(f, KBD_KEY_TAB);                                    /* 255: yes */
	assert_int_equal(f->le.len, LINEEDIT_MAX - 1);
	assert_string_equal(lineedit_line(&f->le) + LINEEDIT_MAX - 10, "abcdefgh ");
}

static void long_lines_scroll_sideways_and_never_touch_the_last_column(void **state)
{
	struct fx *f = setup_size(state, 20, 4);
	unsigned i;

	start(f, "> ", "> ");
	for (i = 0; i < 60; i++)
		type(f, (char[2]){ (char)('a' + i % 26), 0 });
	assert_int_equal(f->le.len, 60);
	assert_true(f->le.view > 0);
	assert_string_equal(screen_row(f, 1), "");             /* never wrapped */
	key(f, KBD_KEY_HOME);
	assert_int_equal(f->le.view, 0);
	assert_string_equal(screen_row(f, 0), "> abcdefghijklmnopq");
	for (i = 0; i < 30; i++)
		key(f, KBD_KEY_RIGHT);
	ctrl(f, 'k');
	assert_int_equal(f->le.len, 30);
	ctrl(f, 'u');
	assert_int_equal(f->le.view, 0);
	assert_string_equal(screen_row(f, 0), ">");
}

/* ---- the random session ---------------------------------------------------------------------------- */

static const char *const pieces[] = {
	"a", "Z", " ", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "he", "re", "r\xc3\xa9",
};

static void random_key(struct fx *f, unsigned r)
{
	static const uint16_t keys[] = {
		KBD_KEY_LEFT, KBD_KEY_RIGHT, KBD_KEY_HOME, KBD_KEY_END, KBD_KEY_BACKSPACE,
		KBD_KEY_DELETE, KBD_KEY_UP, KBD_KEY_DOWN, KBD_KEY_TAB,
	};
	enum lineedit_status st;

	if (r % 3 == 0) {
		type(f, pieces[(r / 3) % (sizeof(pieces) / sizeof(pieces[0]))]);
		return;
	}
	if (r % 97 == 1)
		st = ctrl(f, "ukcl"[(r / 97) % 4]);
	else if (r % 41 == 2)
		st = key(f, KBD_KEY_ENTER);
	else
		st = key(f, keys[(r / 3) % (sizeof(keys) / sizeof(keys[0]))]);
	if (st == LINEEDIT_SUBMIT || st == LINEEDIT_CANCEL)
		start(f, "\x1b[33m~\x1b[0m$ ", "~$ ");
}

static void random_session(void **state, unsigned cols, unsigned keys)
{
	struct fx *f = setup_size(state, cols, 10);
	unsigned i, seed = 12345;

	lineedit_set_words(&f->le, commands, sizeof(commands) / sizeof(commands[0]));
	start(f, "\x1b[33m~\x1b[0m$ ", "~$ ");
	for (i = 0; i < keys; i++) {
		seed = seed * 1103515245u + 12345u;
		random_key(f, seed >> 8);
		if (i % 500 == 0) {        /* something else printed meanwhile */
			console_feed(&f->con, "\r\nmessage\r\n", 11);
			lineedit_redraw(&f->le);
		}
	}
	assert_true(lineedit_history_count(&f->le) > 10);
}

static void the_screen_shows_the_buffer_after_every_key_of_a_random_session(void **state)
{
	random_session(state, 60, 20000);
}

static void the_same_holds_on_a_terminal_narrower_than_the_lines(void **state)
{
	random_session(state, 12, 20000);
}

#define T(name) cmocka_unit_test_teardown(name, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(typing_appends_and_echoes_only_the_characters),
		T(left_right_home_end_move_the_cursor_with_cursor_sequences),
		T(inserting_in_the_middle_rewrites_the_tail_and_steps_back),
		T(backspace_and_delete_remove_one_code_point_and_erase_the_end),
		T(ctrl_u_kills_to_the_start_and_ctrl_k_to_the_end),
		T(emacs_control_keys_move_and_delete),
		T(control_characters_alt_keys_and_releases_insert_nothing),
		T(enter_submits_the_line_and_keys_are_ignored_until_the_next_start),
		T(ctrl_c_cancels_the_line_shows_it_and_keeps_it_out_of_history),
		T(ctrl_l_clears_the_screen_and_redraws_the_line),
		T(redraw_puts_prompt_and_line_back_after_other_output),
		T(prompt_escape_sequences_take_no_columns),
		T(up_and_down_recall_entries_and_bring_back_the_new_line),
		T(recalling_rewrites_only_what_differs),
		T(empty_lines_and_consecutive_repeats_are_not_added),
		T(the_ring_keeps_the_newest_entries),
		T(editing_a_recalled_line_changes_the_history_only_when_submitted),
		T(tab_completes_a_unique_prefix_and_adds_a_space),
		T(tab_completes_ambiguous_words_as_far_as_they_agree),
		T(tab_lists_the_candidates_when_nothing_can_be_added),
		T(a_long_candidate_list_breaks_before_the_right_edge),
		T(tab_without_a_match_rings_the_bell),
		T(completion_never_splits_a_code_point),
		T(completion_refuses_malformed_words),
		T(cursor_moves_and_deletes_whole_code_points),
		T(text_that_does_not_fit_is_refused_with_a_bell),
		T(a_completion_that_does_not_fit_is_refused),
		T(long_lines_scroll_sideways_and_never_touch_the_last_column),
		T(the_screen_shows_the_buffer_after_every_key_of_a_random_session),
		T(the_same_holds_on_a_terminal_narrower_than_the_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
