/*
 * Small arch_* services over the CPU: interrupt flag, TSC, halting, the QEMU
 * test exit, and the early clean-up of the loader's address space.
 */
#include "arch/x86_64/cpu.h"
#include "kernel/arch.h"

#define QEMU_DEBUG_EXIT_PORT 0xf4

unsigned long arch_irq_save(void)
{
	unsigned long f = read_rflags();

	cli();
	return f;
}

void arch_irq_restore(unsigned long flags)
{
	if (flags & RFLAGS_IF)
		sti();
}

bool arch_irq_enabled(void)
{
	return read_rflags() & RFLAGS_IF;
}

uint64_t arch_timestamp(void)
{
	return rdtsc();
}

void arch_halt_forever(void)
{
	for (;;) {
		cli();
		hlt();
	}
}

void arch_test_exit(unsigned code)
{
	outl(QEMU_DEBUG_EXIT_PORT, code);
	arch_halt_forever();   /* no debug-exit device: stay stopped */
}
