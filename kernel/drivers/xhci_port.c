/*
 * xHCI root-hub ports and the devices on them (see xhci.h): a connection
 * is reset, given a slot, addressed, its descriptors read and checked
 * (usb_desc.h), and a HID boot keyboard configured and handed to
 * usb_kbd.h. Every failure is said once on the log and leaves the device
 * disabled (slot freed, port disabled) until it is plugged in again. The
 * usb task only.
 */
#include "kernel/drivers/usb_desc.h"
#include "kernel/drivers/xhci_int.h"
#include "kernel/kprintf.h"
#include "kernel/mm/dma.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"

/* Standard and HID class requests (USB 2.0 section 9.4, HID 1.11 section 7.2). */
#define USB_REQ_GET_DESCRIPTOR    6
#define USB_REQ_SET_CONFIGURATION 9
#define HID_REQ_SET_REPORT        0x09
#define HID_REQ_SET_IDLE          0x0a
#define HID_REQ_SET_PROTOCOL      0x0b
#define USB_TYPE_STD_IN           0x80
#define USB_TYPE_STD_OUT          0x00
#define USB_TYPE_CLASS_IFACE_OUT  0x21

unsigned xhci_attaches, xhci_detaches, xhci_failures;

/* ---- contexts (section 6.2) ------------------------------------------------------- */

static volatile struct xhci_input_ctrl *in_ctrl(struct xhci_dev *d)
{
	return (volatile struct xhci_input_ctrl *)d->in_ctx;
}

static volatile struct xhci_slot_ctx *in_slot(struct xhci_dev *d)
{
	return (volatile struct xhci_slot_ctx *)(d->in_ctx + d->x->ctx_size);
}

/* Input context of the endpoint with device context index dci. */
static volatile struct xhci_ep_ctx *in_ep(struct xhci_dev *d, unsigned dci)
{
	return (volatile struct xhci_ep_ctx *)(d->in_ctx + (dci + 1) * d->x->ctx_size);
}

static int dev_memory(struct xhci_dev *d)
{
	struct xhci *x = d->x;

	if (d->have_memory)
		return 0;
	d->in_ctx = xhci_dma(x, 33 * x->ctx_size, &d->in_phys);
	d->out_ctx = xhci_dma(x, 32 * x->ctx_size, &d->out_phys);
	d->buf = xhci_dma(x, XHCI_CTRL_BUF + XHCI_INT_TRBS * XHCI_REPORT_BYTES, &d->buf_phys);
	if (!d->in_ctx || !d->out_ctx || !d->buf || xhci_ring_init(&d->ep0, XHCI_EP0_TRBS) ||
	    xhci_ring_init(&d->intr, XHCI_INT_TRBS))
		return -E_NOMEM;
	d->have_memory = true;
	return 0;
}

static uint16_t ep0_max_packet(unsigned speed)
{
	return speed == XHCI_SPEED_SUPER ? 512 : speed == XHCI_SPEED_HIGH ? 64 : 8;
}

static int address_device(struct xhci_dev *d)
{
	volatile struct xhci_ep_ctx *ep0 = in_ep(d, 1);

	memset((void *)d->in_ctx, 0, 33 * d->x->ctx_size);
	memset((void *)d->out_ctx, 0, 32 * d->x->ctx_size);
	xhci_ring_reset(&d->ep0);
	in_ctrl(d)->add = 0x3;                       /* slot and EP0 */
	in_slot(d)->info = (uint32_t)d->speed << 20 | 1u << 27;
	in_slot(d)->info2 = (uint32_t)d->port << 16;
	ep0->info2 = 3u << 1 | XHCI_EP_TYPE_CONTROL << 3 |
		     (uint32_t)ep0_max_packet(d->speed) << 16;
	ep0->deq = d->ep0.phys | 1;
	ep0->tx_info = 8;
	d->x->dcbaa[d->slot] = d->out_phys;
	return xhci_command(d->x, d->in_phys, XHCI_TRB_TYPE(XHCI_TRB_ADDRESS_DEVICE) |
			    XHCI_TRB_SLOT(d->slot), NULL);
}

