/*
 * The IDT and the C side of every interrupt: 256 interrupt gates pointing at
 * the stubs of isr.S, IST stacks for #DF, NMI and #MC, and the dispatcher the
 * stubs call. Exceptions go to exception_handle; any other vector to the
 * handler registered for it, or, with none, to a one-time report.
 *
 * idt_init: early boot, interrupts off. interrupt_register/unregister: any
 * context (they briefly disable interrupts). interrupt_dispatch: interrupt
 * context only.
 */
#include <stddef.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/exceptions.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/interrupts.h"
#include "arch/x86_64/tss.h"
#include "kernel/arch.h"
#include "kernel/kprintf.h"
#include "kernel/panic.h"
#include "lib/errno.h"

_Static_assert(offsetof(struct interrupt_frame, vector) == 15 * 8, "isr.S pushes 15 registers");
_Static_assert(offsetof(struct interrupt_frame, rip) == 17 * 8, "isr.S reads rip at FRAME_RIP");
_Static_assert(sizeof(struct interrupt_frame) == 22 * 8, "the CPU pushes 5 quadwords");

extern const uint64_t isr_stub_table[IDT_VECTORS];   /* isr.S */

static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(16)));
static interrupt_handler_fn handlers[IDT_VECTORS];
static uint64_t unhandled_count;
static bool unhandled_seen[IDT_VECTORS];

/* Which IST stack a vector runs on: its own for the three that may strike any time. */
static unsigned gate_ist(unsigned vector)
{
	switch (vector) {
	case EXC_DOUBLE_FAULT:  return IST_DOUBLE_FAULT;
	case EXC_NMI:           return IST_NMI;
	case EXC_MACHINE_CHECK: return IST_MACHINE_CHECK;
	default:                return 0;
	}
}

static void set_gate(unsigned vector, uint64_t handler, unsigned ist)
{
	struct idt_gate *g = &idt[vector];

	g->offset_lo = handler & 0xffff;
	g->offset_mid = (handler >> 16) & 0xffff;
	g->offset_hi = handler >> 32;
	g->selector = GDT_KERNEL_CODE;
	g->ist = ist & 7;
	g->type_attr = IDT_GATE_PRESENT | IDT_GATE_INTERRUPT;   /* DPL 0 */
	g->reserved = 0;
}

void idt_load(void)
{
	struct desc_table_ptr p = { .limit = sizeof(idt) - 1, .base = (uint64_t)idt };

	lidt(&p);
}

void idt_init(void)
{
	ASSERT(!arch_irq_enabled());
	for (unsigned v = 0; v < IDT_VECTORS; v++)
		set_gate(v, isr_stub_table[v], gate_ist(v));
	idt_load();
}

int interrupt_register(unsigned vector, interrupt_handler_fn fn)
{
	unsigned long flags;
	int err = 0;

	if (vector < EXC_COUNT || vector >= IDT_VECTORS || !fn)
		return -E_INVAL;
	flags = arch_irq_save();
	if (handlers[vector])
		err = -E_BUSY;
	else
		handlers[vector] = fn;
	arch_irq_restore(flags);
	return err;
}

int interrupt_unregister(unsigned vector)
{
	unsigned long flags;
	int err = 0;

	if (vector < EXC_COUNT || vector >= IDT_VECTORS)
		return -E_INVAL;
	flags = arch_irq_save();
	if (!handlers[vector])
		err = -E_NOENT;
	handlers[vector] = NULL;
	arch_irq_restore(flags);
	return err;
}

uint64_t interrupt_unhandled_count(void)
{
	return unhandled_count;
}

/* A vector nobody claimed: count it, say so once per vector, carry on. */
static void unhandled(const struct interrupt_frame *f)
{
	unhandled_count++;
	if (unhandled_seen[f->vector])
		return;
	unhandled_seen[f->vector] = true;
	kprintf("interrupt: vector %#llx has no handler (ignored; rip %#llx)\n",
		(unsigned long long)f->vector, (unsigned long long)f->rip);
}

void interrupt_dispatch(struct interrupt_frame *frame)
{
	interrupt_handler_fn fn;

	ASSERT(!arch_irq_enabled());
	if (frame->vector < EXC_COUNT) {
		exception_handle(frame);
		return;
	}
	fn = handlers[frame->vector];
	if (fn)
		fn(frame);
	else
		unhandled(frame);
}
