/*
 * 8259A pair driver (see pic.h): initialisation words, masks, EOI, the
 * spurious-IRQ check and the dispatch of IRQ vectors 0x20-0x2f to the
 * handlers drivers installed. Also the arch_irq_* entry points of arch.h.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/interrupts.h"
#include "arch/x86_64/pic.h"
#include "kernel/arch.h"
#include "kernel/panic.h"
#include "lib/errno.h"
#include "lib/string.h"

#define ICW1_INIT       0x10     /* start initialisation */
#define ICW1_ICW4       0x01     /* ICW4 follows */
#define ICW3_MASTER     (1u << IRQ_CASCADE)  /* slave on IRQ 2 */
#define ICW3_SLAVE      IRQ_CASCADE          /* slave's cascade identity */
#define ICW4_8086       0x01     /* 8086/88 mode, normal EOI */
#define OCW2_EOI        0x20     /* non-specific end of interrupt */
#define OCW3_READ_IRR   0x0a
#define OCW3_READ_ISR   0x0b
#define ISR_LAST_LINE   0x80     /* bit 7 of a chip's ISR: IRQ 7 or 15 */

static irq_handler_fn handlers[PIC_IRQS];
static uint16_t mask_shadow = 0xffff;
static struct pic_stats stats;
static uint16_t masks_found;

static void write_masks(void)
{
	outb(PIC1_DATA, mask_shadow & 0xff);
	outb(PIC2_DATA, mask_shadow >> 8);
}

/* Vectors 0x20-0x2f all come here. */
static void pic_vector(struct interrupt_frame *frame)
{
	pic_handle_irq((unsigned)(frame->vector - VEC_FIRST_IRQ));
}

void pic_init(void)
{
	ASSERT(!arch_irq_enabled());
	masks_found = pic_read_mask();
	outb(PIC1_CMD, ICW1_INIT | ICW1_ICW4);
	io_wait();
	outb(PIC2_CMD, ICW1_INIT | ICW1_ICW4);
	io_wait();
	outb(PIC1_DATA, VEC_FIRST_IRQ);                    /* ICW2: vector base */
	io_wait();
	outb(PIC2_DATA, VEC_FIRST_IRQ + PIC_SLAVE_FIRST);
	io_wait();
	outb(PIC1_DATA, ICW3_MASTER);
	io_wait();
	outb(PIC2_DATA, ICW3_SLAVE);
	io_wait();
	outb(PIC1_DATA, ICW4_8086);
	io_wait();
	outb(PIC2_DATA, ICW4_8086);
	io_wait();
	mask_shadow = (uint16_t)~(1u << IRQ_CASCADE);     /* slave lines pass once unmasked */
	write_masks();
	memset(&stats, 0, sizeof(stats));
	for (unsigned irq = 0; irq < PIC_IRQS; irq++)
		if (interrupt_register(VEC_FIRST_IRQ + irq, pic_vector) < 0)
			panic("pic: vector %#x is already taken", VEC_FIRST_IRQ + irq);
}

int pic_set_handler(unsigned irq, irq_handler_fn fn)
{
	unsigned long flags;
	int err = 0;

	if (irq >= PIC_IRQS || irq == IRQ_CASCADE || !fn)
		return -E_INVAL;
	flags = arch_irq_save();
	if (handlers[irq])
		err = -E_BUSY;
	else
		handlers[irq] = fn;
	arch_irq_restore(flags);
	return err;
}

int pic_clear_handler(unsigned irq)
{
	unsigned long flags;
	int err = 0;

	if (irq >= PIC_IRQS || irq == IRQ_CASCADE)
		return -E_INVAL;
	flags = arch_irq_save();
	pic_mask(irq);
	if (!handlers[irq])
		err = -E_NOENT;
	handlers[irq] = NULL;
	arch_irq_restore(flags);
	return err;
}

void pic_mask(unsigned irq)
{
	unsigned long flags = arch_irq_save();

	ASSERT(irq < PIC_IRQS);
	mask_shadow |= (uint16_t)(1u << irq);
	write_masks();
	arch_irq_restore(flags);
}

void pic_unmask(unsigned irq)
{
	unsigned long flags = arch_irq_save();

	ASSERT(irq < PIC_IRQS);
	mask_shadow &= (uint16_t)~(1u << irq);
	write_masks();
	arch_irq_restore(flags);
}

uint16_t pic_read_mask(void)
{
	return (uint16_t)(inb(PIC2_DATA) << 8 | inb(PIC1_DATA));
}

/* OCW3 selects which register the command port reads back. */
static uint16_t read_reg(uint8_t ocw3)
{
	unsigned long flags = arch_irq_save();
	uint16_t v;

	outb(PIC1_CMD, ocw3);
	outb(PIC2_CMD, ocw3);
	v = (uint16_t)(inb(PIC2_CMD) << 8 | inb(PIC1_CMD));
	arch_irq_restore(flags);
	return v;
}

uint16_t pic_read_isr(void)
{
	return read_reg(OCW3_READ_ISR);
}

uint16_t pic_read_irr(void)
{
	return read_reg(OCW3_READ_IRR);
}

bool pic_irq_is_spurious(unsigned irq, uint16_t isr)
{
	if (irq != IRQ_SPURIOUS_MASTER && irq != IRQ_SPURIOUS_SLAVE)
		return false;
	return !(isr & (1u << irq));
}

static void eoi_master(void)
{
	outb(PIC1_CMD, OCW2_EOI);
	stats.eoi_master++;
}

/* EOI for a real interrupt: the slave first, then the master's cascade line. */
static void send_eoi(unsigned irq)
{
	if (irq >= PIC_SLAVE_FIRST) {
		outb(PIC2_CMD, OCW2_EOI);
		stats.eoi_slave++;
	}
	eoi_master();
}

void pic_handle_irq(unsigned irq)
{
	bool last_line = irq == IRQ_SPURIOUS_MASTER || irq == IRQ_SPURIOUS_SLAVE;

	ASSERT(!arch_irq_enabled());
	ASSERT(irq < PIC_IRQS);
	if (last_line && pic_irq_is_spurious(irq, pic_read_isr())) {
		if (irq == IRQ_SPURIOUS_SLAVE) {
			stats.spurious_slave++;
			eoi_master();            /* the master's IRQ 2 was real */
		} else {
			stats.spurious_master++;
		}
		return;
	}
	stats.handled[irq]++;
	if (handlers[irq])
		handlers[irq]();
	else
		stats.unhandled++;
	send_eoi(irq);
}

void pic_get_stats(struct pic_stats *out)
{
	unsigned long flags = arch_irq_save();

	*out = stats;
	arch_irq_restore(flags);
}

uint16_t pic_masks_at_init(void)
{
	return masks_found;
}

/* ---- arch.h ------------------------------------------------------------------------ */

void arch_irq_enable(void)
{
	sti();
}

void arch_irq_enable_and_wait(void)
{
	ASSERT(!arch_irq_enabled());
	/* sti takes effect after the next instruction: no interrupt can slip
	 * in between the two, so one that is already pending wakes the hlt. */
	__asm__ volatile("sti; hlt" ::: "memory");
}
