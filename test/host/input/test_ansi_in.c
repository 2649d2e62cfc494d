/*
 * Host tests for the serial-terminal input decoder (ansi_in.h): every escape
 * sequence it knows, with and without xterm modifiers, fed alone, fed one
 * byte at a time with the open state checked in between, and embedded in
 * text; the control characters; UTF-8 text; the lone-ESC flush; garbage and
 * broken sequences; and a million random bytes that must leave every event
 * well-formed and the decoder recoverable by one escape sequence.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/input/ansi_in.h"

#define MAX_EV 64

/* Feed len bytes to a, collecting events; returns how many. */
static size_t feed(struct ansi_in *a, const char *s, size_t len, struct kbd_event *ev)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		struct kbd_event out[ANSI_IN_MAX_EVENTS];
		size_t got = ansi_in_feed(a, (uint8_t)s[i], out);

		assert_true(got <= ANSI_IN_MAX_EVENTS);
		for (size_t j = 0; j < got; j++) {
			assert_true(n < MAX_EV);
			ev[n++] = out[j];
		}
	}
	return n;
}

#define FEED(a, lit, ev) feed((a), (lit), sizeof(lit) - 1, (ev))

static void expect_event(const struct kbd_event *e, uint16_t key, uint16_t mods, uint32_t ch)
{
	assert_int_equal(e->key, key);
	assert_int_equal(e->phys, key);
	assert_int_equal(e->mods, mods);
	assert_int_equal(e->ch, ch);
	assert_true(e->pressed);
	assert_false(e->repeat);
	assert_false(e->leds_changed);
}

struct seq {
	const char *bytes;
	uint16_t key, mods;
	uint32_t ch;
};

