/*
 * The scancode decoder: a small state machine per byte (prefixes E0, E1 and,
 * in set 2, the F0 break prefix), then key state (held keys, modifiers,
 * locks), then translation through the active layout. Layout tables live in
 * kbd_layouts.c. Pure: any context, one struct kbd per caller.
 */
#include "kernel/input/kbd.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/string.h"

#define KBD_PFX_E0	0x01	/* next code is an extended key */
#define KBD_PFX_F0	0x02	/* set 2: next code is a release */
#define KBD_PFX_E1	0x04	/* inside a Pause sequence */

#define KBD_BAT_OK	0xaa	/* set 2: the keyboard passed its self-test */

/* ---- scancode tables (facts from the IBM PS/2 keyboard reference) ---------------- */

/* Set 1: bit 7 set means release, so 128 entries cover every key. */
static const uint8_t kbd_set1[128] = {
	[0x01] = KBD_KEY_ESCAPE,
	[0x02] = KBD_KEY_1, [0x03] = KBD_KEY_2, [0x04] = KBD_KEY_3,
	[0x05] = KBD_KEY_4, [0x06] = KBD_KEY_5, [0x07] = KBD_KEY_6,
	[0x08] = KBD_KEY_7, [0x09] = KBD_KEY_8, [0x0a] = KBD_KEY_9,
	[0x0b] = KBD_KEY_0, [0x0c] = KBD_KEY_MINUS, [0x0d] = KBD_KEY_EQUAL,
	[0x0e] = KBD_KEY_BACKSPACE, [0x0f] = KBD_KEY_TAB,
	[0x10] = KBD_KEY_Q, [0x11] = KBD_KEY_W, [0x12] = KBD_KEY_E,
	[0x13] = KBD_KEY_R, [0x14] = KBD_KEY_T, [0x15] = KBD_KEY_Y,
	[0x16] = KBD_KEY_U, [0x17] = KBD_KEY_I, [0x18] = KBD_KEY_O,
	[0x19] = KBD_KEY_P, [0x1a] = KBD_KEY_LBRACKET, [0x1b] = KBD_KEY_RBRACKET,
	[0x1c] = KBD_KEY_ENTER, [0x1d] = KBD_KEY_LCTRL,
	[0x1e] = KBD_KEY_A, [0x1f] = KBD_KEY_S, [0x20] = KBD_KEY_D,
	[0x21] = KBD_KEY_F, [0x22] = KBD_KEY_G, [0x23] = KBD_KEY_H,
	[0x24] = KBD_KEY_J, [0x25] = KBD_KEY_K, [0x26] = KBD_KEY_L,
	[0x27] = KBD_KEY_SEMICOLON, [0x28] = KBD_KEY_APOSTROPHE,
	[0x29] = KBD_KEY_GRAVE, [0x2a] = KBD_KEY_LSHIFT, [0x2b] = KBD_KEY_BACKSLASH,
	[0x2c] = KBD_KEY_Z, [0x2d] = KBD_KEY_X, [0x2e] = KBD_KEY_C,
	[0x2f] = KBD_KEY_V, [0x30] = KBD_KEY_B, [0x31] = KBD_KEY_N,
	[0x32] = KBD_KEY_M, [0x33] = KBD_KEY_COMMA, [0x34] = KBD_KEY_PERIOD,
	[0x35] = KBD_KEY_SLASH, [0x36] = KBD_KEY_RSHIFT,
	[0x37] = KBD_KEY_KP_MULTIPLY, [0x38] = KBD_KEY_LALT,
	[0x39] = KBD_KEY_SPACE, [0x3a] = KBD_KEY_CAPS_LOCK,
	[0x3b] = KBD_KEY_F1, [0x3c] = KBD_KEY_F2, [0x3d] = KBD_KEY_F3,
	[0x3e] = KBD_KEY_F4, [0x3f] = KBD_KEY_F5, [0x40] = KBD_KEY_F6,
	[0x41] = KBD_KEY_F7, [0x42] = KBD_KEY_F8, [0x43] = KBD_KEY_F9,
	[0x44] = KBD_KEY_F10, [0x45] = KBD_KEY_NUM_LOCK, [0x46] = KBD_KEY_SCROLL_LOCK,
	[0x47] = KBD_KEY_KP_7, [0x48] = KBD_KEY_KP_8, [0x49] = KBD_KEY_KP_9,
	[0x4a] = KBD_KEY_KP_MINUS,
	[0x4b] = KBD_KEY_KP_4, [0x4c] = KBD_KEY_KP_5, [0x4d] = KBD_KEY_KP_6,
	[0x4e] = KBD_KEY_KP_PLUS,
	[0x4f] = KBD_KEY_KP_1, [0x50] = KBD_KEY_KP_2, [0x51] = KBD_KEY_KP_3,
	[0x52] = KBD_KEY_KP_0, [0x53] = KBD_KEY_KP_PERIOD,
	[0x54] = KBD_KEY_PRINT_SCREEN,	/* Alt+SysRq */
	[0x56] = KBD_KEY_102ND, [0x57] = KBD_KEY_F11, [0x58] = KBD_KEY_F12,
};

