/*
 * CPU exceptions, vectors 0-31: their names, the decoding of their error
 * codes, and what happens when one arrives. Every exception prints a report
 * to every console (name and vector, decoded error code, CR2 for a page
 * fault, the instruction bytes at RIP, all registers, CR0/CR3/CR4, and a
 * backtrace with symbol names). A breakpoint (int3) and an NMI then resume;
 * every other exception panics with a message that starts with its name,
 * e.g. "page fault at 0x0 (read, not present) in f+0x12".
 *
 * exception_handle: interrupt context (interrupts off; #DF, NMI and #MC on
 * their IST stacks). The decoders (exceptions_decode.c) are pure, run in any
 * context and compile into the host tests.
 */
#ifndef EMBER_ARCH_EXCEPTIONS_H
#define EMBER_ARCH_EXCEPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/interrupts.h"

/* Intel SDM vol. 3, table 6-1; AMD APM vol. 2, 8.2 for 28-30. */
#define EXC_DIVIDE             0    /* #DE */
#define EXC_DEBUG              1    /* #DB */
#define EXC_NMI                2
#define EXC_BREAKPOINT         3    /* #BP */
#define EXC_OVERFLOW           4    /* #OF */
#define EXC_BOUND_RANGE        5    /* #BR */
#define EXC_INVALID_OPCODE     6    /* #UD */
#define EXC_DEVICE_NOT_AVAIL   7    /* #NM */
#define EXC_DOUBLE_FAULT       8    /* #DF */
#define EXC_COPROC_OVERRUN     9
#define EXC_INVALID_TSS        10   /* #TS */
#define EXC_SEGMENT_NOT_PRESENT 11  /* #NP */
#define EXC_STACK_FAULT        12   /* #SS */
#define EXC_GENERAL_PROTECTION 13   /* #GP */
#define EXC_PAGE_FAULT         14   /* #PF */
#define EXC_X87                16   /* #MF */
#define EXC_ALIGNMENT_CHECK    17   /* #AC */
#define EXC_MACHINE_CHECK      18   /* #MC */
#define EXC_SIMD               19   /* #XM */
#define EXC_VIRTUALIZATION     20   /* #VE */
#define EXC_CONTROL_PROTECTION 21   /* #CP */
#define EXC_HV_INJECTION       28   /* #HV */
#define EXC_VMM_COMMUNICATION  29   /* #VC */
#define EXC_SECURITY           30   /* #SX */
#define EXC_COUNT              32

/* Page-fault error code bits (Intel SDM vol. 3, 4.7). */
#define PF_P     (1u << 0)   /* 0: page not present; 1: protection violation */
#define PF_W     (1u << 1)   /* write access */
#define PF_U     (1u << 2)   /* in user mode */
#define PF_RSVD  (1u << 3)   /* a reserved bit set in a paging-structure entry */
#define PF_I     (1u << 4)   /* instruction fetch */
#define PF_PK    (1u << 5)   /* protection key */
#define PF_SS    (1u << 6)   /* shadow-stack access */
#define PF_SGX   (1u << 15)  /* SGX access-control violation */

/* Selector error codes of #TS, #NP, #SS, #GP (Intel SDM vol. 3, 6.13). */
#define SEL_EXT       (1u << 0)   /* caused by an event external to the program */
#define SEL_IDT       (1u << 1)   /* the index refers to the IDT */
#define SEL_TI        (1u << 2)   /* with SEL_IDT clear: 1 = LDT, 0 = GDT */
#define SEL_INDEX(e)  (((e) >> 3) & 0x1fff)

/* "page fault"; "reserved" for the unused vectors below 32; NULL from 32 on. */
const char *exception_name(unsigned vector);
/* "#PF"; "" for NMI and reserved vectors; NULL from 32 on. */
const char *exception_mnemonic(unsigned vector);
/* True when the CPU pushes an error code for this vector. */
bool exception_has_error_code(unsigned vector);
/* True when the error code is a segment selector error code (#TS #NP #SS #GP). */
bool exception_has_selector_error(unsigned vector);

/* "read", "write" or "instruction fetch". */
const char *exception_pf_access(uint64_t err);
/* "not present" or "protection violation". */
const char *exception_pf_cause(uint64_t err);
/*
 * Every bit in words: "not present, read, kernel mode" plus any of
 * ", reserved bit set", ", protection key", ", shadow stack", ", SGX".
 * Returns the length fmt_snprintf would write (output truncated to size).
 */
int exception_describe_pf(uint64_t err, char *buf, size_t size);
/*
 * A selector error code in words: "GDT index 3 (selector 0x0018)",
 * "IDT vector 0x0d", "LDT index 1 (selector 0x000c)", with "external
 * event, " in front when EXT is set; "no selector involved" for 0 (a #GP
 * from a non-canonical address, for one). Returns as above.
 */
int exception_describe_selector(uint64_t err, char *buf, size_t size);

/* Counters and last values, for tests and diagnostics. */
struct exception_stats {
	uint64_t total;               /* every exception handled */
	uint64_t breakpoints;         /* int3 */
	uint64_t last_breakpoint_rip; /* the RIP int3 resumed at */
	uint64_t nmis;
	uint64_t last_nmi_handler_rsp; /* the NMI handler's own stack pointer */
};
const struct exception_stats *exception_stats(void);

/* The dispatcher's entry for vectors below 32. Returns only when execution may resume. */
void exception_handle(struct interrupt_frame *frame);

#endif
