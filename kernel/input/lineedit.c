/*
 * Line editor. Every edit ends in le_refresh, which turns "the text changed
 * from byte `from` on" into the fewest terminal bytes: move to the first
 * changed column, rewrite the visible text from there, erase what the line
 * no longer covers, move back to the cursor. The editor keeps its own idea
 * of where the terminal cursor is (term_col) and of how many columns of text
 * are on screen (shown), so it never needs to ask the terminal.
 * Pure logic; context rules in the header.
 */
#include "kernel/input/lineedit.h"
#include "lib/compiler.h"
#include "lib/format.h"
#include "lib/string.h"
#include "lib/utf8.h"

#define ESC        "\x1b"
#define NO_CHANGE  ((size_t)-1)       /* le_refresh: only the cursor moved */
#define UNLIMITED  ((unsigned)-1)

/* What a key asks for. */
enum le_action {
	ACT_NONE, ACT_INSERT, ACT_LEFT, ACT_RIGHT, ACT_HOME, ACT_END,
	ACT_BACKSPACE, ACT_DELETE, ACT_UP, ACT_DOWN, ACT_TAB, ACT_ENTER,
	ACT_CANCEL, ACT_CLEAR, ACT_KILL_START, ACT_KILL_END,
};

/* Candidates for the word before the cursor. */
struct le_matches {
	const char *first;           /* first matching word, NULL if none */
	size_t common;               /* bytes every match shares with first */
	bool unique;                 /* every match equals first */
};

/* ---- UTF-8 positions -------------------------------------------------------------- */

static bool le_is_cont(char c)
{
	return ((uint8_t)c & 0xc0) == 0x80;
}

/* Code points (= columns) in s[from, to). */
static unsigned le_cps(const char *s, size_t from, size_t to)
{
	unsigned n = 0;

	for (; from < to; from++)
		n += !le_is_cont(s[from]);
	return n;
}

static size_t le_prev(const struct lineedit *le, size_t i)
{
	if (i > 0)
		i--;
	while (i > 0 && le_is_cont(le->buf[i]))
		i--;
	return i;
}

static size_t le_next(const struct lineedit *le, size_t i)
{
	if (i < le->len)
		i++;
	while (i < le->len && le_is_cont(le->buf[i]))
		i++;
	return i;
}

/* Copy src into dst[cap], cut at a code point boundary; returns the length. */
static size_t le_copy(char *dst, const char *src, size_t cap)
{
	size_t n = strnlen(src, cap - 1);

	if (n == cap - 1)
		while (n > 0 && le_is_cont(src[n]))
			n--;
	memmove(dst, src, n);
	dst[n] = '\0';
	return n;
}

/* Columns text takes on a terminal: CSI sequences and controls take none. */
static unsigned le_text_cols(const char *s)
{
	unsigned cols = 0, state = 0;    /* 0 text, 1 after ESC, 2 inside ESC[ */
	uint8_t c;

	for (; *s; s++) {
		c = (uint8_t)*s;
		if (state == 1)
			state = (c == '[') ? 2 : 0;
		else if (state == 2)
			state = (c >= 0x40 && c <= 0x7e) ? 0 : 2;
		else if (c == 0x1b)
			state = 1;
		else if (c >= 0x20 && c != 0x7f && !le_is_cont((char)c))
			cols++;
	}
	return cols;
}

/* ---- output ------------------------------------------------------------------------ */

static void le_flush(struct lineedit *le)
{
	if (le->out_len)
		le->write(le->ctx, le->out, le->out_len);
	le->out_len = 0;
}

static void le_emit(struct lineedit *le, const char *s, size_t n)
{
	while (n--) {
		if (le->out_len == sizeof(le->out))
			le_flush(le);
		le->out[le->out_len++] = *s++;
	}
}

static void le_puts(struct lineedit *le, const char *s)
{
	le_emit(le, s, strlen(s));
}

/* A refused key: the terminal's bell (Ember's console ignores it). */
static void le_bell(struct lineedit *le)
{
	le_puts(le, "\a");
}