static const struct seq sequences[] = {
	{ "\x1b[A", KBD_KEY_UP, 0, 0 },         { "\x1b[B", KBD_KEY_DOWN, 0, 0 },
	{ "\x1b[C", KBD_KEY_RIGHT, 0, 0 },      { "\x1b[D", KBD_KEY_LEFT, 0, 0 },
	{ "\x1bOA", KBD_KEY_UP, 0, 0 },         { "\x1bOB", KBD_KEY_DOWN, 0, 0 },
	{ "\x1bOC", KBD_KEY_RIGHT, 0, 0 },      { "\x1bOD", KBD_KEY_LEFT, 0, 0 },
	{ "\x1b[H", KBD_KEY_HOME, 0, 0 },       { "\x1b[F", KBD_KEY_END, 0, 0 },
	{ "\x1bOH", KBD_KEY_HOME, 0, 0 },       { "\x1bOF", KBD_KEY_END, 0, 0 },
	{ "\x1b[1~", KBD_KEY_HOME, 0, 0 },      { "\x1b[7~", KBD_KEY_HOME, 0, 0 },
	{ "\x1b[4~", KBD_KEY_END, 0, 0 },       { "\x1b[8~", KBD_KEY_END, 0, 0 },
	{ "\x1b[2~", KBD_KEY_INSERT, 0, 0 },    { "\x1b[3~", KBD_KEY_DELETE, 0, 0 },
	{ "\x1b[5~", KBD_KEY_PAGE_UP, 0, 0 },   { "\x1b[6~", KBD_KEY_PAGE_DOWN, 0, 0 },
	{ "\x1bOP", KBD_KEY_F1, 0, 0 },         { "\x1bOQ", KBD_KEY_F2, 0, 0 },
	{ "\x1bOR", KBD_KEY_F3, 0, 0 },         { "\x1bOS", KBD_KEY_F4, 0, 0 },
	{ "\x1b[11~", KBD_KEY_F1, 0, 0 },       { "\x1b[12~", KBD_KEY_F2, 0, 0 },
	{ "\x1b[13~", KBD_KEY_F3, 0, 0 },       { "\x1b[14~", KBD_KEY_F4, 0, 0 },
	{ "\x1b[15~", KBD_KEY_F5, 0, 0 },       { "\x1b[17~", KBD_KEY_F6, 0, 0 },
	{ "\x1b[18~", KBD_KEY_F7, 0, 0 },       { "\x1b[19~", KBD_KEY_F8, 0, 0 },
	{ "\x1b[20~", KBD_KEY_F9, 0, 0 },       { "\x1b[21~", KBD_KEY_F10, 0, 0 },
	{ "\x1b[23~", KBD_KEY_F11, 0, 0 },      { "\x1b[24~", KBD_KEY_F12, 0, 0 },
	{ "\x1b[Z", KBD_KEY_TAB, KBD_MOD_LSHIFT, '\t' },
	/* xterm modifiers */
	{ "\x1b[1;2A", KBD_KEY_UP, KBD_MOD_LSHIFT, 0 },
	{ "\x1b[1;3D", KBD_KEY_LEFT, KBD_MOD_LALT, 0 },
	{ "\x1b[1;5C", KBD_KEY_RIGHT, KBD_MOD_LCTRL, 0 },
	{ "\x1b[1;6H", KBD_KEY_HOME, KBD_MOD_LCTRL | KBD_MOD_LSHIFT, 0 },
	{ "\x1b[1;8F", KBD_KEY_END, KBD_MOD_LCTRL | KBD_MOD_LALT | KBD_MOD_LSHIFT, 0 },
	{ "\x1b[1;9B", KBD_KEY_DOWN, KBD_MOD_LGUI, 0 },
	{ "\x1b[3;5~", KBD_KEY_DELETE, KBD_MOD_LCTRL, 0 },
	{ "\x1b[24;2~", KBD_KEY_F12, KBD_MOD_LSHIFT, 0 },
	{ "\x1b[;5A", KBD_KEY_UP, KBD_MOD_LCTRL, 0 },
	{ "\x1b[1;1A", KBD_KEY_UP, 0, 0 },
	/* single bytes */
	{ "\x7f", KBD_KEY_BACKSPACE, 0, '\b' }, { "\x08", KBD_KEY_BACKSPACE, 0, '\b' },
	{ "\r", KBD_KEY_ENTER, 0, '\n' },       { "\n", KBD_KEY_ENTER, 0, '\n' },
	{ "\t", KBD_KEY_TAB, 0, '\t' },
	{ "\x01", KBD_KEY_A, KBD_MOD_LCTRL, 1 }, { "\x03", KBD_KEY_C, KBD_MOD_LCTRL, 3 },
	{ "\x1a", KBD_KEY_Z, KBD_MOD_LCTRL, 26 },
	{ "a", KBD_KEY_A, 0, 'a' },             { "Q", KBD_KEY_Q, 0, 'Q' },
	{ "0", KBD_KEY_0, 0, '0' },             { "7", KBD_KEY_7, 0, '7' },
	{ " ", KBD_KEY_SPACE, 0, ' ' },         { "~", KBD_KEY_NONE, 0, '~' },
	{ "\xc3\xa4", KBD_KEY_NONE, 0, 0xe4 },  { "\xe2\x82\xac", KBD_KEY_NONE, 0, 0x20ac },
	{ "\xf0\x9f\x98\x80", KBD_KEY_NONE, 0, 0x1f600 },
	/* meta sends escape */
	{ "\x1bx", KBD_KEY_X, KBD_MOD_LALT, 'x' },
	{ "\x1b.", KBD_KEY_NONE, KBD_MOD_LALT, '.' },
};

static void every_sequence_gives_its_one_event(void **state)
{
	for (size_t i = 0; i < sizeof(sequences) / sizeof(sequences[0]); i++) {
		const struct seq *s = &sequences[i];
		struct kbd_event ev[MAX_EV];
		struct ansi_in a;

		ansi_in_init(&a);
		print_message("sequence %zu\n", i);
		assert_int_equal(feed(&a, s->bytes, strlen(s->bytes), ev), 1);
		expect_event(&ev[0], s->key, s->mods, s->ch);
		assert_false(ansi_in_pending(&a));
	}
}

/* Byte by byte: nothing until the last byte, and the decoder says a sequence
 * is open exactly while one is. */
