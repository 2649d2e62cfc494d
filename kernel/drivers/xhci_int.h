/*
 * Inside the xHCI driver: the controller and device state shared by
 * xhci.c (controller, rings, events, commands, transfers) and xhci_port.c
 * (root-hub ports: attach, enumerate, configure, detach). Not for use
 * outside those two files. Everything runs in the usb task, except
 * xhci_event_pending, which the timer tick reads.
 */
#ifndef EMBER_KERNEL_XHCI_INT_H
#define EMBER_KERNEL_XHCI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/drivers/pci.h"
#include "kernel/drivers/usb_kbd.h"
#include "kernel/drivers/xhci.h"

#define XHCI_MAX_CTRL      4
#define XHCI_MAX_SLOTS     16
#define XHCI_MAX_PORTS     31      /* ports above are left alone (said on the log) */
#define XHCI_CMD_TRBS      64
#define XHCI_EVENT_TRBS    256     /* one page */
#define XHCI_EP0_TRBS      32
#define XHCI_INT_TRBS      16
#define XHCI_INT_QUEUED    8       /* interrupt-IN transfers kept queued */
#define XHCI_REPORT_BYTES  64      /* per queued interrupt transfer */
#define XHCI_CTRL_BUF      2048    /* control data; reports live above it */
#define XHCI_TIMEOUT_MS    500

/*
 * A producer ring (command or transfer): TRBs with a Link TRB in the last
 * slot pointing back to the first, toggling the cycle. The producer owns
 * TRBs whose cycle bit differs from cycle; it writes a TRB's other fields
 * first and its control word (with cycle) last (section 4.9).
 */
struct xhci_ring {
	volatile struct xhci_trb *trb;
	uint64_t phys;
	unsigned size, enq;
	uint32_t cycle;
};

/* A control transfer or command being waited for. */
struct xhci_wait {
	uint64_t data_trb, final_trb;   /* TRB addresses whose events end it */
	bool done;
	uint32_t cc;                    /* completion code */
	uint32_t residual;              /* bytes not transferred (data stage) */
	uint8_t slot;                   /* Enable Slot's answer */
};

struct xhci;

/* One device slot; its DMA memory is kept across detach and reused. */
struct xhci_dev {
	struct xhci *x;
	bool used, have_memory, failed;
	uint8_t slot, port, speed;
	volatile uint8_t *in_ctx, *out_ctx;
	uint64_t in_phys, out_phys;
	struct xhci_ring ep0, intr;
	volatile uint8_t *buf;          /* control data, then interrupt reports */
	uint64_t buf_phys;
	struct xhci_wait ctl;
	uint8_t int_dci, iface;
	uint16_t int_len;               /* bytes asked per interrupt transfer */
	uint16_t vendor, product;
	uint8_t dev_class, iface_class, iface_sub, iface_proto;
	const char *role;               /* "keyboard" or "no driver" */
	struct usb_kbd *kbd;
	char name[24];                  /* "usb0 port 5" */
};

struct xhci {
	struct pci_dev *pci;
	int index;
	volatile uint8_t *cap, *op, *rt, *db;
	unsigned max_slots, max_ports, ctx_size;
	bool ac64;
	uint8_t port_major[XHCI_MAX_PORTS + 1];   /* USB major revision per port */
	volatile uint64_t *dcbaa;
	uint64_t dcbaa_phys;
	struct xhci_ring cmd;
	volatile struct xhci_trb *ev;
	uint64_t ev_phys;
	unsigned ev_deq;
	uint32_t ev_cycle;
	struct xhci_wait cmd_wait;
	uint32_t port_pending;          /* bit p: port p reported a change */
	uint32_t port_failed;           /* bit p: its device was disabled */
	struct xhci_dev dev[XHCI_MAX_SLOTS + 1];
	const char *notify;             /* "MSI-X", "MSI" or "timer poll" */
	volatile uint64_t notify_tsc;   /* when the last interrupt (or poll) saw work */
	uint64_t irqs;                  /* MSI/MSI-X interrupts taken */
};

/* xhci.c */
uint32_t xhci_port_read(struct xhci *x, unsigned port);
void xhci_port_write(struct xhci *x, unsigned port, uint32_t set);
bool xhci_event_pending(struct xhci *x);
void xhci_handle_events(struct xhci *x);
int xhci_ring_init(struct xhci_ring *r, unsigned size);
void xhci_ring_reset(struct xhci_ring *r);
uint64_t xhci_ring_push(struct xhci_ring *r, uint64_t param, uint32_t status,
			uint32_t control);
void xhci_doorbell(struct xhci *x, unsigned slot, unsigned target);
int xhci_command(struct xhci *x, uint64_t param, uint32_t control, uint8_t *slot_out);
int xhci_control(struct xhci_dev *d, uint8_t type, uint8_t req, uint16_t value,
		 uint16_t index, uint16_t len, size_t *got);
void xhci_queue_report(struct xhci_dev *d);
const char *xhci_cc_name(uint32_t cc);
uint64_t xhci_deadline(void);
bool xhci_past(uint64_t deadline);
void *xhci_dma(struct xhci *x, size_t bytes, uint64_t *phys);

/* xhci_port.c */
void xhci_ports_service(struct xhci *x);
void xhci_dev_disable(struct xhci_dev *d, const char *why);
extern unsigned xhci_attaches, xhci_detaches, xhci_failures;

#endif
