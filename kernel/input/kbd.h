/*
 * PS/2 keyboard decoding: turns the bytes a keyboard sends (scancode set 1,
 * which is what the 8042 hands over when it translates, or raw set 2) into
 * press and release events carrying the key, the modifier and lock state and
 * the Unicode character the active layout types.
 *
 * Pure logic on caller-owned memory: no I/O, no allocation, a bounded amount
 * of work per byte. Usable in any context, but one struct kbd belongs to one
 * context at a time (the keyboard task; the IRQ handler only queues bytes).
 * Sending the LED state to the keyboard is the driver's job: kbd_leds() says
 * what to send and an event's leds_changed says when.
 */
#ifndef EMBER_KERNEL_KBD_H
#define EMBER_KERNEL_KBD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Every key of a 105-key ISO keyboard (104 on ANSI boards, which lack
 * KBD_KEY_102ND), named by position after the US legend. The typing keys
 * come first so that layouts can be indexed by key.
 */
enum kbd_key {
	KBD_KEY_NONE = 0,

	/* Typing keys: what they type is up to the layout. */
	KBD_KEY_GRAVE, KBD_KEY_1, KBD_KEY_2, KBD_KEY_3, KBD_KEY_4, KBD_KEY_5,
	KBD_KEY_6, KBD_KEY_7, KBD_KEY_8, KBD_KEY_9, KBD_KEY_0,
	KBD_KEY_MINUS, KBD_KEY_EQUAL,
	KBD_KEY_Q, KBD_KEY_W, KBD_KEY_E, KBD_KEY_R, KBD_KEY_T, KBD_KEY_Y,
	KBD_KEY_U, KBD_KEY_I, KBD_KEY_O, KBD_KEY_P,
	KBD_KEY_LBRACKET, KBD_KEY_RBRACKET,
	KBD_KEY_A, KBD_KEY_S, KBD_KEY_D, KBD_KEY_F, KBD_KEY_G, KBD_KEY_H,
	KBD_KEY_J, KBD_KEY_K, KBD_KEY_L, KBD_KEY_SEMICOLON, KBD_KEY_APOSTROPHE,
	KBD_KEY_BACKSLASH,	/* ANSI: above Enter; ISO: left of Enter (UK "# ~") */
	KBD_KEY_102ND,		/* ISO only: between left Shift and Z (UK "\ |") */
	KBD_KEY_Z, KBD_KEY_X, KBD_KEY_C, KBD_KEY_V, KBD_KEY_B, KBD_KEY_N,
	KBD_KEY_M, KBD_KEY_COMMA, KBD_KEY_PERIOD, KBD_KEY_SLASH,

	/* Function row. */
	KBD_KEY_ESCAPE,
	KBD_KEY_F1, KBD_KEY_F2, KBD_KEY_F3, KBD_KEY_F4, KBD_KEY_F5, KBD_KEY_F6,
	KBD_KEY_F7, KBD_KEY_F8, KBD_KEY_F9, KBD_KEY_F10, KBD_KEY_F11, KBD_KEY_F12,
	KBD_KEY_PRINT_SCREEN,	/* also Alt+SysRq */
	KBD_KEY_SCROLL_LOCK,
	KBD_KEY_PAUSE,		/* also Ctrl+Break */

	/* Editing keys and modifiers of the main block. */
	KBD_KEY_BACKSPACE, KBD_KEY_TAB, KBD_KEY_CAPS_LOCK, KBD_KEY_ENTER,
	KBD_KEY_LSHIFT, KBD_KEY_RSHIFT, KBD_KEY_LCTRL, KBD_KEY_RCTRL,
	KBD_KEY_LALT, KBD_KEY_RALT,	/* right Alt is AltGr */
	KBD_KEY_LGUI, KBD_KEY_RGUI, KBD_KEY_MENU, KBD_KEY_SPACE,

	/* Navigation block. */
	KBD_KEY_INSERT, KBD_KEY_DELETE, KBD_KEY_HOME, KBD_KEY_END,
	KBD_KEY_PAGE_UP, KBD_KEY_PAGE_DOWN,
	KBD_KEY_UP, KBD_KEY_DOWN, KBD_KEY_LEFT, KBD_KEY_RIGHT,

	/* Keypad; KP_0..KP_9 and KP_PERIOD stay contiguous (Num Lock). */
	KBD_KEY_NUM_LOCK, KBD_KEY_KP_DIVIDE, KBD_KEY_KP_MULTIPLY,
	KBD_KEY_KP_MINUS, KBD_KEY_KP_PLUS, KBD_KEY_KP_ENTER,
	KBD_KEY_KP_0, KBD_KEY_KP_1, KBD_KEY_KP_2, KBD_KEY_KP_3, KBD_KEY_KP_4,
	KBD_KEY_KP_5, KBD_KEY_KP_6, KBD_KEY_KP_7, KBD_KEY_KP_8, KBD_KEY_KP_9,
	KBD_KEY_KP_PERIOD,

	KBD_KEY_COUNT
};

/* Keys below this are typing keys, the ones a layout maps. */
#define KBD_LAYOUT_KEYS		(KBD_KEY_SLASH + 1)

