/*
 * USB descriptor parsing (see usb_desc.h): every read is bounded by the
 * bytes received. Pure; any context.
 */
#include "kernel/drivers/usb_desc.h"
#include "lib/errno.h"
#include "lib/string.h"

#define USB_EP_XFER_MASK 3
#define USB_EP_XFER_INT  3
#define USB_EP_DIR_IN    0x80

int usb_parse_device(const uint8_t *buf, size_t got, struct usb_device_desc *out)
{
	uint8_t mps;

	if (!buf || got < sizeof(*out))
		return -E_INVAL;
	memcpy(out, buf, sizeof(*out));
	mps = out->bMaxPacketSize0;
	if (out->bLength < sizeof(*out) || out->bDescriptorType != USB_DESC_DEVICE)
		return -E_INVAL;
	if (mps != 8 && mps != 16 && mps != 32 && mps != 64 && mps != 9)
		return -E_INVAL;
	return out->bNumConfigurations ? 0 : -E_INVAL;
}

int usb_config_total_length(const uint8_t *buf, size_t got)
{
	struct usb_config_desc c;

	if (!buf || got < sizeof(c))
		return -E_INVAL;
	memcpy(&c, buf, sizeof(c));
	if (c.bLength < sizeof(c) || c.bDescriptorType != USB_DESC_CONFIG ||
	    c.wTotalLength < c.bLength)
		return -E_INVAL;
	return c.wTotalLength;
}

/* Parser state while walking a configuration. */
struct walk {
	struct usb_config_info *out;
	struct usb_iface_info *cur;   /* interface of alt setting 0 being filled */
	bool in_alt;                  /* inside a non-zero alternate setting */
	unsigned ifaces_seen;         /* interface descriptors of alt setting 0 */
	unsigned eps_left;            /* endpoints the current interface may still have */
	unsigned max_ifaces;
};

static int on_interface(struct walk *w, const uint8_t *p, size_t len)
{
	struct usb_interface_desc d;

	if (len < sizeof(d))
		return -E_INVAL;
	memcpy(&d, p, sizeof(d));
	w->eps_left = d.bNumEndpoints;
	w->in_alt = d.bAlternateSetting != 0;
	w->cur = NULL;
	if (w->in_alt)
		return 0;
	if (++w->ifaces_seen > w->max_ifaces)
		return -E_INVAL;
	if (w->out->num_ifaces == USB_MAX_IFACES)
		return 0;
	w->cur = &w->out->iface[w->out->num_ifaces++];
	*w->cur = (struct usb_iface_info){
		.number = d.bInterfaceNumber, .iface_class = d.bInterfaceClass,
		.subclass = d.bInterfaceSubClass, .protocol = d.bInterfaceProtocol,
	};
	return 0;
}

static int on_endpoint(struct walk *w, const uint8_t *p, size_t len)
{
	struct usb_endpoint_desc e;

	if (len < sizeof(e) || w->ifaces_seen == 0 || w->eps_left == 0)
		return -E_INVAL;
	memcpy(&e, p, sizeof(e));
	w->eps_left--;
	if (!w->cur)
		return 0;
	w->cur->num_endpoints++;
	if ((e.bmAttributes & USB_EP_XFER_MASK) == USB_EP_XFER_INT &&
	    (e.bEndpointAddress & USB_EP_DIR_IN) && (e.bEndpointAddress & 0x0f) &&
	    !w->cur->int_in_addr && (e.wMaxPacketSize & 0x7ff) && e.bInterval) {
		w->cur->int_in_addr = e.bEndpointAddress;
		w->cur->int_in_max_packet = e.wMaxPacketSize & 0x7ff;
		w->cur->int_in_interval = e.bInterval;
	}
	return 0;
}

int usb_parse_config(const uint8_t *buf, size_t got, struct usb_config_info *out)
{
	int total = usb_config_total_length(buf, got);
	struct walk w = { .out = out };
	size_t pos;

	if (total < 0 || got < (size_t)total)
		return -E_INVAL;
	memset(out, 0, sizeof(*out));
	out->value = buf[5];
	w.max_ifaces = buf[4];
	for (pos = buf[0]; pos < (size_t)total;) {
		size_t len = buf[pos];
		int err = 0;

		if (len < 2 || len > (size_t)total - pos)
			return -E_INVAL;
		if (buf[pos + 1] == USB_DESC_INTERFACE)
			err = on_interface(&w, buf + pos, len);
		else if (buf[pos + 1] == USB_DESC_ENDPOINT)
			err = on_endpoint(&w, buf + pos, len);
		if (err)
			return err;
		pos += len;
	}
	return 0;
}

const struct usb_iface_info *usb_find_boot_keyboard(const struct usb_config_info *c)
{
	for (unsigned i = 0; i < c->num_ifaces; i++) {
		const struct usb_iface_info *f = &c->iface[i];

		if (f->iface_class == USB_CLASS_HID && f->subclass == USB_HID_SUBCLASS_BOOT &&
		    f->protocol == USB_HID_PROTO_KEYBOARD && f->int_in_addr)
			return f;
	}
	return NULL;
}
