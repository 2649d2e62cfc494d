/*
 * The two cascaded 8259A interrupt controllers of the PC: IRQ 0-7 on the
 * master, 8-15 on the slave (wired to the master's IRQ 2). pic_init remaps
 * them to vectors 0x20-0x2f, clear of the CPU exceptions, and masks every
 * line; a driver installs its handler with pic_set_handler and then unmasks
 * its line. The PIC code sends the end-of-interrupt after the handler, so
 * handlers only service their device.
 *
 * Spurious interrupts: a line that drops before the CPU acknowledges it shows
 * up as IRQ 7 (master) or IRQ 15 (slave) with its in-service bit clear. Such
 * an IRQ is counted, runs no handler and gets no EOI from the chip that
 * raised it; the master still gets one for a spurious IRQ 15, because it did
 * see a real request on its cascade line.
 *
 * Context: pic_init once, early, interrupts off. pic_handle_irq: interrupt
 * context (interrupts off). Everything else: any context.
 */
#ifndef EMBER_ARCH_PIC_H
#define EMBER_ARCH_PIC_H

#include <stdbool.h>
#include <stdint.h>

#define PIC1_CMD        0x20     /* master: ICW1, OCW2 (EOI), OCW3; reads IRR/ISR */
#define PIC1_DATA       0x21     /* master: ICW2-4, OCW1 (mask) */
#define PIC2_CMD        0xa0     /* slave */
#define PIC2_DATA       0xa1

#define PIC_IRQS        16
#define PIC_SLAVE_FIRST 8

/* The ISA lines this kernel uses. */
#define IRQ_TIMER       0        /* PIT channel 0 */
#define IRQ_KEYBOARD    1        /* 8042 port 1 */
#define IRQ_CASCADE     2        /* the slave's output, never a device */
#define IRQ_COM1        4
#define IRQ_SPURIOUS_MASTER 7
#define IRQ_SPURIOUS_SLAVE  15

typedef void (*irq_handler_fn)(void);

/* Counters since pic_init. */
struct pic_stats {
	uint64_t handled[PIC_IRQS];  /* real interrupts, per line */
	uint64_t unhandled;          /* real interrupts on a line with no handler */
	uint64_t spurious_master;    /* IRQ 7 with ISR bit 7 of the master clear */
	uint64_t spurious_slave;     /* IRQ 15 with ISR bit 7 of the slave clear */
	uint64_t eoi_master;         /* EOI commands sent to each chip */
	uint64_t eoi_slave;
};

/* Remap to 0x20/0x28, mask every line but the cascade, claim the 16 vectors. */
void pic_init(void);

/*
 * Install fn for irq (it runs in interrupt context, then the EOI is sent).
 * Returns 0, -E_INVAL for a bad line or NULL fn, -E_BUSY if irq has one.
 * The line stays masked until pic_unmask.
 */
int pic_set_handler(unsigned irq, irq_handler_fn fn);
/* Mask irq and remove its handler; -E_INVAL or -E_NOENT if it had none. */
int pic_clear_handler(unsigned irq);

void pic_mask(unsigned irq);
void pic_unmask(unsigned irq);

/* The masks as the chips report them (bit n = IRQ n masked). */
uint16_t pic_read_mask(void);
/* In-service and request registers, read from the chips (bit n = IRQ n). */
uint16_t pic_read_isr(void);
uint16_t pic_read_irr(void);

/*
 * The common path of every IRQ: called with the line number by the vector
 * handler. Decides whether IRQ 7/15 is spurious, runs the handler, sends the
 * EOIs. Exposed so the tests can drive the spurious path directly.
 */
void pic_handle_irq(unsigned irq);

/* True when IRQ 7 or 15 arrives with its ISR bit (isr, as pic_read_isr) clear. */
bool pic_irq_is_spurious(unsigned irq, uint16_t isr);

void pic_get_stats(struct pic_stats *out);

/* The masks pic_init found: what the loader handed over (0xffff: all masked). */
uint16_t pic_masks_at_init(void);

#endif
