/*
 * Integration boots in the spirit of the blog's tests/ directory: each runs in
 * a boot of its own (ktest.only=NAME), after the kernel's normal start-up.
 * The host runner checks the QEMU exit code and the serial text of each.
 */
#include "kernel/arch.h"
#include "kernel/console/console.h"
#include "kernel/kprintf.h"
#include "kernel/ktest.h"
#include "kernel/panic.h"

/* The blog's basic_boot: start-up completed and printing works. */
KTEST_BOOT(basic_boot)
{
	uint64_t before = arch_serial_bytes_sent();

	kprintf("basic_boot: println works\n");
	KEXPECT_EQ(arch_serial_bytes_sent() - before, sizeof("basic_boot: println works\n"));
}

/* The blog's should_panic: a failed check ends in panic(), which passes here. */
KTEST_SHOULD_PANIC(should_panic)
{
	panic("should_panic: this panic is the expected outcome");
}

KTEST_SHOULD_PANIC(assert_failure_panics)
{
	ASSERT(1 + 1 == 3);
}

KTEST_BOOT(exit_boot_services_was_retried)
{
	KEXPECT_EQ(ktest_boot_info()->ebs_attempts, 2);
}

KTEST_BOOT(boots_without_framebuffer)
{
	KEXPECT_EQ(ktest_boot_info()->fb.format, FB_NONE);
	KEXPECT(!console_ready());
}

/* Never returns: the in-kernel watchdog must fail it (scenario sets ktest.timeout=2). */
KTEST_BOOT(hangs_until_the_watchdog_fires)
{
	for (;;) {
		arch_irq_save();            /* enable_and_wait wants interrupts off */
		arch_irq_enable_and_wait();
	}
}
