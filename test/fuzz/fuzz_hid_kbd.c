/*
 * libFuzzer target for HID report translation (hid_kbd.h): the input is a
 * stream of reports, each a length byte (0..8) then its bytes. Invariants:
 * at most HID_KBD_MAX_CHANGES changes per report, every change names a
 * real key, presses and releases of a key alternate, and release-all
 * leaves nothing held.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/input/hid_kbd.h"
#include "kernel/input/kbd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void apply(bool down[KBD_KEY_COUNT], const struct hid_key_change *ch, size_t n)
{
	if (n > HID_KBD_MAX_CHANGES)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (!ch[i].key || ch[i].key >= KBD_KEY_COUNT || down[ch[i].key] == ch[i].pressed)
			abort();
		down[ch[i].key] = ch[i].pressed;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hid_key_change ch[HID_KBD_MAX_CHANGES];
	bool down[KBD_KEY_COUNT] = { 0 };
	struct hid_kbd h;
	size_t pos = 0;

	hid_kbd_init(&h);
	while (pos < size) {
		size_t len = data[pos++] % 9;
		uint8_t *r;

		if (len > size - pos)
			len = size - pos;
		r = malloc(len ? len : 1);
		memcpy(r, data + pos, len);
		apply(down, ch, hid_kbd_report(&h, r, len, ch));
		free(r);
		pos += len;
	}
	apply(down, ch, hid_kbd_release_all(&h, ch));
	for (unsigned k = 0; k < KBD_KEY_COUNT; k++)
		if (down[k])
			abort();
	return 0;
}
