/*
 * The kernel's only door to the CPU and the PC: every function here is
 * implemented under arch/x86_64/. Portable kernel code includes this header
 * and never an arch header directly.
 */
#ifndef EMBER_KERNEL_ARCH_H
#define EMBER_KERNEL_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/boot_info.h"

/* Early CPU set-up after the GDT: unmap the lower half the loader left. */
void arch_early_init(const struct boot_info *bi);

/* COM1 16550 at 115200 8N1. Polled output, safe in any context. */
void arch_serial_init(void);
void arch_serial_write(const char *s, size_t len);
bool arch_serial_present(void);
uint64_t arch_serial_bytes_sent(void);

/* Interrupt flag: save-and-disable and restore, for short critical sections. */
unsigned long arch_irq_save(void);
void arch_irq_restore(unsigned long flags);
bool arch_irq_enabled(void);

/* Cycle counter (TSC). */
uint64_t arch_timestamp(void);

/* Stop this CPU for good (interrupts off). */
__attribute__((noreturn)) void arch_halt_forever(void);

/*
 * Leave QEMU through isa-debug-exit with status (code << 1) | 1; on a machine
 * without that device, halt. Used only by the test kernel.
 */
__attribute__((noreturn)) void arch_test_exit(unsigned code);

/* Page-table look-up of a virtual address in the current address space. */
struct arch_mapping {
	uint64_t phys;       /* physical address virt maps to */
	uint64_t page_size;  /* 4 KiB, 2 MiB or 1 GiB */
	bool writable, executable, user, write_combining;
};
bool arch_translate(uint64_t virt, struct arch_mapping *out);
/* Number of present entries in the lower half of the top-level table. */
unsigned arch_lower_half_entries(void);

#endif
