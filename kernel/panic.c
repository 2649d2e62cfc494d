/*
 * panic_at: report and stop. Interrupts go off first so nothing runs after a
 * panic; a panic inside a panic (e.g. the console faulting) prints a short
 * line to the serial port only and stops. With several CPUs the first to
 * panic stops the others (an NMI, which reaches a CPU spinning with
 * interrupts off) and prints; one that panics after it halts silently, so
 * the report is printed once.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "kernel/arch.h"
#include "kernel/backtrace.h"
#include "kernel/kprintf.h"
#include "kernel/ktest.h"
#include "kernel/panic.h"
#include "kernel/smp/percpu.h"

static int panicking;
static uint32_t panic_cpu;    /* index + 1 of the CPU that panicked first */
static bool backtrace_done;

void panic_backtrace_printed(void)
{
	backtrace_done = true;
}

void panic_at(const char *file, int line, const char *func, const char *fmt, ...)
{
	static const char again[] = "\npanic: nested panic, stopping\n";
	va_list ap;
	uint32_t me = percpu_ready() ? cpu_self()->index + 1 : 1, none = 0;
	unsigned late = 0;

	arch_irq_save();
	if (!__atomic_compare_exchange_n(&panic_cpu, &none, me, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) && none != me)
		arch_halt_forever();   /* another CPU is reporting its panic */
	if (panicking++) {
		arch_serial_write(again, sizeof(again) - 1);
		arch_halt_forever();
	}
	if (percpu_ready() && cpu_slots() > 1) {
		late = arch_stop_other_cpus();
		kprintf_break_lock();
	}
	kprintf("\n\033[91mKERNEL PANIC\033[0m at %s:%d in %s():\n    ", file, line, func);
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	if (percpu_ready() && cpu_slots() > 1)
		kprintf("panic: cpu %u stopped the other CPUs (%u did not confirm)\n",
			cpu_self()->index, late);
	if (!backtrace_done)
		backtrace_print(0, (uint64_t)__builtin_frame_address(0));
	ktest_on_panic();   /* the test kernel exits QEMU here */
	kprintf("System halted.\n");
	arch_halt_forever();
}
