/*
 * USB HID boot keyboards: the class driver between the xHCI driver and the
 * input stream. Each keyboard's reports go through its own struct hid_kbd
 * (hid_kbd.h) and come out as key presses and releases on input's key
 * ring (input_push_key), where the same decoder as PS/2 applies layouts,
 * modifiers and locks. Keys repeat in software (USB keyboards do not):
 * after USB_KBD_REPEAT_DELAY_MS held, every USB_KBD_REPEAT_MS. Lock LEDs
 * follow the decoder's state on every keyboard (SET_REPORT through the
 * set_leds callback the host controller driver gives).
 *
 * Context: everything from the "usb" task, except usb_kbd_work_due, which
 * the timer tick calls (interrupt context, reads only) to decide whether
 * to wake that task.
 */
#ifndef EMBER_KERNEL_USB_KBD_H
#define EMBER_KERNEL_USB_KBD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USB_KBD_MAX               8
#define USB_KBD_REPEAT_DELAY_MS   500
#define USB_KBD_REPEAT_MS         33

struct usb_kbd;

/* Sends the HID LED byte to the keyboard dev: 0 or a negative E_* code. */
typedef int usb_kbd_leds_fn(void *dev, uint8_t hid_leds);

/* A keyboard arrived: its slot, or NULL when USB_KBD_MAX are in use. */
struct usb_kbd *usb_kbd_attach(void *dev, usb_kbd_leds_fn *set_leds, const char *name);

/* One interrupt-IN report of len bytes, seen at TSC stamp (0: now). */
void usb_kbd_report(struct usb_kbd *k, const uint8_t *report, size_t len, uint64_t stamp);

/* The keyboard left (or was disabled): whatever it held is released. */
void usb_kbd_detach(struct usb_kbd *k);

/* Repeats that are due and LED updates; the usb task calls it on every poll. */
void usb_kbd_service(void);

/* Whether usb_kbd_service has something to do now. Any context. */
bool usb_kbd_work_due(void);

unsigned usb_kbd_count(void);

#endif
