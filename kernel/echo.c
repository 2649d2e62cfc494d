/*
 * The echo loop (see echo.h). It remembers how many cells each item of the
 * current line took, so Backspace can take back a whole <Name>.
 */
#include "kernel/arch.h"
#include "kernel/echo.h"
#include "kernel/input.h"
#include "kernel/kprintf.h"
#include "lib/utf8.h"

#define ECHO_LINE_ITEMS 256      /* items Backspace can take back */
#define ECHO_TAB_WIDTH  8

static uint8_t widths[ECHO_LINE_ITEMS];
static unsigned items, column;

static void remember(unsigned width)
{
	if (items < ECHO_LINE_ITEMS)
		widths[items++] = (uint8_t)width;
	column += width;
}

static void erase_last(void)
{
	unsigned w;

	if (!items)
		return;
	w = widths[--items];
	column -= w;
	while (w--)
		kprintf("\b \b");
}

static bool is_modifier_or_lock(uint16_t key)
{
	switch (key) {
	case KBD_KEY_LSHIFT: case KBD_KEY_RSHIFT: case KBD_KEY_LCTRL: case KBD_KEY_RCTRL:
	case KBD_KEY_LALT: case KBD_KEY_RALT: case KBD_KEY_LGUI: case KBD_KEY_RGUI:
	case KBD_KEY_CAPS_LOCK: case KBD_KEY_NUM_LOCK: case KBD_KEY_SCROLL_LOCK:
		return true;
	default:
		return false;
	}
}

static void echo_char(uint32_t ch)
{
	char buf[4];
	size_t len;

	if (ch == '\t') {
		unsigned n = ECHO_TAB_WIDTH - column % ECHO_TAB_WIDTH;

		kprintf("%*s", (int)n, "");
		remember(n);
	} else if (ch < 0x20 || ch == 0x7f) {
		kprintf("^%c", (char)(ch ^ 0x40));   /* 0x03 -> ^C, 0x7f -> ^? */
		remember(2);
	} else if ((len = utf8_encode(ch, buf))) {
		kprintf("%.*s", (int)len, buf);
		remember(1);
	}
}

static void echo_event(const struct kbd_event *ev)
{
	const char *name;
	int n;

	if (!ev->pressed || is_modifier_or_lock(ev->key))
		return;
	if (ev->ch == '\b') {
		erase_last();
	} else if (ev->ch == '\n') {
		kprintf("\n");
		items = column = 0;
	} else if (ev->ch && ev->ch != 0x1b) {
		echo_char(ev->ch);
	} else if ((name = kbd_key_name(ev->key)) && ev->key != KBD_KEY_NONE) {
		n = kprintf("<%s>", name);
		remember(n > 0 ? (unsigned)n : 0);
	}
}

void echo_loop(void)
{
	struct kbd_event ev;

	kprintf("Nothing more to do yet: echoing what you type (keyboard or serial).\n");
	for (;;) {
		while (input_next(&ev))
			echo_event(&ev);
		arch_irq_save();                        /* off: nothing may slip in */
		if (!input_pending())
			arch_irq_enable_and_wait();     /* sti; hlt: no lost wake-up */
		arch_irq_enable();
	}
}