/* Set 1 after E0. E0 2A/36 (and their releases) are the "fake shifts" the
 * keyboard wraps around extended keys: absent here, so they are dropped. */
static const uint8_t kbd_set1_e0[128] = {
	[0x1c] = KBD_KEY_KP_ENTER, [0x1d] = KBD_KEY_RCTRL,
	[0x35] = KBD_KEY_KP_DIVIDE, [0x37] = KBD_KEY_PRINT_SCREEN,
	[0x38] = KBD_KEY_RALT, [0x46] = KBD_KEY_PAUSE,	/* Ctrl+Break */
	[0x47] = KBD_KEY_HOME, [0x48] = KBD_KEY_UP, [0x49] = KBD_KEY_PAGE_UP,
	[0x4b] = KBD_KEY_LEFT, [0x4d] = KBD_KEY_RIGHT,
	[0x4f] = KBD_KEY_END, [0x50] = KBD_KEY_DOWN, [0x51] = KBD_KEY_PAGE_DOWN,
	[0x52] = KBD_KEY_INSERT, [0x53] = KBD_KEY_DELETE,
	[0x5b] = KBD_KEY_LGUI, [0x5c] = KBD_KEY_RGUI, [0x5d] = KBD_KEY_MENU,
};

#define KBD_SET2_CODES	0x85	/* highest set 2 key code is 0x84 */

