/*
 * Host tests for the PS/2 scancode decoder (kbd.h) and its layouts.
 *
 * The test keeps its own knowledge of the hardware and the layouts, written
 * independently of the decoder's tables: a key -> scancode table (the
 * decoder maps the other way) and each layout's chart as one string per
 * keyboard row and level. Every typing key of every layout is checked on
 * every level in both scancode sets; a random key sequence must give the
 * same events in set 1 and set 2; a million random bytes per set must never
 * crash the decoder (ASan/UBSan) nor break its invariants.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/input/kbd.h"
#include "lib/compiler.h"
#include "lib/errno.h"

/* ---- scancodes, from the scancode charts (key -> bytes) ---------------------------- */

struct scan {
	uint16_t key;
	uint8_t set1, set2;	/* make codes */
	bool e0;		/* both sets prefix it with E0 */
};

#define KEY(k, s1, s2)	{ KBD_KEY_##k, s1, s2, false }
#define EXT(k, s1, s2)	{ KBD_KEY_##k, s1, s2, true }

/* Every key but Print Screen and Pause, which have sequences of their own. */
static const struct scan scans[] = {
	KEY(ESCAPE, 0x01, 0x76),
	KEY(F1, 0x3b, 0x05), KEY(F2, 0x3c, 0x06), KEY(F3, 0x3d, 0x04),
	KEY(F4, 0x3e, 0x0c), KEY(F5, 0x3f, 0x03), KEY(F6, 0x40, 0x0b),
	KEY(F7, 0x41, 0x83), KEY(F8, 0x42, 0x0a), KEY(F9, 0x43, 0x01),
	KEY(F10, 0x44, 0x09), KEY(F11, 0x57, 0x78), KEY(F12, 0x58, 0x07),
	KEY(SCROLL_LOCK, 0x46, 0x7e),

	KEY(GRAVE, 0x29, 0x0e), KEY(1, 0x02, 0x16), KEY(2, 0x03, 0x1e),
	KEY(3, 0x04, 0x26), KEY(4, 0x05, 0x25), KEY(5, 0x06, 0x2e),
	KEY(6, 0x07, 0x36), KEY(7, 0x08, 0x3d), KEY(8, 0x09, 0x3e),
	KEY(9, 0x0a, 0x46), KEY(0, 0x0b, 0x45), KEY(MINUS, 0x0c, 0x4e),
	KEY(EQUAL, 0x0d, 0x55), KEY(BACKSPACE, 0x0e, 0x66),

	KEY(TAB, 0x0f, 0x0d), KEY(Q, 0x10, 0x15), KEY(W, 0x11, 0x1d),
	KEY(E, 0x12, 0x24), KEY(R, 0x13, 0x2d), KEY(T, 0x14, 0x2c),
	KEY(Y, 0x15, 0x35), KEY(U, 0x16, 0x3c), KEY(I, 0x17, 0x43),
	KEY(O, 0x18, 0x44), KEY(P, 0x19, 0x4d), KEY(LBRACKET, 0x1a, 0x54),
	KEY(RBRACKET, 0x1b, 0x5b), KEY(BACKSLASH, 0x2b, 0x5d),

	KEY(CAPS_LOCK, 0x3a, 0x58), KEY(A, 0x1e, 0x1c), KEY(S, 0x1f, 0x1b),
	KEY(D, 0x20, 0x23), KEY(F, 0x21, 0x2b), KEY(G, 0x22, 0x34),
	KEY(H, 0x23, 0x33), KEY(J, 0x24, 0x3b), KEY(K, 0x25, 0x42),
	KEY(L, 0x26, 0x4b), KEY(SEMICOLON, 0x27, 0x4c),
	KEY(APOSTROPHE, 0x28, 0x52), KEY(ENTER, 0x1c, 0x5a),

	KEY(LSHIFT, 0x2a, 0x12), KEY(102ND, 0x56, 0x61), KEY(Z, 0x2c, 0x1a),
	KEY(X, 0x2d, 0x22), KEY(C, 0x2e, 0x21), KEY(V, 0x2f, 0x2a),
	KEY(B, 0x30, 0x32), KEY(N, 0x31, 0x31), KEY(M, 0x32, 0x3a),
	KEY(COMMA, 0x33, 0x41), KEY(PERIOD, 0x34, 0x49),
	KEY(SLASH, 0x35, 0x4a), KEY(RSHIFT, 0x36, 0x59),

	KEY(LCTRL, 0x1d, 0x14), EXT(LGUI, 0x5b, 0x1f),
	KEY(LALT, 0x38, 0x11), KEY(SPACE, 0x39, 0x29),
	EXT(RALT, 0x38, 0x11), EXT(RGUI, 0x5c, 0x27),
	EXT(MENU, 0x5d, 0x2f), EXT(RCTRL, 0x1d, 0x14),

	EXT(INSERT, 0x52, 0x70), EXT(HOME, 0x47, 0x6c),
	EXT(PAGE_UP, 0x49, 0x7d), EXT(DELETE, 0x53, 0x71),
	EXT(END, 0x4f, 0x69), EXT(PAGE_DOWN, 0x51, 0x7a),
	EXT(UP, 0x48, 0x75), EXT(LEFT, 0x4b, 0x6b),
	EXT(DOWN, 0x50, 0x72), EXT(RIGHT, 0x4d, 0x74),

	KEY(NUM_LOCK, 0x45, 0x77), EXT(KP_DIVIDE, 0x35, 0x4a),
	KEY(KP_MULTIPLY, 0x37, 0x7c), KEY(KP_MINUS, 0x4a, 0x7b),
	KEY(KP_7, 0x47, 0x6c), KEY(KP_8, 0x48, 0x75), KEY(KP_9, 0x49, 0x7d),
	KEY(KP_PLUS, 0x4e, 0x79),
	KEY(KP_4, 0x4b, 0x6b), KEY(KP_5, 0x4c, 0x73), KEY(KP_6, 0x4d, 0x74),
	KEY(KP_1, 0x4f, 0x69), KEY(KP_2, 0x50, 0x72), KEY(KP_3, 0x51, 0x7a),
	EXT(KP_ENTER, 0x1c, 0x5a),
	KEY(KP_0, 0x52, 0x70), KEY(KP_PERIOD, 0x53, 0x71),
};

static const uint8_t prtsc_set1_make[] = { 0xe0, 0x2a, 0xe0, 0x37 };
static const uint8_t prtsc_set1_break[] = { 0xe0, 0xb7, 0xe0, 0xaa };
static const uint8_t prtsc_set2_make[] = { 0xe0, 0x12, 0xe0, 0x7c };
static const uint8_t prtsc_set2_break[] = { 0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12 };
static const uint8_t pause_set1[] = { 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5 };
static const uint8_t pause_set2[] = { 0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77 };

static const struct scan *scan_of(uint16_t key)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(scans); i++) {
		if (scans[i].key == key)
			return &scans[i];
	}
	fail_msg("no scancode for key %u in the test table", key);
	return NULL;
}

/* The bytes a keyboard in the given set sends when key goes down or up.
 * Pause sends everything on the way down: its "up" half is split off. */
static size_t key_bytes(int set, uint16_t key, bool pressed, uint8_t out[8])
{
	const struct scan *s;
	size_t n = 0;

	if (key == KBD_KEY_PRINT_SCREEN) {
		const uint8_t *b = set == 1 ? (pressed ? prtsc_set1_make : prtsc_set1_break)
					    : (pressed ? prtsc_set2_make : prtsc_set2_break);
		n = (set == 2 && !pressed) ? sizeof(prtsc_set2_break) : 4;
		memcpy(out, b, n);
		return n;
	}
	if (key == KBD_KEY_PAUSE) {
		/* both sets: E1 and three bytes for the press, the rest for the release */
		const uint8_t *b = set == 1 ? pause_set1 : pause_set2;
		size_t len = set == 1 ? sizeof(pause_set1) : sizeof(pause_set2);

		n = pressed ? 3 : len - 3;
		memcpy(out, pressed ? b : b + 3, n);
		return n;
	}
	s = scan_of(key);
	if (s->e0)
		out[n++] = 0xe0;
	if (set == 1) {
		out[n++] = (uint8_t)(pressed ? s->set1 : s->set1 | 0x80);
	} else {
		if (!pressed)
			out[n++] = 0xf0;
		out[n++] = s->set2;
	}
	return n;
}

