/*
 * Small arch_* services over the CPU: interrupt flag, TSC, halting, the QEMU
 * test exit, and the early clean-up of the loader's address space.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/mmu.h"
#include "kernel/arch.h"
#include "kernel/panic.h"

#define QEMU_DEBUG_EXIT_PORT 0xf4

static struct arch_handoff_state handoff;
uint64_t mmu_nx;

static bool cpuid_has_nx(void)
{
	uint32_t r[4];

	cpuid(0x80000000, 0, r);
	if (r[0] < 0x80000001)
		return false;
	cpuid(0x80000001, 0, r);
	return r[3] & (1u << 20);   /* EDX.NX */
}

void arch_handoff_check(void)
{
	handoff.irq_enabled = read_rflags() & RFLAGS_IF;
	handoff.cpu_has_nx = cpuid_has_nx();
	handoff.nxe = handoff.cpu_has_nx && (rdmsr(MSR_EFER) & EFER_NXE);
	handoff.wp = read_cr0() & CR0_WP;
	handoff.pic_masks[0] = inb(0x21);
	handoff.pic_masks[1] = inb(0xa1);
	if (handoff.irq_enabled || handoff.nxe != handoff.cpu_has_nx || !handoff.wp)
		panic("boot: hand-off contract broken: interrupts %s, EFER.NXE %d (CPU NX %d), CR0.WP %d",
		      handoff.irq_enabled ? "on" : "off", handoff.nxe, handoff.cpu_has_nx, handoff.wp);
	mmu_nx = handoff.nxe ? PTE_NX : 0;
}

bool arch_has_nx(void)
{
	return mmu_nx != 0;
}

const struct arch_handoff_state *arch_handoff_state(void)
{
	return &handoff;
}

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
