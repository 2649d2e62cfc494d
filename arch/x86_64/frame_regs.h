/*
 * The general registers of struct interrupt_frame (interrupts.h), saved and
 * restored in its order: r15 at the lowest address, rax at the highest. One
 * copy for both ways into the kernel, the interrupt stubs' common entry
 * (isr.S) and the SYSCALL entry (syscall_entry.S). Assembly only.
 */
#ifndef EMBER_ARCH_FRAME_REGS_H
#define EMBER_ARCH_FRAME_REGS_H

.macro PUSH_REGS
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
.endm

.macro POP_REGS
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
.endm

#endif