/* ---- a decoder with an event log --------------------------------------------------- */

#define MAX_EVENTS	8

struct rig {
	struct kbd k;
	int set;
	size_t n;
	struct kbd_event ev[MAX_EVENTS];
};

static void rig_init(struct rig *r, int set, const char *layout)
{
	assert_int_equal(kbd_init(&r->k, set, layout), 0);
	r->set = set;
	r->n = 0;
}

/* Feed bytes; the events they complete are in r->ev[0..n). */
static size_t feed(struct rig *r, const uint8_t *bytes, size_t len)
{
	struct kbd_event ev;
	size_t i;

	r->n = 0;
	for (i = 0; i < len; i++) {
		if (!kbd_feed(&r->k, bytes[i], &ev))
			continue;
		assert_true(r->n < MAX_EVENTS);
		r->ev[r->n++] = ev;
	}
	return r->n;
}

/* Press or release one key; it must give exactly one event, for that key. */
static const struct kbd_event *act(struct rig *r, uint16_t key, bool pressed)
{
	uint8_t bytes[8];

	if (feed(r, bytes, key_bytes(r->set, key, pressed, bytes)) != 1)
		fail_msg("set %d: %s %s gave %zu events", r->set, kbd_key_name(key),
			 pressed ? "press" : "release", r->n);
	assert_int_equal(r->ev[0].phys, key);
	assert_int_equal(r->ev[0].pressed, pressed);
	return &r->ev[0];
}

static const struct kbd_event *press(struct rig *r, uint16_t key)
{
	return act(r, key, true);
}

static const struct kbd_event *release(struct rig *r, uint16_t key)
{
	return act(r, key, false);
}

/* Press and release key; returns the character of the press. */
static uint32_t type(struct rig *r, uint16_t key)
{
	uint32_t ch = press(r, key)->ch;

	assert_int_equal(release(r, key)->ch, 0);
	return ch;
}

/* Type key while holding mod (KBD_KEY_NONE for none). */
static uint32_t type_with(struct rig *r, uint16_t mod, uint16_t key)
{
	uint32_t ch;

	if (mod != KBD_KEY_NONE)
		press(r, mod);
	ch = type(r, key);
	if (mod != KBD_KEY_NONE)
		release(r, mod);
	return ch;
}

static void feed_none(struct rig *r, const uint8_t *bytes, size_t len)
{
	assert_int_equal(feed(r, bytes, len), 0);
}

/* ---- layout charts, one string per row and level -------------------------------------- */

#define ROWS	4

/* The typing keys by row, left to right. The key 0x2B is listed last in the
 * home row, where ISO keyboards have it; ANSI boards have it above Enter. */
static const uint16_t row_keys[ROWS][13] = {
	{ KBD_KEY_GRAVE, KBD_KEY_1, KBD_KEY_2, KBD_KEY_3, KBD_KEY_4, KBD_KEY_5, KBD_KEY_6,
	  KBD_KEY_7, KBD_KEY_8, KBD_KEY_9, KBD_KEY_0, KBD_KEY_MINUS, KBD_KEY_EQUAL },
	{ KBD_KEY_Q, KBD_KEY_W, KBD_KEY_E, KBD_KEY_R, KBD_KEY_T, KBD_KEY_Y, KBD_KEY_U,
	  KBD_KEY_I, KBD_KEY_O, KBD_KEY_P, KBD_KEY_LBRACKET, KBD_KEY_RBRACKET },
	{ KBD_KEY_A, KBD_KEY_S, KBD_KEY_D, KBD_KEY_F, KBD_KEY_G, KBD_KEY_H, KBD_KEY_J,
	  KBD_KEY_K, KBD_KEY_L, KBD_KEY_SEMICOLON, KBD_KEY_APOSTROPHE, KBD_KEY_BACKSLASH },
	{ KBD_KEY_102ND, KBD_KEY_Z, KBD_KEY_X, KBD_KEY_C, KBD_KEY_V, KBD_KEY_B, KBD_KEY_N,
	  KBD_KEY_M, KBD_KEY_COMMA, KBD_KEY_PERIOD, KBD_KEY_SLASH },
};
static const size_t row_len[ROWS] = { 13, 12, 12, 11 };

/*
 * A space in a row means "this key types nothing on this level". In the
 * AltGr rows it means "no AltGr symbol", where the key types what it types
 * without AltGr; a NULL AltGr row is a row of spaces.
 */
struct chart {
	const char *layout;
	const uint32_t *plain[ROWS], *shift[ROWS], *caps[ROWS], *shift_caps[ROWS];
	const uint32_t *altgr[ROWS], *shift_altgr[ROWS];
};

static const struct chart charts[] = {
	{
		.layout = "us",
		.plain = { U"`1234567890-=", U"qwertyuiop[]", U"asdfghjkl;'\\", U"\\zxcvbnm,./" },
		.shift = { U"~!@#$%^&*()_+", U"QWERTYUIOP{}", U"ASDFGHJKL:\"|", U"|ZXCVBNM<>?" },
		.caps = { U"`1234567890-=", U"QWERTYUIOP[]", U"ASDFGHJKL;'\\", U"\\ZXCVBNM,./" },
		.shift_caps = { U"~!@#$%^&*()_+", U"qwertyuiop{}", U"asdfghjkl:\"|",
				U"|zxcvbnm<>?" },
	},
	{
		.layout = "uk",
		.plain = { U"`1234567890-=", U"qwertyuiop[]", U"asdfghjkl;'#", U"\\zxcvbnm,./" },
		.shift = { U"¬!\"£$%^&*()_+", U"QWERTYUIOP{}", U"ASDFGHJKL:@~", U"|ZXCVBNM<>?" },
		.caps = { U"`1234567890-=", U"QWERTYUIOP[]", U"ASDFGHJKL;'#", U"\\ZXCVBNM,./" },
		.shift_caps = { U"¬!\"£$%^&*()_+", U"qwertyuiop{}", U"asdfghjkl:@~",
				U"|zxcvbnm<>?" },
		.altgr = { U"¦   €        ", U"  é   úíó   ", U"á           ", U"           " },
		.shift_altgr = { U"             ", U"  É   ÚÍÓ   ", U"Á           ",
				 U"           " },
	},
	{
		.layout = "de",
		.plain = { U"^1234567890ß´", U"qwertzuiopü+", U"asdfghjklöä#", U"<yxcvbnm,.-" },
		.shift = { U"°!\"§$%&/()=?`", U"QWERTZUIOPÜ*", U"ASDFGHJKLÖÄ'", U">YXCVBNM;:_" },
		.caps = { U"^1234567890ß´", U"QWERTZUIOPÜ+", U"ASDFGHJKLÖÄ#", U"<YXCVBNM,.-" },
		.shift_caps = { U"°!\"§$%&/()=?`", U"qwertzuiopü*", U"asdfghjklöä'",
				U">yxcvbnm;:_" },
		.altgr = { U"  ²³   {[]}\\ ", U"@ €        ~", U"            ", U"|      µ   " },
	},
	{
		.layout = "fr",
		.plain = { U"²&é\"'(-è_çà)=", U"azertyuiop^$", U"qsdfghjklmù*", U"<wxcvbn,;:!" },
		.shift = { U" 1234567890°+", U"AZERTYUIOP¨£", U"QSDFGHJKLM%µ", U">WXCVBN?./§" },
		.caps = { U"²&É\"'(-È_ÇÀ)=", U"AZERTYUIOP^$", U"QSDFGHJKLMÙ*", U"<WXCVBN,;:!" },
		.shift_caps = { U" 1234567890°+", U"azertyuiop¨£", U"qsdfghjklm%µ",
				U">wxcvbn?./§" },
		.altgr = { U"  ~#{[|`\\^@]}", U"  €        ¤", U"            ", U"           " },
	},
	{
		.layout = "dvorak",
		.plain = { U"`1234567890[]", U"',.pyfgcrl/=", U"aoeuidhtns-\\", U"\\;qjkxbmwvz" },
		.shift = { U"~!@#$%^&*(){}", U"\"<>PYFGCRL?+", U"AOEUIDHTNS_|", U"|:QJKXBMWVZ" },
		.caps = { U"`1234567890[]", U"',.PYFGCRL/=", U"AOEUIDHTNS-\\", U"\\;QJKXBMWVZ" },
		.shift_caps = { U"~!@#$%^&*(){}", U"\"<>pyfgcrl?+", U"aoeuidhtns_|",
				U"|:qjkxbmwvz" },
	},
	{
		.layout = "colemak",
		.plain = { U"`1234567890-=", U"qwfpgjluy;[]", U"arstdhneio'\\", U"\\zxcvbkm,./" },
		.shift = { U"~!@#$%^&*()_+", U"QWFPGJLUY:{}", U"ARSTDHNEIO\"|", U"|ZXCVBKM<>?" },
		.caps = { U"`1234567890-=", U"QWFPGJLUY;[]", U"ARSTDHNEIO'\\", U"\\ZXCVBKM,./" },
		.shift_caps = { U"~!@#$%^&*()_+", U"qwfpgjluy:{}", U"arstdhneio\"|",
				U"|zxcvbkm<>?" },
	},
};

