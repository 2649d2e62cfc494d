/*
 * The application processors' first instructions. The bootstrap processor
 * copies this blob to the low page the loader reserved (smp.c), fills the
 * parameter block at its end, maps the page at its own physical address,
 * and sends INIT-SIPI-SIPI with the page number as the vector. Each AP then
 * starts here in real mode with CS = page >> 4, IP = 0, and goes
 *   16-bit real mode -> 32-bit protected mode (flat segments of the blob's
 *   GDT) -> long mode (the kernel's CR3, CR4, EFER, CR0: paging on, still
 *   running in the identity-mapped page) -> 64-bit code
 * and jumps to the kernel's C entry with its own stack and struct cpu.
 * Every absolute address (the GDT's base, both far jumps' targets) is
 * written into the parameter block by the BSP, who knows the page, so the
 * code is position independent. The AP marks "alive" in the block while
 * paging is still off (the page is mapped read-only afterwards): the BSP can
 * tell an AP that never ran from one that died on the way.
 * One AP at a time: the BSP waits for each before it reuses the block.
 */
#define TRAMP_OFF(label) ((label) - smp_trampoline_start)

	.section .rodata
	.p2align 4
	.global smp_trampoline_start, smp_trampoline_end, smp_trampoline_params
	.global smp_trampoline_pm, smp_trampoline_lm, smp_trampoline_gdt

	.code16
smp_trampoline_start:
	cli
	cld
	mov	%cs, %ax
	mov	%ax, %ds
	xor	%ebx, %ebx
	mov	%ax, %bx
	shl	$4, %ebx			/* %ebx = the page's physical address */
	movl	$1, TRAMP_OFF(p_alive)		/* DS-relative: "this AP ran" */
	lgdtl	TRAMP_OFF(p_gdtr)
	mov	%cr0, %eax
	or	$1, %eax			/* PE */
	mov	%eax, %cr0
	ljmpl	*TRAMP_OFF(p_pm_jump)

	.code32
	.p2align 4
smp_trampoline_pm:
	mov	$0x10, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	TRAMP_OFF(p_cr4)(%ebx), %eax	/* PAE and the BSP's other bits */
	mov	%eax, %cr4
	mov	TRAMP_OFF(p_cr3)(%ebx), %eax	/* the kernel's tables, below 4 GiB */
	mov	%eax, %cr3
	mov	$0xc0000080, %ecx		/* EFER: LME, NXE as on the BSP */
	mov	TRAMP_OFF(p_efer)(%ebx), %eax
	xor	%edx, %edx
	wrmsr
	mov	TRAMP_OFF(p_cr0)(%ebx), %eax	/* PG + PE: long mode is active */
	mov	%eax, %cr0
	ljmpl	*TRAMP_OFF(p_lm_jump)(%ebx)

	.code64
	.p2align 4
smp_trampoline_lm:
	mov	%ebx, %ebx			/* upper halves are undefined after the switch */
	xor	%eax, %eax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	TRAMP_OFF(p_stack)(%rbx), %rsp
	mov	TRAMP_OFF(p_cpu)(%rbx), %rdi
	mov	TRAMP_OFF(p_entry)(%rbx), %rax
	xor	%ebp, %ebp
	pushq	$0				/* a zero return address ends backtraces */
	jmp	*%rax

	.p2align 3
smp_trampoline_gdt:
	.quad	0
	.quad	0x00cf9b000000ffff		/* 0x08: 32-bit code, accessed bit preset */
	.quad	0x00cf93000000ffff		/* 0x10: data */
	.quad	0x00af9b000000ffff		/* 0x18: 64-bit code */
smp_trampoline_gdt_end:

	/* The parameter block: struct smp_trampoline_params in smp.c. */
	.p2align 3
smp_trampoline_params:
p_gdtr:		.word 0				/* limit */
		.long 0				/* base: page + gdt offset */
		.word 0
p_pm_jump:	.long 0				/* page + pm offset */
		.word 0x08
		.word 0
p_lm_jump:	.long 0				/* page + lm offset */
		.word 0x18
		.word 0
p_cr0:		.long 0
p_cr3:		.long 0
p_cr4:		.long 0
p_efer:		.long 0
p_alive:	.long 0
		.long 0
p_stack:	.quad 0
p_cpu:		.quad 0
p_entry:	.quad 0
smp_trampoline_end:

	.section .note.GNU-stack,"",@progbits
