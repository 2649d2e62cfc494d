/*
 * PCI configuration mechanism #1: the address port 0xCF8 and the data port
 * 0xCFC (PCI Local Bus Specification 3.0, section 3.2.2.3.2). Only the first
 * 256 bytes of each function are reachable this way. Each access writes the
 * address and then the data port with interrupts off, so the pair is atomic
 * on one CPU.
 */
#include "arch/x86_64/cpu.h"
#include "kernel/arch.h"

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA    0xcfc
#define PCI_CONFIG_ENABLE  0x80000000u

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static uint32_t address(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	return PCI_CONFIG_ENABLE | (uint32_t)bus << 16 | (uint32_t)(dev & 31) << 11 |
	       (uint32_t)(fn & 7) << 8 | (off & 0xfc);
}

/* The address register reads back what was written when the mechanism exists. */
bool arch_pci_ports_present(void)
{
	unsigned long flags = arch_irq_save();
	uint32_t back;

	outl(PCI_CONFIG_ADDRESS, PCI_CONFIG_ENABLE);
	back = inl(PCI_CONFIG_ADDRESS);
	arch_irq_restore(flags);
	return back == PCI_CONFIG_ENABLE;
}

uint32_t arch_pci_cfg_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	unsigned long flags = arch_irq_save();
	uint32_t v;

	if (off >= 256) {
		arch_irq_restore(flags);
		return 0xffffffff;
	}
	outl(PCI_CONFIG_ADDRESS, address(bus, dev, fn, off));
	v = inl(PCI_CONFIG_DATA);
	arch_irq_restore(flags);
	return v;
}

void arch_pci_cfg_write32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint32_t v)
{
	unsigned long flags = arch_irq_save();

	if (off < 256) {
		outl(PCI_CONFIG_ADDRESS, address(bus, dev, fn, off));
		outl(PCI_CONFIG_DATA, v);
	}
	arch_irq_restore(flags);
}