enum level { LV_PLAIN, LV_SHIFT, LV_ALTGR, LV_SHIFT_ALTGR, LV_CAPS, LV_SHIFT_CAPS };

static const char *const level_names[] = {
	"plain", "shift", "altgr", "shift+altgr", "caps", "shift+caps",
};

static size_t u32len(const uint32_t *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static const uint32_t *const *chart_rows(const struct chart *c, enum level lv)
{
	switch (lv) {
	case LV_PLAIN:		return c->plain;
	case LV_SHIFT:		return c->shift;
	case LV_ALTGR:		return c->altgr;
	case LV_SHIFT_ALTGR:	return c->shift_altgr;
	case LV_CAPS:		return c->caps;
	case LV_SHIFT_CAPS:	return c->shift_caps;
	}
	return NULL;
}

/* What the chart says key (row, i) types on level lv. */
static uint32_t chart_char(const struct chart *c, enum level lv, int row, size_t i)
{
	const uint32_t *r = chart_rows(c, lv)[row];
	uint32_t ch = r ? r[i] : ' ';

	if (ch != ' ')
		return ch;
	if (lv == LV_ALTGR)
		return chart_char(c, LV_PLAIN, row, i);
	if (lv == LV_SHIFT_ALTGR)
		return chart_char(c, LV_SHIFT, row, i);
	return 0;
}

/* Type one key of the chart on level lv and compare with the chart. */
static void check_key(struct rig *r, const struct chart *c, enum level lv, int row, size_t i)
{
	bool shift = lv == LV_SHIFT || lv == LV_SHIFT_ALTGR || lv == LV_SHIFT_CAPS;
	bool altgr = lv == LV_ALTGR || lv == LV_SHIFT_ALTGR;
	uint16_t shift_key = (i & 1) ? KBD_KEY_RSHIFT : KBD_KEY_LSHIFT;	/* use both */
	uint16_t key = row_keys[row][i];
	uint32_t got, want;

	if (shift)
		press(r, shift_key);
	got = type_with(r, altgr ? KBD_KEY_RALT : KBD_KEY_NONE, key);
	if (shift)
		release(r, shift_key);
	want = chart_char(c, lv, row, i);
	if (got != want)
		fail_msg("%s set %d %s %s: got U+%04X, want U+%04X", c->layout, r->set,
			 level_names[lv], kbd_key_name(key), got, want);
}

/* Every typing key of every layout on one level, in both scancode sets. */
static void check_level(enum level lv)
{
	const struct chart *c;
	const uint32_t *const *rows;
	struct rig r;
	size_t i;
	int set, row;

	for (set = 1; set <= 2; set++) {
		for (c = charts; c < charts + ARRAY_SIZE(charts); c++) {
			rig_init(&r, set, c->layout);
			if (lv == LV_CAPS || lv == LV_SHIFT_CAPS)
				type(&r, KBD_KEY_CAPS_LOCK);
			rows = chart_rows(c, lv);
			for (row = 0; row < ROWS; row++) {
				if (rows[row])	/* the chart itself has no typo */
					assert_int_equal(u32len(rows[row]), row_len[row]);
				for (i = 0; i < row_len[row]; i++)
					check_key(&r, c, lv, row, i);
			}
		}
	}
}

static void every_layout_types_its_chart_without_modifiers(void **state)
{
	check_level(LV_PLAIN);
}

static void every_layout_types_its_chart_with_shift(void **state)
{
	check_level(LV_SHIFT);
}

static void every_layout_types_its_chart_with_altgr(void **state)
{
	check_level(LV_ALTGR);
}

static void every_layout_types_its_chart_with_shift_and_altgr(void **state)
{
	check_level(LV_SHIFT_ALTGR);
}

static void every_layout_types_its_chart_with_caps_lock(void **state)
{
	check_level(LV_CAPS);
}

static void every_layout_types_its_chart_with_shift_and_caps_lock(void **state)
{
	check_level(LV_SHIFT_CAPS);
}

static void caps_lock_reaches_altgr_letters_but_no_other_symbols(void **state)
{
	struct rig r;

	rig_init(&r, 1, "uk");
	type(&r, KBD_KEY_CAPS_LOCK);
	assert_int_equal(type_with(&r, KBD_KEY_RALT, KBD_KEY_A), U'Á');
	assert_int_equal(type_with(&r, KBD_KEY_RALT, KBD_KEY_4), U'€');
	press(&r, KBD_KEY_LSHIFT);
	assert_int_equal(type_with(&r, KBD_KEY_RALT, KBD_KEY_E), U'é');
	release(&r, KBD_KEY_LSHIFT);

	rig_init(&r, 2, "de");
	type(&r, KBD_KEY_CAPS_LOCK);
	assert_int_equal(type(&r, KBD_KEY_MINUS), U'ß');
	assert_int_equal(type_with(&r, KBD_KEY_RALT, KBD_KEY_M), U'µ');
	assert_int_equal(type_with(&r, KBD_KEY_RALT, KBD_KEY_Q), U'@');
}

/* ---- every key, both sets ------------------------------------------------------------ */

static void every_key_decodes_to_itself_in_both_sets(void **state)
{
	bool seen[KBD_KEY_COUNT];
	struct rig r;
	size_t i;
	int set;
	uint16_t key;

	for (set = 1; set <= 2; set++) {
		memset(seen, 0, sizeof(seen));
		rig_init(&r, set, "us");
		for (i = 0; i <= ARRAY_SIZE(scans); i++) {
			key = i < ARRAY_SIZE(scans) ? scans[i].key : KBD_KEY_PRINT_SCREEN;
			assert_false(press(&r, key)->repeat);
			assert_int_equal(release(&r, key)->ch, 0);
			seen[key] = true;
		}
		feed(&r, set == 1 ? pause_set1 : pause_set2,
		     set == 1 ? sizeof(pause_set1) : sizeof(pause_set2));
		assert_int_equal(r.n, 2);
		assert_int_equal(r.ev[0].phys, KBD_KEY_PAUSE);
		assert_true(r.ev[0].pressed);
		assert_int_equal(r.ev[1].phys, KBD_KEY_PAUSE);
		assert_false(r.ev[1].pressed);
		seen[KBD_KEY_PAUSE] = true;
		for (key = 1; key < KBD_KEY_COUNT; key++) {
			if (!seen[key])
				fail_msg("set %d: key %s never decoded", set, kbd_key_name(key));
		}
	}
}

static void keys_without_characters_are_named_keys(void **state)
{
	static const uint16_t named[] = {
		KBD_KEY_UP, KBD_KEY_DOWN, KBD_KEY_LEFT, KBD_KEY_RIGHT, KBD_KEY_HOME,
		KBD_KEY_END, KBD_KEY_PAGE_UP, KBD_KEY_PAGE_DOWN, KBD_KEY_INSERT,
		KBD_KEY_DELETE, KBD_KEY_F1, KBD_KEY_F6, KBD_KEY_F7, KBD_KEY_F12,
		KBD_KEY_PRINT_SCREEN, KBD_KEY_MENU, KBD_KEY_LGUI, KBD_KEY_RCTRL,
	};
	struct rig r;
	const struct kbd_event *ev;
	size_t i;

	rig_init(&r, 2, "us");
	for (i = 0; i < ARRAY_SIZE(named); i++) {
		ev = press(&r, named[i]);
		assert_int_equal(ev->key, named[i]);
		assert_int_equal(ev->ch, 0);
		release(&r, named[i]);
	}
}

static void enter_tab_backspace_escape_and_space_type_their_characters(void **state)
{
	struct rig r;
	int set;

	for (set = 1; set <= 2; set++) {
		rig_init(&r, set, "fr");
		assert_int_equal(type(&r, KBD_KEY_ENTER), '\n');
		assert_int_equal(type(&r, KBD_KEY_KP_ENTER), '\n');
		assert_int_equal(type(&r, KBD_KEY_TAB), '\t');
		assert_int_equal(type(&r, KBD_KEY_BACKSPACE), '\b');
		assert_int_equal(type(&r, KBD_KEY_ESCAPE), 0x1b);
		assert_int_equal(type(&r, KBD_KEY_SPACE), ' ');
		assert_int_equal(type_with(&r, KBD_KEY_LSHIFT, KBD_KEY_SPACE), ' ');
	}
}

static void release_events_carry_the_key_and_no_character(void **state)
{
	struct rig r;
	const struct kbd_event *ev;

	rig_init(&r, 2, "us");
	ev = press(&r, KBD_KEY_A);
	assert_int_equal(ev->ch, 'a');
	assert_int_equal(ev->key, KBD_KEY_A);
	ev = release(&r, KBD_KEY_A);
	assert_int_equal(ev->key, KBD_KEY_A);
	assert_false(ev->pressed);
	assert_false(ev->repeat);
	assert_int_equal(ev->ch, 0);
}

static void repeated_make_codes_are_repeats_that_type_again(void **state)
{
	struct rig r;
	const struct kbd_event *ev;

	rig_init(&r, 1, "us");
	ev = press(&r, KBD_KEY_B);
	assert_false(ev->repeat);
	ev = press(&r, KBD_KEY_B);
	assert_true(ev->repeat);
	assert_int_equal(ev->ch, 'b');
	assert_false(release(&r, KBD_KEY_B)->repeat);
	assert_false(press(&r, KBD_KEY_B)->repeat);
}

/* ---- modifiers ----------------------------------------------------------------------- */

static const struct {
	uint16_t key, bit;
} modifiers[] = {
	{ KBD_KEY_LSHIFT, KBD_MOD_LSHIFT }, { KBD_KEY_RSHIFT, KBD_MOD_RSHIFT },
	{ KBD_KEY_LCTRL, KBD_MOD_LCTRL }, { KBD_KEY_RCTRL, KBD_MOD_RCTRL },
	{ KBD_KEY_LALT, KBD_MOD_LALT }, { KBD_KEY_RALT, KBD_MOD_ALTGR },
	{ KBD_KEY_LGUI, KBD_MOD_LGUI }, { KBD_KEY_RGUI, KBD_MOD_RGUI },
};

static uint16_t modifier_bit(uint16_t key)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(modifiers); i++) {
		if (modifiers[i].key == key)
			return modifiers[i].bit;
	}
	return 0;
}

