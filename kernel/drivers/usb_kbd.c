/*
 * USB HID boot keyboards (see usb_kbd.h): reports to key changes, software
 * key repeat and lock LEDs. The usb task, except usb_kbd_work_due.
 */
#include "kernel/drivers/usb_kbd.h"
#include "kernel/input/hid_kbd.h"
#include "kernel/input/input.h"
#include "kernel/kprintf.h"
#include "kernel/time/clock.h"

#define MS 1000000ull

struct usb_kbd {
	bool used;
	void *dev;
	usb_kbd_leds_fn *set_leds;
	const char *name;
	struct hid_kbd hid;
	uint8_t leds_sent;        /* HID LED byte last sent, 0xff: none yet */
	uint16_t repeat_key;      /* the last key pressed while held, 0 if none */
	uint64_t repeat_at_ns;
};

static struct usb_kbd kbds[USB_KBD_MAX];
static volatile uint8_t leds_wanted;     /* HID LED byte every keyboard should show */
static volatile uint64_t next_repeat_ns; /* earliest repeat due, 0: none */

static bool is_modifier(uint16_t key)
{
	return (key >= KBD_KEY_LSHIFT && key <= KBD_KEY_RGUI) || key == KBD_KEY_CAPS_LOCK ||
	       key == KBD_KEY_NUM_LOCK || key == KBD_KEY_SCROLL_LOCK;
}

static void update_next_repeat(void)
{
	uint64_t next = 0;

	for (unsigned i = 0; i < USB_KBD_MAX; i++)
		if (kbds[i].used && kbds[i].repeat_key &&
		    (!next || kbds[i].repeat_at_ns < next))
			next = kbds[i].repeat_at_ns;
	next_repeat_ns = next;
}

/* The decoder's lock state changed (input.c's LED hook). */
static void leds_changed(uint8_t kbd_leds)
{
	leds_wanted = hid_kbd_leds(kbd_leds);
}

struct usb_kbd *usb_kbd_attach(void *dev, usb_kbd_leds_fn *set_leds, const char *name)
{
	static bool hooked;

	if (!hooked) {
		input_add_led_hook(leds_changed);
		hooked = true;
	}
	for (unsigned i = 0; i < USB_KBD_MAX; i++) {
		struct usb_kbd *k = &kbds[i];

		if (k->used)
			continue;
		*k = (struct usb_kbd){ .used = true, .dev = dev, .set_leds = set_leds,
				       .name = name, .leds_sent = 0xff };
		hid_kbd_init(&k->hid);
		return k;
	}
	return NULL;
}

static void apply(struct usb_kbd *k, const struct hid_key_change *ch, size_t n,
		  uint64_t stamp)
{
	for (size_t i = 0; i < n; i++) {
		input_push_key(ch[i].key, ch[i].pressed, stamp);
		if (ch[i].pressed && !is_modifier(ch[i].key)) {
			k->repeat_key = ch[i].key;
			k->repeat_at_ns = clock_ns() + USB_KBD_REPEAT_DELAY_MS * MS;
		} else if (!ch[i].pressed && ch[i].key == k->repeat_key) {
			k->repeat_key = 0;
		}
	}
	update_next_repeat();
}

void usb_kbd_report(struct usb_kbd *k, const uint8_t *report, size_t len, uint64_t stamp)
{
	struct hid_key_change ch[HID_KBD_MAX_CHANGES];

	apply(k, ch, hid_kbd_report(&k->hid, report, len, ch), stamp);
}

void usb_kbd_detach(struct usb_kbd *k)
{
	struct hid_key_change ch[HID_KBD_MAX_CHANGES];

	if (!k || !k->used)
		return;
	apply(k, ch, hid_kbd_release_all(&k->hid, ch), 0);
	k->used = false;
	update_next_repeat();
}

static void service_one(struct usb_kbd *k, uint64_t now)
{
	uint8_t want = leds_wanted;

	if (k->repeat_key && now >= k->repeat_at_ns) {
		input_push_key(k->repeat_key, true, 0);   /* pressed while down: a repeat */
		k->repeat_at_ns = now + USB_KBD_REPEAT_MS * MS;
	}
	if (k->leds_sent != want) {
		k->leds_sent = want;
		if (k->set_leds(k->dev, want) < 0)
			kprintf("usb: %s: SET_REPORT (LEDs) failed\n", k->name);
	}
}

void usb_kbd_service(void)
{
	uint64_t now = clock_ns();

	for (unsigned i = 0; i < USB_KBD_MAX; i++)
		if (kbds[i].used)
			service_one(&kbds[i], now);
	update_next_repeat();
}

bool usb_kbd_work_due(void)
{
	uint64_t next = next_repeat_ns;

	if (next && clock_ns() >= next)
		return true;
	for (unsigned i = 0; i < USB_KBD_MAX; i++)
		if (kbds[i].used && kbds[i].leds_sent != leds_wanted)
			return true;
	return false;
}

unsigned usb_kbd_count(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < USB_KBD_MAX; i++)
		n += kbds[i].used;
	return n;
}
