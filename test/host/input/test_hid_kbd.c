/*
 * Host tests for HID boot-keyboard report translation (hid_kbd.h), fed
 * through the keyboard decoder the way input.c does: typing with Shift,
 * a key held across reports, modifiers alone, six-key rollover, the
 * phantom state, duplicates, short reports, release-all, LED bits, and
 * random reports that must keep the key state consistent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/input/hid_kbd.h"
#include "kernel/input/kbd.h"

static struct hid_kbd h;
static struct kbd k;
static struct hid_key_change ch[HID_KBD_MAX_CHANGES];

static int setup(void **state)
{
	hid_kbd_init(&h);
	kbd_init(&k, 1, "us");
	return 0;
}

static size_t rep(uint8_t mods, uint8_t a, uint8_t b, uint8_t c)
{
	uint8_t r[8] = { mods, 0, a, b, c, 0, 0, 0 };

	return hid_kbd_report(&h, r, sizeof(r), ch);
}

/* The characters the decoder types for the last n changes. */
static void typed(size_t n, char *out)
{
	struct kbd_event ev;
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		if (kbd_feed_key(&k, ch[i].key, ch[i].pressed, &ev) && ev.pressed && ev.ch)
			out[len++] = (char)ev.ch;
	out[len] = 0;
}

static void shift_and_letters_type_like_ps2(void **state)
{
	char s[32];

	assert_int_equal(rep(0x02, 0x0b, 0, 0), 2);      /* LShift + h */
	assert_int_equal(ch[0].key, KBD_KEY_LSHIFT);      /* modifier first */
	assert_true(ch[0].pressed);
	typed(2, s);
	assert_string_equal(s, "H");
	assert_int_equal(rep(0, 0, 0, 0), 2);             /* both released */
	typed(2, s);
	assert_int_equal(rep(0, 0x08, 0, 0), 1);          /* e */
	typed(1, s);
	assert_string_equal(s, "e");
}

static void a_key_held_across_reports_gives_one_press(void **state)
{
	assert_int_equal(rep(0, 0x04, 0, 0), 1);
	assert_int_equal(rep(0, 0x04, 0, 0), 0);
	assert_int_equal(rep(0, 0x04, 0x05, 0), 1);       /* b joins, a still held */
	assert_int_equal(ch[0].key, KBD_KEY_B);
	assert_int_equal(rep(0, 0x05, 0, 0), 1);          /* a released, slot moved */
	assert_int_equal(ch[0].key, KBD_KEY_A);
	assert_false(ch[0].pressed);
}

static void modifiers_alone_change_only_modifiers(void **state)
{
	struct kbd_event ev;

	assert_int_equal(rep(0x11, 0, 0, 0), 2);          /* LCtrl + RCtrl */
	assert_int_equal(ch[0].key, KBD_KEY_LCTRL);
	assert_int_equal(ch[1].key, KBD_KEY_RCTRL);
	for (int i = 0; i < 2; i++)
		kbd_feed_key(&k, ch[i].key, ch[i].pressed, &ev);
	assert_int_equal(ev.mods & KBD_MOD_CTRL, KBD_MOD_CTRL);
	assert_int_equal(rep(0x40, 0, 0, 0), 3);          /* both off, AltGr on */
	assert_false(ch[0].pressed);
	assert_false(ch[1].pressed);
	assert_int_equal(ch[2].key, KBD_KEY_RALT);
	assert_true(ch[2].pressed);
}

static void the_phantom_state_keeps_keys_and_takes_modifiers(void **state)
{
	uint8_t phantom[8] = { 0x02, 0, 1, 1, 1, 1, 1, 1 };

	rep(0, 0x04, 0x05, 0);
	assert_int_equal(hid_kbd_report(&h, phantom, 8, ch), 1);   /* only Shift */
	assert_int_equal(ch[0].key, KBD_KEY_LSHIFT);
	assert_int_equal(rep(0x02, 0x04, 0x05, 0), 0);   /* back from phantom: no change */
	assert_int_equal(rep(0, 0, 0, 0), 3);
}

