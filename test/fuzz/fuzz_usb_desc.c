/*
 * libFuzzer target for the USB descriptor parser (usb_desc.h). Invariants:
 * no read outside the input (AddressSanitizer), a parsed configuration
 * keeps at most USB_MAX_IFACES interfaces, every kept interrupt IN
 * endpoint is an IN address with a non-zero packet size and interval, and
 * a configuration announcing more than it holds is refused.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/drivers/usb_desc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);   /* exact size: ASan sees overreads */
	struct usb_config_info c;
	struct usb_device_desc d;

	memcpy(buf, data, size);
	usb_parse_device(buf, size, &d);
	if (usb_parse_config(buf, size, &c) == 0) {
		if (c.num_ifaces > USB_MAX_IFACES || usb_config_total_length(buf, size) > (int)size)
			abort();
		for (unsigned i = 0; i < c.num_ifaces; i++)
			if (c.iface[i].int_in_addr && (!(c.iface[i].int_in_addr & 0x80) ||
			    !c.iface[i].int_in_max_packet || !c.iface[i].int_in_interval))
				abort();
	}
	free(buf);
	return 0;
}
