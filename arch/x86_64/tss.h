/*
 * The 64-bit Task State Segment and the interrupt stacks it names. In long
 * mode the TSS holds no task state, only stack pointers: IST1-3 give the
 * double-fault, NMI and machine-check handlers stacks of their own, so they
 * still run when the interrupted stack is unusable (a kernel stack overflow
 * into the guard page ends in #DF, on IST1).
 *
 * Each IST stack is IST_STACK_SIZE bytes in the stacks window, under the boot
 * stack, with an unmapped guard page below it:
 *
 *   KERNEL_STACK_TOP - 64 KiB ... TOP       boot stack (the loader maps it)
 *   4 KiB below that                        guard (never mapped)
 *   then for n = 1, 2, 3: 16 KiB IST n stack, 4 KiB guard
 *
 * tss_init runs once, early in kernel_main, with interrupts off. The other
 * functions only read and are safe in any context.
 */
#ifndef EMBER_ARCH_TSS_H
#define EMBER_ARCH_TSS_H

#include <stdbool.h>
#include <stdint.h>

#define IST_DOUBLE_FAULT   1
#define IST_NMI            2
#define IST_MACHINE_CHECK  3
#define IST_COUNT          3
#define IST_STACK_SIZE     (16u * 1024)
#define IST_GUARD_SIZE     4096u

/* Intel SDM vol. 3, 8.7: the 104-byte 64-bit TSS. */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];           /* rsp[0]: stack for an interrupt from ring 3 */
	uint64_t reserved1;
	uint64_t ist[7];           /* ist[n - 1] is the top of IST stack n */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;       /* offset of the I/O bitmap; >= limit: none */
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "the 64-bit TSS is 104 bytes");

/* Map the IST stacks, fill the TSS, put it in the GDT and load TR. Panics on failure. */
void tss_init(void);

/* Stack the CPU switches to on an interrupt from ring 3 (the running process's). */
void tss_set_rsp0(uint64_t top);

/* The loaded TSS (for tests and reports). */
const struct tss *tss_get(void);

/* [bottom, top) of IST stack n, 1 <= n <= IST_COUNT; false for any other n. */
bool tss_ist_stack(unsigned n, uint64_t *bottom, uint64_t *top);

/*
 * Whose guard page addr lies in: "the boot stack", "the IST1 (double fault)
 * stack", ...; NULL when addr is in none. Used to name stack overflows.
 */
const char *tss_guard_owner(uint64_t addr);

#endif