static void six_keys_roll_over_and_duplicates_count_once(void **state)
{
	uint8_t six[8] = { 0, 0, 4, 5, 6, 7, 8, 9 };
	uint8_t dup[8] = { 0, 0, 4, 4, 4, 0, 0, 0 };

	assert_int_equal(hid_kbd_report(&h, six, 8, ch), 6);
	assert_int_equal(hid_kbd_report(&h, dup, 8, ch), 5);
	for (int i = 0; i < 5; i++)
		assert_false(ch[i].pressed);
}

static void short_reports_and_unknown_usages_are_harmless(void **state)
{
	uint8_t r[3] = { 0, 0, 0x04 };
	uint8_t odd[8] = { 0, 0, 0xe0, 0x99, 0x66, 0xff, 0, 0 };

	assert_int_equal(hid_kbd_report(&h, r, 2, ch), 0);
	assert_int_equal(hid_kbd_report(&h, r, 3, ch), 1);
	assert_int_equal(hid_kbd_report(&h, odd, 8, ch), 1);   /* only a's release */
	assert_int_equal(hid_kbd_report(&h, NULL, 8, ch), 0);
}

static void release_all_releases_everything_held(void **state)
{
	rep(0x22, 0x04, 0x2c, 0);
	assert_int_equal(hid_kbd_release_all(&h, ch), 4);
	for (int i = 0; i < 4; i++)
		assert_false(ch[i].pressed);
	assert_int_equal(hid_kbd_release_all(&h, ch), 0);
}

static void lock_leds_map_to_hid_bits(void **state)
{
	assert_int_equal(hid_kbd_leds(KBD_LED_CAPS_LOCK), HID_LED_CAPS_LOCK);
	assert_int_equal(hid_kbd_leds(KBD_LED_NUM_LOCK | KBD_LED_SCROLL_LOCK),
			 HID_LED_NUM_LOCK | HID_LED_SCROLL_LOCK);
	assert_int_equal(hid_kbd_usage_key(0x39), KBD_KEY_CAPS_LOCK);
	assert_int_equal(hid_kbd_usage_key(0x64), KBD_KEY_102ND);
}

/* Presses and releases alternate per key: the state stays a set. */
static void random_reports_keep_presses_and_releases_paired(void **state)
{
	static int down[KBD_KEY_COUNT];
	uint8_t r[8];

	srand(7);
	for (int i = 0; i < 100000; i++) {
		size_t len = (size_t)rand() % 9, n;

		for (size_t j = 0; j < 8; j++)
			r[j] = (uint8_t)(rand() % 4 ? rand() % 0x70 : rand());
		n = hid_kbd_report(&h, r, len, ch);
		assert_true(n <= HID_KBD_MAX_CHANGES);
		for (size_t j = 0; j < n; j++) {
			assert_true(ch[j].key > 0 && ch[j].key < KBD_KEY_COUNT);
			assert_int_equal(down[ch[j].key], ch[j].pressed ? 0 : 1);
			down[ch[j].key] = ch[j].pressed;
		}
	}
	hid_kbd_release_all(&h, ch);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(shift_and_letters_type_like_ps2, setup),
		cmocka_unit_test_setup(a_key_held_across_reports_gives_one_press, setup),
		cmocka_unit_test_setup(modifiers_alone_change_only_modifiers, setup),
		cmocka_unit_test_setup(the_phantom_state_keeps_keys_and_takes_modifiers, setup),
		cmocka_unit_test_setup(six_keys_roll_over_and_duplicates_count_once, setup),
		cmocka_unit_test_setup(short_reports_and_unknown_usages_are_harmless, setup),
		cmocka_unit_test_setup(release_all_releases_everything_held, setup),
		cmocka_unit_test_setup(lock_leds_map_to_hid_bits, setup),
		cmocka_unit_test_setup(random_reports_keep_presses_and_releases_paired, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
