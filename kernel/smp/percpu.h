/*
 * Per-CPU data: one struct cpu per processor, reached one way: cpu_self()
 * reads this CPU's own pointer through the GS base (arch_cpu_self). Ember's
 * tasks are cooperative and never move between CPUs in the middle of a poll,
 * and interrupt handlers run to completion on the CPU they interrupted, so
 * cpu_self() is stable for the whole of any function that calls it: no
 * preemption can move the caller away between the read and the use.
 *
 * Fields marked "own" are written only by the CPU they describe (statistics:
 * others read them as snapshots); "boot" fields are set once while the CPU
 * is brought up and read-only after.
 *
 * Context: percpu_init_bsp once, first thing after the exceptions are up;
 * from then on cpu_self and cpu_get from anywhere.
 */
#ifndef EMBER_KERNEL_PERCPU_H
#define EMBER_KERNEL_PERCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/smp/cpu.h"
#include "kernel/smp/spinlock.h"

#define SMP_MAX_CPUS 32

enum cpu_state {
	CPU_ABSENT = 0,		/* no such slot */
	CPU_STARTING,		/* INIT-SIPI-SIPI sent, not checked in yet */
	CPU_ONLINE,		/* running the executor */
	CPU_FAILED,		/* did not start: left out */
	CPU_STOPPED,		/* halted by a panic elsewhere */
};

struct proc;

/*
 * The first fields are a fixed layout that assembly reads by offset
 * (kernel/smp/cpu.h names the offsets): self at %gs:0, the top of this CPU's
 * kernel stack for SYSCALL at %gs:8, a scratch slot for the user RSP at
 * %gs:16, and need_resched, which the SYSCALL return path tests.
 */
struct cpu {
	struct cpu *self;		/* boot: this struct; read at %gs:0, must stay first */
	uint64_t syscall_rsp;		/* own: kernel stack top for SYSCALL entry (%gs:8) */
	uint64_t user_rsp;		/* own: user RSP while the entry switches stacks (%gs:16) */
	struct proc *current;		/* own: process running here, NULL in kernel tasks */
	volatile uint8_t need_resched;	/* tick or kill: call the return-to-user hook */
	uint64_t sched_sp;		/* own: saved kernel SP of the process runner task */

	uint32_t index;			/* boot: 0 = the bootstrap processor, dense */
	uint32_t apic_id;		/* boot: the local APIC's id */
	uint32_t state;			/* enum cpu_state, written with atomics */
	uint32_t tick_hz;		/* boot: its own timer's rate, 0 if it has none */

	uint64_t ticks;			/* own: its local timer's interrupts */
	uint64_t idle_tsc;		/* own: TSC cycles spent halted, halts that ended */
	uint64_t idle_since;		/* own: TSC when the current halt began, 0 if none */
	uint64_t online_tsc;		/* boot: TSC when it came online */
	uint64_t ipis;			/* own: IPIs it received */

	const struct spinlock *held[SPIN_DEBUG_DEPTH];	/* own: debug mode's lock stack */
	uint32_t nheld;

	uint64_t stack_top;		/* boot: top of its kernel stack */
	void *arch;			/* boot: GDT, TSS and stacks, the arch's business */
};

_Static_assert(__builtin_offsetof(struct cpu, self) == 0, "arch_cpu_self reads %gs:0");
_Static_assert(__builtin_offsetof(struct cpu, syscall_rsp) == CPU_SYSCALL_RSP, "syscall_entry.S");
_Static_assert(__builtin_offsetof(struct cpu, user_rsp) == CPU_USER_RSP, "syscall_entry.S");
_Static_assert(__builtin_offsetof(struct cpu, need_resched) == CPU_NEED_RESCHED, "syscall_entry.S");

/* Make struct cpu 0 the bootstrap processor's and point its GS base at it. */
void percpu_init_bsp(uint32_t apic_id);

/* Whether percpu_init_bsp ran (before it, cpu_self must not be called). */
bool percpu_ready(void);

/* This CPU's struct (see the top of this file for why no lock is needed). */
struct cpu *cpu_self(void);

/* cpu index i, NULL past the slots used; and how many slots are used. */
struct cpu *cpu_get(unsigned i);
unsigned cpu_slots(void);

/* A new slot for a CPU about to be started; NULL when SMP_MAX_CPUS are used. */
struct cpu *percpu_add(uint32_t apic_id);

/* CPUs in state CPU_ONLINE. */
unsigned cpu_online_count(void);

const char *cpu_state_name(uint32_t state);

#endif
