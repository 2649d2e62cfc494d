/*
 * Ring 3 entry and exit (see kernel/arch.h, "user mode"): the SYSCALL entry stub, the first
 * entry of a new process, the kernel context switch between a process's
 * kernel stack and the runner's, and the user-memory copy routines whose
 * faulting instructions are listed in uaccess_fixups.
 *
 * Every path into the kernel from ring 3 builds a struct interrupt_frame on
 * the process's kernel stack (the SYSCALL stub marks its frame with vector
 * VEC_SYSCALL). GS: user GS base while in ring 3, struct cpu in the kernel;
 * every crossing does swapgs exactly once.
 */
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/frame_regs.h"
#include "kernel/smp/cpu.h"

#define VEC_SYSCALL 0x100

	.text
/*
 * SYSCALL: RIP in %rcx, RFLAGS in %r11, IF/TF/DF/AC cleared by FMASK, still
 * on the user stack with the user's GS. Switch to this CPU's kernel stack
 * (struct cpu: syscall_rsp at %gs:8, scratch at %gs:CPU_USER_RSP), build the frame,
 * then the six arguments as an array under it, and call the process
 * layer's dispatcher (arch_syscall_fn: args, frame, nr) directly; its
 * result goes to the frame's RAX.
 *
 * Fast path (need_resched zero: no slice end, no signal, no frame rewrite):
 * SYSRET, or IRETQ when the return RIP is not in the user half (SYSRET
 * with a non-canonical RCX would fault in ring 0 with the user's RSP: the
 * well-known SYSRET pitfall). Slow path: arch_user_return (preemption,
 * signals), then always IRETQ, which restores every register: rt_sigreturn
 * and a handler's entry need RCX and R11 as the frame has them.
 */
#define FRAME_RAX (14 * 8)
#define FRAME_RIP (17 * 8)

	.p2align 4
	.global syscall_entry
	.type syscall_entry, @function
syscall_entry:
	swapgs
	movq	%rsp, %gs:CPU_USER_RSP
	movq	%gs:CPU_SYSCALL_RSP, %rsp
	pushq	$USER_SS
	pushq	%gs:CPU_USER_RSP
	pushq	%r11
	pushq	$USER_CS
	pushq	%rcx
	pushq	$0
	pushq	$VEC_SYSCALL
	PUSH_REGS
	movq	%rsp, %rbx		/* the frame; %rbx survives the call */
	pushq	%r9			/* a[5] ... */
	pushq	%r8
	pushq	%r10
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi			/* ... a[0]; %rsp stays 16-byte aligned */
	xorl	%ebp, %ebp		/* backtraces stop here */
	movq	%rsp, %rdi		/* (args, frame, nr) */
	movq	%rbx, %rsi
	movq	%rax, %rdx
	call	*arch_syscall_fn(%rip)
	movq	%rax, FRAME_RAX(%rbx)
	testb	$0xff, %gs:CPU_NEED_RESCHED
	jnz	3f
	movq	FRAME_RIP(%rbx), %rcx	/* return RIP in the user half? (execve) */
	shrq	$47, %rcx
	jnz	3f
	movq	%rbx, %rsp
	POP_REGS
	addq	$16, %rsp		/* vector and error code */
	movq	(%rsp), %rcx		/* RIP */
	movq	16(%rsp), %r11		/* RFLAGS */
	movq	24(%rsp), %rsp		/* user RSP; NMI and #MC use IST stacks */
	swapgs
	sysretq
3:	movq	%rbx, %rdi
	call	arch_user_return	/* preemption, signals; a bad RIP ends the process */
	movq	%rbx, %rsp
	POP_REGS
	addq	$16, %rsp
	swapgs
	iretq
	.size syscall_entry, . - syscall_entry

/* A new process's first return to ring 3: %rsp points at its frame. */
	.p2align 4
	.global user_enter
	.type user_enter, @function
user_enter:
	POP_REGS
	addq	$16, %rsp
	swapgs
	iretq
	.size user_enter, . - user_enter

/*
 * void arch_switch(uint64_t *save_sp, uint64_t new_sp): save the callee-saved
 * registers and RFLAGS (the interrupt flag belongs to the context) on this
 * stack, store its pointer, and resume the context saved at new_sp.
 */
	.p2align 4
	.global arch_switch
	.type arch_switch, @function
arch_switch:
	pushfq
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	popfq
	ret
	.size arch_switch, . - arch_switch

/*
 * long uaccess_copy(void *dst, const void *src, size_t n): 0, or -1 when a
 * user page is missing or forbids the access (the #PF handler finds the
 * faulting RIP in uaccess_fixups and resumes at the fix-up). Callers have
 * checked that the user range lies in the user half. SMAP: stac/clac when
 * uaccess_smap is set.
 */
	.p2align 4
	.global uaccess_copy
	.type uaccess_copy, @function
uaccess_copy:
	movq	%rdx, %rcx
	testb	$1, uaccess_smap(%rip)
	jz	1f
	stac
1:
copy_insn:
	rep movsb
	xorl	%eax, %eax
	jmp	uaccess_done
copy_fix:
	movq	$-1, %rax
uaccess_done:
	testb	$1, uaccess_smap(%rip)
	jz	2f
	clac
2:	ret
	.size uaccess_copy, . - uaccess_copy

/*
 * long uaccess_strncpy(char *dst, const char *src, size_t n): copies up to
 * and including the NUL; returns the string's length, n when no NUL came
 * within n bytes, or -1 on a fault.
 */
	.p2align 4
	.global uaccess_strncpy
	.type uaccess_strncpy, @function
uaccess_strncpy:
	testb	$1, uaccess_smap(%rip)
	jz	1f
	stac
1:	xorl	%eax, %eax
2:	cmpq	%rdx, %rax
	jae	uaccess_done
str_insn:
	movb	(%rsi,%rax), %cl
	movb	%cl, (%rdi,%rax)
	testb	%cl, %cl
	jz	uaccess_done
	incq	%rax
	jmp	2b
str_fix:
	movq	$-1, %rax
	jmp	uaccess_done
	.size uaccess_strncpy, . - uaccess_strncpy

	.section .rodata
	.p2align 3
	.global uaccess_fixups, uaccess_fixups_end
uaccess_fixups:
	.quad	copy_insn, copy_fix
	.quad	str_insn, str_fix
uaccess_fixups_end:

	.section .note.GNU-stack,"",@progbits
