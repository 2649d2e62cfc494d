/*
 * The last instructions the loader runs. This page is identity-mapped in the
 * new page tables, so execution survives the CR3 switch.
 *
 *   loader_handoff(cr3 = %rdi, stack_top = %rsi, entry = %rdx, boot_info = %rcx)
 *
 * Interrupts are already off and the PICs masked; after this the firmware's
 * GDT and IDT are no longer mapped, so the kernel's entry loads its own GDT
 * before anything can fault.
 */
	.text
	.global loader_handoff
loader_handoff:
	cli
	mov	%rdi, %cr3
	mov	%rsi, %rsp
	mov	%rcx, %rdi
	xor	%ebp, %ebp
	pushq	$0		/* a zero return address ends backtraces */
	jmp	*%rdx

	.section .note.GNU-stack,"",@progbits
