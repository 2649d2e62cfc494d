/*
 * Per-CPU data, reached through the GS base while the CPU runs kernel code.
 * The first three fields are a fixed layout that the SYSCALL entry stub
 * (arch/x86_64/syscall_entry.S) reads by offset: self at %gs:0, the top of this CPU's
 * kernel stack for SYSCALL at %gs:8, a scratch slot for the user RSP at
 * %gs:16. This is the minimal version of the per-CPU struct the SMP work
 * will extend (it keeps this prefix); fields after the prefix belong to
 * their subsystems.
 *
 * Context: cpu_self() from anywhere after cpu_init_boot(); the fields say who
 * writes them.
 */
#ifndef EMBER_KERNEL_SMP_CPU_H
#define EMBER_KERNEL_SMP_CPU_H

#ifndef __ASSEMBLER__

#include <stdbool.h>
#include <stdint.h>

struct proc;

struct cpu {
	struct cpu *self;          /* %gs:0, must stay first */
	uint64_t syscall_rsp;      /* %gs:8: kernel stack top for SYSCALL entry */
	uint64_t user_rsp;         /* %gs:16: user RSP while the entry switches stacks */

	/* The process layer's (kernel/proc/proc.c), this CPU only. */
	struct proc *current;      /* process running here, NULL in kernel tasks */
	volatile uint8_t need_resched; /* tick or kill: call the return-to-user hook
				   (the SYSCALL stub tests it at CPU_NEED_RESCHED) */
	uint64_t sched_sp;         /* saved kernel SP of the process runner task */
};

_Static_assert(__builtin_offsetof(struct cpu, syscall_rsp) == 8, "syscall_entry.S reads %gs:8");
_Static_assert(__builtin_offsetof(struct cpu, user_rsp) == 16, "syscall_entry.S writes %gs:16");

#endif /* __ASSEMBLER__ */
#ifndef CPU_NEED_RESCHED
#define CPU_NEED_RESCHED 32
#endif
#ifndef __ASSEMBLER__

/* Points this (the boot) CPU's GS base at its struct cpu. Main flow, once. */
void cpu_init_boot(void);

/* This CPU's struct cpu. */
struct cpu *cpu_self(void);

#endif /* __ASSEMBLER__ */
#endif