/* Move the terminal cursor to column col after the prompt. */
static void le_move_to(struct lineedit *le, unsigned col)
{
	char seq[24];
	unsigned n = col > le->term_col ? col - le->term_col : le->term_col - col;
	int len;

	if (col == le->term_col)
		return;
	len = fmt_snprintf(seq, sizeof(seq), ESC "[%u%c", n, col > le->term_col ? 'C' : 'D');
	le_emit(le, seq, (size_t)len);
	le->term_col = col;
}

/* ---- the window and the redraw --------------------------------------------------------- */

/* Columns the text may use: all but the prompt's and the terminal's last. */
static unsigned le_avail(const struct lineedit *le)
{
	if (le->cols == 0)
		return UNLIMITED;
	return le->cols > le->prompt_cols + 2 ? le->cols - le->prompt_cols - 1 : 1;
}

/* The byte offset n code points before i, or after it (stopping at the ends). */
static size_t le_back(const struct lineedit *le, size_t i, unsigned n)
{
	for (; n && i > 0; n--)
		i = le_prev(le, i);
	return i;
}

static size_t le_fwd(const struct lineedit *le, size_t i, unsigned n)
{
	for (; n && i < le->len; n--)
		i = le_next(le, i);
	return i;
}

/*
 * Keep the cursor inside the window: the whole line when it fits, else jump
 * the window so the cursor lands in its middle. Jumping by half a window
 * means typing at the end of a long line redraws once every avail/2 keys,
 * not at every key.
 */
static void le_fix_view(struct lineedit *le)
{
	unsigned avail = le_avail(le);

	if (le_cps(le->buf, 0, le->len) < avail)
		le->view = 0;
	else if (le->pos < le->view || le_cps(le->buf, le->view, le->pos) >= avail)
		le->view = le_back(le, le->pos, avail / 2);
}

/*
 * Bring the screen in step after the text changed from byte `from` on
 * (NO_CHANGE: only the cursor moved). A moved window changes everything.
 */
static void le_refresh(struct lineedit *le, size_t from)
{
	size_t old_view = le->view, end;
	unsigned shown;

	le_fix_view(le);
	if (le->view != old_view)
		from = le->view;
	if (from != NO_CHANGE) {
		from = MAX(from, le->view);
		end = le_fwd(le, le->view, le_avail(le));
		shown = le_cps(le->buf, le->view, end);
		if (from < end) {
			le_move_to(le, le_cps(le->buf, le->view, from));
			le_emit(le, le->buf + from, end - from);
			le->term_col = shown;
		}
		if (shown < le->shown) {
			le_move_to(le, shown);
			le_puts(le, ESC "[K");
		}
		le->shown = shown;
	}
	le_move_to(le, le_cps(le->buf, le->view, le->pos));
}

/* Prompt and line from column 0 of the cursor's row, the rest of it erased. */
static void le_draw(struct lineedit *le)
{
	le_puts(le, "\r" ESC "[K");
	le_puts(le, le->prompt);
	le->shown = 0;
	le->term_col = 0;
	le_refresh(le, 0);
}

/* ---- editing ------------------------------------------------------------------------------- */

/* Insert n bytes of whole code points at the cursor; BEL if they do not fit. */
static bool le_insert(struct lineedit *le, const char *s, size_t n)
{
	size_t at = le->pos;

	if (n > LINEEDIT_MAX - 1 - le->len) {
		le_bell(le);
		return false;
	}
	memmove(le->buf + at + n, le->buf + at, le->len - at + 1);
	memcpy(le->buf + at, s, n);
	le->len += n;
	le->pos += n;
	le_refresh(le, at);
	return true;
}

/* Remove bytes [from, to); the cursor ends at from. */
static void le_delete(struct lineedit *le, size_t from, size_t to)
{
	memmove(le->buf + from, le->buf + to, le->len - to + 1);
	le->len -= to - from;
	le->pos = from;
	le_refresh(le, from);
}

static void le_set_cursor(struct lineedit *le, size_t pos)
{
	le->pos = pos;
	le_refresh(le, NO_CHANGE);
}

