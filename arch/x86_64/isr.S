/*
 * The 256 interrupt entry stubs and their common path (see interrupts.h).
 *
 * Each stub makes every vector look alike: it pushes a zero where the CPU
 * pushes no error code, then the vector number, and jumps to isr_common.
 * isr_common saves the general registers so that the stack holds a struct
 * interrupt_frame, links a frame record {interrupted rbp, interrupted rip}
 * so that a backtrace taken inside a handler continues into the interrupted
 * code, calls interrupt_dispatch(frame) on a 16-byte aligned stack, restores
 * everything and returns with iretq. isr_stub_table holds the 256 stub
 * addresses for idt_init.
 *
 * Runs with interrupts disabled (every gate is an interrupt gate).
 */

#include "arch/x86_64/frame_regs.h"

/* Offset of rip in struct interrupt_frame: 15 registers, vector, error code. */
#define FRAME_RIP (17 * 8)
#define FRAME_CS  (18 * 8)

	.section .rodata
	.p2align 3
	.global isr_stub_table
isr_stub_table:

	.text
	.p2align 4
	.global isr_stubs
isr_stubs:
	vector = 0
	.rept 256
	.p2align 4
1:
	/* The CPU pushes an error code for #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC, #SX. */
	.if !(vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || \
	      vector == 21 || vector == 29 || vector == 30)
	pushq	$0
	.endif
	pushq	$vector
	jmp	isr_common
	.pushsection .rodata
	.quad	1b
	.popsection
	vector = vector + 1
	.endr

	.p2align 4
	.global isr_common
	.type isr_common, @function
isr_common:
	cld				/* the C ABI wants DF clear */
	/*
	 * SMAP: RFLAGS.AC may be set by ring 3 (popfq is allowed there) or by a
	 * user copy's stac when it faults; the handler must not inherit it.
	 * iretq gives the interrupted code its own AC back. clac is #UD
	 * without SMAP, and without SMAP AC means nothing in ring 0: test the
	 * flag the copy helpers use (3 instructions; a popfq would serialise).
	 */
	testb	$1, uaccess_smap(%rip)
	jz	0f
	clac
0:
	testb	$3, 24(%rsp)		/* from ring 3: the kernel's GS base */
	jz	1f
	swapgs
1:
	PUSH_REGS
	movq	%rsp, %rbx		/* the frame; %rbx survives the call */
	pushq	FRAME_RIP(%rbx)		/* frame record for backtraces */
	pushq	%rbp
	movq	%rsp, %rbp
	movq	%rbx, %rdi
	andq	$-16, %rsp		/* the CPU aligns already; never rely on it */
	call	interrupt_dispatch
	testb	$3, FRAME_CS(%rbx)
	jz	2f
	movq	%rbx, %rdi
	call	arch_user_return	/* back to ring 3: preemption, pending kills */
2:
	movq	%rbx, %rsp
	POP_REGS
	addq	$16, %rsp		/* vector and error code */
	testb	$3, 8(%rsp)
	jz	3f
	swapgs
3:
	iretq
	.size isr_common, . - isr_common

	.section .note.GNU-stack,"",@progbits
