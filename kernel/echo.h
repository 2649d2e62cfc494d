/*
 * The kernel's idle loop until tasks exist: echo every key typed, on the
 * keyboard or over COM1, to the consoles, and halt while there is nothing
 * to do. Characters are printed; Backspace erases the last thing printed on
 * the line (a character or a whole <Name>); Enter starts a new line; other
 * named keys print as <Up>, <F5>, <Delete>; Ctrl+letter prints as ^C;
 * modifiers and locks print nothing.
 *
 * Context: the main flow, last thing in kernel_main, with the interrupt
 * controller, clock and input up. Never returns.
 */
#ifndef EMBER_KERNEL_ECHO_H
#define EMBER_KERNEL_ECHO_H

#include "lib/compiler.h"

__noreturn void echo_loop(void);

#endif
