/*
 * The local APIC of each CPU (Intel SDM vol. 3, chapter 11): x2APIC through
 * MSRs when CPUID offers it (unless apic=xapic is on the command line),
 * else xAPIC registers mapped uncached through the MMIO window. It takes
 * end-of-interrupt for every vector the I/O APIC or the timer raises, sends
 * inter-processor interrupts, and runs each CPU's timer.
 *
 * Vectors it owns: LAPIC_VEC_TIMER, LAPIC_VEC_ERROR and VEC_SPURIOUS (0xff;
 * spurious interrupts are counted and get no EOI, as the SDM requires).
 * Vectors 0xf0-0xfd are left for IPIs (SMP).
 *
 * Context: lapic_setup once on the BSP (main flow, interrupts off), then
 * lapic_init on every CPU (the BSP included) before it enables interrupts.
 * lapic_id, lapic_eoi, the IPI and timer calls: any context on a CPU whose
 * lapic_init ran; lapic_eoi from interrupt context.
 */
#ifndef EMBER_ARCH_LAPIC_H
#define EMBER_ARCH_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define LAPIC_VEC_TIMER   0xef
#define LAPIC_VEC_ERROR   0xfe
#define LAPIC_VEC_IPI_FIRST 0xf0     /* 0xf0-0xfd: for SMP's IPIs */
#define LAPIC_TIMER_DIVIDE 16        /* the timer counts the bus clock / 16 */

/* Counters of this driver (all CPUs together). */
struct lapic_stats {
	uint64_t spurious;       /* interrupts on VEC_SPURIOUS */
	uint64_t errors;         /* LVT error interrupts */
	uint32_t last_esr;       /* error status register at the last one */
	uint64_t timer_ticks;    /* LAPIC timer interrupts, all CPUs */
};

/*
 * The BSP's one-time part: pick x2APIC or xAPIC (x2apic_allowed false keeps
 * xAPIC unless the firmware already switched to x2APIC), map the xAPIC
 * registers from IA32_APIC_BASE, claim the vectors. 0 or -E_NODEV (no
 * APIC: CPUID says none) / -E_NOMEM (cannot map).
 */
int lapic_setup(bool x2apic_allowed);

/*
 * This CPU's LAPIC: enabled in the mode lapic_setup chose, spurious vector
 * set, task priority 0, LVT error armed, LINT0/LINT1 masked except LINT0
 * as ExtINT when lapic_set_legacy_pic(true) (the 8259 path) on the BSP, and
 * the MADT's NMI lines as NMI. Call on every CPU, BSP first.
 */
void lapic_init(void);
void lapic_set_legacy_pic(bool on);

bool lapic_present(void);           /* lapic_setup succeeded */
bool lapic_x2apic(void);            /* x2APIC mode */
uint32_t lapic_id(void);            /* this CPU's APIC id */
void lapic_eoi(void);

/* IPIs: fixed delivery, physical destination; INIT and STARTUP for AP bring-up. */
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
void lapic_send_ipi_all_but_self(uint8_t vector);
/* An NMI to every CPU but this one: reaches a CPU spinning with interrupts off. */
void lapic_send_nmi_all_but_self(void);
void lapic_send_init(uint32_t apic_id);
void lapic_send_startup(uint32_t apic_id, uint8_t page);
/* xAPIC: the last IPI left the ICR (delivery status idle). Always true in x2APIC. */
bool lapic_ipi_delivered(void);

/*
 * The timer's input rate (counts per second at LAPIC_TIMER_DIVIDE), measured
 * by the caller against a reference clock and stored once; 0 = unknown.
 */
void lapic_timer_set_rate(uint64_t counts_per_s);
uint64_t lapic_timer_rate(void);
/*
 * Periodic timer on this CPU at hz; every interrupt calls the handler
 * lapic_timer_set_handler installed (interrupt context), then EOI.
 * 0, -E_NODEV (no rate known), -E_RANGE (hz out of 1..100000 or the count
 * does not fit 32 bits).
 */
int lapic_timer_start(unsigned hz);
void lapic_timer_stop(void);
/*
 * TSC-deadline mode (CPUID.1:ECX bit 24, IA32_TSC_DEADLINE MSR 0x6e0, LVT
 * timer mode 2): a tick every tsc_period TSC cycles, re-armed by the timer
 * vector; the handler and EOI as for the periodic timer. The tick's CPU
 * only (the BSP). 0, -E_NODEV (not offered or no LAPIC), -E_RANGE (0).
 * Not offered by QEMU 7.2's TCG: unproven there (docs/apic-and-time.md).
 */
bool lapic_tsc_deadline_offered(void);
int lapic_timer_start_deadline(uint64_t tsc_period);
void lapic_timer_set_handler(void (*fn)(void));

/* One-shot countdown from count (no interrupt), and the current count. For calibration. */
void lapic_timer_oneshot_masked(uint32_t count);
uint32_t lapic_timer_current(void);

void lapic_get_stats(struct lapic_stats *out);

#endif
