/*
 * Ring 3 glue inside arch/x86_64 (the portable interface is kernel/arch.h):
 * what the exception handler asks about faults. Interrupt context.
 */
#ifndef EMBER_ARCH_USER_H
#define EMBER_ARCH_USER_H

#include <stdbool.h>
#include <stdint.h>

struct interrupt_frame;

/* A #PF in kernel mode at a user-copy instruction: resume at its fix-up. */
bool user_fixup(struct interrupt_frame *f);

/* Whether rip is a user-copy instruction (one with a fix-up). */
bool user_fixup_known(uint64_t rip);

/* The page table (or frame) at phys, through the direct map. */
uint64_t *user_table(uint64_t phys);

/* The process layer ends the current process on its way back to ring 3 (SIGKILL), with a report. */
void user_kill(const char *what, bool from_ring3);

/* An exception from ring 3: the process layer ends the process. False if not from ring 3. */
bool user_fault(struct interrupt_frame *f, const char *what);

/*
 * This CPU's part of arch_user_init: EFER.SCE, STAR, LSTAR, FMASK, the
 * kernel GS slot, and SMEP/SMAP/UMIP in CR4 when CPUID has them. The BSP
 * runs it from arch_user_init, every AP in its entry (arch/x86_64/smp.c),
 * so a process may enter the kernel on any CPU. Interrupts off.
 */
void arch_user_cpu_init(void);

/* Called by the stubs (syscall_entry.S, isr.S). */
void arch_user_return(struct interrupt_frame *f);

#endif
