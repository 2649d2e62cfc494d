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
/* Load the IDT idt_init built on this CPU (application processors). */
void idt_load(void);

/* Install the handler for a vector >= 32; returns 0 or -E_BUSY / -E_INVAL. */
int interrupt_register(unsigned vector, interrupt_handler_fn fn);

/* Remove the handler of a vector >= 32; returns 0 or -E_NOENT / -E_INVAL. */
int interrupt_unregister(unsigned vector);

/* Interrupts that arrived on a vector >= 32 with no handler (each is reported once). */
uint64_t interrupt_unhandled_count(void);

/* One 16-byte IDT entry (Intel SDM vol. 3, 6.14.1). */
struct idt_gate {
	uint16_t offset_lo;        /* handler address 15:0 */
	uint16_t selector;         /* code segment: GDT_KERNEL_CODE */
	uint8_t ist;               /* bits 2:0: IST stack number, 0 = none */
	uint8_t type_attr;         /* IDT_GATE_* below */
	uint16_t offset_mid;       /* handler address 31:16 */
	uint32_t offset_hi;        /* handler address 63:32 */
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gates are 16 bytes in long mode");

#define IDT_GATE_PRESENT   0x80
#define IDT_GATE_DPL_MASK  0x60
#define IDT_GATE_INTERRUPT 0x0e   /* 64-bit interrupt gate: clears IF on entry */
#define IDT_GATE_TYPE_MASK 0x0f

/* Called only by the common entry in isr.S, with the frame it saved. */
void interrupt_dispatch(struct interrupt_frame *frame);

#endif
