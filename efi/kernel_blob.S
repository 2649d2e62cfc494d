/*
 * The kernel ELF, embedded in the loader's read-only data so that one
 * BOOTX64.EFI is all a boot medium needs. KERNEL_ELF is the path of the
 * file, given by the Makefile (the normal or the test kernel).
 */
	.section .rodata
	.balign 4096
	.global ember_kernel_elf
ember_kernel_elf:
	.incbin KERNEL_ELF
	.global ember_kernel_elf_end
ember_kernel_elf_end:
	.section .note.GNU-stack,"",@progbits
