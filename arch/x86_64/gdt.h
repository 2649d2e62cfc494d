/* GDT selectors and set-up (see gdt.c). Called once, from the entry code. */
#ifndef EMBER_ARCH_GDT_H
#define EMBER_ARCH_GDT_H

#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_ENTRIES     3

void gdt_init(void);

#endif