/* Replace the whole line by s, cursor at its end; only the differing tail is redrawn. */
static void le_replace(struct lineedit *le, const char *s)
{
	size_t same = 0;

	while (same < le->len && le->buf[same] == s[same])
		same++;
	while (same > 0 && (le_is_cont(le->buf[same]) || le_is_cont(s[same])))
		same--;
	le->len = le_copy(le->buf, s, sizeof(le->buf));
	le->pos = le->len;
	if (le->view)                   /* the screen shows another window: redraw it */
		same = 0;
	le->view = 0;                   /* the old offset may split a code point */
	le_refresh(le, same);
}

/* ---- history --------------------------------------------------------------------------------- */

/* Entry n of the ring, 1 = newest. */
static const char *le_hist(const struct lineedit *le, unsigned n)
{
	return le->history[(le->hist_next + LINEEDIT_HISTORY - n) % LINEEDIT_HISTORY];
}

void lineedit_history_add(struct lineedit *le, const char *line)
{
	char copy[LINEEDIT_MAX];

	if (le_copy(copy, line, sizeof(copy)) == 0)
		return;
	if (le->hist_count && strcmp(le_hist(le, 1), copy) == 0)
		return;
	memcpy(le->history[le->hist_next], copy, sizeof(copy));
	le->hist_next = (le->hist_next + 1) % LINEEDIT_HISTORY;
	if (le->hist_count < LINEEDIT_HISTORY)
		le->hist_count++;
}

unsigned lineedit_history_count(const struct lineedit *le)
{
	return le->hist_count;
}

const char *lineedit_history_get(const struct lineedit *le, unsigned n)
{
	return n < le->hist_count ? le_hist(le, n + 1) : NULL;
}

/*
 * Up (older = true) and Down. The new line is kept aside while browsing and
 * comes back below the newest entry; edits to a recalled entry live only in
 * the buffer, so the history changes only when a line is submitted.
 */
static void le_browse(struct lineedit *le, bool older)
{
	if (older ? le->hist_pos >= le->hist_count : le->hist_pos == 0) {
		le_bell(le);
		return;
	}
	if (le->hist_pos == 0)
		memcpy(le->saved, le->buf, le->len + 1);
	le->hist_pos = older ? le->hist_pos + 1 : le->hist_pos - 1;
	le_replace(le, le->hist_pos ? le_hist(le, le->hist_pos) : le->saved);
}

/* ---- completion ------------------------------------------------------------------------------ */

/* Is s[0, n) printable UTF-8 without spaces? Words must be, to be inserted. */
static bool le_word_ok(const char *s, size_t n)
{
	uint32_t cp;
	int k;

	while (n) {
		k = utf8_decode(s, n, &cp);
		if (k < 0 || cp <= ' ' || (cp >= 0x7f && cp < 0xa0))
			return false;
		s += k;
		n -= (size_t)k;
	}
	return true;
}

static bool le_matches_word(const char *word, const char *tok, size_t tok_len)
{
	return strncmp(word, tok, tok_len) == 0;
}

static void le_find(const struct lineedit *le, const char *tok, size_t tok_len,
		    struct le_matches *m)
{
	const char *w;
	size_t i, n;

	m->first = NULL;
	m->unique = true;
	for (i = 0; i < le->nwords; i++) {
		w = le->words[i];
		if (!le_matches_word(w, tok, tok_len))
			continue;
		if (!m->first) {
			m->first = w;
			m->common = strlen(w);
			continue;
		}
		for (n = 0; n < m->common && w[n] == m->first[n]; n++)
			;
		m->common = n;
		m->unique &= (w[n] == '\0' && m->first[n] == '\0');
	}
	if (m->first)                   /* never split a code point */
		while (m->common > tok_len && le_is_cont(m->first[m->common]))
			m->common--;
}

