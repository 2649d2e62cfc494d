/*
 * The kernel's Global Descriptor Table: null, 64-bit kernel code (0x08) and
 * kernel data (0x10). Loaded by the entry code before kernel_main, because the
 * firmware's GDT is no longer mapped after the loader's CR3 switch. The TSS
 * and its IST stacks join this table with the interrupt work.
 */
#include <stdint.h>

#include "arch/x86_64/gdt.h"

struct gdt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));
_Static_assert(sizeof(struct gdt_ptr) == 10, "lgdt operand is 10 bytes");

/* Access byte 0x9a: present, ring 0, code, readable; flags 0xa: 4 KiB granularity, long mode. */
static uint64_t gdt[GDT_ENTRIES] = {
	[0] = 0,
	[GDT_KERNEL_CODE / 8] = 0x00af9a000000ffffull,
	[GDT_KERNEL_DATA / 8] = 0x00cf92000000ffffull,
};

void gdt_init(void)
{
	struct gdt_ptr p = { .limit = sizeof(gdt) - 1, .base = (uint64_t)gdt };

	__asm__ volatile(
		"lgdt %0\n\t"
		"mov %2, %%ds\n\t"
		"mov %2, %%es\n\t"
		"mov %2, %%ss\n\t"
		"xor %%eax, %%eax\n\t"
		"mov %%ax, %%fs\n\t"
		"mov %%ax, %%gs\n\t"
		"pushq %1\n\t"              /* far return reloads %cs */
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:"
		: : "m"(p), "i"(GDT_KERNEL_CODE), "r"((uint64_t)GDT_KERNEL_DATA) : "rax", "memory");
}