static void modifier_bits_follow_their_keys(void **state)
{
	struct rig r;
	uint16_t all = 0;
	size_t i;
	int set;

	for (set = 1; set <= 2; set++) {
		rig_init(&r, set, "us");
		for (i = 0; i < ARRAY_SIZE(modifiers); i++) {
			assert_int_equal(press(&r, modifiers[i].key)->mods, modifiers[i].bit);
			assert_int_equal(release(&r, modifiers[i].key)->mods, 0);
		}
		for (i = 0; i < ARRAY_SIZE(modifiers); i++) {
			all |= modifiers[i].bit;
			assert_int_equal(press(&r, modifiers[i].key)->mods, all);
		}
		for (i = 0; i < ARRAY_SIZE(modifiers); i++) {
			all &= (uint16_t)~modifiers[i].bit;
			assert_int_equal(release(&r, modifiers[i].key)->mods, all);
		}
		assert_int_equal(press(&r, KBD_KEY_A)->mods, 0);
		release(&r, KBD_KEY_A);
	}
}

static void releasing_a_modifier_restores_plain_output(void **state)
{
	struct rig r;
	int set;

	for (set = 1; set <= 2; set++) {
		rig_init(&r, set, "de");
		assert_int_equal(type_with(&r, KBD_KEY_LSHIFT, KBD_KEY_A), 'A');
		assert_int_equal(type(&r, KBD_KEY_A), 'a');
		assert_int_equal(type_with(&r, KBD_KEY_RSHIFT, KBD_KEY_7), '/');
		assert_int_equal(type(&r, KBD_KEY_7), '7');
		assert_int_equal(type_with(&r, KBD_KEY_RALT, KBD_KEY_7), '{');
		assert_int_equal(type(&r, KBD_KEY_7), '7');
		assert_int_equal(type_with(&r, KBD_KEY_LCTRL, KBD_KEY_A), 0x01);
		assert_int_equal(type_with(&r, KBD_KEY_RCTRL, KBD_KEY_A), 0x01);
		assert_int_equal(type(&r, KBD_KEY_A), 'a');
	}
}

static void alt_and_gui_keep_the_character_and_report_the_modifier(void **state)
{
	struct rig r;
	const struct kbd_event *ev;

	rig_init(&r, 1, "us");
	press(&r, KBD_KEY_LALT);
	ev = press(&r, KBD_KEY_X);
	assert_int_equal(ev->ch, 'x');
	assert_int_equal(ev->mods, KBD_MOD_LALT);
	release(&r, KBD_KEY_X);
	release(&r, KBD_KEY_LALT);
	press(&r, KBD_KEY_RGUI);
	ev = press(&r, KBD_KEY_X);
	assert_int_equal(ev->ch, 'x');
	assert_int_equal(ev->mods, KBD_MOD_RGUI);
}

static void ctrl_with_a_letter_types_its_control_character(void **state)
{
	const uint32_t *letters = U"qwertyuiopasdfghjklzxcvbnm";
	static const uint16_t keys[] = {
		KBD_KEY_Q, KBD_KEY_W, KBD_KEY_E, KBD_KEY_R, KBD_KEY_T, KBD_KEY_Y,
		KBD_KEY_U, KBD_KEY_I, KBD_KEY_O, KBD_KEY_P, KBD_KEY_A, KBD_KEY_S,
		KBD_KEY_D, KBD_KEY_F, KBD_KEY_G, KBD_KEY_H, KBD_KEY_J, KBD_KEY_K,
		KBD_KEY_L, KBD_KEY_Z, KBD_KEY_X, KBD_KEY_C, KBD_KEY_V, KBD_KEY_B,
		KBD_KEY_N, KBD_KEY_M,
	};
	struct rig r;
	size_t i;

	rig_init(&r, 2, "us");
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		assert_int_equal(type_with(&r, KBD_KEY_LCTRL, keys[i]), letters[i] - 'a' + 1);
		assert_int_equal(type_with(&r, KBD_KEY_RCTRL, keys[i]), letters[i] - 'a' + 1);
	}
	/* Shift and Caps Lock do not change the control character */
	press(&r, KBD_KEY_LSHIFT);
	assert_int_equal(type_with(&r, KBD_KEY_LCTRL, KBD_KEY_Z), 0x1a);
	release(&r, KBD_KEY_LSHIFT);
	type(&r, KBD_KEY_CAPS_LOCK);
	assert_int_equal(type_with(&r, KBD_KEY_LCTRL, KBD_KEY_A), 0x01);
}

