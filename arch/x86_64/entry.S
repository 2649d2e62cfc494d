/*
 * The kernel's first instructions. The loader jumps here with interrupts off,
 * %rdi = boot_info (direct-map address) and %rsp on the boot stack. We load
 * our own GDT (the firmware's is no longer mapped), reload every segment
 * register, set a known stack and call kernel_main(boot_info).
 */
#include "kernel/boot_info.h"

	.cfi_sections .debug_frame	/* for gdb only: stripped from the embedded kernel */
	.section .text.entry, "ax"
	.global _start
_start:
	.cfi_startproc
	.cfi_undefined rip		/* the outermost frame: gdb's backtrace ends here */
	cli
	movabs	$KERNEL_STACK_TOP, %rsp
	xor	%ebp, %ebp
	push	%rdi			/* keep boot_info across the call */
	push	%rdi			/* and keep %rsp 16-byte aligned */
	call	gdt_init
	pop	%rdi
	pop	%rdi
	call	kernel_main
1:	cli
	hlt
	jmp	1b
	.cfi_endproc

	.section .note.GNU-stack,"",@progbits
