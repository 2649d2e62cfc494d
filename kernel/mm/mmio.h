/*
 * Device registers in memory (LAPIC, I/O APIC, HPET, later PCI BARs): a
 * window of kernel virtual addresses where mmio_map places uncached,
 * writable, no-execute mappings of physical register blocks. The direct map
 * is write-back and must not be used for registers.
 *
 * Mappings are never removed: drivers map their registers once. Context:
 * main flow (maps allocate page-table frames), interrupts off or on.
 */
#ifndef EMBER_KERNEL_MMIO_H
#define EMBER_KERNEL_MMIO_H

#include <stdint.h>

#define MMIO_BASE        0xffffe80000000000ull  /* above the framebuffer, below the stacks */
#define MMIO_WINDOW_SIZE (1ull << 30)

/*
 * Map [phys, phys + size) uncached and return the virtual address of phys
 * itself (the offset within its page kept), or NULL when the window is full
 * or the page tables cannot grow (then nothing stays mapped).
 */
volatile void *mmio_map(uint64_t phys, uint64_t size);

/* Bytes of the window in use. */
uint64_t mmio_window_used(void);

#endif
