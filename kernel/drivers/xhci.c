/*
 * xHCI controllers (see xhci.h): hand-off from the firmware, reset, the
 * command and event rings, commands and control transfers waited for by
 * polling the event ring, and the usb task that services everything.
 * Root-hub ports and devices are in xhci_port.c. The usb task, except
 * usb_tick (timer interrupt: reads only, then wakes the task).
 */
#include "kernel/arch.h"
#include "kernel/async/sched.h"
#include "kernel/boot.h"
#include "kernel/drivers/xhci_int.h"
#include "kernel/kprintf.h"
#include "kernel/mm/dma.h"
#include "kernel/mm/mmio.h"
#include "kernel/time/clock.h"
#include "lib/cmdline.h"
#include "lib/errno.h"
#include "lib/string.h"

#define MS 1000000ull

static struct xhci ctrls[XHCI_MAX_CTRL];
static unsigned nctrls;
static struct atomic_waker usb_waker;
static uint64_t events_handled;

/* ---- small helpers ---------------------------------------------------------- */

uint64_t xhci_deadline(void)
{
	return clock_ns() + XHCI_TIMEOUT_MS * MS;
}

bool xhci_past(uint64_t deadline)
{
	return clock_ns() > deadline;
}

/* Waits until (reg & mask) == want or ms pass; 0 or -E_TIMEDOUT. */
static int wait_reg(volatile uint8_t *reg, uint32_t mask, uint32_t want, unsigned ms)
{
	uint64_t end = clock_ns() + ms * MS;

	while ((mmio_read32(reg) & mask) != want)
		if (clock_ns() > end)
			return -E_TIMEDOUT;
	return 0;
}

/* DMA memory the controller can reach (below 4 GiB when it lacks AC64). */
void *xhci_dma(struct xhci *x, size_t bytes, uint64_t *phys)
{
	void *v = dma_alloc(bytes, phys);

	if (v && !x->ac64 && *phys + bytes > (1ull << 32)) {
		kprintf("usb%d: DMA memory above 4 GiB for a 32-bit controller\n", x->index);
		return NULL;   /* the frames stay allocated; this does not happen below 4 GiB of RAM */
	}
	return v;
}

const char *xhci_cc_name(uint32_t cc)
{
	switch (cc) {
	case XHCI_CC_SUCCESS: return "success";
	case XHCI_CC_DATA_BUFFER: return "data buffer error";
	case XHCI_CC_BABBLE: return "babble";
	case XHCI_CC_TRANSACTION: return "transaction error";
	case XHCI_CC_TRB: return "TRB error";
	case XHCI_CC_STALL: return "stall";
	case XHCI_CC_SHORT_PACKET: return "short packet";
	case XHCI_CC_TIMEOUT: return "no answer";
	default: return "error";
	}
}

/* ---- rings (section 4.9) ----------------------------------------------------- */

void xhci_ring_reset(struct xhci_ring *r)
{
	memset((void *)r->trb, 0, r->size * sizeof(struct xhci_trb));
	r->trb[r->size - 1].param = r->phys;
	r->trb[r->size - 1].control = XHCI_TRB_TYPE(XHCI_TRB_LINK) | XHCI_TRB_TC;
	r->enq = 0;
	r->cycle = 1;
}

int xhci_ring_init(struct xhci_ring *r, unsigned size)
{
	r->trb = dma_alloc(size * sizeof(struct xhci_trb), &r->phys);
	if (!r->trb)
		return -E_NOMEM;
	r->size = size;
	xhci_ring_reset(r);
	return 0;
}

/* Queues one TRB and returns its bus address. */
uint64_t xhci_ring_push(struct xhci_ring *r, uint64_t param, uint32_t status,
			uint32_t control)
{
	volatile struct xhci_trb *t = &r->trb[r->enq];
	uint64_t at = r->phys + r->enq * sizeof(struct xhci_trb);

	t->param = param;
	t->status = status;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	t->control = control | r->cycle;
	if (++r->enq == r->size - 1) {
		volatile struct xhci_trb *link = &r->trb[r->enq];

		link->control = XHCI_TRB_TYPE(XHCI_TRB_LINK) | XHCI_TRB_TC | r->cycle;
		r->cycle ^= 1;
		r->enq = 0;
	}
	return at;
}

void xhci_doorbell(struct xhci *x, unsigned slot, unsigned target)
{
	mmio_write32(x->db + 4 * slot, target);
}