static const uint8_t kbd_set2[KBD_SET2_CODES] = {
	[0x01] = KBD_KEY_F9, [0x03] = KBD_KEY_F5, [0x04] = KBD_KEY_F3,
	[0x05] = KBD_KEY_F1, [0x06] = KBD_KEY_F2, [0x07] = KBD_KEY_F12,
	[0x09] = KBD_KEY_F10, [0x0a] = KBD_KEY_F8, [0x0b] = KBD_KEY_F6,
	[0x0c] = KBD_KEY_F4, [0x0d] = KBD_KEY_TAB, [0x0e] = KBD_KEY_GRAVE,
	[0x11] = KBD_KEY_LALT, [0x12] = KBD_KEY_LSHIFT, [0x14] = KBD_KEY_LCTRL,
	[0x15] = KBD_KEY_Q, [0x16] = KBD_KEY_1,
	[0x1a] = KBD_KEY_Z, [0x1b] = KBD_KEY_S, [0x1c] = KBD_KEY_A,
	[0x1d] = KBD_KEY_W, [0x1e] = KBD_KEY_2,
	[0x21] = KBD_KEY_C, [0x22] = KBD_KEY_X, [0x23] = KBD_KEY_D,
	[0x24] = KBD_KEY_E, [0x25] = KBD_KEY_4, [0x26] = KBD_KEY_3,
	[0x29] = KBD_KEY_SPACE, [0x2a] = KBD_KEY_V, [0x2b] = KBD_KEY_F,
	[0x2c] = KBD_KEY_T, [0x2d] = KBD_KEY_R, [0x2e] = KBD_KEY_5,
	[0x31] = KBD_KEY_N, [0x32] = KBD_KEY_B, [0x33] = KBD_KEY_H,
	[0x34] = KBD_KEY_G, [0x35] = KBD_KEY_Y, [0x36] = KBD_KEY_6,
	[0x3a] = KBD_KEY_M, [0x3b] = KBD_KEY_J, [0x3c] = KBD_KEY_U,
	[0x3d] = KBD_KEY_7, [0x3e] = KBD_KEY_8,
	[0x41] = KBD_KEY_COMMA, [0x42] = KBD_KEY_K, [0x43] = KBD_KEY_I,
	[0x44] = KBD_KEY_O, [0x45] = KBD_KEY_0, [0x46] = KBD_KEY_9,
	[0x49] = KBD_KEY_PERIOD, [0x4a] = KBD_KEY_SLASH, [0x4b] = KBD_KEY_L,
	[0x4c] = KBD_KEY_SEMICOLON, [0x4d] = KBD_KEY_P, [0x4e] = KBD_KEY_MINUS,
	[0x52] = KBD_KEY_APOSTROPHE, [0x54] = KBD_KEY_LBRACKET,
	[0x55] = KBD_KEY_EQUAL, [0x58] = KBD_KEY_CAPS_LOCK,
	[0x59] = KBD_KEY_RSHIFT, [0x5a] = KBD_KEY_ENTER,
	[0x5b] = KBD_KEY_RBRACKET, [0x5d] = KBD_KEY_BACKSLASH,
	[0x61] = KBD_KEY_102ND, [0x66] = KBD_KEY_BACKSPACE,
	[0x69] = KBD_KEY_KP_1, [0x6b] = KBD_KEY_KP_4, [0x6c] = KBD_KEY_KP_7,
	[0x70] = KBD_KEY_KP_0, [0x71] = KBD_KEY_KP_PERIOD, [0x72] = KBD_KEY_KP_2,
	[0x73] = KBD_KEY_KP_5, [0x74] = KBD_KEY_KP_6, [0x75] = KBD_KEY_KP_8,
	[0x76] = KBD_KEY_ESCAPE, [0x77] = KBD_KEY_NUM_LOCK, [0x78] = KBD_KEY_F11,
	[0x79] = KBD_KEY_KP_PLUS, [0x7a] = KBD_KEY_KP_3, [0x7b] = KBD_KEY_KP_MINUS,
	[0x7c] = KBD_KEY_KP_MULTIPLY, [0x7d] = KBD_KEY_KP_9,
	[0x7e] = KBD_KEY_SCROLL_LOCK,
	[0x83] = KBD_KEY_F7, [0x84] = KBD_KEY_PRINT_SCREEN,	/* Alt+SysRq */
};

/* Set 2 after E0; the fake shifts E0 12 and E0 59 are dropped. */
static const uint8_t kbd_set2_e0[KBD_SET2_CODES] = {
	[0x11] = KBD_KEY_RALT, [0x14] = KBD_KEY_RCTRL,
	[0x1f] = KBD_KEY_LGUI, [0x27] = KBD_KEY_RGUI, [0x2f] = KBD_KEY_MENU,
	[0x4a] = KBD_KEY_KP_DIVIDE, [0x5a] = KBD_KEY_KP_ENTER,
	[0x69] = KBD_KEY_END, [0x6b] = KBD_KEY_LEFT, [0x6c] = KBD_KEY_HOME,
	[0x70] = KBD_KEY_INSERT, [0x71] = KBD_KEY_DELETE,
	[0x72] = KBD_KEY_DOWN, [0x74] = KBD_KEY_RIGHT, [0x75] = KBD_KEY_UP,
	[0x7a] = KBD_KEY_PAGE_DOWN, [0x7c] = KBD_KEY_PRINT_SCREEN,
	[0x7d] = KBD_KEY_PAGE_UP, [0x7e] = KBD_KEY_PAUSE,	/* Ctrl+Break */
};

/*
 * Pause has no break code of its own: pressing it sends E1 and a made-up
 * Ctrl+NumLock press and release at once. The press half becomes a Pause
 * press, the release half a Pause release; Ctrl and Num Lock stay untouched.
 */
struct kbd_pause_seq {
	uint8_t set;
	bool pressed;
	uint8_t len;
	uint8_t bytes[4];	/* after the E1 */
};

