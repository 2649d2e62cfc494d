/*
 * pieaux: what the kernel told a program about where it was loaded. Built
 * twice: as a static ET_EXEC (/test/pieaux) and as a static PIE
 * (/test/pieaux-pie, esp/user/pie.mk). Checks AT_PHDR and AT_ENTRY against
 * the ELF header the linker maps at __ehdr_start (so, after the program
 * relocated itself, against where it really is), prints AT_BASE (0 with no
 * interpreter, as on Linux) and the load address, and uses the heap (brk
 * and mmap) and a relocated pointer table.
 */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

extern const Elf64_Ehdr __ehdr_start;

static const char *const words[] = { "relocated", "pointers", "work" };   /* R_X86_64_RELATIVE */

int main(void)
{
	uintptr_t base = (uintptr_t)&__ehdr_start;
	uintptr_t bias = __ehdr_start.e_type == ET_DYN ? base : 0;   /* ET_EXEC: link addresses */
	int phdr_ok = getauxval(AT_PHDR) == base + __ehdr_start.e_phoff;
	int entry_ok = getauxval(AT_ENTRY) == bias + __ehdr_start.e_entry;
	char *small = malloc(64), *big = malloc(1 << 20);

	if (!small || !big)
		return 1;
	strcpy(small, words[0]);
	memset(big, 1, 1 << 20);
	printf("pieaux: type=%s base=%#lx at_base=%#lx phdr=%s entry=%s heap=ok %s %s %s\n",
	       __ehdr_start.e_type == ET_DYN ? "dyn" : "exec", (unsigned long)base,
	       getauxval(AT_BASE), phdr_ok ? "ok" : "wrong", entry_ok ? "ok" : "wrong", small,
	       words[1], words[2]);
	return phdr_ok && entry_ok ? 0 : 1;
}