static void ctrl_with_punctuation_types_the_remaining_controls(void **state)
{
	struct rig r;

	rig_init(&r, 1, "us");
	press(&r, KBD_KEY_LCTRL);
	assert_int_equal(type(&r, KBD_KEY_LBRACKET), 0x1b);
	assert_int_equal(type(&r, KBD_KEY_BACKSLASH), 0x1c);
	assert_int_equal(type(&r, KBD_KEY_RBRACKET), 0x1d);
	assert_int_equal(type(&r, KBD_KEY_1), '1');
	assert_int_equal(type(&r, KBD_KEY_SPACE), ' ');
	press(&r, KBD_KEY_LSHIFT);
	assert_int_equal(type(&r, KBD_KEY_6), 0x1e);		/* ^ */
	assert_int_equal(type(&r, KBD_KEY_MINUS), 0x1f);	/* _ */
	assert_int_equal(type(&r, KBD_KEY_SLASH), 0x7f);	/* ? */
	assert_int_equal(type(&r, KBD_KEY_2), 0);		/* @ would be NUL */
	assert_int_equal(type(&r, KBD_KEY_LBRACKET), '{');
}

static void ctrl_letters_follow_the_layout(void **state)
{
	struct rig r;

	rig_init(&r, 2, "fr");
	assert_int_equal(type_with(&r, KBD_KEY_LCTRL, KBD_KEY_Q), 0x01);	/* a */
	assert_int_equal(type_with(&r, KBD_KEY_LCTRL, KBD_KEY_A), 0x11);	/* q */
	assert_int_equal(type_with(&r, KBD_KEY_LCTRL, KBD_KEY_2), U'é');
	rig_init(&r, 2, "dvorak");
	assert_int_equal(type_with(&r, KBD_KEY_LCTRL, KBD_KEY_X), 0x11);	/* q */
	rig_init(&r, 1, "de");
	assert_int_equal(type_with(&r, KBD_KEY_LCTRL, KBD_KEY_Y), 0x1a);	/* z */
	press(&r, KBD_KEY_LCTRL);
	assert_int_equal(type_with(&r, KBD_KEY_RALT, KBD_KEY_8), 0x1b);	/* [ */
}

/* ---- locks and LEDs ------------------------------------------------------------------- */

static void lock_keys_toggle_their_leds_on_press(void **state)
{
	static const struct {
		uint16_t key, mod;
		uint8_t led;
	} locks[] = {
		{ KBD_KEY_SCROLL_LOCK, KBD_MOD_SCROLL_LOCK, 0x01 },
		{ KBD_KEY_NUM_LOCK, KBD_MOD_NUM_LOCK, 0x02 },
		{ KBD_KEY_CAPS_LOCK, KBD_MOD_CAPS_LOCK, 0x04 },
	};
	const struct kbd_event *ev;
	struct rig r;
	uint8_t leds = 0;
	size_t i;
	int set;

	for (set = 1; set <= 2; set++) {
		rig_init(&r, set, "us");
		assert_int_equal(kbd_leds(&r.k), 0);
		for (i = 0; i < ARRAY_SIZE(locks); i++) {
			ev = press(&r, locks[i].key);
			assert_true(ev->leds_changed);
			assert_true(ev->mods & locks[i].mod);
			leds |= locks[i].led;
			assert_int_equal(kbd_leds(&r.k), leds);
			assert_false(release(&r, locks[i].key)->leds_changed);
			assert_int_equal(kbd_leds(&r.k), leds);
		}
		assert_int_equal(kbd_leds(&r.k), 0x07);
		for (i = 0; i < ARRAY_SIZE(locks); i++) {
			ev = press(&r, locks[i].key);
			assert_true(ev->leds_changed);
			assert_false(ev->mods & locks[i].mod);
			release(&r, locks[i].key);
			leds &= (uint8_t)~locks[i].led;
			assert_int_equal(kbd_leds(&r.k), leds);
		}
		assert_false(press(&r, KBD_KEY_A)->leds_changed);
	}
}

static void holding_a_lock_key_toggles_it_once(void **state)
{
	const struct kbd_event *ev;
	struct rig r;
	int i;

	rig_init(&r, 1, "us");
	assert_true(press(&r, KBD_KEY_CAPS_LOCK)->leds_changed);
	for (i = 0; i < 5; i++) {
		ev = press(&r, KBD_KEY_CAPS_LOCK);
		assert_true(ev->repeat);
		assert_false(ev->leds_changed);
	}
	release(&r, KBD_KEY_CAPS_LOCK);
	assert_int_equal(kbd_leds(&r.k), KBD_LED_CAPS_LOCK);
	assert_int_equal(type(&r, KBD_KEY_A), 'A');
}

/* ---- keypad -------------------------------------------------------------------------- */

static const struct {
	uint16_t kp, nav;
	uint32_t ch;
} keypad[] = {
	{ KBD_KEY_KP_0, KBD_KEY_INSERT, '0' }, { KBD_KEY_KP_1, KBD_KEY_END, '1' },
	{ KBD_KEY_KP_2, KBD_KEY_DOWN, '2' }, { KBD_KEY_KP_3, KBD_KEY_PAGE_DOWN, '3' },
	{ KBD_KEY_KP_4, KBD_KEY_LEFT, '4' }, { KBD_KEY_KP_5, KBD_KEY_KP_5, '5' },
	{ KBD_KEY_KP_6, KBD_KEY_RIGHT, '6' }, { KBD_KEY_KP_7, KBD_KEY_HOME, '7' },
	{ KBD_KEY_KP_8, KBD_KEY_UP, '8' }, { KBD_KEY_KP_9, KBD_KEY_PAGE_UP, '9' },
	{ KBD_KEY_KP_PERIOD, KBD_KEY_DELETE, '.' },
};

static void keypad_digits_follow_num_lock(void **state)
{
	const struct kbd_event *ev;
	struct rig r;
	size_t i;
	int set;

	for (set = 1; set <= 2; set++) {
		rig_init(&r, set, "us");
		for (i = 0; i < ARRAY_SIZE(keypad); i++) {
			ev = press(&r, keypad[i].kp);
			assert_int_equal(ev->key, keypad[i].nav);
			assert_int_equal(ev->ch, 0);
			assert_int_equal(release(&r, keypad[i].kp)->key, keypad[i].nav);
		}
		type(&r, KBD_KEY_NUM_LOCK);
		for (i = 0; i < ARRAY_SIZE(keypad); i++) {
			ev = press(&r, keypad[i].kp);
			assert_int_equal(ev->key, keypad[i].kp);
			assert_int_equal(ev->ch, keypad[i].ch);
			assert_int_equal(release(&r, keypad[i].kp)->key, keypad[i].kp);
		}
	}
}

static void keypad_operators_type_whatever_num_lock_says(void **state)
{
	struct rig r;
	int on;

	rig_init(&r, 2, "fr");
	for (on = 0; on < 2; on++) {
		assert_int_equal(type(&r, KBD_KEY_KP_DIVIDE), '/');
		assert_int_equal(type(&r, KBD_KEY_KP_MULTIPLY), '*');
		assert_int_equal(type(&r, KBD_KEY_KP_MINUS), '-');
		assert_int_equal(type(&r, KBD_KEY_KP_PLUS), '+');
		assert_int_equal(type(&r, KBD_KEY_KP_ENTER), '\n');
		type(&r, KBD_KEY_NUM_LOCK);
	}
}

static void keypad_key_keeps_its_meaning_until_released(void **state)
{
	struct rig r;
	const struct kbd_event *ev;

	rig_init(&r, 1, "us");
	assert_int_equal(press(&r, KBD_KEY_KP_8)->key, KBD_KEY_UP);
	type(&r, KBD_KEY_NUM_LOCK);
	ev = press(&r, KBD_KEY_KP_8);	/* typematic repeat */
	assert_int_equal(ev->key, KBD_KEY_UP);
	assert_int_equal(ev->ch, 0);
	assert_int_equal(release(&r, KBD_KEY_KP_8)->key, KBD_KEY_UP);
	assert_int_equal(type(&r, KBD_KEY_KP_8), '8');

	assert_int_equal(press(&r, KBD_KEY_KP_4)->ch, '4');
	type(&r, KBD_KEY_NUM_LOCK);
	assert_int_equal(release(&r, KBD_KEY_KP_4)->key, KBD_KEY_KP_4);
	assert_int_equal(press(&r, KBD_KEY_KP_4)->key, KBD_KEY_LEFT);
}