static const struct kbd_pause_seq kbd_pause_seqs[] = {
	{ 1, true, 2, { 0x1d, 0x45 } },
	{ 1, false, 2, { 0x9d, 0xc5 } },
	{ 2, true, 2, { 0x14, 0x77 } },
	{ 2, false, 4, { 0xf0, 0x14, 0xf0, 0x77 } },
};

static const char *const kbd_key_names[KBD_KEY_COUNT] = {
	[KBD_KEY_NONE] = "None",
	[KBD_KEY_GRAVE] = "Grave", [KBD_KEY_1] = "1", [KBD_KEY_2] = "2",
	[KBD_KEY_3] = "3", [KBD_KEY_4] = "4", [KBD_KEY_5] = "5", [KBD_KEY_6] = "6",
	[KBD_KEY_7] = "7", [KBD_KEY_8] = "8", [KBD_KEY_9] = "9", [KBD_KEY_0] = "0",
	[KBD_KEY_MINUS] = "Minus", [KBD_KEY_EQUAL] = "Equal",
	[KBD_KEY_Q] = "Q", [KBD_KEY_W] = "W", [KBD_KEY_E] = "E", [KBD_KEY_R] = "R",
	[KBD_KEY_T] = "T", [KBD_KEY_Y] = "Y", [KBD_KEY_U] = "U", [KBD_KEY_I] = "I",
	[KBD_KEY_O] = "O", [KBD_KEY_P] = "P",
	[KBD_KEY_LBRACKET] = "LeftBracket", [KBD_KEY_RBRACKET] = "RightBracket",
	[KBD_KEY_A] = "A", [KBD_KEY_S] = "S", [KBD_KEY_D] = "D", [KBD_KEY_F] = "F",
	[KBD_KEY_G] = "G", [KBD_KEY_H] = "H", [KBD_KEY_J] = "J", [KBD_KEY_K] = "K",
	[KBD_KEY_L] = "L", [KBD_KEY_SEMICOLON] = "Semicolon",
	[KBD_KEY_APOSTROPHE] = "Apostrophe", [KBD_KEY_BACKSLASH] = "Backslash",
	[KBD_KEY_102ND] = "102nd",
	[KBD_KEY_Z] = "Z", [KBD_KEY_X] = "X", [KBD_KEY_C] = "C", [KBD_KEY_V] = "V",
	[KBD_KEY_B] = "B", [KBD_KEY_N] = "N", [KBD_KEY_M] = "M",
	[KBD_KEY_COMMA] = "Comma", [KBD_KEY_PERIOD] = "Period", [KBD_KEY_SLASH] = "Slash",
	[KBD_KEY_ESCAPE] = "Escape",
	[KBD_KEY_F1] = "F1", [KBD_KEY_F2] = "F2", [KBD_KEY_F3] = "F3",
	[KBD_KEY_F4] = "F4", [KBD_KEY_F5] = "F5", [KBD_KEY_F6] = "F6",
	[KBD_KEY_F7] = "F7", [KBD_KEY_F8] = "F8", [KBD_KEY_F9] = "F9",
	[KBD_KEY_F10] = "F10", [KBD_KEY_F11] = "F11", [KBD_KEY_F12] = "F12",
	[KBD_KEY_PRINT_SCREEN] = "PrintScreen", [KBD_KEY_SCROLL_LOCK] = "ScrollLock",
	[KBD_KEY_PAUSE] = "Pause",
	[KBD_KEY_BACKSPACE] = "Backspace", [KBD_KEY_TAB] = "Tab",
	[KBD_KEY_CAPS_LOCK] = "CapsLock", [KBD_KEY_ENTER] = "Enter",
	[KBD_KEY_LSHIFT] = "LeftShift", [KBD_KEY_RSHIFT] = "RightShift",
	[KBD_KEY_LCTRL] = "LeftCtrl", [KBD_KEY_RCTRL] = "RightCtrl",
	[KBD_KEY_LALT] = "LeftAlt", [KBD_KEY_RALT] = "AltGr",
	[KBD_KEY_LGUI] = "LeftGUI", [KBD_KEY_RGUI] = "RightGUI",
	[KBD_KEY_MENU] = "Menu", [KBD_KEY_SPACE] = "Space",
	[KBD_KEY_INSERT] = "Insert", [KBD_KEY_DELETE] = "Delete",
	[KBD_KEY_HOME] = "Home", [KBD_KEY_END] = "End",
	[KBD_KEY_PAGE_UP] = "PageUp", [KBD_KEY_PAGE_DOWN] = "PageDown",
	[KBD_KEY_UP] = "Up", [KBD_KEY_DOWN] = "Down",
	[KBD_KEY_LEFT] = "Left", [KBD_KEY_RIGHT] = "Right",
	[KBD_KEY_NUM_LOCK] = "NumLock", [KBD_KEY_KP_DIVIDE] = "KPDivide",
	[KBD_KEY_KP_MULTIPLY] = "KPMultiply", [KBD_KEY_KP_MINUS] = "KPMinus",
	[KBD_KEY_KP_PLUS] = "KPPlus", [KBD_KEY_KP_ENTER] = "KPEnter",
	[KBD_KEY_KP_0] = "KP0", [KBD_KEY_KP_1] = "KP1", [KBD_KEY_KP_2] = "KP2",
	[KBD_KEY_KP_3] = "KP3", [KBD_KEY_KP_4] = "KP4", [KBD_KEY_KP_5] = "KP5",
	[KBD_KEY_KP_6] = "KP6", [KBD_KEY_KP_7] = "KP7", [KBD_KEY_KP_8] = "KP8",
	[KBD_KEY_KP_9] = "KP9", [KBD_KEY_KP_PERIOD] = "KPPeriod",
};