/* The matching words on the lines below, then the prompt and line again. */
static void le_list(struct lineedit *le, const char *tok, size_t tok_len)
{
	unsigned col = 0, w;
	size_t i;

	le_puts(le, "\r\n");
	for (i = 0; i < le->nwords; i++) {
		if (!le_matches_word(le->words[i], tok, tok_len))
			continue;
		w = le_text_cols(le->words[i]);
		if (col && le->cols && col + 2 + w > le->cols) {
			le_puts(le, "\r\n");
			col = 0;
		} else if (col) {
			le_puts(le, "  ");
			col += 2;
		}
		le_puts(le, le->words[i]);
		col += w;
	}
	le_puts(le, "\r\n");
	le_draw(le);
}

static void le_complete(struct lineedit *le)
{
	size_t start = le->pos, tok_len, n;
	struct le_matches m;
	char add[LINEEDIT_MAX];

	while (start > 0 && le->buf[start - 1] != ' ')
		start--;
	tok_len = le->pos - start;
	le_find(le, le->buf + start, tok_len, &m);
	if (!m.first) {
		le_bell(le);
		return;
	}
	if (!m.unique && m.common == tok_len) {
		le_list(le, le->buf + start, tok_len);
		return;
	}
	n = m.common - tok_len;
	if (n >= sizeof(add) - 1 || !le_word_ok(m.first + tok_len, n)) {
		le_bell(le);
		return;
	}
	memcpy(add, m.first + tok_len, n);
	if (m.unique && (le->pos == le->len || le->buf[le->pos] != ' '))
		add[n++] = ' ';
	le_insert(le, add, n);
}

/* ---- keys ---------------------------------------------------------------------------------- */

/* Editing keys by key; the rest by the character typed (Ctrl+U types 0x15). */
static enum le_action le_action_of(const struct kbd_event *ev)
{
	switch (ev->key) {
	case KBD_KEY_LEFT:	return ACT_LEFT;
	case KBD_KEY_RIGHT:	return ACT_RIGHT;
	case KBD_KEY_HOME:	return ACT_HOME;
	case KBD_KEY_END:	return ACT_END;
	case KBD_KEY_UP:	return ACT_UP;
	case KBD_KEY_DOWN:	return ACT_DOWN;
	case KBD_KEY_DELETE:	return ACT_DELETE;
	case KBD_KEY_BACKSPACE:	return ACT_BACKSPACE;
	case KBD_KEY_TAB:	return ACT_TAB;
	case KBD_KEY_ENTER:
	case KBD_KEY_KP_ENTER:	return ACT_ENTER;
	}
	switch (ev->ch) {
	case 0x01:		return ACT_HOME;        /* Ctrl+A */
	case 0x02:		return ACT_LEFT;        /* Ctrl+B */
	case 0x03:		return ACT_CANCEL;      /* Ctrl+C */
	case 0x04:		return ACT_DELETE;      /* Ctrl+D */
	case 0x05:		return ACT_END;         /* Ctrl+E */
	case 0x06:		return ACT_RIGHT;       /* Ctrl+F */
	case 0x08: case 0x7f:	return ACT_BACKSPACE;   /* Ctrl+H, DEL */
	case '\t':		return ACT_TAB;         /* Ctrl+I */
	case '\n': case '\r':	return ACT_ENTER;       /* Ctrl+J, Ctrl+M */
	case 0x0b:		return ACT_KILL_END;    /* Ctrl+K */
	case 0x0c:		return ACT_CLEAR;       /* Ctrl+L */
	case 0x0e:		return ACT_DOWN;        /* Ctrl+N */
	case 0x10:		return ACT_UP;          /* Ctrl+P */
	case 0x15:		return ACT_KILL_START;  /* Ctrl+U */
	}
	if (ev->ch < 0x20 || (ev->ch >= 0x80 && ev->ch < 0xa0) || (ev->mods & KBD_MOD_LALT))
		return ACT_NONE;                        /* Alt+x is left for bindings */
	return ACT_INSERT;
}

static enum lineedit_status le_submit(struct lineedit *le)
{
	le_puts(le, "\r\n");
	le->open = false;
	lineedit_history_add(le, le->buf);
	return LINEEDIT_SUBMIT;
}

