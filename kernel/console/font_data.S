/*
 * The console fonts, embedded read-only into the kernel: Terminus 8x16
 * (PSF1) and 16x32 (PSF2), both with Unicode tables, decompressed by the
 * build. Each lies between its _start and _end symbols; the console parses
 * them in place at boot (console_init).
 */
	.section .rodata, "a"

	.balign 16
	.globl font_terminus16_start, font_terminus16_end
	.type font_terminus16_start, @object
font_terminus16_start:
	.incbin "terminus16.psf"
font_terminus16_end:
	.size font_terminus16_start, font_terminus16_end - font_terminus16_start

	.balign 16
	.globl font_terminus32_start, font_terminus32_end
	.type font_terminus32_start, @object
font_terminus32_start:
	.incbin "terminus32.psf"
font_terminus32_end:
	.size font_terminus32_start, font_terminus32_end - font_terminus32_start

	.section .note.GNU-stack, "", @progbits
