/*
 * Host tests for PCI enumeration (pci.h) against a fake configuration
 * space: functions behind a bridge, multi-function devices, BARs of every
 * kind sized with decoding off, capability lists (good, looping, pointing
 * into the header), claiming, and hostile bridges that loop back to bus 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/drivers/pci.h"
#include "lib/errno.h"

/* A function: 256 bytes of config space and the size mask of each BAR. */
struct fake_fn {
	bool present;
	uint8_t cfg[256];
	uint32_t bar_mask[6];    /* bits that are writable; 0: BAR not implemented */
	bool decode_on_while_sized;
};

static struct fake_fn space[4][32][8];

static struct fake_fn *fn_at(uint8_t bus, uint8_t dev, uint8_t fn)
{
	return bus < 4 ? &space[bus][dev][fn] : NULL;
}

static uint32_t rd(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	struct fake_fn *f = fn_at(bus, dev, fn);
	uint32_t v;

	if (!f || !f->present)
		return 0xffffffff;
	memcpy(&v, &f->cfg[off & 0xfc], 4);
	return v;
}

static void wr(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint32_t v)
{
	struct fake_fn *f = fn_at(bus, dev, fn);
	uint32_t old;

	if (!f || !f->present)
		return;
	off &= 0xfc;
	memcpy(&old, &f->cfg[off], 4);
	if (off >= 0x10 && off < 0x28) {
		unsigned i = (off - 0x10) / 4;
		uint32_t ro = ~f->bar_mask[i];

		if (v == 0xffffffff && (f->cfg[PCI_COMMAND] & 3))
			f->decode_on_while_sized = true;
		v = (old & ro) | (v & f->bar_mask[i]);
	}
	if (off == PCI_COMMAND)   /* STATUS error bits are write-one-to-clear */
		v = (v & 0xffff) | ((old & ~v) & 0xf9000000u) | (old & 0x06ff0000u);
	memcpy(&f->cfg[off], &v, 4);
}

static const struct pci_cfg_ops ops = { rd, wr, NULL, "fake" };

static struct fake_fn *add(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t vendor,
			   uint8_t cls, uint8_t sub, uint8_t pi)
{
	struct fake_fn *f = fn_at(bus, dev, fn);

	f->present = true;
	f->cfg[0] = (uint8_t)vendor, f->cfg[1] = (uint8_t)(vendor >> 8);
	f->cfg[2] = 0x34, f->cfg[3] = 0x12;
	f->cfg[9] = pi, f->cfg[10] = sub, f->cfg[11] = cls;
	return f;
}

static void set32(struct fake_fn *f, unsigned off, uint32_t v)
{
	memcpy(&f->cfg[off], &v, 4);
}

static int setup(void **state)
{
	memset(space, 0, sizeof(space));
	return 0;
}

static void finds_functions_behind_a_bridge_and_multifunction_devices(void **state)
{
	struct fake_fn *br;

	add(0, 0, 0, 0x8086, 0x06, 0x00, 0);
	br = add(0, 1, 0, 0x8086, 0x06, 0x04, 0);
	br->cfg[0x0e] = 1;
	br->cfg[0x19] = 2;                       /* secondary bus 2 */
	add(0, 5, 0, 0x1af4, 0x02, 0x00, 0)->cfg[0x0e] = 0x80;
	add(0, 5, 3, 0x1af4, 0x01, 0x06, 1);
	add(0, 6, 2, 0x1af4, 0x01, 0x06, 1);     /* fn 2 of a single-function device: not seen */
	add(2, 0, 0, 0x1b36, 0x0c, 0x03, 0x30);

	assert_int_equal(pci_scan(&ops), 5);
	assert_int_equal(pci_count(), 5);
	assert_non_null(pci_find_class(0x0c, 0x03, 0x30, NULL));
	assert_int_equal(pci_find_class(0x0c, 0x03, 0x30, NULL)->bus, 2);
	assert_int_equal(pci_find_class(0x01, 0x06, 0x01, NULL)->fn, 3);
	assert_int_equal(pci_at(0)->device, 0x1234);
}

static void a_bridge_looping_back_to_bus_0_scans_each_bus_once(void **state)
{
	struct fake_fn *br = add(0, 1, 0, 0x8086, 0x06, 0x04, 0);

	br->cfg[0x0e] = 1;
	br->cfg[0x19] = 0;
	assert_int_equal(pci_scan(&ops), 1);
}