static void keypad_decimal_follows_the_layout(void **state)
{
	struct rig r;

	rig_init(&r, 2, "de");
	type(&r, KBD_KEY_NUM_LOCK);
	assert_int_equal(type(&r, KBD_KEY_KP_PERIOD), ',');
	assert_int_equal(kbd_set_layout(&r.k, "us"), 0);
	assert_int_equal(type(&r, KBD_KEY_KP_PERIOD), '.');
}

/* ---- special sequences ------------------------------------------------------------------ */

static void fake_shifts_around_extended_keys_are_ignored(void **state)
{
	static const uint8_t s1_plain[] = { 0xe0, 0x2a, 0xe0, 0x52, 0xe0, 0xd2, 0xe0, 0xaa };
	static const uint8_t s1_shifted[] = { 0x2a, 0xe0, 0xaa, 0xe0, 0x52,
					      0xe0, 0xd2, 0xe0, 0x2a };
	static const uint8_t s2_plain[] = { 0xe0, 0x12, 0xe0, 0x70, 0xe0, 0xf0, 0x70,
					    0xe0, 0xf0, 0x12 };
	static const uint8_t s2_shifted[] = { 0x12, 0xe0, 0xf0, 0x12, 0xe0, 0x70,
					      0xe0, 0xf0, 0x70, 0xe0, 0x12 };
	struct rig r;
	int set;

	for (set = 1; set <= 2; set++) {
		rig_init(&r, set, "us");
		feed(&r, set == 1 ? s1_plain : s2_plain,
		     set == 1 ? sizeof(s1_plain) : sizeof(s2_plain));
		assert_int_equal(r.n, 2);
		assert_int_equal(r.ev[0].key, KBD_KEY_INSERT);
		assert_int_equal(r.ev[0].mods, 0);
		assert_int_equal(r.ev[1].key, KBD_KEY_INSERT);
		assert_false(r.ev[1].pressed);

		/* a real Shift held around it stays held */
		feed(&r, set == 1 ? s1_shifted : s2_shifted,
		     set == 1 ? sizeof(s1_shifted) : sizeof(s2_shifted));
		assert_int_equal(r.n, 3);
		assert_int_equal(r.ev[1].key, KBD_KEY_INSERT);
		assert_int_equal(r.ev[1].mods, KBD_MOD_LSHIFT);
		assert_int_equal(r.ev[2].mods, KBD_MOD_LSHIFT);
		assert_int_equal(type(&r, KBD_KEY_A), 'A');
	}
}

static void print_screen_is_one_event_each_way(void **state)
{
	const struct kbd_event *ev;
	struct rig r;
	int set;

	for (set = 1; set <= 2; set++) {
		rig_init(&r, set, "us");
		ev = press(&r, KBD_KEY_PRINT_SCREEN);	/* act() checks there is one event */
		assert_int_equal(ev->key, KBD_KEY_PRINT_SCREEN);
		assert_int_equal(ev->mods, 0);
		ev = release(&r, KBD_KEY_PRINT_SCREEN);
		assert_int_equal(ev->mods, 0);
		assert_int_equal(type(&r, KBD_KEY_A), 'a');
	}
}

static void pause_is_a_press_then_a_release_touching_nothing_else(void **state)
{
	struct rig r;
	int set;

	for (set = 1; set <= 2; set++) {
		rig_init(&r, set, "us");
		feed(&r, set == 1 ? pause_set1 : pause_set2,
		     set == 1 ? sizeof(pause_set1) : sizeof(pause_set2));
		assert_int_equal(r.n, 2);
		assert_int_equal(r.ev[0].key, KBD_KEY_PAUSE);
		assert_true(r.ev[0].pressed);
		assert_int_equal(r.ev[0].mods, 0);
		assert_false(r.ev[0].leds_changed);
		assert_int_equal(r.ev[1].key, KBD_KEY_PAUSE);
		assert_false(r.ev[1].pressed);
		assert_int_equal(r.ev[1].mods, 0);
		assert_int_equal(kbd_leds(&r.k), 0);
		assert_int_equal(type(&r, KBD_KEY_A), 'a');
		assert_int_equal(press(&r, KBD_KEY_KP_8)->key, KBD_KEY_UP);
	}
}

static void ctrl_break_is_pause_and_alt_sysrq_is_print_screen(void **state)
{
	static const uint8_t s1_break[] = { 0x1d, 0xe0, 0x46, 0xe0, 0xc6, 0x9d };
	static const uint8_t s2_break[] = { 0x14, 0xe0, 0x7e, 0xe0, 0xf0, 0x7e, 0xf0, 0x14 };
	static const uint8_t s1_sysrq[] = { 0x38, 0x54, 0xd4, 0xb8 };
	static const uint8_t s2_sysrq[] = { 0x11, 0x84, 0xf0, 0x84, 0xf0, 0x11 };
	struct rig r;
	int set;

	for (set = 1; set <= 2; set++) {
		rig_init(&r, set, "us");
		feed(&r, set == 1 ? s1_break : s2_break,
		     set == 1 ? sizeof(s1_break) : sizeof(s2_break));
		assert_int_equal(r.n, 4);
		assert_int_equal(r.ev[1].key, KBD_KEY_PAUSE);
		assert_true(r.ev[1].pressed);
		assert_int_equal(r.ev[1].mods, KBD_MOD_LCTRL);
		assert_int_equal(r.ev[2].key, KBD_KEY_PAUSE);
		assert_false(r.ev[2].pressed);
		assert_int_equal(r.ev[3].mods, 0);

		feed(&r, set == 1 ? s1_sysrq : s2_sysrq,
		     set == 1 ? sizeof(s1_sysrq) : sizeof(s2_sysrq));
		assert_int_equal(r.n, 4);
		assert_int_equal(r.ev[1].key, KBD_KEY_PRINT_SCREEN);
		assert_int_equal(r.ev[1].mods, KBD_MOD_LALT);
		assert_int_equal(r.ev[2].key, KBD_KEY_PRINT_SCREEN);
		assert_false(r.ev[2].pressed);
		assert_int_equal(r.ev[3].mods, 0);
	}
}

/* ---- robustness ---------------------------------------------------------------------- */

static void controller_replies_are_not_key_events(void **state)
{
	static const uint8_t s1_replies[] = { 0xfa, 0xfe, 0xee, 0x00, 0xff, 0xfc, 0xfd };
	static const uint8_t s2_replies[] = { 0xfa, 0xfe, 0xee, 0x00, 0xff, 0xfc, 0xfd, 0xaa };
	struct rig r;

	rig_init(&r, 1, "us");
	feed_none(&r, s1_replies, sizeof(s1_replies));
	assert_int_equal(type(&r, KBD_KEY_A), 'a');
	rig_init(&r, 2, "us");
	feed_none(&r, s2_replies, sizeof(s2_replies));
	assert_int_equal(type(&r, KBD_KEY_A), 'a');
}

static void self_test_pass_in_set_2_releases_held_keys_but_keeps_locks(void **state)
{
	static const uint8_t bat[] = { 0xaa };
	struct rig r;

	rig_init(&r, 2, "us");
	type(&r, KBD_KEY_CAPS_LOCK);
	press(&r, KBD_KEY_LSHIFT);
	press(&r, KBD_KEY_RCTRL);
	press(&r, KBD_KEY_Q);
	feed_none(&r, bat, sizeof(bat));
	assert_false(press(&r, KBD_KEY_Q)->repeat);
	assert_int_equal(type(&r, KBD_KEY_A), 'A');
	assert_int_equal(kbd_leds(&r.k), KBD_LED_CAPS_LOCK);
}

