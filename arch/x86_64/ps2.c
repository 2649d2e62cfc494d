/*
 * 8042 controller and PS/2 keyboard driver (see ps2.h). Polled bring-up
 * with time-bounded waits, the IRQ 1 handler, and the LED command. Also the
 * arch_ps2_* entry points of arch.h.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/irq.h"
#include "arch/x86_64/ps2.h"
#include "kernel/acpi/acpi.h"
#include "kernel/arch.h"
#include "kernel/time/clock.h"
#include "kernel/input/input.h"
#include "kernel/kprintf.h"
#include "kernel/panic.h"
#include "lib/errno.h"

#define CTRL_TIMEOUT_MS   100    /* controller commands and their replies */
#define KBD_ACK_MS        100    /* keyboard command to ACK */
#define KBD_RESET_MS      1000   /* reset to self-test result (BAT) */
#define FLUSH_MAX         32     /* bytes a stuck output buffer may hold */
#define SEND_TRIES        3
#define ASSUMED_TSC_HZ    8000000000ull  /* before calibration: err on waiting longer */

static struct ring *scancodes;
static bool present;
static struct ps2_stats stats;

/* ---- bounded waits ----------------------------------------------------------------- */

static uint64_t deadline(unsigned ms)
{
	uint64_t hz = clock_tsc_hz() ? clock_tsc_hz() : ASSUMED_TSC_HZ;

	return rdtsc() + hz / 1000 * ms;
}

static bool expired(uint64_t when)
{
	return (int64_t)(rdtsc() - when) > 0;
}

static int wait_writable(uint64_t until)
{
	while (inb(PS2_STATUS) & PS2_STATUS_IBF)
		if (expired(until))
			return -E_TIMEDOUT;
	return 0;
}

/* Next byte from port 1 (port 2's bytes are dropped). */
static int read_byte(uint64_t until, uint8_t *out)
{
	for (;;) {
		uint8_t st = inb(PS2_STATUS);

		if (st & PS2_STATUS_OBF) {
			uint8_t b = inb(PS2_DATA);

			if (st & PS2_STATUS_AUX)
				continue;
			*out = b;
			return 0;
		}
		if (expired(until))
			return -E_TIMEDOUT;
		pause();
	}
}

static void flush_output(void)
{
	for (int i = 0; i < FLUSH_MAX && (inb(PS2_STATUS) & PS2_STATUS_OBF); i++)
		(void)inb(PS2_DATA);
}

/* ---- controller -------------------------------------------------------------------- */

static int ctrl_cmd(uint8_t cmd)
{
	if (wait_writable(deadline(CTRL_TIMEOUT_MS)) < 0)
		return -E_TIMEDOUT;
	outb(PS2_COMMAND, cmd);
	return 0;
}

static int ctrl_query(uint8_t cmd, uint8_t *reply)
{
	int err = ctrl_cmd(cmd);

	return err < 0 ? err : read_byte(deadline(CTRL_TIMEOUT_MS), reply);
}

static int write_data(uint8_t b)
{
	if (wait_writable(deadline(CTRL_TIMEOUT_MS)) < 0)
		return -E_TIMEDOUT;
	outb(PS2_DATA, b);
	return 0;
}

static int write_config(uint8_t config)
{
	int err = ctrl_cmd(PS2_CMD_WRITE_CONFIG);

	return err < 0 ? err : write_data(config);
}

/* ---- keyboard ---------------------------------------------------------------------- */

/*
 * Send one byte to the keyboard and wait for its ACK, repeating it on
 * RESEND. Bytes that are neither (keys pressed meanwhile) go to spill.
 */
static int kbd_send(uint8_t byte, struct ring *spill)
{
	uint64_t until = deadline(KBD_ACK_MS);
	uint8_t r;

	for (int tries = 0; tries < SEND_TRIES; tries++) {
		if (write_data(byte) < 0)
			return -E_TIMEDOUT;
		for (;;) {
			if (read_byte(until, &r) < 0)
				return -E_TIMEDOUT;
			if (r == KBD_REPLY_ACK)
				return 0;
			if (r == KBD_REPLY_RESEND)
				break;
			if (spill && ring_push(spill, r))
				stats.bytes++;
		}
		stats.resends++;
	}
	return -E_IO;
}

static int kbd_reset(void)
{
	uint64_t until;
	uint8_t r;

	if (kbd_send(KBD_CMD_RESET, NULL) < 0)
		return -E_NODEV;
	until = deadline(KBD_RESET_MS);
	do {
		if (read_byte(until, &r) < 0)
			return -E_NODEV;
	} while (r != KBD_REPLY_BAT_OK);
	return 0;
}

/* Ask for set 2 and read back what the keyboard (through the controller) says. */
static int kbd_select_set2(void)
{
	uint8_t r = 0;

	if (kbd_send(KBD_CMD_SCANCODE_SET, NULL) < 0 || kbd_send(2, NULL) < 0)
		return 2;            /* no F0: an AT keyboard speaks set 2 after reset */
	if (kbd_send(KBD_CMD_SCANCODE_SET, NULL) < 0 || kbd_send(0, NULL) < 0 ||
	    read_byte(deadline(KBD_ACK_MS), &r) < 0)
		return 2;
	return r == KBD_SET2_TRANSLATED ? 1 : 2;
}

/* ---- bring-up ---------------------------------------------------------------------- */

