/*
 * efi_call4_on_stack(fn, a0, a1, a2, a3, stack_top): call an MS-ABI function
 * (UEFI 2.10, 2.3.4.2: arguments in rcx, rdx, r8, r9, 32 bytes of shadow
 * space, the stack 16-byte aligned at the call) on the given stack, and
 * return its rax on the caller's stack. rbp is callee-saved in both ABIs and
 * keeps the way back.
 */
	.text
	.globl efi_call4_on_stack
	.type efi_call4_on_stack, @function
efi_call4_on_stack:
	push %rbp
	mov %rsp, %rbp
	mov %r9, %rsp
	and $-16, %rsp
	sub $32, %rsp           /* shadow space for the callee's four registers */
	mov %rdi, %rax
	mov %r8, %r9            /* a3 */
	mov %rcx, %r8           /* a2 */
	mov %rsi, %rcx          /* a0; a1 is already in rdx */
	call *%rax
	mov %rbp, %rsp
	pop %rbp
	ret
	.size efi_call4_on_stack, . - efi_call4_on_stack
	.section .note.GNU-stack, "", @progbits
