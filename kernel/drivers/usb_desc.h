/*
 * USB standard descriptors (USB 2.0 specification, chapter 9.6) and a
 * parser that trusts nothing: every length and count is checked against
 * the bytes the device really sent. Pure logic on caller memory: the xHCI
 * driver, host tests and the fuzz target use it unchanged. Any context.
 */
#ifndef EMBER_KERNEL_USB_DESC_H
#define EMBER_KERNEL_USB_DESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USB_DESC_DEVICE     1
#define USB_DESC_CONFIG     2
#define USB_DESC_INTERFACE  4
#define USB_DESC_ENDPOINT   5

#define USB_CLASS_HID       3
#define USB_HID_SUBCLASS_BOOT 1
#define USB_HID_PROTO_KEYBOARD 1

#define USB_MAX_IFACES      8    /* interfaces kept per configuration */

/* Device descriptor, section 9.6.1. */
struct usb_device_desc {
	uint8_t bLength, bDescriptorType;
	uint16_t bcdUSB;
	uint8_t bDeviceClass, bDeviceSubClass, bDeviceProtocol, bMaxPacketSize0;
	uint16_t idVendor, idProduct, bcdDevice;
	uint8_t iManufacturer, iProduct, iSerialNumber, bNumConfigurations;
} __attribute__((packed));
_Static_assert(sizeof(struct usb_device_desc) == 18, "USB 2.0 table 9-8");

/* Configuration descriptor, section 9.6.3. */
struct usb_config_desc {
	uint8_t bLength, bDescriptorType;
	uint16_t wTotalLength;
	uint8_t bNumInterfaces, bConfigurationValue, iConfiguration, bmAttributes, bMaxPower;
} __attribute__((packed));
_Static_assert(sizeof(struct usb_config_desc) == 9, "USB 2.0 table 9-10");

/* Interface descriptor, section 9.6.5. */
struct usb_interface_desc {
	uint8_t bLength, bDescriptorType;
	uint8_t bInterfaceNumber, bAlternateSetting, bNumEndpoints;
	uint8_t bInterfaceClass, bInterfaceSubClass, bInterfaceProtocol, iInterface;
} __attribute__((packed));
_Static_assert(sizeof(struct usb_interface_desc) == 9, "USB 2.0 table 9-12");

/* Endpoint descriptor, section 9.6.6. */
struct usb_endpoint_desc {
	uint8_t bLength, bDescriptorType;
	uint8_t bEndpointAddress, bmAttributes;
	uint16_t wMaxPacketSize;
	uint8_t bInterval;
} __attribute__((packed));
_Static_assert(sizeof(struct usb_endpoint_desc) == 7, "USB 2.0 table 9-13");

/* What a driver needs from one interface (alternate setting 0). */
struct usb_iface_info {
	uint8_t number, iface_class, subclass, protocol;
	uint8_t num_endpoints;       /* endpoint descriptors actually found */
	uint8_t int_in_addr;         /* first interrupt IN endpoint, 0 if none */
	uint16_t int_in_max_packet;  /* its wMaxPacketSize, bits 10:0 */
	uint8_t int_in_interval;     /* its bInterval, 1..255 */
};

struct usb_config_info {
	uint8_t value;               /* bConfigurationValue for SET_CONFIGURATION */
	uint8_t num_ifaces;          /* interfaces found (<= USB_MAX_IFACES kept) */
	struct usb_iface_info iface[USB_MAX_IFACES];
};

/*
 * The device descriptor in buf[0..got): 0, or -E_INVAL (fewer than 18
 * bytes, bLength below 18, wrong type, bMaxPacketSize0 not 8, 16, 32, 64,
 * or 9 (2^9 = 512 for SuperSpeed), no configuration).
 */
int usb_parse_device(const uint8_t *buf, size_t got, struct usb_device_desc *out);

/*
 * The wTotalLength a configuration descriptor header announces, or
 * -E_INVAL when buf[0..got) is not one (shorter than 9 bytes, wrong type,
 * bLength below 9, total below bLength).
 */
int usb_config_total_length(const uint8_t *buf, size_t got);

/*
 * A whole configuration in buf[0..got): walks descriptors inside
 * min(got, wTotalLength); each must have bLength >= 2 and fit. Interface
 * and endpoint descriptors shorter than their structs, an endpoint before
 * any interface, more endpoints than bNumEndpoints or more interfaces than
 * bNumInterfaces, and got < wTotalLength (a short read) give -E_INVAL.
 * Alternate settings other than 0 are skipped. Returns 0.
 */
int usb_parse_config(const uint8_t *buf, size_t got, struct usb_config_info *out);

/* The first HID boot keyboard interface with an interrupt IN endpoint, or NULL. */
const struct usb_iface_info *usb_find_boot_keyboard(const struct usb_config_info *c);

#endif
