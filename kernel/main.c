/*
 * kernel_main: the kernel's table of contents. The loader has left us on the
 * boot stack with interrupts off, our GDT loaded, and everything described by
 * struct boot_info. Each line below brings up one subsystem; docs/ has a
 * chapter for each, in this order.
 */
#include "kernel/arch.h"
#include "kernel/banner.h"
#include "kernel/console.h"
#include "kernel/kprintf.h"
#include "kernel/ktest.h"
#include "kernel/panic.h"

static void check_boot_info(const struct boot_info *bi)
{
	if (bi->magic != BOOT_INFO_MAGIC || bi->version != BOOT_INFO_VERSION ||
	    bi->size != sizeof(*bi))
		panic("boot: boot info magic %#x version %u size %u, expected %#x version %u size %zu",
		      bi->magic, bi->version, bi->size, BOOT_INFO_MAGIC, BOOT_INFO_VERSION, sizeof(*bi));
}

__attribute__((noreturn)) void kernel_main(const struct boot_info *bi);

void kernel_main(const struct boot_info *bi)
{
	arch_serial_init();                 /* first: every later line reaches COM1 */
	check_boot_info(bi);
	console_init(&bi->fb);              /* framebuffer text console, if any */
	arch_early_init(bi);                /* drop the loader's lower-half mappings */
	banner_print(bi);

	if (ktest_count())
		ktest_main(bi);                 /* the test kernel: run tests, exit QEMU */

	kprintf("Nothing more to do yet: halting.\n");
	arch_halt_forever();
}
