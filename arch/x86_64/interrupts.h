/*
 * The interrupt descriptor table and the register frame every interrupt and
 * exception handler receives. The assembler stubs push a full frame and call
 * one C dispatcher; exceptions (vectors 0-31) get a report and, if fatal, a
 * panic; every other vector goes to the handler registered for it.
 *
 * Context: handlers run with interrupts disabled, on the interrupted stack (or
 * an IST stack for #DF, NMI and #MC). They must not block or allocate.
 */
#ifndef EMBER_ARCH_INTERRUPTS_H
#define EMBER_ARCH_INTERRUPTS_H

#include <stdint.h>

#define IDT_VECTORS       256
#define VEC_FIRST_IRQ     0x20   /* 8259 master remapped here, slave at 0x28 */
#define VEC_SPURIOUS      0xff

/* Saved by the stubs and the common entry; order is the reverse of the pushes. */
struct interrupt_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;       /* error_code is 0 when the CPU pushes none */
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

typedef void (*interrupt_handler_fn)(struct interrupt_frame *frame);

/* Build and load the IDT (all 256 vectors). Interrupts stay disabled. */
void idt_init(void);

/* Install the handler for a vector >= 32; returns 0 or -E_BUSY / -E_INVAL. */
int interrupt_register(unsigned vector, interrupt_handler_fn fn);

#endif
