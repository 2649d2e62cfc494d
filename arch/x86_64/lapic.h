/*
 * The local APIC (xAPIC, MMIO). PLACEHOLDER written on branch g-smp so the
 * SMP code builds and boots before the platform branch's driver (f-platform)
 * is merged; it implements only the agreed interface, and is replaced by
 * that driver on merge.
 */
#ifndef EMBER_ARCH_LAPIC_H
#define EMBER_ARCH_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

void lapic_init(void);
uint32_t lapic_id(void);
void lapic_eoi(void);
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
void lapic_send_ipi_all_but_self(uint8_t vector);
void lapic_send_init(uint32_t apic_id);
void lapic_send_startup(uint32_t apic_id, uint8_t page);
bool lapic_ipi_delivered(void);
int lapic_timer_start(unsigned hz);

#endif