/* ---- events (section 4.9.4) ------------------------------------------------------ */

bool xhci_event_pending(struct xhci *x)
{
	return x->ev && (x->ev[x->ev_deq].control & XHCI_TRB_CYCLE) == x->ev_cycle;
}

static void wait_event(struct xhci_wait *w, const struct xhci_trb *e)
{
	uint32_t cc = e->status >> 24;

	if (e->param == w->data_trb) {
		w->residual = e->status & 0xffffff;
		if (cc != XHCI_CC_SUCCESS && cc != XHCI_CC_SHORT_PACKET) {
			w->cc = cc;     /* the endpoint halted: no status-stage event follows */
			w->done = true;
		}
	}
	if (e->param == w->final_trb && !w->done) {
		w->cc = cc;
		w->slot = (uint8_t)(e->control >> 24);
		w->done = true;
	}
}

static void interrupt_event(struct xhci_dev *d, const struct xhci_trb *e)
{
	uint32_t cc = e->status >> 24, residual = e->status & 0xffffff;
	uint64_t idx = (e->param - d->intr.phys) / sizeof(struct xhci_trb);
	size_t got;

	if (cc != XHCI_CC_SUCCESS && cc != XHCI_CC_SHORT_PACKET) {
		kprintf("usb: %s: interrupt transfer: %s\n", d->name, xhci_cc_name(cc));
		d->failed = true;    /* disabled by the task, outside event handling */
		return;
	}
	if (e->param < d->intr.phys || idx >= d->intr.size - 1)
		return;
	got = residual < d->int_len ? d->int_len - residual : 0;
	if (d->kbd)
		usb_kbd_report(d->kbd, (const uint8_t *)d->buf + XHCI_CTRL_BUF +
			       idx * XHCI_REPORT_BYTES, got, d->x->notify_tsc);
	xhci_queue_report(d);
}

static void transfer_event(struct xhci *x, const struct xhci_trb *e)
{
	unsigned slot = e->control >> 24, dci = (e->control >> 16) & 0x1f;
	struct xhci_dev *d;

	if (slot == 0 || slot > x->max_slots || !x->dev[slot].used)
		return;
	d = &x->dev[slot];
	if (dci == 1)
		wait_event(&d->ctl, e);
	else if (dci == d->int_dci)
		interrupt_event(d, e);
}

static void dispatch(struct xhci *x, const struct xhci_trb *e)
{
	unsigned port;

	switch (XHCI_TRB_GET_TYPE(e->control)) {
	case XHCI_TRB_CMD_COMPLETION:
		wait_event(&x->cmd_wait, e);
		break;
	case XHCI_TRB_TRANSFER_EVENT:
		transfer_event(x, e);
		break;
	case XHCI_TRB_PORT_STATUS:
		port = (e->param >> 24) & 0xff;
		if (port >= 1 && port <= x->max_ports)
			x->port_pending |= 1u << port;
		break;
	}
}

void xhci_handle_events(struct xhci *x)
{
	volatile uint8_t *ir = x->rt + XHCI_IR0;
	bool any = false;

	while (xhci_event_pending(x)) {
		struct xhci_trb e;

		e.param = x->ev[x->ev_deq].param;
		e.status = x->ev[x->ev_deq].status;
		e.control = x->ev[x->ev_deq].control;
		if (++x->ev_deq == XHCI_EVENT_TRBS) {
			x->ev_deq = 0;
			x->ev_cycle ^= 1;
		}
		dispatch(x, &e);
		events_handled++;
		any = true;
	}
	mmio_write32(ir + XHCI_IMAN, mmio_read32(ir + XHCI_IMAN) | XHCI_IMAN_IP);
	if (any)
		mmio_write64(ir + XHCI_ERDP, (x->ev_phys + x->ev_deq * sizeof(struct xhci_trb)) |
			     XHCI_ERDP_EHB);
}

/* Polls the event ring until w is done or the time is up. */
static int wait_done(struct xhci *x, struct xhci_wait *w)
{
	uint64_t end = xhci_deadline();

	while (!w->done) {
		xhci_handle_events(x);
		if (!w->done && xhci_past(end)) {
			w->cc = XHCI_CC_TIMEOUT;
			return -E_TIMEDOUT;
		}
	}
	return w->cc == XHCI_CC_SUCCESS || w->cc == XHCI_CC_SHORT_PACKET ? 0 : -E_IO;
}