static void sequences_fed_in_pieces_complete_only_at_their_last_byte(void **state)
{
	for (size_t i = 0; i < sizeof(sequences) / sizeof(sequences[0]); i++) {
		const struct seq *s = &sequences[i];
		size_t len = strlen(s->bytes);
		struct kbd_event ev[MAX_EV];
		struct ansi_in a;

		ansi_in_init(&a);
		for (size_t j = 0; j + 1 < len; j++) {
			assert_int_equal(feed(&a, s->bytes + j, 1, ev), 0);
			assert_int_equal(ansi_in_pending(&a), s->bytes[0] == 0x1b);
		}
		assert_int_equal(feed(&a, s->bytes + len - 1, 1, ev), 1);
		expect_event(&ev[0], s->key, s->mods, s->ch);
	}
}

static void sequences_inside_text_keep_the_order_of_keys(void **state)
{
	struct kbd_event ev[MAX_EV];
	struct ansi_in a;

	ansi_in_init(&a);
	assert_int_equal(FEED(&a, "ab\x1b[Acd\x1b[3~\x7f\r", ev), 8);
	expect_event(&ev[0], KBD_KEY_A, 0, 'a');
	expect_event(&ev[1], KBD_KEY_B, 0, 'b');
	expect_event(&ev[2], KBD_KEY_UP, 0, 0);
	expect_event(&ev[3], KBD_KEY_C, 0, 'c');
	expect_event(&ev[4], KBD_KEY_D, 0, 'd');
	expect_event(&ev[5], KBD_KEY_DELETE, 0, 0);
	expect_event(&ev[6], KBD_KEY_BACKSPACE, 0, '\b');
	expect_event(&ev[7], KBD_KEY_ENTER, 0, '\n');
}

static size_t enters(const char *s)
{
	struct kbd_event ev[MAX_EV];
	struct ansi_in a;
	size_t n, count = 0;

	ansi_in_init(&a);
	n = feed(&a, s, strlen(s), ev);
	for (size_t i = 0; i < n; i++)
		count += ev[i].key == KBD_KEY_ENTER;
	return count;
}

static void cr_lf_is_one_enter_but_other_pairs_are_two(void **state)
{
	assert_int_equal(enters("\r\n"), 1);
	assert_int_equal(enters("\r\n\r\n"), 2);
	assert_int_equal(enters("\n\n"), 2);
	assert_int_equal(enters("\r\r"), 2);
	assert_int_equal(enters("\n\r"), 2);
	assert_int_equal(enters("\rx\n"), 2);        /* CR x LF: the LF counts */
	assert_int_equal(enters("\r\x1b[A\n"), 2);  /* so after a sequence */
}

static void lone_escape_becomes_the_escape_key_when_flushed(void **state)
{
	struct kbd_event ev[MAX_EV], e;
	struct ansi_in a;

	ansi_in_init(&a);
	assert_false(ansi_in_pending(&a));
	assert_int_equal(ansi_in_flush(&a, &e), 0);      /* nothing open */
	assert_int_equal(FEED(&a, "\x1b", ev), 0);
	assert_true(ansi_in_pending(&a));
	assert_int_equal(ansi_in_flush(&a, &e), 1);
	expect_event(&e, KBD_KEY_ESCAPE, 0, 0x1b);
	assert_false(ansi_in_pending(&a));
	assert_int_equal(ansi_in_flush(&a, &e), 0);      /* only once */
	assert_int_equal(FEED(&a, "a", ev), 1);          /* and back to text */
	expect_event(&ev[0], KBD_KEY_A, 0, 'a');
}

static void flushing_a_partial_sequence_drops_it(void **state)
{
	static const char *const partial[] = { "\x1b[", "\x1b[1", "\x1b[1;", "\x1b[1;5", "\x1bO" };
	struct kbd_event ev[MAX_EV], e;
	struct ansi_in a;

	for (size_t i = 0; i < sizeof(partial) / sizeof(partial[0]); i++) {
		ansi_in_init(&a);
		assert_int_equal(feed(&a, partial[i], strlen(partial[i]), ev), 0);
		assert_true(ansi_in_pending(&a));
		assert_int_equal(ansi_in_flush(&a, &e), 0);
		assert_false(ansi_in_pending(&a));
		assert_int_equal(FEED(&a, "A", ev), 1);   /* the final byte is now text */
		expect_event(&ev[0], KBD_KEY_A, 0, 'A');
	}
}

