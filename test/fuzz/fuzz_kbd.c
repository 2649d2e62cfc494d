/*
 * Fuzz target: the PS/2 scancode decoder (kernel/input/kbd.c), sets 1 and 2,
 * every built-in layout. A shadow model here tracks which physical keys are
 * held and the lock state from the events alone, and every event must agree
 * with it: repeat exactly when the key was already held, modifier bits equal
 * to the modifier keys held, a lock toggled (and leds_changed set) only on
 * its first press, kbd_leds() matching the locks, no character on release,
 * characters that are scalar values, known keys only. kbd_forget_keys in the
 * middle of the stream, and set 2's self-test byte 0xAA (the keyboard was
 * reset), must drop held keys and keep the locks.
 */
#include <stdbool.h>
#include <string.h>

#include "kernel/input/kbd.h"
#include "lib/utf8.h"
#include "test/fuzz/fuzz.h"

struct model {
	bool down[KBD_KEY_COUNT];
	uint16_t locks;
};

static const struct { uint16_t key, bit; } modifier[] = {
	{ KBD_KEY_LSHIFT, KBD_MOD_LSHIFT }, { KBD_KEY_RSHIFT, KBD_MOD_RSHIFT },
	{ KBD_KEY_LCTRL, KBD_MOD_LCTRL }, { KBD_KEY_RCTRL, KBD_MOD_RCTRL },
	{ KBD_KEY_LALT, KBD_MOD_LALT }, { KBD_KEY_RALT, KBD_MOD_ALTGR },
	{ KBD_KEY_LGUI, KBD_MOD_LGUI }, { KBD_KEY_RGUI, KBD_MOD_RGUI },
	{ KBD_KEY_CAPS_LOCK, KBD_MOD_CAPS_LOCK }, { KBD_KEY_NUM_LOCK, KBD_MOD_NUM_LOCK },
	{ KBD_KEY_SCROLL_LOCK, KBD_MOD_SCROLL_LOCK },
};
#define N_HELD_MODS 8   /* the first eight are held modifiers, the rest locks */

static uint16_t model_mods(const struct model *m)
{
	uint16_t mods = m->locks;

	for (int i = 0; i < N_HELD_MODS; i++)
		if (m->down[modifier[i].key])
			mods |= modifier[i].bit;
	return mods;
}

static uint16_t lock_bit(uint16_t key)
{
	for (size_t i = N_HELD_MODS; i < sizeof(modifier) / sizeof(modifier[0]); i++)
		if (modifier[i].key == key)
			return modifier[i].bit;
	return 0;
}

static void check_event(struct model *m, const struct kbd *k, const struct kbd_event *e)
{
	bool was_down;
	uint16_t lock;

	FUZZ_CHECK(e->phys != KBD_KEY_NONE && e->phys < KBD_KEY_COUNT);
	FUZZ_CHECK(e->key != KBD_KEY_NONE && e->key < KBD_KEY_COUNT);
	was_down = m->down[e->phys];
	FUZZ_CHECK(e->repeat == (e->pressed && was_down));
	lock = lock_bit(e->phys);
	FUZZ_CHECK(e->leds_changed == (lock && e->pressed && !was_down));
	if (e->leds_changed)
		m->locks ^= lock;
	m->down[e->phys] = e->pressed;
	FUZZ_CHECK(e->mods == model_mods(m));
	FUZZ_CHECK(e->pressed || e->ch == 0);
	FUZZ_CHECK(e->ch <= UTF8_MAX_CP && !(e->ch >= 0xd800 && e->ch <= 0xdfff));
	FUZZ_CHECK(kbd_leds(k) == (((m->locks & KBD_MOD_CAPS_LOCK) ? KBD_LED_CAPS_LOCK : 0) |
				   ((m->locks & KBD_MOD_NUM_LOCK) ? KBD_LED_NUM_LOCK : 0) |
				   ((m->locks & KBD_MOD_SCROLL_LOCK) ? KBD_LED_SCROLL_LOCK : 0)));
}

static size_t layout_count(void)
{
	size_t n = 0;

	while (kbd_layout_at(n))
		n++;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t conf = fuzz_u8(&in);
	const struct kbd_layout *layout = kbd_layout_at((conf >> 1 & 0x3f) % layout_count());
	struct model m;
	struct kbd k;
	struct kbd_event ev;
	size_t forget_at = (conf & 0x80) ? in.left / 2 : SIZE_MAX;

	FUZZ_CHECK(kbd_init(&k, (conf & 1) + 1, layout->name) == 0);
	FUZZ_CHECK(!strcmp(kbd_layout_name(&k), layout->name));
	memset(&m, 0, sizeof(m));
	for (size_t i = 0; in.left; i++) {
		if (i == forget_at) {
			kbd_forget_keys(&k);
			memset(m.down, 0, sizeof(m.down));
		}
		uint8_t byte = fuzz_u8(&in);

		memset(&ev, 0xa5, sizeof(ev));
		if (kbd_feed(&k, byte, &ev))
			check_event(&m, &k, &ev);
		else if ((conf & 1) && byte == 0xaa)    /* set 2 self-test passed: a reset */
			memset(m.down, 0, sizeof(m.down));
	}
	return 0;
}