static void forget_keys_releases_modifiers_but_keeps_locks(void **state)
{
	static const uint8_t half[] = { 0xe0 };
	struct rig r;

	rig_init(&r, 1, "us");
	type(&r, KBD_KEY_NUM_LOCK);
	press(&r, KBD_KEY_RSHIFT);
	press(&r, KBD_KEY_RALT);
	feed_none(&r, half, sizeof(half));
	kbd_forget_keys(&r.k);
	assert_int_equal(type(&r, KBD_KEY_A), 'a');	/* E0 forgotten too */
	assert_int_equal(type(&r, KBD_KEY_KP_1), '1');
	assert_int_equal(kbd_leds(&r.k), KBD_LED_NUM_LOCK);
}

static void an_interrupted_pause_sequence_does_not_swallow_the_next_key(void **state)
{
	static const uint8_t s1[][4] = {
		{ 0xe1, 0x1e }, { 0xe1, 0x1d, 0x1e }, { 0xe1, 0x9d, 0x1e }, { 0xe1, 0xe1, 0x1e },
	};
	static const uint8_t s2[][6] = {
		{ 0xe1, 0x1c }, { 0xe1, 0x14, 0x1c }, { 0xe1, 0xf0, 0x14, 0xf0, 0x1c },
		{ 0xe1, 0xe1, 0x1c },
	};
	static const size_t s1_len[] = { 2, 3, 3, 3 }, s2_len[] = { 2, 3, 5, 3 };
	struct rig r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(s1); i++) {
		rig_init(&r, 1, "us");
		assert_int_equal(feed(&r, s1[i], s1_len[i]), 1);
		assert_int_equal(r.ev[0].key, KBD_KEY_A);
		assert_int_equal(r.ev[0].ch, 'a');
		rig_init(&r, 2, "us");
		assert_int_equal(feed(&r, s2[i], s2_len[i]), 1);
		assert_int_equal(r.ev[0].key, KBD_KEY_A);
		assert_int_equal(r.ev[0].ch, 'a');
	}
}

static void stray_prefixes_end_at_the_next_byte(void **state)
{
	static const uint8_t s1[] = { 0xe0, 0xe0, 0x1e, 0x1e };
	static const uint8_t s2_f0[] = { 0xf0, 0xf0, 0xf0, 0x1c, 0x1c };
	static const uint8_t s2_e0[] = { 0xe0, 0xe0, 0x1c, 0x1c };
	struct rig r;

	rig_init(&r, 1, "us");
	assert_int_equal(feed(&r, s1, sizeof(s1)), 1);	/* E0 1E is no key */
	assert_int_equal(r.ev[0].ch, 'a');
	rig_init(&r, 2, "us");
	assert_int_equal(feed(&r, s2_f0, sizeof(s2_f0)), 2);
	assert_false(r.ev[0].pressed);
	assert_int_equal(r.ev[1].ch, 'a');
	assert_int_equal(feed(&r, s2_e0, sizeof(s2_e0)), 1);
	assert_int_equal(r.ev[0].phys, KBD_KEY_A);
}

/* ---- layouts, names, init ------------------------------------------------------------------ */

static void layouts_are_listed_and_found_by_name(void **state)
{
	static const char *const names[] = { "us", "uk", "de", "fr", "dvorak", "colemak" };
	const struct kbd_layout *l;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		l = kbd_layout_at(i);
		assert_non_null(l);
		assert_string_equal(l->name, names[i]);
		assert_true(strlen(l->description) > 0);
		assert_ptr_equal(kbd_layout_find(names[i]), l);
	}
	assert_null(kbd_layout_at(ARRAY_SIZE(names)));
	assert_null(kbd_layout_find("klingon"));
	assert_null(kbd_layout_find(""));
	assert_null(kbd_layout_find(NULL));
}

static void set_layout_switches_at_run_time(void **state)
{
	struct rig r;

	rig_init(&r, 2, NULL);
	assert_string_equal(kbd_layout_name(&r.k), "us");
	assert_int_equal(type(&r, KBD_KEY_Y), 'y');
	press(&r, KBD_KEY_LSHIFT);
	assert_int_equal(kbd_set_layout(&r.k, "de"), 0);
	assert_int_equal(type(&r, KBD_KEY_Y), 'Z');	/* Shift survives the switch */
	release(&r, KBD_KEY_LSHIFT);
	assert_string_equal(kbd_layout_name(&r.k), "de");
	assert_int_equal(kbd_set_layout(&r.k, "nope"), -E_NOENT);
	assert_int_equal(kbd_set_layout(&r.k, NULL), -E_INVAL);
	assert_string_equal(kbd_layout_name(&r.k), "de");
	assert_int_equal(type(&r, KBD_KEY_Y), 'z');
}

static void init_reports_bad_arguments_and_stays_usable(void **state)
{
	static const uint8_t s1_a[] = { 0x1e };
	struct kbd_event ev;
	struct kbd k;

	assert_int_equal(kbd_init(&k, 3, "de"), -E_INVAL);
	assert_true(kbd_feed(&k, s1_a[0], &ev));
	assert_int_equal(ev.ch, 'a');
	assert_string_equal(kbd_layout_name(&k), "de");
	assert_int_equal(kbd_init(&k, 2, "klingon"), -E_NOENT);
	assert_string_equal(kbd_layout_name(&k), "us");
	assert_int_equal(kbd_init(&k, 0, "klingon"), -E_INVAL);
}

static void every_key_has_a_distinct_name(void **state)
{
	uint16_t a, b;

	for (a = 0; a < KBD_KEY_COUNT; a++) {
		assert_non_null(kbd_key_name(a));
		for (b = 0; b < a; b++)
			assert_string_not_equal(kbd_key_name(a), kbd_key_name(b));
	}
	assert_null(kbd_key_name(KBD_KEY_COUNT));
	assert_string_equal(kbd_key_name(KBD_KEY_PAGE_UP), "PageUp");
	assert_string_equal(kbd_key_name(KBD_KEY_KP_7), "KP7");
}

/* ---- random input --------------------------------------------------------------------- */

static uint64_t rng_state;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

static void assert_same_event(const struct kbd_event *a, const struct kbd_event *b)
{
	assert_int_equal(a->key, b->key);
	assert_int_equal(a->phys, b->phys);
	assert_int_equal(a->mods, b->mods);
	assert_int_equal(a->pressed, b->pressed);
	assert_int_equal(a->repeat, b->repeat);
	assert_int_equal(a->leds_changed, b->leds_changed);
	assert_int_equal(a->ch, b->ch);
}

static uint16_t random_key(void)
{
	uint32_t i = rng() % (ARRAY_SIZE(scans) + 2);

	if (i == ARRAY_SIZE(scans))
		return KBD_KEY_PRINT_SCREEN;
	if (i == ARRAY_SIZE(scans) + 1)
		return KBD_KEY_PAUSE;
	return scans[i].key;
}

static void set_1_and_set_2_give_the_same_events(void **state)
{
	bool held[KBD_KEY_COUNT] = { false };
	struct rig r1, r2;
	uint16_t key;
	bool pressed;
	int step, half;

	rng_state = 0x5eed0001;
	rig_init(&r1, 1, "de");
	rig_init(&r2, 2, "de");
	for (step = 0; step < 50000; step++) {
		key = random_key();
		/* mostly real keystrokes, sometimes repeats and stray releases */
		pressed = (rng() % 4) ? !held[key] : (rng() & 1);
		for (half = 0; half < (key == KBD_KEY_PAUSE ? 2 : 1); half++) {
			if (key == KBD_KEY_PAUSE)
				pressed = half == 0;
			act(&r1, key, pressed);
			act(&r2, key, pressed);
			assert_same_event(&r1.ev[0], &r2.ev[0]);
			held[key] = pressed;
		}
	}
}

/* Bytes the fuzzer favours: prefixes, replies and codes of modifier and lock keys. */
static const uint8_t interesting[] = {
	0xe0, 0xe1, 0xf0, 0xaa, 0xfa, 0xfe, 0xee, 0x00, 0xff, 0xfc, 0xfd,
	0x2a, 0x36, 0x1d, 0x38, 0x3a, 0x45, 0x46, 0x5b, 0x9d, 0xb6, 0xb8, 0xba, 0xc5, 0xdb,
	0x12, 0x59, 0x14, 0x11, 0x1f, 0x27, 0x58, 0x77, 0x7e, 0x7c, 0x1c, 0x1e, 0x84,
};

