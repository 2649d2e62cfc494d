/*
 * The x86_64 side of SMP, inside arch/: each CPU's descriptor tables and IPI
 * mailbox, the IPI vectors, and the TLB shootdown the page-table code calls
 * after it changed or removed a mapping (kernel/arch.h has the portable
 * arch_* half: bring-up, wake-up, stop).
 *
 * Context: tlb_shootdown from any context that may spin with interrupts
 * off (the paging API, under its lock); the handlers are interrupt context.
 */
#ifndef EMBER_ARCH_SMP_H
#define EMBER_ARCH_SMP_H

#include <stdint.h>

#include "arch/x86_64/gdt.h"
#include "arch/x86_64/tss.h"

struct cpu;

/* Vectors of the inter-processor interrupts, above the devices'. */
#define VEC_IPI_WAKE   0xf0   /* end a halt: work was queued for this CPU */
#define VEC_IPI_TLB    0xf1   /* flush what tlb_shootdown names */
#define VEC_IPI_PING   0xf3   /* answer by a write (round-trip measurement) */

#define TLB_FLUSH_ALL  (~0ull)

struct arch_cpu {
	uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
	struct tss tss __attribute__((aligned(128)));
	void (*main)(struct cpu *c);
	uint32_t tlb_request;   /* 1: a shootdown waits for this CPU's flush */
};

struct arch_cpu *arch_cpu_of(struct cpu *c);

/* Register the IPI handlers. 0 or -E_BUSY (a vector taken). */
int ipi_init(void);

/*
 * From the NMI handler, first thing: if a panic elsewhere asked every CPU
 * to stop (arch_stop_other_cpus), mark this one stopped and halt for good.
 * Returns only when no stop was asked (an NMI of another origin).
 */
void ipi_nmi_stop_check(void);

/*
 * Invalidate va (or everything, TLB_FLUSH_ALL) on every other online CPU and
 * wait until each has done it. The caller has already flushed its own TLB.
 * One shootdown at a time; a CPU waiting for its turn serves requests to it,
 * so two CPUs shooting at once never wait for each other.
 */
void tlb_shootdown(uint64_t va);

/* Shootdowns sent and served on this CPU, for tests. */
uint64_t tlb_shootdowns_sent(void);

#endif