/* EP0's real max packet size, from the first 8 bytes of the device descriptor. */
static int fix_ep0_max_packet(struct xhci_dev *d, uint8_t mps0)
{
	uint16_t mps = d->speed == XHCI_SPEED_SUPER ? (uint16_t)(1u << mps0) : mps0;

	if (mps == ep0_max_packet(d->speed))
		return 0;
	memset((void *)d->in_ctx, 0, 33 * d->x->ctx_size);
	in_ctrl(d)->add = 0x2;
	in_ep(d, 1)->info2 = 3u << 1 | XHCI_EP_TYPE_CONTROL << 3 | (uint32_t)mps << 16;
	in_ep(d, 1)->deq = d->ep0.phys | d->ep0.cycle;
	return xhci_command(d->x, d->in_phys, XHCI_TRB_TYPE(XHCI_TRB_EVALUATE_CTX) |
			    XHCI_TRB_SLOT(d->slot), NULL);
}

/* ---- descriptors ------------------------------------------------------------------- */

static int get_descriptor(struct xhci_dev *d, uint8_t type, uint16_t len, size_t *got)
{
	return xhci_control(d, USB_TYPE_STD_IN, USB_REQ_GET_DESCRIPTOR, (uint16_t)type << 8,
			    0, len, got);
}

static int read_device(struct xhci_dev *d)
{
	struct usb_device_desc dd;
	size_t got;
	int err = get_descriptor(d, USB_DESC_DEVICE, 8, &got);

	if (err)
		return err;
	if (got < 8 || d->buf[1] != USB_DESC_DEVICE)
		return -E_INVAL;
	err = fix_ep0_max_packet(d, d->buf[7]);
	if (!err)
		err = get_descriptor(d, USB_DESC_DEVICE, sizeof(dd), &got);
	if (!err)
		err = usb_parse_device((const uint8_t *)d->buf, got, &dd);
	if (err)
		return err;
	d->vendor = dd.idVendor;
	d->product = dd.idProduct;
	d->dev_class = dd.bDeviceClass;
	return 0;
}

static int read_config(struct xhci_dev *d, struct usb_config_info *c)
{
	size_t got;
	int total, err = get_descriptor(d, USB_DESC_CONFIG, 9, &got);

	if (err)
		return err;
	total = usb_config_total_length((const uint8_t *)d->buf, got);
	if (total < 0)
		return total;
	if (total > XHCI_CTRL_BUF)
		return -E_NOSPC;
	err = get_descriptor(d, USB_DESC_CONFIG, (uint16_t)total, &got);
	return err ? err : usb_parse_config((const uint8_t *)d->buf, got, c);
}

/* ---- the keyboard ------------------------------------------------------------------- */

/* xHCI Interval (section 6.2.3.6) from bInterval: 2^Interval x 125 us. */
static unsigned int_interval(unsigned speed, uint8_t b_interval)
{
	unsigned v = 3;

	if (speed == XHCI_SPEED_HIGH || speed == XHCI_SPEED_SUPER)
		return b_interval > 16 ? 15 : b_interval - 1u;
	while (v < 10 && (8u << (v - 2)) <= b_interval * 8u)  /* frames (1 ms) to 2^v x 125 us */
		v++;
	return v;
}

static int configure_endpoint(struct xhci_dev *d, const struct usb_iface_info *f)
{
	volatile struct xhci_ep_ctx *ep;
	unsigned dci = (f->int_in_addr & 0x0f) * 2 + 1;

	d->int_dci = (uint8_t)dci;
	d->int_len = f->int_in_max_packet < XHCI_REPORT_BYTES ? f->int_in_max_packet
							      : XHCI_REPORT_BYTES;
	xhci_ring_reset(&d->intr);
	memset((void *)d->in_ctx, 0, 33 * d->x->ctx_size);
	in_ctrl(d)->add = 1u | 1u << dci;
	in_slot(d)->info = (uint32_t)d->speed << 20 | dci << 27;
	in_slot(d)->info2 = (uint32_t)d->port << 16;
	ep = in_ep(d, dci);
	ep->info = int_interval(d->speed, f->int_in_interval) << 16;
	ep->info2 = 3u << 1 | XHCI_EP_TYPE_INT_IN << 3 | (uint32_t)f->int_in_max_packet << 16;
	ep->deq = d->intr.phys | 1;
	ep->tx_info = 8 | (uint32_t)f->int_in_max_packet << 16;
	return xhci_command(d->x, d->in_phys, XHCI_TRB_TYPE(XHCI_TRB_CONFIGURE_EP) |
			    XHCI_TRB_SLOT(d->slot), NULL);
}

