/*
 * The I/O APICs the MADT lists (82093AA datasheet; ACPI 5.2.12.3): each
 * serves a range of global system interrupts (GSIs) from its gsi_base.
 * ioapic_init maps every one uncached and masks all its inputs; ioapic_route
 * points one GSI at a vector on one CPU with the polarity and trigger the
 * interrupt source overrides give.
 *
 * Context: ioapic_init once, main flow, interrupts off. The others: any
 * context (each takes the interrupt flag around its two register accesses).
 */
#ifndef EMBER_ARCH_IOAPIC_H
#define EMBER_ARCH_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/acpi/acpi.h"

/*
 * Map and mask every I/O APIC of madt. Returns the number usable (an I/O
 * APIC whose window cannot be mapped, or whose version register reads all
 * ones, is reported and left out).
 */
unsigned ioapic_init(const struct acpi_madt_info *madt);

/* GSIs served in total (the highest GSI + 1 of any I/O APIC). */
uint32_t ioapic_gsi_count(void);

/*
 * Route gsi to vector on the CPU with APIC id dest (fixed delivery,
 * physical destination), masked. 0, -E_NOENT (no I/O APIC serves gsi) or
 * -E_INVAL (vector below 0x20, dest above 255).
 */
int ioapic_route(uint32_t gsi, uint8_t vector, uint32_t dest, bool active_low, bool level);
int ioapic_mask(uint32_t gsi, bool masked);

/* The raw 64-bit redirection entry of gsi (for tests), or 0 if none. */
uint64_t ioapic_read_entry(uint32_t gsi);

#endif
