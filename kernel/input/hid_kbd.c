/*
 * HID boot keyboard reports to key changes (see hid_kbd.h). The usage
 * table follows the HID Usage Tables 1.12, section 10 (Keyboard/Keypad
 * page 0x07). Pure; any context.
 */
#include "kernel/input/hid_kbd.h"
#include "kernel/input/kbd.h"
#include "lib/string.h"

#define HID_USAGE_ERROR_UNDEFINED 0x03   /* 01-03: the phantom state */

static const uint8_t usage_keys[0x66] = {
	[0x04] = KBD_KEY_A, [0x05] = KBD_KEY_B, [0x06] = KBD_KEY_C, [0x07] = KBD_KEY_D,
	[0x08] = KBD_KEY_E, [0x09] = KBD_KEY_F, [0x0a] = KBD_KEY_G, [0x0b] = KBD_KEY_H,
	[0x0c] = KBD_KEY_I, [0x0d] = KBD_KEY_J, [0x0e] = KBD_KEY_K, [0x0f] = KBD_KEY_L,
	[0x10] = KBD_KEY_M, [0x11] = KBD_KEY_N, [0x12] = KBD_KEY_O, [0x13] = KBD_KEY_P,
	[0x14] = KBD_KEY_Q, [0x15] = KBD_KEY_R, [0x16] = KBD_KEY_S, [0x17] = KBD_KEY_T,
	[0x18] = KBD_KEY_U, [0x19] = KBD_KEY_V, [0x1a] = KBD_KEY_W, [0x1b] = KBD_KEY_X,
	[0x1c] = KBD_KEY_Y, [0x1d] = KBD_KEY_Z,
	[0x1e] = KBD_KEY_1, [0x1f] = KBD_KEY_2, [0x20] = KBD_KEY_3, [0x21] = KBD_KEY_4,
	[0x22] = KBD_KEY_5, [0x23] = KBD_KEY_6, [0x24] = KBD_KEY_7, [0x25] = KBD_KEY_8,
	[0x26] = KBD_KEY_9, [0x27] = KBD_KEY_0,
	[0x28] = KBD_KEY_ENTER, [0x29] = KBD_KEY_ESCAPE, [0x2a] = KBD_KEY_BACKSPACE,
	[0x2b] = KBD_KEY_TAB, [0x2c] = KBD_KEY_SPACE, [0x2d] = KBD_KEY_MINUS,
	[0x2e] = KBD_KEY_EQUAL, [0x2f] = KBD_KEY_LBRACKET, [0x30] = KBD_KEY_RBRACKET,
	[0x31] = KBD_KEY_BACKSLASH,
	[0x32] = KBD_KEY_BACKSLASH,	/* non-US # ~: the same position (kbd.h) */
	[0x33] = KBD_KEY_SEMICOLON, [0x34] = KBD_KEY_APOSTROPHE, [0x35] = KBD_KEY_GRAVE,
	[0x36] = KBD_KEY_COMMA, [0x37] = KBD_KEY_PERIOD, [0x38] = KBD_KEY_SLASH,
	[0x39] = KBD_KEY_CAPS_LOCK,
	[0x3a] = KBD_KEY_F1, [0x3b] = KBD_KEY_F2, [0x3c] = KBD_KEY_F3, [0x3d] = KBD_KEY_F4,
	[0x3e] = KBD_KEY_F5, [0x3f] = KBD_KEY_F6, [0x40] = KBD_KEY_F7, [0x41] = KBD_KEY_F8,
	[0x42] = KBD_KEY_F9, [0x43] = KBD_KEY_F10, [0x44] = KBD_KEY_F11, [0x45] = KBD_KEY_F12,
	[0x46] = KBD_KEY_PRINT_SCREEN, [0x47] = KBD_KEY_SCROLL_LOCK, [0x48] = KBD_KEY_PAUSE,
	[0x49] = KBD_KEY_INSERT, [0x4a] = KBD_KEY_HOME, [0x4b] = KBD_KEY_PAGE_UP,
	[0x4c] = KBD_KEY_DELETE, [0x4d] = KBD_KEY_END, [0x4e] = KBD_KEY_PAGE_DOWN,
	[0x4f] = KBD_KEY_RIGHT, [0x50] = KBD_KEY_LEFT, [0x51] = KBD_KEY_DOWN,
	[0x52] = KBD_KEY_UP, [0x53] = KBD_KEY_NUM_LOCK,
	[0x54] = KBD_KEY_KP_DIVIDE, [0x55] = KBD_KEY_KP_MULTIPLY, [0x56] = KBD_KEY_KP_MINUS,
	[0x57] = KBD_KEY_KP_PLUS, [0x58] = KBD_KEY_KP_ENTER,
	[0x59] = KBD_KEY_KP_1, [0x5a] = KBD_KEY_KP_2, [0x5b] = KBD_KEY_KP_3,
	[0x5c] = KBD_KEY_KP_4, [0x5d] = KBD_KEY_KP_5, [0x5e] = KBD_KEY_KP_6,
	[0x5f] = KBD_KEY_KP_7, [0x60] = KBD_KEY_KP_8, [0x61] = KBD_KEY_KP_9,
	[0x62] = KBD_KEY_KP_0, [0x63] = KBD_KEY_KP_PERIOD,
	[0x64] = KBD_KEY_102ND, [0x65] = KBD_KEY_MENU,
};