static int set_leds(void *dev, uint8_t hid_leds)
{
	struct xhci_dev *d = dev;

	if (!d->used || d->failed)
		return -E_NODEV;
	d->buf[0] = hid_leds;
	return xhci_control(d, USB_TYPE_CLASS_IFACE_OUT, HID_REQ_SET_REPORT, 0x0200, d->iface,
			    1, NULL);
}

static int start_keyboard(struct xhci_dev *d, const struct usb_config_info *c,
			  const struct usb_iface_info *f)
{
	int err = configure_endpoint(d, f);

	d->iface = f->number;
	if (!err)
		err = xhci_control(d, USB_TYPE_STD_OUT, USB_REQ_SET_CONFIGURATION, c->value, 0,
				   0, NULL);
	if (!err)
		err = xhci_control(d, USB_TYPE_CLASS_IFACE_OUT, HID_REQ_SET_PROTOCOL, 0, f->number,
				   0, NULL);
	if (!err)   /* a keyboard may refuse SET_IDLE (HID 1.11 section 7.2.4): not fatal */
		xhci_control(d, USB_TYPE_CLASS_IFACE_OUT, HID_REQ_SET_IDLE, 0, f->number, 0, NULL);
	if (err)
		return err;
	d->kbd = usb_kbd_attach(d, set_leds, d->name);
	if (!d->kbd)
		return -E_NOSPC;
	for (unsigned i = 0; i < XHCI_INT_QUEUED; i++)
		xhci_queue_report(d);
	return 0;
}

/* ---- attach and detach ---------------------------------------------------------------- */

static void port_disable(struct xhci *x, unsigned port)
{
	xhci_port_write(x, port, XHCI_PORT_PED);
}

void xhci_dev_disable(struct xhci_dev *d, const char *why)
{
	struct xhci *x = d->x;

	kprintf("usb: %s: %s: device disabled\n", d->name, why);
	usb_kbd_detach(d->kbd);
	d->kbd = NULL;
	xhci_command(x, 0, XHCI_TRB_TYPE(XHCI_TRB_DISABLE_SLOT) | XHCI_TRB_SLOT(d->slot), NULL);
	x->dcbaa[d->slot] = 0;
	port_disable(x, d->port);
	x->port_failed |= 1u << d->port;
	d->used = false;
	xhci_failures++;
}

static void detach(struct xhci_dev *d)
{
	kprintf("usb: %s: %s unplugged\n", d->name, d->role);
	usb_kbd_detach(d->kbd);
	d->kbd = NULL;
	xhci_command(d->x, 0, XHCI_TRB_TYPE(XHCI_TRB_DISABLE_SLOT) | XHCI_TRB_SLOT(d->slot),
		     NULL);
	d->x->dcbaa[d->slot] = 0;
	d->used = false;
	xhci_detaches++;
}

/* USB 2 ports need a reset to be enabled; USB 3 ports enable themselves. */
static int port_reset(struct xhci *x, unsigned port)
{
	uint64_t end = xhci_deadline();

	if (x->port_major[port] == 3) {
		while (!(xhci_port_read(x, port) & XHCI_PORT_PED))
			if (xhci_past(end))
				return -E_TIMEDOUT;
		return 0;
	}
	xhci_port_write(x, port, XHCI_PORT_PR);
	while (!(xhci_port_read(x, port) & XHCI_PORT_PRC))
		if (xhci_past(end))
			return -E_TIMEDOUT;
	xhci_port_write(x, port, XHCI_PORT_PRC);
	return (xhci_port_read(x, port) & XHCI_PORT_PED) ? 0 : -E_IO;
}