int xhci_command(struct xhci *x, uint64_t param, uint32_t control, uint8_t *slot_out)
{
	int err;

	x->cmd_wait = (struct xhci_wait){ .data_trb = 1 };
	x->cmd_wait.final_trb = xhci_ring_push(&x->cmd, param, 0, control);
	xhci_doorbell(x, 0, 0);
	err = wait_done(x, &x->cmd_wait);
	if (slot_out)
		*slot_out = x->cmd_wait.slot;
	return err;
}

/*
 * A control transfer on endpoint 0 (section 4.11.2.2): Setup, an optional
 * Data stage into or out of d->buf, Status. *got: bytes the data stage
 * really moved.
 */
int xhci_control(struct xhci_dev *d, uint8_t type, uint8_t req, uint16_t value,
		 uint16_t index, uint16_t len, size_t *got)
{
	bool in = type & 0x80;
	uint64_t setup = type | (uint32_t)req << 8 | (uint32_t)value << 16 |
			 (uint64_t)index << 32 | (uint64_t)len << 48;
	uint32_t trt = len ? (in ? 3 : 2) : 0;
	int err;

	if (len > XHCI_CTRL_BUF)
		return -E_INVAL;
	d->ctl = (struct xhci_wait){ .data_trb = 1 };
	xhci_ring_push(&d->ep0, setup, 8, XHCI_TRB_TYPE(XHCI_TRB_SETUP) | XHCI_TRB_IDT |
		       XHCI_TRB_TRT(trt));
	if (len)
		d->ctl.data_trb = xhci_ring_push(&d->ep0, d->buf_phys, len,
						 XHCI_TRB_TYPE(XHCI_TRB_DATA) | XHCI_TRB_IOC |
						 XHCI_TRB_ISP | (in ? XHCI_TRB_DIR_IN : 0));
	d->ctl.final_trb = xhci_ring_push(&d->ep0, 0, 0, XHCI_TRB_TYPE(XHCI_TRB_STATUS) |
					  XHCI_TRB_IOC | (len && in ? 0 : XHCI_TRB_DIR_IN));
	xhci_doorbell(d->x, d->slot, 1);
	err = wait_done(d->x, &d->ctl);
	if (got)
		*got = d->ctl.residual <= len ? len - d->ctl.residual : 0;
	return err;
}

/* Queues one interrupt-IN transfer into the buffer matching its TRB slot. */
void xhci_queue_report(struct xhci_dev *d)
{
	unsigned idx = d->intr.enq;

	xhci_ring_push(&d->intr, d->buf_phys + XHCI_CTRL_BUF + idx * XHCI_REPORT_BYTES,
		       d->int_len, XHCI_TRB_TYPE(XHCI_TRB_NORMAL) | XHCI_TRB_IOC | XHCI_TRB_ISP);
	xhci_doorbell(d->x, d->slot, d->int_dci);
}

/* ---- controller bring-up (section 4.2) -------------------------------------------- */

static void legacy_handoff(struct xhci *x, unsigned off)
{
	volatile uint8_t *leg = x->cap + off;

	if (mmio_read32(leg) & XHCI_LEGSUP_BIOS) {
		mmio_write32(leg, mmio_read32(leg) | XHCI_LEGSUP_OS);
		if (wait_reg(leg, XHCI_LEGSUP_BIOS, 0, 1000) < 0) {
			kprintf("usb%d: firmware kept the controller for 1 s: taking it\n", x->index);
			mmio_write32(leg, mmio_read32(leg) & ~XHCI_LEGSUP_BIOS);
		}
	}
	mmio_write32(leg, mmio_read32(leg) | XHCI_LEGSUP_OS);
	mmio_write32(leg + 4, (mmio_read32(leg + 4) & ~XHCI_LEGCTL_SMI_MASK) |
		     XHCI_LEGCTL_SMI_STS);
}

static void supported_protocol(struct xhci *x, unsigned off)
{
	uint32_t head = mmio_read32(x->cap + off), ports = mmio_read32(x->cap + off + 8);
	unsigned first = ports & 0xff, count = (ports >> 8) & 0xff;

	for (unsigned p = first; p < first + count && p <= XHCI_MAX_PORTS; p++)
		if (p)
			x->port_major[p] = (uint8_t)(head >> 24);
}