/* What KP_0..KP_9, KP_PERIOD mean with Num Lock off (KP5 means nothing). */
static const uint8_t kbd_kp_nav[] = {
	KBD_KEY_INSERT, KBD_KEY_END, KBD_KEY_DOWN, KBD_KEY_PAGE_DOWN,
	KBD_KEY_LEFT, KBD_KEY_KP_5, KBD_KEY_RIGHT, KBD_KEY_HOME,
	KBD_KEY_UP, KBD_KEY_PAGE_UP, KBD_KEY_DELETE,
};

_Static_assert(KBD_KEY_COUNT <= 256, "key codes must fit the uint8_t tables");
_Static_assert(ARRAY_SIZE(kbd_kp_nav) == KBD_KEY_KP_PERIOD - KBD_KEY_KP_0 + 1,
	       "keypad digits and period must be contiguous");
_Static_assert(ARRAY_SIZE(kbd_kp_nav) <= 16, "kp_nav is a 16-bit mask");

/* ---- key state ---------------------------------------------------------------------- */

static bool kbd_is_down(const struct kbd *k, unsigned int key)
{
	return k->down[key / 8] & (1u << (key % 8));
}

static void kbd_set_down(struct kbd *k, unsigned int key, bool down)
{
	if (down)
		k->down[key / 8] |= (uint8_t)(1u << (key % 8));
	else
		k->down[key / 8] &= (uint8_t)~(1u << (key % 8));
}

/* The KBD_MOD_* bit a modifier key holds, 0 for other keys. */
static uint16_t kbd_modifier_bit(unsigned int key)
{
	switch (key) {
	case KBD_KEY_LSHIFT:	return KBD_MOD_LSHIFT;
	case KBD_KEY_RSHIFT:	return KBD_MOD_RSHIFT;
	case KBD_KEY_LCTRL:	return KBD_MOD_LCTRL;
	case KBD_KEY_RCTRL:	return KBD_MOD_RCTRL;
	case KBD_KEY_LALT:	return KBD_MOD_LALT;
	case KBD_KEY_RALT:	return KBD_MOD_ALTGR;
	case KBD_KEY_LGUI:	return KBD_MOD_LGUI;
	case KBD_KEY_RGUI:	return KBD_MOD_RGUI;
	default:		return 0;
	}
}

