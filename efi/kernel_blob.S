/*
 * The kernel ELF, gzip-compressed, embedded in the loader's read-only data so
 * that one BOOTX64.EFI is all a boot medium needs. KERNEL_GZ is the path of
 * the .gz file, given by the Makefile (the normal, the test or a malformed
 * kernel); efi/load.c inflates it with lib/inflate.c.
 */
	.section .rodata
	.balign 16
	.global ember_kernel_gz
ember_kernel_gz:
	.incbin KERNEL_GZ
	.global ember_kernel_gz_end
ember_kernel_gz_end:
	.section .note.GNU-stack,"",@progbits
