/*
 * In-kernel tests of the input path: the keyboard's LED command, bytes made
 * to arrive through the real IRQ 1 path by the controller's "write port 1
 * output" command (ring, overflow counting, decoding in input_next), and the
 * boots that test/scenarios_irq.py drives from outside: serial bytes
 * overflowing the serial ring, and a machine without a keyboard controller.
 */
#include "arch/x86_64/ps2.h"
#include "kernel/arch.h"
#include "kernel/time/clock.h"
#include "kernel/input/input.h"
#include "kernel/kprintf.h"
#include "kernel/ktest.h"
#include "test/kernel/ps2_inject.h"
#include "lib/cmdline.h"
#include "lib/errno.h"


static void drain(void)
{
	struct kbd_event ev;

	while (input_next(&ev))
		;
}

KTEST(keyboard_acknowledges_led_commands)
{
	struct ps2_stats before, after;

	KREQUIRE(ps2_present());
	ps2_get_stats(&before);
	KEXPECT_EQ(arch_ps2_set_leds(KBD_LED_CAPS_LOCK | KBD_LED_NUM_LOCK), 0);
	KEXPECT_EQ(arch_ps2_set_leds(0), 0);
	ps2_get_stats(&after);
	KEXPECT_EQ(after.led_updates, before.led_updates + 2);
}

KTEST(keyboard_irq_bytes_reach_the_decoder_in_order)
{
	struct kbd_event ev;

	KREQUIRE(ps2_present());
	KREQUIRE(arch_irq_enabled());
	drain();
	KREQUIRE(ktest_ps2_inject(SET2_A_MAKE));
	KREQUIRE(ktest_ps2_inject(SET2_BREAK));
	KREQUIRE(ktest_ps2_inject(SET2_A_MAKE));
	KREQUIRE(input_next(&ev));
	KEXPECT(ev.pressed && ev.key == KBD_KEY_A && ev.ch == 'a');
	KREQUIRE(input_next(&ev));
	KEXPECT(!ev.pressed && ev.key == KBD_KEY_A);
	KEXPECT(!input_next(&ev));
}

/* 100 bytes into the 64-byte ring with nobody draining: 36 dropped, counted. */
KTEST(keyboard_ring_overflow_drops_and_counts_the_excess)
{
	struct input_stats before, after;
	struct kbd_event ev;
	unsigned presses = 0;

	KREQUIRE(ps2_present());
	drain();
	input_get_stats(&before);
	for (int i = 0; i < 100; i++)
		KREQUIRE(ktest_ps2_inject(SET2_A_MAKE));
	input_get_stats(&after);
	KEXPECT_EQ(after.kbd_waiting, INPUT_KBD_RING);
	KEXPECT_EQ(after.kbd_drops - before.kbd_drops, 100 - INPUT_KBD_RING);
	while (input_next(&ev))
		presses += ev.pressed && ev.key == KBD_KEY_A;
	KEXPECT_EQ(presses, INPUT_KBD_RING);       /* the first press, then repeats */
	KREQUIRE(ktest_ps2_inject(SET2_BREAK) && ktest_ps2_inject(SET2_A_MAKE));
	drain();
	input_get_stats(&after);
	KEXPECT_EQ(after.kbd_waiting, 0);
}

/*
 * The host writes serial_overflow.bytes=N bytes to COM1 after "ready"; nobody
 * drains the ring. Once all N have arrived (or 20 s of guest time pass), what
 * arrived beyond the ring's size must all be counted as dropped. The count
 * comes from the command line rather than a quiet period on the line, so a
 * host that delays the bytes cannot end the wait early.
 */
static uint64_t serial_bytes_expected(void)
{
	char val[16];
	uint64_t n = 0;

	if (cmdline_get(ktest_boot_info()->cmdline, "serial_overflow.bytes", val, sizeof(val)) > 0)
		for (const char *p = val; *p >= '0' && *p <= '9'; p++)
			n = n * 10 + (uint64_t)(*p - '0');
	return n;
}

KTEST_BOOT(serial_ring_overflow_counts_drops)
{
	struct input_stats s;
	uint64_t want = serial_bytes_expected(), last = 0;
	uint64_t give_up = clock_ns() + 20000000000ull;

	KREQUIRE(arch_irq_enabled());
	KREQUIRE(want > INPUT_SERIAL_RING);
	kprintf("serial-overflow: ready\n");
	while (clock_ns() < give_up && (last = arch_serial_bytes_received()) < want)
		__asm__ volatile("pause");
	input_get_stats(&s);
	kprintf("serial-overflow: received %llu, waiting %u, dropped %u\n",
		(unsigned long long)last, s.serial_waiting, s.serial_drops);
	KEXPECT(last > INPUT_SERIAL_RING);
	KEXPECT_EQ(s.serial_waiting, INPUT_SERIAL_RING);
	KEXPECT_EQ(s.serial_drops, last - INPUT_SERIAL_RING);
}

/* Booted with -machine i8042=off: start-up completed without a keyboard. */
KTEST_BOOT(boots_without_keyboard_controller)
{
	struct input_stats s;

	input_get_stats(&s);
	KEXPECT(!s.keyboard);
	KEXPECT(!ps2_present());
	KEXPECT_EQ(arch_ps2_set_leds(0), -E_NODEV);
	KEXPECT_EQ(ps2_inject(0x1c), -E_NODEV);
}