/* The KBD_MOD_* bit a lock key toggles, 0 for other keys. */
static uint16_t kbd_lock_bit(unsigned int key)
{
	switch (key) {
	case KBD_KEY_CAPS_LOCK:		return KBD_MOD_CAPS_LOCK;
	case KBD_KEY_NUM_LOCK:		return KBD_MOD_NUM_LOCK;
	case KBD_KEY_SCROLL_LOCK:	return KBD_MOD_SCROLL_LOCK;
	default:			return 0;
	}
}

static bool kbd_is_kp_digit(unsigned int key)
{
	return key >= KBD_KEY_KP_0 && key <= KBD_KEY_KP_PERIOD;
}

/*
 * What a key means. A keypad digit is a navigation key while Num Lock is
 * off; the choice is made at its first press and kept until its release, so
 * toggling Num Lock in between cannot split one keystroke into two keys.
 */
static uint16_t kbd_meaning(struct kbd *k, unsigned int phys, bool first_press)
{
	uint16_t bit;
	bool nav;

	if (!kbd_is_kp_digit(phys))
		return (uint16_t)phys;
	bit = (uint16_t)(1u << (phys - KBD_KEY_KP_0));
	if (first_press) {
		if (k->mods & KBD_MOD_NUM_LOCK)
			k->kp_nav &= (uint16_t)~bit;
		else
			k->kp_nav |= bit;
	}
	nav = k->kp_nav & bit;
	return nav ? kbd_kp_nav[phys - KBD_KEY_KP_0] : (uint16_t)phys;
}

/* ---- characters --------------------------------------------------------------------- */

/* Caps Lock inverts the case of letters, and only of letters. Latin-1 is
 * enough for the built-in layouts; ß and ÿ have no Latin-1 capital and stay. */
static uint32_t kbd_swap_case(uint32_t ch)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 0xe0 && ch <= 0xfe && ch != 0xf7))
		return ch - 0x20;
	if ((ch >= 'A' && ch <= 'Z') || (ch >= 0xc0 && ch <= 0xde && ch != 0xd7))
		return ch + 0x20;
	return ch;
}

/*
 * Ctrl turns @ A-Z [ \ ] ^ _ (and their lower-case forms) into the C0
 * controls 0x00-0x1F, and ? into DEL. Ctrl+@ would be NUL, which an event
 * cannot carry: it types nothing. Other characters pass unchanged.
 */
static uint32_t kbd_ctrl_char(uint32_t ch)
{
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 1;
	if (ch >= '@' && ch <= '_')
		return ch & 0x1f;
	if (ch == '?')
		return 0x7f;
	return ch;
}

/* A typing key: its AltGr level if the layout has one, else the level
 * without AltGr; then Caps Lock. */
static uint32_t kbd_layout_char(const struct kbd *k, unsigned int key)
{
	const struct kbd_keysyms *s = &k->layout->keys[key];
	bool shift = k->mods & KBD_MOD_SHIFT;
	uint32_t ch = 0;

	if (k->mods & KBD_MOD_ALTGR)
		ch = shift ? s->shift_altgr : s->altgr;
	if (!ch)
		ch = shift ? s->shift : s->plain;
	if (k->mods & KBD_MOD_CAPS_LOCK)
		ch = kbd_swap_case(ch);
	return ch;
}

/* Keys whose character does not depend on the layout. */
static uint32_t kbd_fixed_char(const struct kbd *k, unsigned int phys)
{
	if (kbd_is_kp_digit(phys)) {
		if (k->kp_nav & (1u << (phys - KBD_KEY_KP_0)))
			return 0;
		if (phys == KBD_KEY_KP_PERIOD)
			return k->layout->kp_decimal;
		return '0' + (phys - KBD_KEY_KP_0);
	}
	switch (phys) {
	case KBD_KEY_SPACE:		return ' ';
	case KBD_KEY_ENTER:		return '\n';
	case KBD_KEY_KP_ENTER:		return '\n';
	case KBD_KEY_TAB:		return '\t';
	case KBD_KEY_BACKSPACE:		return '\b';
	case KBD_KEY_ESCAPE:		return 0x1b;
	case KBD_KEY_KP_DIVIDE:		return '/';
	case KBD_KEY_KP_MULTIPLY:	return '*';
	case KBD_KEY_KP_MINUS:		return '-';
	case KBD_KEY_KP_PLUS:		return '+';
	default:			return 0;
	}
}

