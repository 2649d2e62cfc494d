/*
 * Input: key events from the PS/2 keyboard, USB keyboards and a terminal on
 * COM1, merged into one stream of struct kbd_event.
 *
 * Two interrupt handlers feed two byte rings (keyboard scancodes, serial
 * bytes); everything else happens here, in the main flow: scancodes go
 * through the keyboard decoder (kernel/input/kbd.h), serial bytes through the
 * terminal decoder (kernel/input/ansi_in.h). When a lock key toggles, the new LED
 * state is sent to the keyboard. Ctrl+Alt+F1..F12 switch to the keyboard
 * layout number 1..12 of kbd_layout_at (F1 us, F2 uk, F3 de, F4 fr,
 * F5 dvorak, F6 colemak); the command line picks the first one: kbd=de.
 *
 * Context: input_init once in kernel_main, interrupts off, after the
 * interrupt controller and the clock. input_next and input_pending: the main
 * flow only (one consumer per ring); input_pending may be called with
 * interrupts disabled, which is how a caller checks for work before it halts.
 */
#ifndef EMBER_KERNEL_INPUT_H
#define EMBER_KERNEL_INPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/boot_info.h"
#include "kernel/input/kbd.h"
#include "kernel/async/task.h"

#define INPUT_KBD_RING      64     /* scancode bytes: ~20 keystrokes */
#define INPUT_KEY_RING      64     /* key changes from USB keyboards */
#define INPUT_SERIAL_RING   256    /* serial bytes: a pasted line */
#define INPUT_ESC_TIMEOUT_NS 50000000ull /* a lone ESC is the Escape key after 50 ms */

struct input_stats {
	bool keyboard;               /* a PS/2 keyboard answered at start-up */
	int scancode_set;            /* what its decoder is told: 1 or 2 */
	uint32_t kbd_waiting, kbd_drops;       /* scancode ring */
	uint32_t serial_waiting, serial_drops; /* serial ring */
	uint32_t led_errors;         /* LED updates the keyboard did not take */
};

/*
 * Bring up the keyboard and serial receive, and the decoders (layout from
 * kbd= on the command line). Returns 0; a missing keyboard is not an error
 * (the serial line still works) but is said on the log.
 */
int input_init(const struct boot_info *bi);

/* The next key event, press or release, from either source; false if none. */
bool input_next(struct kbd_event *ev);

/* True when input_next has something to return now. */
bool input_pending(void);

/* Switch the keyboard layout: 0, -E_NOENT or -E_INVAL (see kbd_set_layout). */
int input_set_layout(const char *name);
const char *input_layout(void);

void input_get_stats(struct input_stats *out);

/*
 * Keyboards that report keys rather than scancodes (USB HID, see
 * kernel/drivers/usb_kbd.h). input_push_key: a press or release of the
 * physical key (enum kbd_key) joins the stream through the same decoder
 * state as PS/2 (a press of a key held is a repeat); from one producer
 * task or handler; it notifies like input_irq_notify, with stamp (the TSC
 * when the device's interrupt or poll saw the key; 0: now) as the time. input_add_led_hook:
 * fn(KBD_LED_* byte) runs now and whenever a lock toggles, in the consumer
 * task; 0 or -E_NOSPC (two hooks).
 */
void input_push_key(uint16_t key, bool pressed, uint64_t stamp);
int input_add_led_hook(void (*fn)(uint8_t leds));

/*
 * The input stream for tasks (the blog's ScancodeStream + AtomicWaker).
 * input_set_waker: the atomic waker the device interrupt handlers wake
 * after each byte they push (NULL: none). input_irq_notify: the notification
 * input_init hands the PS/2 and serial drivers, which call it from their
 * interrupt handlers after each push, interrupt context; it also stamps the TSC (input_last_irq_tsc,
 * for the latency benchmark). input_next_poll: a future ready with the next
 * key event; it registers cx's waker, then looks, so no byte is missed.
 * One consumer task.
 */
void input_set_waker(struct atomic_waker *aw);
void input_irq_notify(void);
uint64_t input_last_irq_tsc(void);
enum task_poll input_next_poll(struct kbd_event *ev, struct task_cx *cx);

#endif