/* Walks the extended capabilities (section 7), at most 64 of them, inside the BAR. */
static void extended_caps(struct xhci *x, uint64_t bar_size)
{
	unsigned off = (mmio_read32(x->cap + XHCI_HCCPARAMS1) >> 16) * 4;

	for (unsigned n = 0; off && off + 12 <= bar_size && n < 64; n++) {
		uint32_t head = mmio_read32(x->cap + off);

		if ((head & 0xff) == XHCI_XCAP_LEGACY)
			legacy_handoff(x, off);
		else if ((head & 0xff) == XHCI_XCAP_PROTOCOL)
			supported_protocol(x, off);
		off = ((head >> 8) & 0xff) ? off + ((head >> 8) & 0xff) * 4 : 0;
	}
}

static int reset_controller(struct xhci *x)
{
	volatile uint8_t *cmd = x->op + XHCI_USBCMD, *sts = x->op + XHCI_USBSTS;

	if (wait_reg(sts, XHCI_STS_CNR, 0, 1000) < 0)
		return -E_TIMEDOUT;
	mmio_write32(cmd, mmio_read32(cmd) & ~(XHCI_CMD_RS | XHCI_CMD_INTE));
	if (wait_reg(sts, XHCI_STS_HCH, XHCI_STS_HCH, 100) < 0)
		return -E_TIMEDOUT;
	mmio_write32(cmd, XHCI_CMD_HCRST);
	if (wait_reg(cmd, XHCI_CMD_HCRST, 0, 1000) < 0 ||
	    wait_reg(sts, XHCI_STS_CNR, 0, 1000) < 0)
		return -E_TIMEDOUT;
	return 0;
}

static int scratchpads(struct xhci *x)
{
	uint32_t p2 = mmio_read32(x->cap + XHCI_HCSPARAMS2);
	unsigned n = ((p2 >> 21) & 0x1f) << 5 | (p2 >> 27);
	uint64_t arr_phys, page;
	volatile uint64_t *arr;

	if (!n)
		return 0;
	arr = xhci_dma(x, n * sizeof(uint64_t), &arr_phys);
	if (!arr)
		return -E_NOMEM;
	for (unsigned i = 0; i < n; i++) {
		if (!xhci_dma(x, 4096, &page))
			return -E_NOMEM;
		arr[i] = page;
	}
	x->dcbaa[0] = arr_phys;
	return 0;
}

static int event_ring(struct xhci *x)
{
	volatile uint8_t *ir = x->rt + XHCI_IR0;
	volatile struct xhci_erst_entry *erst;
	uint64_t erst_phys;

	x->ev = xhci_dma(x, XHCI_EVENT_TRBS * sizeof(struct xhci_trb), &x->ev_phys);
	erst = xhci_dma(x, sizeof(*erst), &erst_phys);
	if (!x->ev || !erst)
		return -E_NOMEM;
	erst->base = x->ev_phys;
	erst->size = XHCI_EVENT_TRBS;
	x->ev_deq = 0;
	x->ev_cycle = 1;
	mmio_write32(ir + XHCI_ERSTSZ, 1);
	mmio_write64(ir + XHCI_ERDP, x->ev_phys);
	mmio_write64(ir + XHCI_ERSTBA, erst_phys);
	mmio_write32(ir + XHCI_IMOD, 0);
	mmio_write32(ir + XHCI_IMAN, XHCI_IMAN_IE | XHCI_IMAN_IP);
	return 0;
}

static int data_structures(struct xhci *x)
{
	int err;

	if (!(mmio_read32(x->op + XHCI_PAGESIZE) & 1))
		return -E_NODEV;   /* no 4 KiB pages: every buffer here assumes them */
	mmio_write32(x->op + XHCI_CONFIG, x->max_slots);
	x->dcbaa = xhci_dma(x, (x->max_slots + 1) * sizeof(uint64_t), &x->dcbaa_phys);
	if (!x->dcbaa)
		return -E_NOMEM;
	err = scratchpads(x);
	if (!err)
		err = xhci_ring_init(&x->cmd, XHCI_CMD_TRBS);
	if (!err)
		err = event_ring(x);
	if (err)
		return err;
	mmio_write64(x->op + XHCI_DCBAAP, x->dcbaa_phys);
	mmio_write64(x->op + XHCI_CRCR, x->cmd.phys | XHCI_CRCR_RCS);
	return 0;
}