/* Modifier byte bit i (HID usages E0-E7). */
static const uint8_t mod_keys[8] = {
	KBD_KEY_LCTRL, KBD_KEY_LSHIFT, KBD_KEY_LALT, KBD_KEY_LGUI,
	KBD_KEY_RCTRL, KBD_KEY_RSHIFT, KBD_KEY_RALT, KBD_KEY_RGUI,
};

void hid_kbd_init(struct hid_kbd *h)
{
	memset(h, 0, sizeof(*h));
}

uint16_t hid_kbd_usage_key(uint8_t usage)
{
	return usage < sizeof(usage_keys) ? usage_keys[usage] : KBD_KEY_NONE;
}

/* Two usages name one key (31 and 32, see usage_keys): count it once. */
static bool holds_key(const uint8_t keys[HID_KBD_KEYS], uint16_t key)
{
	for (unsigned i = 0; i < HID_KBD_KEYS; i++)
		if (keys[i] && hid_kbd_usage_key(keys[i]) == key)
			return true;
	return false;
}

static size_t emit(struct hid_key_change *out, size_t n, uint16_t key, bool pressed)
{
	if (key == KBD_KEY_NONE)
		return n;
	out[n] = (struct hid_key_change){ key, pressed };
	return n + 1;
}

/* The mapped, de-duplicated usages of a report; false in the phantom state. */
static bool report_keys(const uint8_t *report, size_t len, uint8_t keys[HID_KBD_KEYS])
{
	unsigned n = 0;

	memset(keys, 0, HID_KBD_KEYS);
	for (size_t i = 2; i < len && i < HID_KBD_REPORT; i++) {
		uint8_t u = report[i];

		if (u >= 1 && u <= HID_USAGE_ERROR_UNDEFINED)
			return false;
		if (hid_kbd_usage_key(u) != KBD_KEY_NONE && !holds_key(keys, hid_kbd_usage_key(u)))
			keys[n++] = u;
	}
	return true;
}

static size_t mod_changes(uint8_t old, uint8_t now, bool pressed, struct hid_key_change *out,
			  size_t n)
{
	for (unsigned b = 0; b < 8; b++) {
		bool was = old & (1u << b), is = now & (1u << b);

		if (was != is && is == pressed)
			n = emit(out, n, mod_keys[b], pressed);
	}
	return n;
}

size_t hid_kbd_report(struct hid_kbd *h, const uint8_t *report, size_t len,
		      struct hid_key_change *out)
{
	uint8_t keys[HID_KBD_KEYS];
	size_t n = 0;

	if (!report || len < 3)
		return 0;
	if (!report_keys(report, len, keys))
		memcpy(keys, h->keys, HID_KBD_KEYS);      /* phantom: keys unchanged */
	n = mod_changes(h->mods, report[0], false, out, n);
	for (unsigned i = 0; i < HID_KBD_KEYS; i++)
		if (h->keys[i] && !holds_key(keys, hid_kbd_usage_key(h->keys[i])))
			n = emit(out, n, hid_kbd_usage_key(h->keys[i]), false);
	n = mod_changes(h->mods, report[0], true, out, n);
	for (unsigned i = 0; i < HID_KBD_KEYS; i++)
		if (keys[i] && !holds_key(h->keys, hid_kbd_usage_key(keys[i])))
			n = emit(out, n, hid_kbd_usage_key(keys[i]), true);
	h->mods = report[0];
	memcpy(h->keys, keys, HID_KBD_KEYS);
	return n;
}

size_t hid_kbd_release_all(struct hid_kbd *h, struct hid_key_change *out)
{
	static const uint8_t empty[HID_KBD_REPORT];

	return hid_kbd_report(h, empty, sizeof(empty), out);
}

uint8_t hid_kbd_leds(uint8_t kbd_leds)
{
	return (uint8_t)(((kbd_leds & KBD_LED_NUM_LOCK) ? HID_LED_NUM_LOCK : 0) |
			 ((kbd_leds & KBD_LED_CAPS_LOCK) ? HID_LED_CAPS_LOCK : 0) |
			 ((kbd_leds & KBD_LED_SCROLL_LOCK) ? HID_LED_SCROLL_LOCK : 0));
}
