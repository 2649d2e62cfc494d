/*
 * panic_at: report and stop. Interrupts go off first so nothing runs after a
 * panic; a panic inside a panic (e.g. the console faulting) prints a short
 * line to the serial port only and stops.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "kernel/arch.h"
#include "kernel/backtrace.h"
#include "kernel/kprintf.h"
#include "kernel/ktest.h"
#include "kernel/panic.h"

static int panicking;
static bool backtrace_done;

void panic_backtrace_printed(void)
{
	backtrace_done = true;
}

void panic_at(const char *file, int line, const char *func, const char *fmt, ...)
{
	static const char again[] = "\npanic: nested panic, stopping\n";
	va_list ap;

	arch_irq_save();
	if (panicking++) {
		arch_serial_write(again, sizeof(again) - 1);
		arch_halt_forever();
	}
	kprintf("\n\033[91mKERNEL PANIC\033[0m at %s:%d in %s():\n    ", file, line, func);
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	if (!backtrace_done)
		backtrace_print(0, (uint64_t)__builtin_frame_address(0));
	ktest_on_panic();   /* the test kernel exits QEMU here */
	kprintf("System halted.\n");
	arch_halt_forever();
}