static void bars_are_sized_with_decoding_off_and_restored(void **state)
{
	struct fake_fn *f = add(0, 3, 0, 0x1b36, 0x0c, 0x03, 0x30);
	struct pci_dev *d;

	f->cfg[PCI_COMMAND] = PCI_CMD_MEMORY | PCI_CMD_IO;
	set32(f, 0x10, 0xfebf0004);             /* 64-bit, 16 KiB */
	f->bar_mask[0] = 0xffffc000, f->bar_mask[1] = 0xffffffff;
	set32(f, 0x14, 0x00000001);
	set32(f, 0x18, 0xc001);                  /* I/O, 32 bytes */
	f->bar_mask[2] = 0xffffffe0;
	set32(f, 0x1c, 0xe0000008);              /* 32-bit prefetchable, 16 MiB */
	f->bar_mask[3] = 0xff000000;
	pci_scan(&ops);
	d = pci_at(0);
	assert_false(f->decode_on_while_sized);
	assert_int_equal(f->cfg[PCI_COMMAND], PCI_CMD_MEMORY | PCI_CMD_IO);
	assert_int_equal(d->bar[0].base, 0x1febf0000ull);
	assert_int_equal(d->bar[0].size, 0x4000);
	assert_true(d->bar[0].is64);
	assert_int_equal(d->bar[1].size, 0);
	assert_true(d->bar[2].io);
	assert_int_equal(d->bar[2].base, 0xc000);
	assert_int_equal(d->bar[2].size, 32);
	assert_true(d->bar[3].prefetchable);
	assert_int_equal(d->bar[3].size, 0x1000000);
	assert_int_equal(d->bar[4].size, 0);
	assert_false(d->bad_bar);
	assert_int_equal(rd(NULL, 0, 3, 0, 0x10), 0xfebf0004);
}

static void bar_decode_rejects_what_no_device_may_report(void **state)
{
	struct pci_bar b;

	/* 64-bit type in the last slot (no upper half). */
	assert_int_equal(pci_bar_decode(0xfe000004, 0xffffc004, false, 0, 0, &b), -E_INVAL);
	/* Reserved type 3. */
	assert_int_equal(pci_bar_decode(0xfe000006, 0xffffc006, false, 0, 0, &b), -E_INVAL);
	/* Writable bits that are not a contiguous run from the top. */
	assert_int_equal(pci_bar_decode(0xfe000000, 0xfff0c000, false, 0, 0, &b), -E_INVAL);
	/* Unimplemented 32- and 64-bit BARs read back 0. */
	assert_int_equal(pci_bar_decode(0, 0, false, 0, 0, &b), 0);
	assert_int_equal(b.size, 0);
	assert_int_equal(pci_bar_decode(4, 4, true, 0, 0, &b), 0);
	assert_int_equal(b.size, 0);
	/* A 64-bit BAR larger than 4 GiB. */
	assert_int_equal(pci_bar_decode(0x0000000c, 0x0000000c, true, 0x80, 0xfffffff0, &b), 0);
	assert_int_equal(b.size, 0x1000000000ull);
	assert_int_equal(b.base, 0x8000000000ull);
}

static void a_bad_bar_is_flagged_not_trusted(void **state)
{
	struct fake_fn *f = add(0, 3, 0, 0x1b36, 0x0c, 0x03, 0x30);

	set32(f, 0x24, 0xfe000004);              /* BAR5 claims 64 bits */
	f->bar_mask[5] = 0xffffc000;
	pci_scan(&ops);
	assert_true(pci_at(0)->bad_bar);
	assert_int_equal(pci_at(0)->bar[5].size, 0);
}

static void capabilities_are_found_and_loops_are_cut(void **state)
{
	struct fake_fn *f = add(0, 3, 0, 0x1b36, 0x0c, 0x03, 0x30);

	f->cfg[PCI_STATUS] = PCI_STATUS_CAPS;
	f->cfg[PCI_CAP_PTR] = 0x40;
	f->cfg[0x40] = PCI_CAP_PCIE, f->cfg[0x41] = 0x90;
	f->cfg[0x90] = PCI_CAP_MSIX, f->cfg[0x91] = 0x40;   /* loops back */
	pci_scan(&ops);
	assert_int_equal(pci_find_cap(pci_at(0), PCI_CAP_MSIX, 0), 0x90);
	assert_int_equal(pci_find_cap(pci_at(0), PCI_CAP_PCIE, 0), 0x40);
	assert_int_equal(pci_find_cap(pci_at(0), PCI_CAP_MSI, 0), 0);   /* terminates */
	f->cfg[0x91] = 0x10;                     /* points into the header */
	assert_int_equal(pci_find_cap(pci_at(0), PCI_CAP_MSI, 0), 0);
}

static void no_capability_list_without_the_status_bit(void **state)
{
	struct fake_fn *f = add(0, 3, 0, 0x1b36, 0x0c, 0x03, 0x30);

	f->cfg[PCI_CAP_PTR] = 0x40;
	f->cfg[0x40] = PCI_CAP_MSI;
	pci_scan(&ops);
	assert_int_equal(pci_find_cap(pci_at(0), PCI_CAP_MSI, 0), 0);
}

