/*
 * The kernel's Global Descriptor Table: null, 64-bit kernel code (0x08),
 * kernel data (0x10), the 64-bit TSS (0x18, two slots), user data (0x28) and
 * 64-bit user code (0x30). Loaded by the entry
 * code before kernel_main, because the firmware's GDT is no longer mapped
 * after the loader's CR3 switch; the TSS descriptor is filled in later by
 * tss_init, which then loads the task register.
 */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"

/* Access byte 0x9a: present, ring 0, code, readable; flags 0xa: 4 KiB granularity, long mode. */
static uint64_t gdt[GDT_ENTRIES] = {
	[0] = 0,
	[GDT_KERNEL_CODE / 8] = 0x00af9a000000ffffull,
	[GDT_KERNEL_DATA / 8] = 0x00cf92000000ffffull,
	/* Ring 3 (DPL 3): data 0xf2, 64-bit code 0xfa; the order SYSRET wants. */
	[GDT_USER_DATA / 8] = 0x00cff2000000ffffull,
	[GDT_USER_CODE / 8] = 0x00affa000000ffffull,
};

/* System-descriptor access byte: present, DPL 0, type 9 = available 64-bit TSS. */
#define TSS_DESC_PRESENT   (1ull << 47)
#define TSS_DESC_TYPE_64   (0x9ull << 40)

/* Load table and reload every segment register from it. */
static void gdt_load(const uint64_t *table)
{
	struct desc_table_ptr p = { .limit = GDT_ENTRIES * 8 - 1, .base = (uint64_t)table };

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

void gdt_init(void)
{
	gdt_load(gdt);
}

/*
 * Intel SDM vol. 3, 8.2.3: limit 15:0 and base 23:0 in the low word, then the
 * access byte, limit 19:16, base 31:24; the high word holds base 63:32.
 * Byte granularity: a TSS is far below 1 MiB.
 */
static void tss_descriptor(uint64_t *table, uint64_t base, uint32_t limit)
{
	uint64_t lo = (limit & 0xffffull) | ((base & 0xffffffull) << 16) |
		      TSS_DESC_TYPE_64 | TSS_DESC_PRESENT |
		      ((uint64_t)(limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);

	table[GDT_TSS / 8] = lo;
	table[GDT_TSS / 8 + 1] = base >> 32;
}

void gdt_set_tss(uint64_t base, uint32_t limit)
{
	tss_descriptor(gdt, base, limit);
}

/*
 * An application processor's own table: the same segments as the BSP's and
 * its own TSS (each CPU needs one: ltr marks the descriptor busy).
 */
void gdt_load_cpu(uint64_t table[GDT_ENTRIES], uint64_t tss_base, uint32_t tss_limit)
{
	for (unsigned i = 0; i < GDT_ENTRIES; i++)
		table[i] = gdt[i];   /* kernel and user segments; the TSS slots rewritten below */
	tss_descriptor(table, tss_base, tss_limit);
	gdt_load(table);
	ltr(GDT_TSS);
}

void gdt_read_tss_descriptor(uint64_t out[2])
{
	out[0] = gdt[GDT_TSS / 8];
	out[1] = gdt[GDT_TSS / 8 + 1];
}