/* The character a press of phys types with the current modifiers. */
static uint32_t kbd_char(const struct kbd *k, unsigned int phys)
{
	uint32_t ch;

	if (phys >= KBD_LAYOUT_KEYS)
		return kbd_fixed_char(k, phys);
	ch = kbd_layout_char(k, phys);
	return (k->mods & KBD_MOD_CTRL) ? kbd_ctrl_char(ch) : ch;
}

/* ---- events ------------------------------------------------------------------------- */

/* Apply a decoded press or release of phys and describe it in *ev. */
static bool kbd_key_event(struct kbd *k, unsigned int phys, bool pressed,
			  struct kbd_event *ev)
{
	bool was_down;
	uint16_t mod = kbd_modifier_bit(phys);
	uint16_t lock = kbd_lock_bit(phys);

	if (phys == KBD_KEY_NONE || phys >= KBD_KEY_COUNT)
		return false;
	was_down = kbd_is_down(k, phys);
	kbd_set_down(k, phys, pressed);
	if (pressed)
		k->mods |= mod;
	else
		k->mods &= (uint16_t)~mod;
	ev->leds_changed = lock && pressed && !was_down;
	if (ev->leds_changed)
		k->mods ^= lock;

	ev->phys = (uint16_t)phys;
	ev->key = kbd_meaning(k, phys, pressed && !was_down);
	ev->pressed = pressed;
	ev->repeat = pressed && was_down;
	ev->mods = k->mods;
	ev->ch = pressed ? kbd_char(k, phys) : 0;
	if (!pressed && kbd_is_kp_digit(phys))
		k->kp_nav &= (uint16_t)~(1u << (phys - KBD_KEY_KP_0));
	return true;
}

bool kbd_feed_key(struct kbd *k, uint16_t phys, bool pressed, struct kbd_event *ev)
{
	return kbd_key_event(k, phys, pressed, ev);
}

/* ---- the byte state machine --------------------------------------------------------- */

static void kbd_pause_start(struct kbd *k)
{
	k->prefix = KBD_PFX_E1;
	k->pause_seq = 0;
	k->pause_pos = 0;
}

enum kbd_pause_step {
	KBD_PAUSE_MISMATCH,	/* not a Pause sequence after all: decode the byte afresh */
	KBD_PAUSE_MORE,		/* byte consumed, sequence not complete */
	KBD_PAUSE_PRESS,
	KBD_PAUSE_RELEASE,
};

/* Match one byte after E1 against the Pause sequences of the current set. */
static enum kbd_pause_step kbd_pause_step(struct kbd *k, uint8_t byte)
{
	const struct kbd_pause_seq *s;
	size_t i;

	for (i = 0; k->pause_seq == 0 && i < ARRAY_SIZE(kbd_pause_seqs); i++) {
		s = &kbd_pause_seqs[i];
		if (s->set == k->set && s->bytes[0] == byte)
			k->pause_seq = (uint8_t)(i + 1);
	}
	k->prefix = 0;
	if (k->pause_seq == 0)
		return KBD_PAUSE_MISMATCH;
	s = &kbd_pause_seqs[k->pause_seq - 1];
	if (s->bytes[k->pause_pos] != byte) {
		k->pause_seq = 0;
		k->pause_pos = 0;
		return KBD_PAUSE_MISMATCH;
	}
	if (++k->pause_pos < s->len) {
		k->prefix = KBD_PFX_E1;
		return KBD_PAUSE_MORE;
	}
	k->pause_seq = 0;
	k->pause_pos = 0;
	return s->pressed ? KBD_PAUSE_PRESS : KBD_PAUSE_RELEASE;
}

