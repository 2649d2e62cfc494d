/*
 * Fatal errors. panic() and ASSERT() print the message with file, line and
 * function to every console, then stop the machine (the test kernel exits
 * QEMU with the failure code instead, unless the running test expects the
 * panic). Messages start with the subsystem: panic("heap: double free of %p", p).
 * Any context.
 */
#ifndef EMBER_KERNEL_PANIC_H
#define EMBER_KERNEL_PANIC_H

#include "lib/compiler.h"

__noreturn void panic_at(const char *file, int line, const char *func, const char *fmt, ...)
	__printf_like(4, 5);

#define panic(...) panic_at(__FILE__, __LINE__, __func__, __VA_ARGS__)

/* The caller has already printed a backtrace (an exception report): panic skips its own. */
void panic_backtrace_printed(void);

#define ASSERT(expr)                                                              \
	do {                                                                      \
		if (unlikely(!(expr)))                                            \
			panic_at(__FILE__, __LINE__, __func__, "assertion failed: %s", #expr); \
	} while (0)

#endif
