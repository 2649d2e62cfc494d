/*
 * The 8042 PS/2 controller and the keyboard on its first port.
 *
 * ps2_init brings both up in polled mode with interrupts off, every wait
 * bounded in time: ports disabled, output buffer flushed, port IRQs and
 * translation off in the configuration byte, controller self-test (0xAA ->
 * 0x55), port 1 interface test, port 1 enabled, keyboard reset (0xFF -> ACK,
 * then 0xAA), scancode set 2 selected (F0 02) and read back, scanning on,
 * LEDs off; then the IRQ 1 handler is installed and the port's IRQ enabled.
 * Without translation the keyboard's set 2 codes arrive unchanged; should a
 * controller keep translating anyway, the read-back shows it (0x41) and
 * ps2_init reports set 1, which is what the decoder must then be told.
 *
 * From then on IRQ 1 reads each byte from the data port and pushes it into
 * the caller's ring; nothing else happens in interrupt context. Commands
 * that need the keyboard's answer (LEDs) run in the main flow with IRQ 1
 * masked, polled, and hand any key bytes that arrive meanwhile to the ring,
 * so no keystroke is lost and the ring keeps a single producer at a time.
 *
 * Without a controller (the status port floats at 0xff), or with one but no
 * keyboard, ps2_init prints one line saying so and returns -E_NODEV.
 *
 * Context: main flow only (ps2_init once, interrupts off; ps2_set_leds).
 */
#ifndef EMBER_ARCH_PS2_H
#define EMBER_ARCH_PS2_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/ring.h"

#define PS2_DATA        0x60     /* read: output buffer; write: input buffer */
#define PS2_STATUS      0x64     /* read */
#define PS2_COMMAND     0x64     /* write */

#define PS2_STATUS_OBF      0x01 /* output buffer full: a byte waits at 0x60 */
#define PS2_STATUS_IBF      0x02 /* input buffer full: do not write yet */
#define PS2_STATUS_AUX      0x20 /* the waiting byte is from port 2 */
#define PS2_STATUS_TIMEOUT  0x40
#define PS2_STATUS_PARITY   0x80

#define PS2_CMD_READ_CONFIG   0x20
#define PS2_CMD_WRITE_CONFIG  0x60
#define PS2_CMD_DISABLE_PORT2 0xa7
#define PS2_CMD_SELF_TEST     0xaa   /* replies 0x55 */
#define PS2_CMD_TEST_PORT1    0xab   /* replies 0x00 */
#define PS2_CMD_DISABLE_PORT1 0xad
#define PS2_CMD_ENABLE_PORT1  0xae
#define PS2_CMD_WRITE_PORT1_OUT 0xd2 /* next data byte comes back as if from port 1 */

#define PS2_CONFIG_PORT1_IRQ   0x01
#define PS2_CONFIG_PORT2_IRQ   0x02
#define PS2_CONFIG_PORT1_OFF   0x10   /* port 1 clock disabled */
#define PS2_CONFIG_TRANSLATE   0x40

#define PS2_SELF_TEST_OK     0x55
#define PS2_PORT_TEST_OK     0x00

#define KBD_CMD_SET_LEDS     0xed
#define KBD_CMD_SCANCODE_SET 0xf0    /* then 0: query, 1-3: select */
#define KBD_CMD_ENABLE_SCAN  0xf4
#define KBD_CMD_RESET        0xff
#define KBD_REPLY_ACK        0xfa
#define KBD_REPLY_RESEND     0xfe
#define KBD_REPLY_BAT_OK     0xaa
#define KBD_SET2_TRANSLATED  0x41    /* what "set 2" reads as through translation */

/* Counters since ps2_init. */
struct ps2_stats {
	uint64_t irqs;           /* IRQ 1 handler runs */
	uint64_t bytes;          /* bytes handed to the ring (IRQ and polled) */
	uint64_t empty_irqs;     /* IRQ 1 with no byte waiting */
	uint64_t led_updates;    /* LED commands the keyboard acknowledged */
	uint64_t resends;        /* commands the keyboard asked to repeat */
};

/*
 * Bring up controller and keyboard; scancodes then flow into rx, and notify
 * (may be NULL) is called from the interrupt after each byte. Returns the
 * scancode set the keyboard speaks (1 or 2), -E_NODEV without controller or
 * keyboard, -E_IO when a self-test fails, -E_TIMEDOUT when the controller
 * stops answering. Prints one line with the outcome.
 */
int ps2_init(struct ring *rx, void (*notify)(void));

bool ps2_present(void);

/* Send the KBD_LED_* byte. 0, -E_NODEV, -E_TIMEDOUT, or -E_IO (no ACK). */
int ps2_set_leds(uint8_t leds);

void ps2_get_stats(struct ps2_stats *out);

/*
 * Make the controller deliver byte as if the keyboard had sent it (command
 * 0xD2), through the real IRQ 1 path. For tests. 0, -E_NODEV or -E_TIMEDOUT.
 */
int ps2_inject(uint8_t byte);

#endif
