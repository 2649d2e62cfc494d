/*
 * Host tests for the USB descriptor parser (usb_desc.h): QEMU's usb-kbd
 * descriptors as they arrive, then short reads, lying lengths and counts,
 * zero-length descriptors, alternate settings, and random bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/drivers/usb_desc.h"
#include "lib/errno.h"

static const uint8_t kbd_device[18] = {
	18, 1, 0x00, 0x02, 0, 0, 0, 8, 0x27, 0x06, 0x01, 0x00, 0, 0, 1, 4, 11, 1,
};

/* Configuration, HID keyboard interface, HID descriptor, interrupt IN 0x81. */
static const uint8_t kbd_config[34] = {
	9, 2, 34, 0, 1, 1, 7, 0xa0, 50,
	9, 4, 0, 0, 1, 3, 1, 1, 0,
	9, 0x21, 0x11, 0x01, 0, 1, 0x22, 63, 0,
	7, 5, 0x81, 3, 8, 0, 7,
};

static void a_keyboard_device_descriptor_parses(void **state)
{
	struct usb_device_desc d;

	assert_int_equal(usb_parse_device(kbd_device, sizeof(kbd_device), &d), 0);
	assert_int_equal(d.bMaxPacketSize0, 8);
	assert_int_equal(d.idVendor, 0x0627);
	assert_int_equal(d.bNumConfigurations, 1);
}

static void short_or_lying_device_descriptors_are_refused(void **state)
{
	struct usb_device_desc d;
	uint8_t b[18];

	assert_int_equal(usb_parse_device(kbd_device, 8, &d), -E_INVAL);
	memcpy(b, kbd_device, 18);
	b[0] = 12;
	assert_int_equal(usb_parse_device(b, 18, &d), -E_INVAL);
	memcpy(b, kbd_device, 18);
	b[1] = 2;
	assert_int_equal(usb_parse_device(b, 18, &d), -E_INVAL);
	memcpy(b, kbd_device, 18);
	b[7] = 7;
	assert_int_equal(usb_parse_device(b, 18, &d), -E_INVAL);
	memcpy(b, kbd_device, 18);
	b[17] = 0;
	assert_int_equal(usb_parse_device(b, 18, &d), -E_INVAL);
	assert_int_equal(usb_parse_device(NULL, 18, &d), -E_INVAL);
}

static void the_keyboard_configuration_yields_its_boot_interface(void **state)
{
	struct usb_config_info c;
	const struct usb_iface_info *k;

	assert_int_equal(usb_config_total_length(kbd_config, 9), 34);
	assert_int_equal(usb_parse_config(kbd_config, sizeof(kbd_config), &c), 0);
	assert_int_equal(c.value, 1);
	assert_int_equal(c.num_ifaces, 1);
	k = usb_find_boot_keyboard(&c);
	assert_non_null(k);
	assert_int_equal(k->int_in_addr, 0x81);
	assert_int_equal(k->int_in_max_packet, 8);
	assert_int_equal(k->int_in_interval, 7);
}

static void a_short_read_of_the_configuration_is_refused(void **state)
{
	struct usb_config_info c;

	for (size_t n = 0; n < sizeof(kbd_config); n++)
		assert_int_equal(usb_parse_config(kbd_config, n, &c), -E_INVAL);
}

static void lying_lengths_and_counts_are_refused(void **state)
{
	struct usb_config_info c;
	uint8_t b[sizeof(kbd_config)];

	memcpy(b, kbd_config, sizeof(b));
	b[27] = 0;                          /* zero-length endpoint descriptor */
	assert_int_equal(usb_parse_config(b, sizeof(b), &c), -E_INVAL);
	memcpy(b, kbd_config, sizeof(b));
	b[27] = 9;                          /* endpoint runs past wTotalLength */
	assert_int_equal(usb_parse_config(b, sizeof(b), &c), -E_INVAL);
	memcpy(b, kbd_config, sizeof(b));
	b[27] = 5;                          /* endpoint shorter than 7 bytes */
	assert_int_equal(usb_parse_config(b, sizeof(b), &c), -E_INVAL);
	memcpy(b, kbd_config, sizeof(b));
	b[13] = 0;                          /* interface says 0 endpoints, has 1 */
	assert_int_equal(usb_parse_config(b, sizeof(b), &c), -E_INVAL);
	memcpy(b, kbd_config, sizeof(b));
	b[4] = 0;                           /* configuration says 0 interfaces */
	assert_int_equal(usb_parse_config(b, sizeof(b), &c), -E_INVAL);
	memcpy(b, kbd_config, sizeof(b));
	b[2] = 4;                           /* total below the header's own length */
	assert_int_equal(usb_parse_config(b, sizeof(b), &c), -E_INVAL);
	memcpy(b, kbd_config, sizeof(b));
	b[2] = 200;                         /* total beyond what was received */
	assert_int_equal(usb_parse_config(b, sizeof(b), &c), -E_INVAL);
}

static void an_endpoint_before_any_interface_is_refused(void **state)
{
	static const uint8_t b[] = { 9, 2, 16, 0, 1, 1, 0, 0x80, 50, 7, 5, 0x81, 3, 8, 0, 7 };
	struct usb_config_info c;

	assert_int_equal(usb_parse_config(b, sizeof(b), &c), -E_INVAL);
}

static void alternate_settings_and_out_endpoints_are_skipped(void **state)
{
	static const uint8_t b[] = {
		9, 2, 41, 0, 1, 1, 0, 0x80, 50,
		9, 4, 0, 0, 1, 3, 1, 1, 0,
		7, 5, 0x02, 3, 8, 0, 7,            /* interrupt OUT: not the one */
		9, 4, 0, 1, 1, 3, 1, 1, 0,         /* alternate setting 1 */
		7, 5, 0x83, 3, 8, 0, 7,
	};
	struct usb_config_info c;

	assert_int_equal(usb_parse_config(b, sizeof(b), &c), 0);
	assert_int_equal(c.num_ifaces, 1);
	assert_int_equal(c.iface[0].int_in_addr, 0);
	assert_null(usb_find_boot_keyboard(&c));
}

static void random_bytes_never_read_out_of_bounds(void **state)
{
	uint8_t buf[64];
	struct usb_config_info c;
	struct usb_device_desc d;

	srand(12);
	for (int i = 0; i < 200000; i++) {
		size_t n = (size_t)rand() % sizeof(buf);
		uint8_t *heap = malloc(n ? n : 1);

		for (size_t j = 0; j < n; j++)
			heap[j] = (uint8_t)(j == 1 ? 2 : j == 3 ? 0 : rand());
		if (n > 2)
			heap[2] = (uint8_t)(rand() % (n + 4));
		if (usb_parse_config(heap, n, &c) == 0)
			assert_true(c.num_ifaces <= USB_MAX_IFACES);
		usb_parse_device(heap, n, &d);
		free(heap);
	}
	(void)buf;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_keyboard_device_descriptor_parses),
		cmocka_unit_test(short_or_lying_device_descriptors_are_refused),
		cmocka_unit_test(the_keyboard_configuration_yields_its_boot_interface),
		cmocka_unit_test(a_short_read_of_the_configuration_is_refused),
		cmocka_unit_test(lying_lengths_and_counts_are_refused),
		cmocka_unit_test(an_endpoint_before_any_interface_is_refused),
		cmocka_unit_test(alternate_settings_and_out_endpoints_are_skipped),
		cmocka_unit_test(random_bytes_never_read_out_of_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