static int map_registers(struct xhci *x)
{
	const struct pci_bar *bar = &x->pci->bar[0];
	uint32_t p1;

	if (!bar->size || bar->io || bar->size < 0x1000)
		return -E_NODEV;
	x->cap = mmio_map(bar->base, bar->size);
	if (!x->cap)
		return -E_NOMEM;
	x->op = x->cap + (mmio_read32(x->cap + XHCI_CAPLENGTH) & 0xff);
	x->rt = x->cap + (mmio_read32(x->cap + XHCI_RTSOFF) & ~0x1fu);
	x->db = x->cap + (mmio_read32(x->cap + XHCI_DBOFF) & ~0x3u);
	p1 = mmio_read32(x->cap + XHCI_HCSPARAMS1);
	x->max_slots = p1 & 0xff;
	if (x->max_slots > XHCI_MAX_SLOTS)
		x->max_slots = XHCI_MAX_SLOTS;
	x->max_ports = p1 >> 24;
	if (x->max_ports > XHCI_MAX_PORTS) {
		kprintf("usb%d: %u ports, only the first %u are used\n", x->index, x->max_ports,
			XHCI_MAX_PORTS);
		x->max_ports = XHCI_MAX_PORTS;
	}
	x->ctx_size = (mmio_read32(x->cap + XHCI_HCCPARAMS1) & XHCI_HCC_CSZ) ? 64 : 32;
	x->ac64 = mmio_read32(x->cap + XHCI_HCCPARAMS1) & 1;
	return x->max_slots ? 0 : -E_NODEV;
}

static void setup_interrupts(struct xhci *x);

static int start(struct xhci *x)
{
	int err;

	if (pci_claim(x->pci, "xhci") < 0)
		return -E_BUSY;
	err = map_registers(x);
	if (err)
		return err;
	extended_caps(x, x->pci->bar[0].size);
	err = reset_controller(x);
	if (!err)
		err = data_structures(x);
	if (err)
		return err;
	mmio_write32(x->op + XHCI_USBCMD, XHCI_CMD_RS | XHCI_CMD_INTE);
	if (wait_reg(x->op + XHCI_USBSTS, XHCI_STS_HCH, 0, 100) < 0)
		return -E_TIMEDOUT;
	setup_interrupts(x);
	for (unsigned p = 1; p <= x->max_ports; p++)
		if (xhci_port_read(x, p) & XHCI_PORT_CCS)
			x->port_pending |= 1u << p;
	return 0;
}

uint32_t xhci_port_read(struct xhci *x, unsigned port)
{
	return mmio_read32(x->op + XHCI_PORTSC(port));
}

/* Writes set plus the bits that must be preserved; no RW1C bit is cleared by accident. */
void xhci_port_write(struct xhci *x, unsigned port, uint32_t set)
{
	mmio_write32(x->op + XHCI_PORTSC(port),
		     (xhci_port_read(x, port) & XHCI_PORT_PRESERVE) | set);
}

/* ---- the usb task and its notification ---------------------------------------------- */

static void service(struct xhci *x)
{
	uint32_t sts = mmio_read32(x->op + XHCI_USBSTS);

	if (sts & (XHCI_STS_HSE | XHCI_STS_HCE)) {
		kprintf("usb%d: controller error (USBSTS %#x): stopped\n", x->index, sts);
		x->ev = NULL;
		return;
	}
	xhci_handle_events(x);
	for (unsigned s = 1; s <= x->max_slots; s++)
		if (x->dev[s].used && x->dev[s].failed)
			xhci_dev_disable(&x->dev[s], "it failed a transfer");
	xhci_ports_service(x);
}

static enum task_poll usb_poll(void *arg, struct task_cx *cx)
{
	atomic_waker_register(&usb_waker, &cx->waker);
	for (unsigned i = 0; i < nctrls; i++)
		if (ctrls[i].ev)
			service(&ctrls[i]);
	usb_kbd_service();
	return TASK_PENDING;
}

/*
 * Timer interrupt: wake the task when an event ring or a keyboard has work.
 * With MSI/MSI-X this is only a safety net (and the key repeat clock).
 */
static void usb_tick(void *ctx)
{
	bool work = usb_kbd_work_due();

	for (unsigned i = 0; i < nctrls; i++)
		if (xhci_event_pending(&ctrls[i]) || ctrls[i].port_pending) {
			if (!ctrls[i].irqs)
				ctrls[i].notify_tsc = arch_timestamp();
			work = true;
		}
	if (work)
		atomic_waker_wake(&usb_waker);
}

/* MSI/MSI-X handler: stamp and wake the task; the task reads the ring. */
static void usb_irq(void *ctx)
{
	struct xhci *x = ctx;

	x->notify_tsc = arch_timestamp();
	x->irqs++;
	atomic_waker_wake(&usb_waker);
}

