/*
 * The offsets of struct cpu (kernel/smp/percpu.h) that assembly reads through
 * the GS base: the SYSCALL entry stub (arch/x86_64/syscall_entry.S) takes its
 * kernel stack from %gs:CPU_SYSCALL_RSP, parks the user RSP at
 * %gs:CPU_USER_RSP and tests %gs:CPU_NEED_RESCHED on the way out. percpu.h
 * asserts that the struct matches. Safe to include from assembly.
 */
#ifndef EMBER_KERNEL_SMP_CPU_H
#define EMBER_KERNEL_SMP_CPU_H

#define CPU_SELF         0
#define CPU_SYSCALL_RSP  8
#define CPU_USER_RSP     16
#define CPU_NEED_RESCHED 32

#endif