static void escape_before_a_control_or_escape_is_the_escape_key(void **state)
{
	struct kbd_event ev[MAX_EV];
	struct ansi_in a;

	ansi_in_init(&a);
	assert_int_equal(FEED(&a, "\x1b\r", ev), 2);
	expect_event(&ev[0], KBD_KEY_ESCAPE, 0, 0x1b);
	expect_event(&ev[1], KBD_KEY_ENTER, 0, '\n');
	assert_int_equal(FEED(&a, "\x1b\x1b[B", ev), 2);
	expect_event(&ev[0], KBD_KEY_ESCAPE, 0, 0x1b);
	expect_event(&ev[1], KBD_KEY_DOWN, 0, 0);
	assert_int_equal(FEED(&a, "\x1b\xc3\xa4", ev), 2);   /* ESC then UTF-8 */
	expect_event(&ev[0], KBD_KEY_ESCAPE, 0, 0x1b);
	expect_event(&ev[1], KBD_KEY_NONE, 0, 0xe4);
	assert_int_equal(FEED(&a, "\x1b\x7f", ev), 2);
	expect_event(&ev[1], KBD_KEY_BACKSPACE, 0, '\b');
}

static void unknown_and_private_sequences_are_swallowed_whole(void **state)
{
	struct kbd_event ev[MAX_EV];
	struct ansi_in a;

	ansi_in_init(&a);
	/* unknown finals, numbers where none belong, private and intermediate
	 * bytes, tilde codes without a key, huge and surplus numbers */
	assert_int_equal(FEED(&a, "\x1b[99q\x1b[2A\x1b[?25h\x1b[>1;2c\x1b[ q\x1b[9~\x1b[16~"
			      "\x1b[25~\x1b[99999999999~\x1b[1;2;3;4;5;6;7;8;9;10;11;12~"
			      "\x1bOz\x1b[<0;1;2M\x1b[1:2A", ev), 1);
	/* the one event is the surplus-number Home: 1 and modifier 2 are read */
	expect_event(&ev[0], KBD_KEY_HOME, KBD_MOD_LSHIFT, 0);
	assert_false(ansi_in_pending(&a));
	assert_int_equal(FEED(&a, "x", ev), 1);
	expect_event(&ev[0], KBD_KEY_X, 0, 'x');
}

static void a_byte_that_breaks_a_sequence_is_decoded_afresh(void **state)
{
	struct kbd_event ev[MAX_EV];
	struct ansi_in a;

	ansi_in_init(&a);
	assert_int_equal(FEED(&a, "\x1b[1\r", ev), 1);       /* CSI broken by CR */
	expect_event(&ev[0], KBD_KEY_ENTER, 0, '\n');
	assert_int_equal(FEED(&a, "\x1b[\x1b[A", ev), 1);    /* CSI broken by ESC */
	expect_event(&ev[0], KBD_KEY_UP, 0, 0);
	assert_int_equal(FEED(&a, "\x1bO\x1bOP", ev), 1);    /* SS3 broken by ESC */
	expect_event(&ev[0], KBD_KEY_F1, 0, 0);
	assert_int_equal(FEED(&a, "\x1b[5\xc3\xa4", ev), 1); /* CSI broken by UTF-8 */
	expect_event(&ev[0], KBD_KEY_NONE, 0, 0xe4);
	assert_int_equal(FEED(&a, "\x1bO\t", ev), 1);        /* SS3 broken by Tab */
	expect_event(&ev[0], KBD_KEY_TAB, 0, '\t');
}