/*
 * What usb.irq= on the command line asks of controller i: a comma-separated
 * list by controller, each "msix" (the default: MSI-X, else MSI), "msi"
 * (MSI only) or "poll" (the timer alone). Tests use it to reach every path.
 */
static char irq_choice(int index)
{
	char val[64], *p = val;

	if (cmdline_get(boot_info()->cmdline, "usb.irq", val, sizeof(val)) < 0)
		return 'x';
	for (int i = 0; i < index && p; i++) {
		while (*p && *p != ',')
			p++;
		p = *p ? p + 1 : NULL;
	}
	if (!p || !strncmp(p, "msix", 4))
		return 'x';
	return !strncmp(p, "msi", 3) ? 'm' : !strncmp(p, "poll", 4) ? 'p' : 'x';
}

/* MSI-X, else MSI, else the timer poll alone. */
static void setup_interrupts(struct xhci *x)
{
	struct arch_msi m;
	char want = irq_choice(x->index);
	int err = want == 'p' ? -E_NOENT : arch_msi_alloc(usb_irq, x, &m);

	x->notify = "timer poll";
	if (want == 'p')
		return;
	if (err) {
		kprintf("usb%d: no MSI vector (error %d): polling every timer tick\n", x->index, err);
		return;
	}
	if (want == 'x' && pci_enable_msix(x->pci, m.address, m.data) == 0)
		x->notify = "MSI-X";
	else if ((err = pci_enable_msi(x->pci, m.address, m.data)) == 0)
		x->notify = "MSI";
	else
		kprintf("usb%d: no MSI-X%s, MSI error %d: polling every timer tick\n", x->index,
			want == 'x' ? "" : " (not asked)", err);
}

void xhci_init(void)
{
	struct pci_dev *p = NULL;

	while ((p = pci_find_class(0x0c, 0x03, 0x30, p)) && nctrls < XHCI_MAX_CTRL) {
		struct xhci *x = &ctrls[nctrls];
		int err;

		x->pci = p;
		x->index = (int)nctrls;
		x->notify = "timer poll";
		err = start(x);
		if (err) {
			kprintf("usb%d: xHCI at %02x:%02x.%u failed to start: error %d\n",
				x->index, p->bus, p->dev, p->fn, err);
			x->ev = NULL;
			continue;
		}
		kprintf("usb%d: xHCI %04x:%04x at %02x:%02x.%u, %u ports, %u slots, %s\n",
			x->index, p->vendor, p->device, p->bus, p->dev, p->fn, x->max_ports,
			x->max_slots, x->notify);
		nctrls++;
	}
	if (!nctrls)
		return;
	atomic_waker_init(&usb_waker);
	if (sched_spawn("usb", usb_poll, NULL, NULL) < 0 ||
	    clock_add_tick_callback(usb_tick, NULL) < 0)
		kprintf("usb: cannot start the usb task\n");
}

void xhci_get_stats(struct xhci_stats *out)
{
	*out = (struct xhci_stats){ .controllers = nctrls, .keyboards = usb_kbd_count(),
				    .attaches = xhci_attaches, .detaches = xhci_detaches,
				    .failures = xhci_failures, .events = events_handled,
				    .notify = nctrls ? ctrls[0].notify : "none" };
	for (unsigned i = 0; i < nctrls; i++)
		for (unsigned s = 1; s <= ctrls[i].max_slots; s++)
			out->devices += ctrls[i].dev[s].used;
}

void xhci_print(void)
{
	if (!nctrls) {
		kprintf("no xHCI controller\n");
		return;
	}
	for (unsigned i = 0; i < nctrls; i++) {
		struct xhci *x = &ctrls[i];

		kprintf("usb%u: %u ports, %s (%llu interrupts)\n", i, x->max_ports,
			x->ev ? x->notify : "stopped", (unsigned long long)x->irqs);
		for (unsigned s = 1; s <= x->max_slots; s++) {
			struct xhci_dev *d = &x->dev[s];

			if (d->used)
				kprintf("  port %u slot %u: %04x:%04x class %02x/%02x/%02x %s\n",
					d->port, s, d->vendor, d->product, d->iface_class,
					d->iface_sub, d->iface_proto, d->role);
		}
	}
	kprintf("events %llu, attaches %u, detaches %u, failures %u\n",
		(unsigned long long)events_handled, xhci_attaches, xhci_detaches, xhci_failures);
}