/* Modifier and lock state, as carried by every event. */
#define KBD_MOD_LSHIFT		0x0001
#define KBD_MOD_RSHIFT		0x0002
#define KBD_MOD_LCTRL		0x0004
#define KBD_MOD_RCTRL		0x0008
#define KBD_MOD_LALT		0x0010
#define KBD_MOD_ALTGR		0x0020	/* right Alt */
#define KBD_MOD_LGUI		0x0040
#define KBD_MOD_RGUI		0x0080
#define KBD_MOD_CAPS_LOCK	0x0100
#define KBD_MOD_NUM_LOCK	0x0200
#define KBD_MOD_SCROLL_LOCK	0x0400

#define KBD_MOD_SHIFT		(KBD_MOD_LSHIFT | KBD_MOD_RSHIFT)
#define KBD_MOD_CTRL		(KBD_MOD_LCTRL | KBD_MOD_RCTRL)
#define KBD_MOD_GUI		(KBD_MOD_LGUI | KBD_MOD_RGUI)
#define KBD_MOD_LOCKS		(KBD_MOD_CAPS_LOCK | KBD_MOD_NUM_LOCK | KBD_MOD_SCROLL_LOCK)

/* kbd_leds(): the data byte of the keyboard's "set LEDs" command 0xED. */
#define KBD_LED_SCROLL_LOCK	0x01
#define KBD_LED_NUM_LOCK	0x02
#define KBD_LED_CAPS_LOCK	0x04

struct kbd_event {
	uint16_t key;		/* enum kbd_key, what the key means: with Num Lock
				 * off the keypad digits are HOME, UP, ... */
	uint16_t phys;		/* enum kbd_key, the physical key */
	uint16_t mods;		/* KBD_MOD_*, after this event */
	bool pressed;		/* false: released */
	bool repeat;		/* pressed again while held (typematic repeat) */
	bool leds_changed;	/* a lock toggled: send kbd_leds() to the keyboard */
	uint32_t ch;		/* Unicode character typed, 0 if none */
};

/*
 * One keyboard layout: the characters of each typing key on four levels.
 * Levels a layout leaves at 0 fall back to the level without AltGr.
 */
struct kbd_keysyms {
	uint16_t plain, shift, altgr, shift_altgr;	/* BMP code points */
};

struct kbd_layout {
	const char *name;		/* what kbd_set_layout() takes: "de" */
	const char *description;	/* for listings: "German (QWERTZ), 105 keys" */
	uint16_t kp_decimal;		/* keypad decimal key with Num Lock on */
	struct kbd_keysyms keys[KBD_LAYOUT_KEYS];	/* by enum kbd_key */
};

/* Decoder state. Fields are private to kbd.c; set up with kbd_init(). */
struct kbd {
	const struct kbd_layout *layout;
	uint8_t set;		/* scancode set, 1 or 2 */
	uint8_t prefix;		/* prefix bytes seen of the code in progress */
	uint8_t pause_seq;	/* Pause sequence being matched, 0 = not chosen yet */
	uint8_t pause_pos;	/* bytes of it matched so far */
	uint16_t mods;		/* KBD_MOD_* */
	uint16_t kp_nav;	/* keypad keys held as navigation keys, by KP_0 + bit */
	uint8_t down[(KBD_KEY_COUNT + 7) / 8];	/* keys held, by enum kbd_key */
};

/*
 * Reset k: no keys held, locks off (as the keyboard's LEDs after its
 * self-test), layout by name (NULL means "us"). Returns 0, -E_INVAL if
 * scancode_set is not 1 or 2 (k then decodes set 1) or -E_NOENT for an
 * unknown layout (k then uses "us"); k is usable either way.
 */
int kbd_init(struct kbd *k, int scancode_set, const char *layout);

/*
 * Decode one byte from the keyboard. Returns true and fills *ev when the
 * byte completes a key event; false for prefixes, controller replies (ack,
 * resend, self-test, errors) and codes of unknown keys. Any byte sequence is
 * accepted: a byte that cannot continue a sequence ends it.
 */
bool kbd_feed(struct kbd *k, uint8_t byte, struct kbd_event *ev);

/*
 * Apply a press or release of the physical key phys that a keyboard
 * reported by key rather than by scancode (USB HID): the same key state,
 * modifiers, locks and layout as kbd_feed. A press of a key already down is
 * a repeat. False (nothing changes) for KBD_KEY_NONE or an unknown key.
 */
bool kbd_feed_key(struct kbd *k, uint16_t phys, bool pressed, struct kbd_event *ev);

/* Forget held keys, modifiers and any partial sequence, e.g. after the
 * driver resets the keyboard. Locks and layout stay. */
void kbd_forget_keys(struct kbd *k);

/* The KBD_LED_* byte the keyboard should show for the current locks. */
uint8_t kbd_leds(const struct kbd *k);

/* Switch layout by name. Returns 0, -E_INVAL for NULL or -E_NOENT for an
 * unknown name; on error the layout is unchanged. */
int kbd_set_layout(struct kbd *k, const char *name);

/* The name of the active layout ("us"). */
const char *kbd_layout_name(const struct kbd *k);

/* The built-in layouts, for listings: index 0, 1, ... until NULL. */
const struct kbd_layout *kbd_layout_at(size_t index);

/* The built-in layout called name, or NULL. */
const struct kbd_layout *kbd_layout_find(const char *name);

/* A short English name of a key ("PageUp", "KP7"), NULL if out of range. */
const char *kbd_key_name(uint16_t key);

#endif