static void claiming_enables_decoding_and_mastering_once(void **state)
{
	struct fake_fn *f = add(0, 3, 0, 0x1b36, 0x0c, 0x03, 0x30);

	set32(f, 0x10, 0xfebf0000);
	f->bar_mask[0] = 0xffffc000;
	f->cfg[PCI_STATUS + 1] = 0x80;           /* an RW1C status bit set */
	pci_scan(&ops);
	assert_int_equal(f->cfg[PCI_COMMAND] & 7, 0);
	assert_int_equal(pci_claim(pci_at(0), "xhci"), 0);
	assert_int_equal(f->cfg[PCI_COMMAND] & 7, PCI_CMD_MEMORY | PCI_CMD_MASTER);
	assert_int_equal(f->cfg[PCI_STATUS + 1], 0x80);  /* not written back as 1 */
	assert_int_equal(pci_claim(pci_at(0), "other"), -E_BUSY);
	assert_string_equal(pci_at(0)->driver, "xhci");
}

static void more_functions_than_the_table_are_counted(void **state)
{
	for (unsigned b = 0; b < 3; b++)
		for (unsigned d = 0; d < 32; d++)
			add((uint8_t)b, (uint8_t)d, 0, 0x1af4, 0x02, 0, 0);
	for (unsigned d = 0; d < 2; d++) {
		space[0][d][0].cfg[0x0e] = 1;
		space[0][d][0].cfg[0x19] = (uint8_t)(d + 1);
		space[0][d][0].cfg[0x0b] = 0x06, space[0][d][0].cfg[0x0a] = 0x04;
	}
	assert_int_equal(pci_scan(&ops), 96);
	assert_int_equal(pci_count(), PCI_MAX_DEVS);
}

static void msi_is_programmed_for_one_vector_at_the_lapic(void **state)
{
	struct fake_fn *f = add(0, 3, 0, 0x1033, 0x0c, 0x03, 0x30);
	uint32_t lo, data;

	f->cfg[PCI_STATUS] = PCI_STATUS_CAPS;
	f->cfg[PCI_CAP_PTR] = 0x70;
	f->cfg[0x70] = PCI_CAP_MSI;
	f->cfg[0x72] = 0x80 | 0x06;             /* 64-bit, 8 vectors capable */
	pci_scan(&ops);
	assert_int_equal(pci_enable_msi(pci_at(0), 0xfee01000, 0x61), 0);
	memcpy(&lo, &f->cfg[0x74], 4);
	memcpy(&data, &f->cfg[0x7c], 4);
	assert_int_equal(lo, 0xfee01000);
	assert_int_equal(data & 0xffff, 0x61);
	assert_int_equal(f->cfg[0x72] & 0x71, 0x01);   /* enabled, one vector */
	f->cfg[0x72] = 0;                        /* 32-bit only */
	assert_int_equal(pci_enable_msi(pci_at(0), 0x100000000ull, 0x61), -E_RANGE);
	f->cfg[PCI_STATUS] = 0;
	pci_scan(&ops);
	assert_int_equal(pci_enable_msi(pci_at(0), 0xfee00000, 0x61), -E_NOENT);
}

static void class_names_cover_usb_controllers(void **state)
{
	assert_string_equal(pci_class_name(0x0c, 0x03, 0x30), "USB controller (xHCI)");
	assert_string_equal(pci_class_name(0x0c, 0x03, 0x99), "USB controller");
	assert_string_equal(pci_class_name(0x06, 0x09, 0), "bridge");
	assert_string_equal(pci_class_name(0xee, 0, 0), "device");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(finds_functions_behind_a_bridge_and_multifunction_devices, setup),
		cmocka_unit_test_setup(a_bridge_looping_back_to_bus_0_scans_each_bus_once, setup),
		cmocka_unit_test_setup(bars_are_sized_with_decoding_off_and_restored, setup),
		cmocka_unit_test_setup(bar_decode_rejects_what_no_device_may_report, setup),
		cmocka_unit_test_setup(a_bad_bar_is_flagged_not_trusted, setup),
		cmocka_unit_test_setup(capabilities_are_found_and_loops_are_cut, setup),
		cmocka_unit_test_setup(no_capability_list_without_the_status_bit, setup),
		cmocka_unit_test_setup(claiming_enables_decoding_and_mastering_once, setup),
		cmocka_unit_test_setup(more_functions_than_the_table_are_counted, setup),
		cmocka_unit_test_setup(msi_is_programmed_for_one_vector_at_the_lapic, setup),
		cmocka_unit_test_setup(class_names_cover_usb_controllers, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