/* "^C" after the text when it fits before the last column, then a new line. */
static enum lineedit_status le_cancel(struct lineedit *le)
{
	le_move_to(le, le->shown);
	if (le->cols == 0 || le->prompt_cols + le->shown + 2 < le->cols)
		le_puts(le, "^C");
	le_puts(le, "\r\n");
	le->open = false;
	le->buf[0] = '\0';
	le->len = le->pos = 0;
	return LINEEDIT_CANCEL;
}

static enum lineedit_status le_clear(struct lineedit *le)
{
	le_puts(le, ESC "[H" ESC "[2J");
	le_draw(le);
	return LINEEDIT_CLEAR;
}

static void le_insert_cp(struct lineedit *le, uint32_t cp)
{
	char enc[4];
	size_t n = utf8_encode(cp, enc);

	if (n)
		le_insert(le, enc, n);
}

/* Delete the code point before (Backspace) or under (Delete) the cursor. */
static void le_delete_one(struct lineedit *le, bool before)
{
	if (before ? le->pos == 0 : le->pos == le->len)
		le_bell(le);
	else if (before)
		le_delete(le, le_prev(le, le->pos), le->pos);
	else
		le_delete(le, le->pos, le_next(le, le->pos));
}

static enum lineedit_status le_do(struct lineedit *le, enum le_action act, uint32_t ch)
{
	switch (act) {
	case ACT_INSERT:	le_insert_cp(le, ch); break;
	case ACT_LEFT:		le_set_cursor(le, le_prev(le, le->pos)); break;
	case ACT_RIGHT:		le_set_cursor(le, le_next(le, le->pos)); break;
	case ACT_HOME:		le_set_cursor(le, 0); break;
	case ACT_END:		le_set_cursor(le, le->len); break;
	case ACT_BACKSPACE:	le_delete_one(le, true); break;
	case ACT_DELETE:	le_delete_one(le, false); break;
	case ACT_UP:		le_browse(le, true); break;
	case ACT_DOWN:		le_browse(le, false); break;
	case ACT_TAB:		le_complete(le); break;
	case ACT_KILL_START:	le_delete(le, 0, le->pos); break;
	case ACT_KILL_END:	le_delete(le, le->pos, le->len); break;
	case ACT_ENTER:		return le_submit(le);
	case ACT_CANCEL:	return le_cancel(le);
	case ACT_CLEAR:		return le_clear(le);
	case ACT_NONE:		break;
	}
	return LINEEDIT_EDITING;
}

enum lineedit_status lineedit_key(struct lineedit *le, const struct kbd_event *ev)
{
	enum lineedit_status st;

	if (!ev->pressed || !le->open)
		return LINEEDIT_EDITING;
	st = le_do(le, le_action_of(ev), ev->ch);
	le_flush(le);
	return st;
}

/* ---- set-up ------------------------------------------------------------------------------------ */

void lineedit_init(struct lineedit *le,
		   void (*write)(void *ctx, const char *s, size_t len), void *ctx,
		   unsigned cols)
{
	memset(le, 0, sizeof(*le));
	le->write = write;
	le->ctx = ctx;
	le->cols = cols;
}

void lineedit_set_cols(struct lineedit *le, unsigned cols)
{
	le->cols = cols;
}

void lineedit_set_words(struct lineedit *le, const char *const *words, size_t nwords)
{
	le->words = words;
	le->nwords = words ? nwords : 0;
}

void lineedit_start(struct lineedit *le, const char *prompt)
{
	le_copy(le->prompt, prompt, sizeof(le->prompt));
	le->prompt_cols = le_text_cols(le->prompt);
	le->buf[0] = '\0';
	le->len = le->pos = le->view = 0;
	le->shown = le->term_col = 0;
	le->hist_pos = 0;
	le->open = true;
	le_puts(le, le->prompt);
	le_flush(le);
}

void lineedit_redraw(struct lineedit *le)
{
	if (!le->open)
		return;
	le_draw(le);
	le_flush(le);
}

const char *lineedit_line(const struct lineedit *le)
{
	return le->buf;
}

size_t lineedit_cursor(const struct lineedit *le)
{
	return le->pos;
}