static bool is_lock(uint16_t key)
{
	return key == KBD_KEY_CAPS_LOCK || key == KBD_KEY_NUM_LOCK || key == KBD_KEY_SCROLL_LOCK;
}

static void check_invariants(const struct kbd *k, const struct kbd_event *ev)
{
	uint16_t bit = modifier_bit(ev->phys);
	uint8_t leds = 0;

	assert_true(ev->phys > KBD_KEY_NONE && ev->phys < KBD_KEY_COUNT);
	assert_true(ev->key > KBD_KEY_NONE && ev->key < KBD_KEY_COUNT);
	assert_true(ev->key == ev->phys ||
		    (ev->phys >= KBD_KEY_KP_0 && ev->phys <= KBD_KEY_KP_PERIOD));
	assert_true(ev->ch <= 0x10ffff && (ev->ch < 0xd800 || ev->ch > 0xdfff));
	assert_int_equal(ev->mods & ~0x07ffu, 0);
	if (!ev->pressed) {
		assert_int_equal(ev->ch, 0);
		assert_false(ev->repeat);
		assert_false(ev->leds_changed);
	}
	if (bit)	/* a modifier's bit follows its last event */
		assert_int_equal(!!(ev->mods & bit), ev->pressed);
	if (ev->leds_changed)
		assert_true(is_lock(ev->phys) && !ev->repeat);
	if (ev->mods & KBD_MOD_SCROLL_LOCK)
		leds |= 1;
	if (ev->mods & KBD_MOD_NUM_LOCK)
		leds |= 2;
	if (ev->mods & KBD_MOD_CAPS_LOCK)
		leds |= 4;
	assert_int_equal(kbd_leds(k), leds);
}

/* After any input: one plain byte ends every sequence, proper break codes
 * release every modifier, and the decoder types plain text again. */
static void check_recovers(struct rig *r)
{
	static const uint8_t s1_sync[] = { 0x1e }, s2_sync[] = { 0x1c };
	size_t i;

	feed(r, r->set == 1 ? s1_sync : s2_sync, 1);
	press(r, KBD_KEY_B);	/* exactly one event, for B: no prefix was pending */
	release(r, KBD_KEY_B);
	for (i = 0; i < ARRAY_SIZE(modifiers); i++)
		assert_int_equal(release(r, modifiers[i].key)->mods & modifiers[i].bit, 0);
	release(r, KBD_KEY_CAPS_LOCK);	/* a held lock key would not toggle */
	release(r, KBD_KEY_NUM_LOCK);
	if (kbd_leds(&r->k) & KBD_LED_CAPS_LOCK)
		type(r, KBD_KEY_CAPS_LOCK);
	if (kbd_leds(&r->k) & KBD_LED_NUM_LOCK)
		type(r, KBD_KEY_NUM_LOCK);
	assert_int_equal(kbd_set_layout(&r->k, "us"), 0);
	assert_int_equal(press(r, KBD_KEY_A)->mods & ~KBD_MOD_LOCKS, 0);
	release(r, KBD_KEY_A);
	assert_int_equal(type(r, KBD_KEY_A), 'a');
	assert_int_equal(type(r, KBD_KEY_1), '1');
	assert_int_equal(type(r, KBD_KEY_SLASH), '/');
	release(r, KBD_KEY_KP_8);	/* may be held since Num Lock was on */
	assert_int_equal(press(r, KBD_KEY_KP_8)->key, KBD_KEY_UP);
	release(r, KBD_KEY_KP_8);
	assert_int_equal(type_with(r, KBD_KEY_LSHIFT, KBD_KEY_A), 'A');
	assert_int_equal(type(r, KBD_KEY_A), 'a');
}

static void a_million_random_bytes_break_no_invariant(void **state)
{
	const struct kbd_layout *l;
	struct kbd_event ev;
	struct rig r, probe;
	long i, events;
	uint8_t byte;
	int set;

	for (set = 1; set <= 2; set++) {
		rng_state = 0x0123456789abcdefull + (uint64_t)set;
		rig_init(&r, set, "us");
		events = 0;
		for (i = 0; i < 1000000; i++) {
			if (i % 65536 == 0) {
				l = kbd_layout_at(rng() % 6);
				assert_int_equal(kbd_set_layout(&r.k, l->name), 0);
			}
			byte = (rng() & 1) ? (uint8_t)rng()
					   : interesting[rng() % ARRAY_SIZE(interesting)];
			if (kbd_feed(&r.k, byte, &ev)) {
				check_invariants(&r.k, &ev);
				events++;
			}
			if (i % 997 == 0) {	/* probe a copy, leave the stream alone */
				probe = r;
				check_recovers(&probe);
			}
		}
		assert_true(events > 100000);
		check_recovers(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_layout_types_its_chart_without_modifiers),
		cmocka_unit_test(every_layout_types_its_chart_with_shift),
		cmocka_unit_test(every_layout_types_its_chart_with_altgr),
		cmocka_unit_test(every_layout_types_its_chart_with_shift_and_altgr),
		cmocka_unit_test(every_layout_types_its_chart_with_caps_lock),
		cmocka_unit_test(every_layout_types_its_chart_with_shift_and_caps_lock),
		cmocka_unit_test(caps_lock_reaches_altgr_letters_but_no_other_symbols),
		cmocka_unit_test(every_key_decodes_to_itself_in_both_sets),
		cmocka_unit_test(keys_without_characters_are_named_keys),
		cmocka_unit_test(enter_tab_backspace_escape_and_space_type_their_characters),
		cmocka_unit_test(release_events_carry_the_key_and_no_character),
		cmocka_unit_test(repeated_make_codes_are_repeats_that_type_again),
		cmocka_unit_test(modifier_bits_follow_their_keys),
		cmocka_unit_test(releasing_a_modifier_restores_plain_output),
		cmocka_unit_test(alt_and_gui_keep_the_character_and_report_the_modifier),
		cmocka_unit_test(ctrl_with_a_letter_types_its_control_character),
		cmocka_unit_test(ctrl_with_punctuation_types_the_remaining_controls),
		cmocka_unit_test(ctrl_letters_follow_the_layout),
		cmocka_unit_test(lock_keys_toggle_their_leds_on_press),
		cmocka_unit_test(holding_a_lock_key_toggles_it_once),
		cmocka_unit_test(keypad_digits_follow_num_lock),
		cmocka_unit_test(keypad_operators_type_whatever_num_lock_says),
		cmocka_unit_test(keypad_key_keeps_its_meaning_until_released),
		cmocka_unit_test(keypad_decimal_follows_the_layout),
		cmocka_unit_test(fake_shifts_around_extended_keys_are_ignored),
		cmocka_unit_test(print_screen_is_one_event_each_way),
		cmocka_unit_test(pause_is_a_press_then_a_release_touching_nothing_else),
		cmocka_unit_test(ctrl_break_is_pause_and_alt_sysrq_is_print_screen),
		cmocka_unit_test(controller_replies_are_not_key_events),
		cmocka_unit_test(self_test_pass_in_set_2_releases_held_keys_but_keeps_locks),
		cmocka_unit_test(forget_keys_releases_modifiers_but_keeps_locks),
		cmocka_unit_test(an_interrupted_pause_sequence_does_not_swallow_the_next_key),
		cmocka_unit_test(stray_prefixes_end_at_the_next_byte),
		cmocka_unit_test(layouts_are_listed_and_found_by_name),
		cmocka_unit_test(set_layout_switches_at_run_time),
		cmocka_unit_test(init_reports_bad_arguments_and_stays_usable),
		cmocka_unit_test(every_key_has_a_distinct_name),
		cmocka_unit_test(set_1_and_set_2_give_the_same_events),
		cmocka_unit_test(a_million_random_bytes_break_no_invariant),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
