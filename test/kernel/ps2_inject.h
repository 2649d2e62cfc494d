/*
 * For tests: make a scancode byte arrive through the real IRQ 1 path (the
 * 8042's "write port 1 output" command) and wait, at most 100 ms, until the
 * handler has taken it. Interrupts must be enabled.
 */
#ifndef EMBER_TEST_KERNEL_PS2_INJECT_H
#define EMBER_TEST_KERNEL_PS2_INJECT_H

#include <stdbool.h>
#include <stdint.h>

#define SET2_A_MAKE 0x1c   /* the A key's make code in scancode set 2 */
#define SET2_BREAK  0xf0   /* set 2's break prefix */

bool ktest_ps2_inject(uint8_t byte);

#endif