static void broken_utf8_gives_one_replacement_then_the_byte(void **state)
{
	struct kbd_event ev[MAX_EV];
	struct ansi_in a;

	ansi_in_init(&a);
	assert_int_equal(FEED(&a, "\xc3" "a", ev), 2);
	expect_event(&ev[0], KBD_KEY_NONE, 0, UTF8_REPLACEMENT);
	expect_event(&ev[1], KBD_KEY_A, 0, 'a');
	assert_int_equal(FEED(&a, "\xe2\x82\x1b[C", ev), 2);  /* cut by an escape */
	expect_event(&ev[0], KBD_KEY_NONE, 0, UTF8_REPLACEMENT);
	expect_event(&ev[1], KBD_KEY_RIGHT, 0, 0);
	assert_int_equal(FEED(&a, "\xff", ev), 1);
	expect_event(&ev[0], KBD_KEY_NONE, 0, UTF8_REPLACEMENT);
}

static void controls_without_a_key_and_c1_controls_type_nothing(void **state)
{
	struct kbd_event ev[MAX_EV];
	struct ansi_in a;

	ansi_in_init(&a);
	assert_int_equal(feed(&a, "\0\x1c\x1d\x1e\x1f\xc2\x80\xc2\x9f", 9, ev), 0);
	assert_false(ansi_in_pending(&a));
}

static void every_ctrl_letter_carries_its_key_and_control_code(void **state)
{
	for (unsigned c = 1; c <= 26; c++) {
		struct kbd_event ev[MAX_EV];
		struct ansi_in a;
		char byte = (char)c;
		char name[2] = { (char)('A' + c - 1), 0 };

		if (c == 8 || c == 9 || c == 10 || c == 13)
			continue;                  /* Backspace, Tab, Enter */
		ansi_in_init(&a);
		assert_int_equal(feed(&a, &byte, 1, ev), 1);
		assert_int_equal(ev[0].ch, c);
		assert_int_equal(ev[0].mods, KBD_MOD_LCTRL);
		assert_string_equal(kbd_key_name(ev[0].key), name);
	}
}

/* A million random bytes, biased towards the sequence alphabet: every event
 * is a well-formed press, and after any prefix one complete sequence decodes. */
static void random_bytes_give_well_formed_events_and_recover(void **state)
{
	static const char alphabet[] = "\x1b[O;0123456789~ABCDFHPQRSZ\r\n\x7f\x08?a\xc3\xa4";
	struct kbd_event ev[MAX_EV];
	struct ansi_in a;

	srand(12345);
	ansi_in_init(&a);
	for (int i = 0; i < 1000000; i++) {
		char b = rand() % 4 ? alphabet[rand() % (sizeof(alphabet) - 1)] : (char)rand();
		size_t n = feed(&a, &b, 1, ev);

		for (size_t j = 0; j < n; j++) {
			assert_true(ev[j].key < KBD_KEY_COUNT);
			assert_true(ev[j].pressed);
			assert_true(ev[j].key != KBD_KEY_NONE || ev[j].ch != 0);
			assert_true(ev[j].ch <= UTF8_MAX_CP);
		}
		if (i % 997 == 0) {
			struct ansi_in copy = a;
			size_t m = FEED(&copy, "\x1b[D", ev);

			assert_true(m >= 1);
			expect_event(&ev[m - 1], KBD_KEY_LEFT, 0, 0);
			assert_false(ansi_in_pending(&copy));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_sequence_gives_its_one_event),
		cmocka_unit_test(sequences_fed_in_pieces_complete_only_at_their_last_byte),
		cmocka_unit_test(sequences_inside_text_keep_the_order_of_keys),
		cmocka_unit_test(cr_lf_is_one_enter_but_other_pairs_are_two),
		cmocka_unit_test(lone_escape_becomes_the_escape_key_when_flushed),
		cmocka_unit_test(flushing_a_partial_sequence_drops_it),
		cmocka_unit_test(escape_before_a_control_or_escape_is_the_escape_key),
		cmocka_unit_test(unknown_and_private_sequences_are_swallowed_whole),
		cmocka_unit_test(a_byte_that_breaks_a_sequence_is_decoded_afresh),
		cmocka_unit_test(broken_utf8_gives_one_replacement_then_the_byte),
		cmocka_unit_test(controls_without_a_key_and_c1_controls_type_nothing),
		cmocka_unit_test(every_ctrl_letter_carries_its_key_and_control_code),
		cmocka_unit_test(random_bytes_give_well_formed_events_and_recover),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