/* Set 1: E0 prefix, bit 7 marks a release. */
static bool kbd_feed_set1(struct kbd *k, uint8_t byte, struct kbd_event *ev)
{
	bool ext = k->prefix & KBD_PFX_E0;
	const uint8_t *table = ext ? kbd_set1_e0 : kbd_set1;

	switch (byte) {
	case 0xe0:
		k->prefix = KBD_PFX_E0;
		return false;
	case 0xe1:
		kbd_pause_start(k);
		return false;
	}
	/* Replies (0xFA ack, 0xFE resend, 0xEE echo, 0x00/0xFF errors) land on
	 * codes no key uses and are dropped. 0xAA doubles as left Shift's
	 * release, which is the right thing after a keyboard reset anyway. */
	k->prefix = 0;
	return kbd_key_event(k, table[byte & 0x7f], !(byte & 0x80), ev);
}

/* Set 2: E0 and F0 prefixes, F0 marks a release. */
static bool kbd_feed_set2(struct kbd *k, uint8_t byte, struct kbd_event *ev)
{
	uint8_t prefix = k->prefix;
	const uint8_t *table = (prefix & KBD_PFX_E0) ? kbd_set2_e0 : kbd_set2;

	switch (byte) {
	case 0xe0:
		k->prefix |= KBD_PFX_E0;
		return false;
	case 0xf0:
		k->prefix |= KBD_PFX_F0;
		return false;
	case 0xe1:
		kbd_pause_start(k);
		return false;
	case KBD_BAT_OK:
		/* The keyboard was reset: it will not release what was held. */
		kbd_forget_keys(k);
		return false;
	}
	k->prefix = 0;
	/* Other replies (0xFA, 0xFE, 0xEE, 0xFC, 0xFD, 0xFF) lie past the
	 * table; 0x00 (error) is a code no key uses. */
	if (byte >= KBD_SET2_CODES)
		return false;
	return kbd_key_event(k, table[byte], !(prefix & KBD_PFX_F0), ev);
}

/* ---- public interface --------------------------------------------------------------- */

int kbd_init(struct kbd *k, int scancode_set, const char *layout)
{
	int err = 0;

	memset(k, 0, sizeof(*k));
	k->set = (uint8_t)scancode_set;
	if (scancode_set != 1 && scancode_set != 2) {
		k->set = 1;
		err = -E_INVAL;
	}
	k->layout = kbd_layout_at(0);
	if (layout && kbd_set_layout(k, layout) < 0 && !err)
		err = -E_NOENT;
	return err;
}

bool kbd_feed(struct kbd *k, uint8_t byte, struct kbd_event *ev)
{
	if (k->prefix & KBD_PFX_E1) {
		switch (kbd_pause_step(k, byte)) {
		case KBD_PAUSE_MORE:
			return false;
		case KBD_PAUSE_PRESS:
			return kbd_key_event(k, KBD_KEY_PAUSE, true, ev);
		case KBD_PAUSE_RELEASE:
			return kbd_key_event(k, KBD_KEY_PAUSE, false, ev);
		case KBD_PAUSE_MISMATCH:
			break;
		}
	}
	if (k->set == 1)
		return kbd_feed_set1(k, byte, ev);
	return kbd_feed_set2(k, byte, ev);
}

void kbd_forget_keys(struct kbd *k)
{
	memset(k->down, 0, sizeof(k->down));
	k->mods &= KBD_MOD_LOCKS;
	k->kp_nav = 0;
	k->prefix = 0;
	k->pause_seq = 0;
	k->pause_pos = 0;
}

uint8_t kbd_leds(const struct kbd *k)
{
	uint8_t leds = 0;

	if (k->mods & KBD_MOD_SCROLL_LOCK)
		leds |= KBD_LED_SCROLL_LOCK;
	if (k->mods & KBD_MOD_NUM_LOCK)
		leds |= KBD_LED_NUM_LOCK;
	if (k->mods & KBD_MOD_CAPS_LOCK)
		leds |= KBD_LED_CAPS_LOCK;
	return leds;
}

int kbd_set_layout(struct kbd *k, const char *name)
{
	const struct kbd_layout *layout;

	if (!name)
		return -E_INVAL;
	layout = kbd_layout_find(name);
	if (!layout)
		return -E_NOENT;
	k->layout = layout;
	return 0;
}

const char *kbd_layout_name(const struct kbd *k)
{
	return k->layout->name;
}

const char *kbd_key_name(uint16_t key)
{
	if (key >= KBD_KEY_COUNT)
		return NULL;
	return kbd_key_names[key];
}
