/*
 * Fuzz target: the ANSI/xterm input decoder (kernel/input/ansi_in.c). Any
 * byte stream gives at most ANSI_IN_MAX_EVENTS events per byte, each a press
 * (no repeat, no LED change) with phys == key, a known key, a scalar value
 * for a character and only the modifiers serial input can carry. Letters and
 * digits typed without modifiers carry the key of their US position. After
 * ansi_in_flush nothing is pending. Text without control bytes must come out
 * as exactly the code points the UTF-8 decoder gives for it, C1 controls
 * dropped (a differential check against lib/utf8.c, itself fuzzed against a
 * reference).
 */
#include <stdbool.h>
#include <string.h>

#include "kernel/input/ansi_in.h"
#include "lib/utf8.h"
#include "test/fuzz/fuzz.h"

#define SERIAL_MODS (KBD_MOD_LSHIFT | KBD_MOD_LALT | KBD_MOD_LCTRL | KBD_MOD_LGUI)

static void check_event(const struct kbd_event *e)
{
	FUZZ_CHECK(e->pressed && !e->repeat && !e->leds_changed);
	FUZZ_CHECK(e->key == e->phys && e->key < KBD_KEY_COUNT);
	FUZZ_CHECK((e->mods & ~SERIAL_MODS) == 0);
	FUZZ_CHECK(e->ch <= UTF8_MAX_CP && !(e->ch >= 0xd800 && e->ch <= 0xdfff));
	if (e->mods == 0 && ((e->ch >= 'a' && e->ch <= 'z') || (e->ch >= 'A' && e->ch <= 'Z')))
		FUZZ_CHECK(e->key >= KBD_KEY_Q && e->key <= KBD_KEY_M && e->key != KBD_KEY_102ND);
	if (e->mods == 0 && e->ch == '0')
		FUZZ_CHECK(e->key == KBD_KEY_0);
	if (e->mods == 0 && e->ch >= '1' && e->ch <= '9')
		FUZZ_CHECK(e->key == KBD_KEY_1 + (e->ch - '1'));
	if (e->mods == 0 && e->ch == ' ')
		FUZZ_CHECK(e->key == KBD_KEY_SPACE);
}

/* Every byte through the decoder; returns the characters of the events. */
static size_t decode(const uint8_t *d, size_t n, uint32_t *chars)
{
	struct kbd_event ev[ANSI_IN_MAX_EVENTS + 1];
	struct ansi_in a;
	size_t count = 0;

	ansi_in_init(&a);
	for (size_t i = 0; i < n; i++) {
		size_t k = ansi_in_feed(&a, d[i], ev);

		FUZZ_CHECK(k <= ANSI_IN_MAX_EVENTS);
		for (size_t j = 0; j < k; j++) {
			check_event(&ev[j]);
			chars[count++] = ev[j].ch;
		}
	}
	if (ansi_in_flush(&a, ev) == 1) {
		FUZZ_CHECK(ev[0].key == KBD_KEY_ESCAPE && ev[0].ch == 0x1b);
		chars[count++] = ev[0].ch;
	}
	FUZZ_CHECK(!ansi_in_pending(&a));
	FUZZ_CHECK(ansi_in_flush(&a, ev) == 0);
	return count;
}

/* What the UTF-8 decoder makes of text, C1 controls dropped. */
static size_t text_reference(const uint8_t *d, size_t n, uint32_t *cps)
{
	struct utf8_decoder u;
	size_t count = 0;

	utf8_decoder_init(&u);
	for (size_t i = 0; i < n; i++) {
		uint32_t two[2];
		size_t k = utf8_feed(&u, d[i], two);

		for (size_t j = 0; j < k; j++)
			if (two[j] < 0x80 || two[j] >= 0xa0)
				cps[count++] = two[j];
	}
	return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t *got = malloc((2 * size + 2) * sizeof(uint32_t));
	uint32_t *want = malloc((2 * size + 2) * sizeof(uint32_t));
	uint8_t *text = malloc(size + 1);
	size_t n = 0, a, b;

	decode(data, size, got);
	for (size_t i = 0; i < size; i++)
		if (data[i] >= 0x20 && data[i] != 0x7f)
			text[n++] = data[i];
	a = decode(text, n, got);
	b = text_reference(text, n, want);
	FUZZ_CHECK(a == b && !memcmp(got, want, a * sizeof(uint32_t)));
	free(text);
	free(want);
	free(got);
	return 0;
}