/* Enumerates a device already addressed; the role decides what happens next. */
static int enumerate(struct xhci_dev *d, const char **step)
{
	struct usb_config_info c;
	const struct usb_iface_info *kbd;
	int err;

	*step = "address device";
	err = address_device(d);
	*step = "device descriptor";
	if (!err)
		err = read_device(d);
	*step = "configuration descriptor";
	if (!err)
		err = read_config(d, &c);
	if (err)
		return err;
	kbd = usb_find_boot_keyboard(&c);
	if (c.num_ifaces) {
		d->iface_class = c.iface[0].iface_class;
		d->iface_sub = c.iface[0].subclass;
		d->iface_proto = c.iface[0].protocol;
	}
	d->role = "no driver";
	if (!kbd)
		return 0;
	d->iface_class = kbd->iface_class, d->iface_sub = kbd->subclass;
	d->iface_proto = kbd->protocol;
	*step = "keyboard set-up";
	d->role = "keyboard";
	return start_keyboard(d, &c, kbd);
}

static const char *speed_name(unsigned s)
{
	static const char *const names[] = { "?", "full", "low", "high", "super" };

	return s < 5 ? names[s] : "super+";
}

static void attach(struct xhci *x, unsigned port)
{
	struct xhci_dev *d;
	const char *step = "port reset";
	uint8_t slot = 0;
	int err = port_reset(x, port);

	if (!err) {
		step = "enable slot";
		err = xhci_command(x, 0, XHCI_TRB_TYPE(XHCI_TRB_ENABLE_SLOT), &slot);
	}
	if (!err && (slot == 0 || slot > x->max_slots || x->dev[slot].used))
		err = -E_RANGE;
	if (err) {
		kprintf("usb%d: port %u: %s failed (error %d): port disabled\n", x->index, port,
			step, err);
		port_disable(x, port);
		x->port_failed |= 1u << port;
		xhci_failures++;
		return;
	}
	d = &x->dev[slot];
	*d = (struct xhci_dev){ .x = x, .slot = slot, .port = (uint8_t)port, .used = true,
		.have_memory = d->have_memory, .in_ctx = d->in_ctx, .out_ctx = d->out_ctx,
		.in_phys = d->in_phys, .out_phys = d->out_phys, .ep0 = d->ep0, .intr = d->intr,
		.buf = d->buf, .buf_phys = d->buf_phys, .role = "device" };
	d->speed = (uint8_t)XHCI_PORT_SPEED(xhci_port_read(x, port));
	fmt_snprintf(d->name, sizeof(d->name), "usb%d port %u", x->index, port);
	step = "memory";
	err = dev_memory(d);
	if (!err)
		err = enumerate(d, &step);
	if (err) {
		char why[64];

		fmt_snprintf(why, sizeof(why), "%s failed (%s)", step,
			 err == -E_IO ? xhci_cc_name(d->ctl.cc ? d->ctl.cc : x->cmd_wait.cc) :
			 err == -E_TIMEDOUT ? "no answer" : "bad descriptor");
		xhci_dev_disable(d, why);
		return;
	}
	xhci_attaches++;
	kprintf("usb: %s: %s-speed %04x:%04x, %s\n", d->name, speed_name(d->speed), d->vendor,
		d->product, d->role);
}

static struct xhci_dev *dev_on_port(struct xhci *x, unsigned port)
{
	for (unsigned s = 1; s <= x->max_slots; s++)
		if (x->dev[s].used && x->dev[s].port == port)
			return &x->dev[s];
	return NULL;
}

/* One port that reported a change: acknowledge it, then follow the connection. */
static void port_changed(struct xhci *x, unsigned port)
{
	uint32_t v = xhci_port_read(x, port);
	struct xhci_dev *d = dev_on_port(x, port);
	bool connected = v & XHCI_PORT_CCS;

	xhci_port_write(x, port, v & XHCI_PORT_CHANGES);
	if (v & XHCI_PORT_CSC)
		x->port_failed &= ~(1u << port);
	if (d && (!connected || (v & XHCI_PORT_CSC)))
		detach(d);
	if (connected && !dev_on_port(x, port) && !(x->port_failed & (1u << port)))
		attach(x, port);
}

void xhci_ports_service(struct xhci *x)
{
	while (x->port_pending) {
		unsigned port = (unsigned)__builtin_ctz(x->port_pending);

		x->port_pending &= ~(1u << port);
		port_changed(x, port);
		xhci_handle_events(x);
	}
}
