/*
 * GDT selectors and set-up (see gdt.c). gdt_init is called once, from the
 * entry code; gdt_set_tss once, by tss_init, before the task register is
 * loaded. Early boot only, interrupts off.
 */
#ifndef EMBER_ARCH_GDT_H
#define EMBER_ARCH_GDT_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_TSS         0x18   /* 16-byte system descriptor: slots 3 and 4 */
#define GDT_USER_DATA   0x28   /* SYSRET: SS = STAR[63:48] + 8, CS = + 16 */
#define GDT_USER_CODE   0x30
#define GDT_USER_BASE   0x20   /* STAR[63:48]: the slot below user data */
#define GDT_ENTRIES     7
#define USER_SS         (GDT_USER_DATA | 3)
#define USER_CS         (GDT_USER_CODE | 3)

#ifndef __ASSEMBLER__
void gdt_init(void);

/* Write the 64-bit TSS descriptor for the TSS at base (limit = size - 1). */
void gdt_set_tss(uint64_t base, uint32_t limit);

/* An AP: fill table (kernel and user segments + its TSS), load it, reload segments, ltr. */
void gdt_load_cpu(uint64_t table[GDT_ENTRIES], uint64_t tss_base, uint32_t tss_limit);

/* The descriptor's two 8-byte halves as they are in the table (for tests). */
void gdt_read_tss_descriptor(uint64_t out[2]);

#endif /* __ASSEMBLER__ */

#endif
