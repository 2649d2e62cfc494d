/*
 * USB HID boot keyboards: turns each 8-byte boot-protocol input report
 * (HID 1.11, appendix B.1: modifier bits, a reserved byte, six key usages)
 * into the key presses and releases it means against the previous report,
 * as enum kbd_key codes the keyboard decoder applies (kbd_feed_key), so a
 * USB keyboard types exactly like a PS/2 one.
 *
 * Rules: releases come before presses; a report in the "phantom state"
 * (too many keys: usages 01-03, HID Usage Tables section 10) changes
 * modifiers only and keeps the keys held; duplicate usages count once;
 * usages without a key on the 105-key board are ignored; a report shorter
 * than 3 bytes is ignored. Pure logic on caller memory; any context, one
 * struct hid_kbd per keyboard.
 */
#ifndef EMBER_KERNEL_HID_KBD_H
#define EMBER_KERNEL_HID_KBD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HID_KBD_REPORT      8
#define HID_KBD_KEYS        6
#define HID_KBD_MAX_CHANGES (8 + 2 * HID_KBD_KEYS)  /* every modifier and key */

/* SET_REPORT output report bits (HID 1.11, appendix B.1). */
#define HID_LED_NUM_LOCK    0x01
#define HID_LED_CAPS_LOCK   0x02
#define HID_LED_SCROLL_LOCK 0x04

struct hid_kbd {
	uint8_t mods;                 /* modifier byte of the last report */
	uint8_t keys[HID_KBD_KEYS];   /* usages held, 0 = empty slot */
};

struct hid_key_change {
	uint16_t key;                 /* enum kbd_key, the physical key */
	bool pressed;
};

void hid_kbd_init(struct hid_kbd *h);

/*
 * Compares report[0..len) with the last one; writes the changes to
 * out[0..HID_KBD_MAX_CHANGES) and returns how many.
 */
size_t hid_kbd_report(struct hid_kbd *h, const uint8_t *report, size_t len,
		      struct hid_key_change *out);

/* Releases for every key and modifier held (the keyboard went away). */
size_t hid_kbd_release_all(struct hid_kbd *h, struct hid_key_change *out);

/* The HID LED byte for a KBD_LED_* byte from kbd_leds(). */
uint8_t hid_kbd_leds(uint8_t kbd_leds);

/* enum kbd_key of a keyboard-page usage, KBD_KEY_NONE if none. */
uint16_t hid_kbd_usage_key(uint8_t usage);

#endif
