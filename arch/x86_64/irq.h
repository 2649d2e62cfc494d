/*
 * Device interrupts by ISA line, whichever controller delivers them: the
 * I/O APICs (vectors IRQ_VEC_GSI_BASE + GSI, interrupt source overrides
 * and their polarity/trigger honoured, EOI to the local APIC) or the 8259
 * pair (the blog's path: irq=pic on the command line, or no usable MADT).
 * Drivers (PIT, 8042, 16550) only use this header.
 *
 * irq_init picks the mode: the 8259 pair is always remapped to 0x20-0x2f
 * and masked first, so in APIC mode its spurious IRQ 7/15 land on a handler
 * that counts them. Context: irq_init once, main flow, interrupts off;
 * the rest any context.
 */
#ifndef EMBER_ARCH_IRQ_H
#define EMBER_ARCH_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/pic.h"
#include "kernel/boot_info.h"

#define IRQ_VEC_GSI_BASE 0x30    /* GSI g arrives on vector 0x30 + g ... */
#define IRQ_MAX_GSI      0xbf    /* ... up to 0xee (0xef: the LAPIC timer) */
#define ISA_IRQS         16

enum irq_mode { IRQ_MODE_PIC = 1, IRQ_MODE_APIC };

/* Counters of the APIC path. */
struct irq_stats {
	uint64_t handled[ISA_IRQS];
	uint64_t unhandled;
};

void irq_init(const struct boot_info *bi);
enum irq_mode irq_mode(void);
const char *irq_mode_name(void);

/* As pic_set_handler / pic_clear_handler / pic_mask / pic_unmask, by ISA line. */
int irq_set_handler(unsigned isa_irq, irq_handler_fn fn);
int irq_clear_handler(unsigned isa_irq);
void irq_mask(unsigned isa_irq);
void irq_unmask(unsigned isa_irq);

/* APIC mode: the GSI an ISA line arrives on, and its vector. */
uint32_t irq_isa_gsi(unsigned isa_irq);
void irq_get_stats(struct irq_stats *out);

#endif