/* Controller half: quiet ports, IRQs and translation off, self-tests. */
static int controller_init(uint8_t *config)
{
	uint8_t r;

	if (inb(PS2_STATUS) == 0xff) {
		kprintf("ps2: no keyboard controller (status port reads 0xff): no PS/2 keyboard\n");
		return -E_NODEV;
	}
	if (ctrl_cmd(PS2_CMD_DISABLE_PORT1) < 0 || ctrl_cmd(PS2_CMD_DISABLE_PORT2) < 0)
		goto timeout;
	flush_output();
	if (ctrl_query(PS2_CMD_READ_CONFIG, config) < 0)
		goto timeout;
	*config &= (uint8_t)~(PS2_CONFIG_PORT1_IRQ | PS2_CONFIG_PORT2_IRQ | PS2_CONFIG_TRANSLATE);
	if (write_config(*config) < 0 || ctrl_query(PS2_CMD_SELF_TEST, &r) < 0)
		goto timeout;
	if (r != PS2_SELF_TEST_OK) {
		kprintf("ps2: controller self-test failed (reply %#x): no PS/2 keyboard\n", r);
		return -E_IO;
	}
	if (write_config(*config) < 0 || ctrl_query(PS2_CMD_TEST_PORT1, &r) < 0)
		goto timeout;   /* (the self-test may have reset the configuration) */
	if (r != PS2_PORT_TEST_OK) {
		kprintf("ps2: port 1 interface test failed (reply %#x): no PS/2 keyboard\n", r);
		return -E_IO;
	}
	if (ctrl_cmd(PS2_CMD_ENABLE_PORT1) < 0)
		goto timeout;
	*config &= (uint8_t)~PS2_CONFIG_PORT1_OFF;  /* what ENABLE_PORT1 just did */
	return 0;
timeout:
	kprintf("ps2: keyboard controller stopped answering: no PS/2 keyboard\n");
	return -E_TIMEDOUT;
}

/* Keyboard half: reset, set 2, scanning, LEDs off. Returns the set. */
static int keyboard_init(uint8_t *config)
{
	int set;

	if (kbd_reset() < 0) {
		kprintf("ps2: no keyboard on port 1 (no answer to reset): no PS/2 keyboard\n");
		return -E_NODEV;
	}
	set = kbd_select_set2();
	if (set == 1) {
		*config |= PS2_CONFIG_TRANSLATE;  /* it translates anyway: say so */
		if (write_config(*config) < 0)
			return -E_TIMEDOUT;
	}
	if (kbd_send(KBD_CMD_ENABLE_SCAN, NULL) < 0 ||
	    kbd_send(KBD_CMD_SET_LEDS, NULL) < 0 || kbd_send(0, NULL) < 0) {
		kprintf("ps2: keyboard does not acknowledge commands: no PS/2 keyboard\n");
		return -E_IO;
	}
	return set;
}

/* IRQ 1: one byte from the controller into the ring. The PIC sends the EOI. */
static void ps2_irq(void)
{
	uint8_t st = inb(PS2_STATUS);

	stats.irqs++;
	if (!(st & PS2_STATUS_OBF)) {
		stats.empty_irqs++;      /* its byte was read by a polled command */
		return;
	}
	if (ring_push(scancodes, inb(PS2_DATA)))
		stats.bytes++;
	input_irq_notify();              /* wake the task reading the stream */
}

int ps2_init(struct ring *rx)
{
	uint64_t t0 = clock_ns();
	uint8_t config;
	int err, set;

	ASSERT(!arch_irq_enabled());
	err = controller_init(&config);
	if (err < 0)
		return err;
	set = keyboard_init(&config);
	if (set < 0)
		return set;
	flush_output();
	scancodes = rx;
	err = irq_set_handler(IRQ_KEYBOARD, ps2_irq);
	if (err < 0)
		return err;
	if (write_config(config | PS2_CONFIG_PORT1_IRQ) < 0) {
		kprintf("ps2: keyboard controller stopped answering: no PS/2 keyboard\n");
		return -E_TIMEDOUT;
	}
	present = true;
	irq_unmask(IRQ_KEYBOARD);
	kprintf("ps2: keyboard on port 1, scancode set %d%s, ready in %llu us\n", set,
		set == 1 ? " (the controller translates)" : "",
		(unsigned long long)((clock_ns() - t0) / 1000));
	return set;
}

bool ps2_present(void)
{
	return present;
}

int ps2_set_leds(uint8_t leds)
{
	int err;

	if (!present)
		return -E_NODEV;
	ASSERT(leds <= 7);
	irq_mask(IRQ_KEYBOARD);      /* we read the replies: keep IRQ 1 out */
	err = kbd_send(KBD_CMD_SET_LEDS, scancodes);
	if (!err)
		err = kbd_send(leds, scancodes);
	irq_unmask(IRQ_KEYBOARD);
	if (!err)
		stats.led_updates++;
	return err;
}

void ps2_get_stats(struct ps2_stats *out)
{
	unsigned long flags = arch_irq_save();

	*out = stats;
	arch_irq_restore(flags);
}

int ps2_inject(uint8_t byte)
{
	int err;

	if (!present)
		return -E_NODEV;
	err = ctrl_cmd(PS2_CMD_WRITE_PORT1_OUT);
	return err < 0 ? err : write_data(byte);
}

/* ---- arch.h ------------------------------------------------------------------------ */

/* The FADT's IA-PC boot flags are asked first: a machine may say it has no 8042. */
int arch_ps2_init(struct ring *rx)
{
	if (!acpi_has_8042()) {
		kprintf("ps2: no keyboard controller (the FADT says there is no 8042): not probed\n");
		return -E_NODEV;
	}
	return ps2_init(rx);
}

int arch_ps2_set_leds(uint8_t leds)
{
	return ps2_set_leds(leds);
}
