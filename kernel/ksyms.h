/*
 * The kernel's own symbol table, for backtraces: address -> "function+off".
 * The table is generated at build time from the linked kernel's text symbols
 * (kernel/gen_ksyms.py, two-stage link in the Makefile) and embedded in
 * .rodata; the normal and the test kernel each carry their own.
 *
 * Read-only data and pure look-ups: any context, including exception handlers
 * and a panic.
 */
#ifndef EMBER_KERNEL_KSYMS_H
#define EMBER_KERNEL_KSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One text symbol. Sorted by addr, no overlaps; addresses in [addr, addr + size) are its. */
struct ksym {
	uint64_t addr;
	uint32_t size;                /* from the ELF, or up to the next symbol */
	uint32_t name;                /* offset into ksyms_names */
};

/* Defined by the generated table (build/ksyms/<kernel>.c). */
extern const struct ksym ksyms_table[];
extern const unsigned ksyms_table_count;
extern const char ksyms_names[];

/*
 * The symbol containing addr: its name and addr's offset into it. False when
 * addr lies in no function (data, padding, outside the kernel).
 */
bool ksyms_lookup(uint64_t addr, const char **name, uint64_t *offset);

/* "name+0x1c" into buf, or "??" when ksyms_lookup fails. Returns as snprintf. */
int ksyms_format(uint64_t addr, char *buf, size_t size);

/* The address of a symbol by exact name, 0 if there is none (linear: tests, debugging). */
uint64_t ksyms_address_of(const char *name);

/* Number of symbols in the table. */
unsigned ksyms_count(void);

#endif
