/*
 * Inter-processor interrupts (see smp.h): a wake-up that only ends a halt,
 * TLB shootdowns with acknowledgement, and the stop a panic sends (an NMI). Senders
 * run in any context; handlers in interrupt context on the receiver.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/interrupts.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/smp.h"
#include "kernel/arch.h"
#include "kernel/smp/percpu.h"
#include "lib/errno.h"

#define STOP_WAIT_CYCLES (200ull * 1000 * 1000)

static uint32_t tlb_busy;          /* one shootdown at a time */
static uint64_t tlb_va;            /* what the current one flushes */
static uint32_t tlb_acks;          /* CPUs that flushed for it */
static uint64_t tlb_sent;
static uint32_t ping_acks;         /* pings answered, for arch_ipi_round_trip */
static uint32_t stop_asked;        /* index + 1 of the CPU that asked the others to stop */
static bool ipis_ready;

static void flush(uint64_t va)
{
	if (va == TLB_FLUSH_ALL)
		write_cr3(read_cr3());
	else
		invlpg(va);
}

/* Serve a shootdown request addressed to this CPU, if there is one. */
static void tlb_serve(void)
{
	struct arch_cpu *a = arch_cpu_of(cpu_self());

	if (a && __atomic_load_n(&a->tlb_request, __ATOMIC_RELAXED) &&
	    __atomic_exchange_n(&a->tlb_request, 0, __ATOMIC_ACQ_REL)) {
		flush(__atomic_load_n(&tlb_va, __ATOMIC_ACQUIRE));
		__atomic_fetch_add(&tlb_acks, 1, __ATOMIC_ACQ_REL);
	}
}

static void on_wake(struct interrupt_frame *f)
{
	(void)f;
	cpu_self()->ipis++;
	lapic_eoi();
}

static void on_tlb(struct interrupt_frame *f)
{
	(void)f;
	cpu_self()->ipis++;
	tlb_serve();
	lapic_eoi();
}

static void on_ping(struct interrupt_frame *f)
{
	(void)f;
	cpu_self()->ipis++;
	__atomic_fetch_add(&ping_acks, 1, __ATOMIC_RELEASE);
	lapic_eoi();
}

int ipi_init(void)
{
	int err = interrupt_register(VEC_IPI_WAKE, on_wake);

	if (!err)
		err = interrupt_register(VEC_IPI_TLB, on_tlb);
	if (!err)
		err = interrupt_register(VEC_IPI_PING, on_ping);
	if (!err) {
		spin_set_wait_hook(tlb_serve);   /* waiters with interrupts off still flush */
		__atomic_store_n(&ipis_ready, true, __ATOMIC_RELEASE);
	}
	return err;
}

/* Ask every other online CPU to flush; returns how many were asked. */
static uint32_t tlb_post(uint64_t va)
{
	struct cpu *self = cpu_self();
	uint32_t asked = 0;

	__atomic_store_n(&tlb_va, va, __ATOMIC_RELEASE);
	__atomic_store_n(&tlb_acks, 0, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < cpu_slots(); i++) {
		struct cpu *c = cpu_get(i);

		if (c == self || __atomic_load_n(&c->state, __ATOMIC_ACQUIRE) != CPU_ONLINE)
			continue;
		__atomic_store_n(&arch_cpu_of(c)->tlb_request, 1, __ATOMIC_RELEASE);
		lapic_send_ipi(c->apic_id, VEC_IPI_TLB);
		asked++;
	}
	return asked;
}

void tlb_shootdown(uint64_t va)
{
	unsigned long flags;
	uint32_t asked;

	if (!__atomic_load_n(&ipis_ready, __ATOMIC_ACQUIRE) || cpu_online_count() < 2)
		return;
	flags = arch_irq_save();
	while (__atomic_exchange_n(&tlb_busy, 1, __ATOMIC_ACQUIRE)) {
		tlb_serve();   /* the holder may be waiting for us */
		pause();
	}
	tlb_sent++;
	asked = tlb_post(va);
	while (__atomic_load_n(&tlb_acks, __ATOMIC_ACQUIRE) < asked)
		pause();
	__atomic_store_n(&tlb_busy, 0, __ATOMIC_RELEASE);
	arch_irq_restore(flags);
}

uint64_t tlb_shootdowns_sent(void)
{
	return __atomic_load_n(&tlb_sent, __ATOMIC_RELAXED);
}

void arch_cpu_wake(const struct cpu *c)
{
	if (__atomic_load_n(&ipis_ready, __ATOMIC_ACQUIRE))
		lapic_send_ipi(c->apic_id, VEC_IPI_WAKE);
}

/*
 * Mean TSC cycles from sending a ping IPI to c until its handler's write is
 * seen here, over rounds pings; 0 without IPIs or when one goes unanswered
 * for about a second. The wait executes pause: under -icount QEMU (7.2) runs
 * every vCPU on one thread in turn and gives the running one the whole
 * instruction budget up to the next timer; a waiter that never pauses (QEMU
 * ends the vCPU's turn at a pause) uses it all, and c never runs to answer
 * (docs/smp.md, "Figures").
 */
uint64_t arch_ipi_round_trip(const struct cpu *c, unsigned rounds)
{
	uint64_t total = 0;

	if (!__atomic_load_n(&ipis_ready, __ATOMIC_ACQUIRE) || !c || !rounds ||
	    c == cpu_self() || c->state != CPU_ONLINE)
		return 0;
	for (unsigned i = 0; i < rounds; i++) {
		uint32_t before = __atomic_load_n(&ping_acks, __ATOMIC_ACQUIRE);
		uint64_t t0 = rdtsc();

		lapic_send_ipi(c->apic_id, VEC_IPI_PING);
		while (__atomic_load_n(&ping_acks, __ATOMIC_ACQUIRE) == before) {
			if (rdtsc() - t0 > STOP_WAIT_CYCLES * 5)
				return 0;
			pause();
		}
		total += rdtsc() - t0;
	}
	return total / rounds;
}

void ipi_nmi_stop_check(void)
{
	uint32_t asker = __atomic_load_n(&stop_asked, __ATOMIC_ACQUIRE);
	struct cpu *c = percpu_ready() ? cpu_self() : NULL;

	if (!asker || !c || asker == c->index + 1)
		return;
	__atomic_store_n(&c->state, CPU_STOPPED, __ATOMIC_RELEASE);
	arch_halt_forever();   /* interrupts off, NMIs blocked until an iretq that never comes */
}

/*
 * Halt every other CPU; wait (bounded) until the online ones say so. An NMI,
 * not an ordinary IPI: a CPU spinning with interrupts off (a deadlock, a
 * lock held for ever) takes it too. Returns how many online CPUs did not
 * confirm within the bound (printed by the panic).
 */
unsigned arch_stop_other_cpus(void)
{
	uint64_t start = rdtsc();
	struct cpu *self = cpu_self();
	unsigned late = 0;

	if (!__atomic_load_n(&ipis_ready, __ATOMIC_ACQUIRE) || cpu_slots() < 2)
		return 0;
	__atomic_store_n(&stop_asked, self->index + 1, __ATOMIC_RELEASE);
	lapic_send_nmi_all_but_self();
	for (unsigned i = 0; i < cpu_slots(); i++) {
		struct cpu *c = cpu_get(i);

		while (c != self && __atomic_load_n(&c->state, __ATOMIC_ACQUIRE) == CPU_ONLINE &&
		       rdtsc() - start < STOP_WAIT_CYCLES)
			pause();
		late += c != self && __atomic_load_n(&c->state, __ATOMIC_ACQUIRE) == CPU_ONLINE;
	}
	return late;
}
