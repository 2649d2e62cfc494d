/*
 * The in-kernel test framework. A test is a function registered with KTEST()
 * (it lands in the .ktests section); the test kernel is the normal kernel
 * linked with the tests in test/kernel/, and after start-up it runs them instead of
 * idling. Each test prints its name and result on serial; the run ends by
 * leaving QEMU through isa-debug-exit: 33 when every test passed, 35 otherwise.
 *
 * Command line (read by ktest_main):
 *   ktest.only=NAME   run just this test (boot-only tests run only this way)
 *   ktest.from=N      skip the first N suite tests (the host runner's resume
 *                     point after a test crashed or hung)
 *   ktest.timeout=S   the in-kernel watchdog: a test still running after S
 *                     seconds (default 30) fails and ends the run with 35
 *
 *   KTEST(name)              part of the suite
 *   KTEST_BOOT(name)         its own boot, selected with ktest.only (integration)
 *   KTEST_SHOULD_PANIC(name) its own boot; passes only if it panics
 *   KEXPECT(cond), KEXPECT_EQ(a, b): record a failure and go on;
 *   KREQUIRE(cond): record a failure and leave the test.
 */
#ifndef EMBER_KERNEL_KTEST_H
#define EMBER_KERNEL_KTEST_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/boot_info.h"

#define KTEST_BOOT_ONLY    (1u << 0)
#define KTEST_EXPECT_PANIC (1u << 1)

struct ktest {
	const char *name;
	void (*fn)(void);
	const char *file;
	unsigned flags;
};

#define KTEST_DEFINE(tname, tflags)                                           \
	static void ktest_fn_##tname(void);                                   \
	static const struct ktest ktest_##tname                               \
		__attribute__((used, section(".ktests"), aligned(8))) = {     \
		.name = #tname, .fn = ktest_fn_##tname, .file = __FILE__,     \
		.flags = (tflags),                                            \
	};                                                                    \
	static void ktest_fn_##tname(void)

#define KTEST(name)              KTEST_DEFINE(name, 0)
#define KTEST_BOOT(name)         KTEST_DEFINE(name, KTEST_BOOT_ONLY)
#define KTEST_SHOULD_PANIC(name) KTEST_DEFINE(name, KTEST_BOOT_ONLY | KTEST_EXPECT_PANIC)

#define KEXPECT(cond) ktest_check(!!(cond), #cond, __FILE__, __LINE__)
#define KEXPECT_EQ(a, b) \
	ktest_check_eq((uint64_t)(a), (uint64_t)(b), #a " == " #b, __FILE__, __LINE__)
#define KREQUIRE(cond) do { if (!KEXPECT(cond)) return; } while (0)

bool ktest_check(bool ok, const char *expr, const char *file, int line);
bool ktest_check_eq(uint64_t a, uint64_t b, const char *expr, const char *file, int line);

/* The boot info the kernel started with, for tests that check it. */
const struct boot_info *ktest_boot_info(void);

/* Number of registered tests: zero in the normal kernel. */
unsigned ktest_count(void);

/* Run the selected tests and exit QEMU. Never returns. */
__attribute__((noreturn)) void ktest_main(const struct boot_info *bi);

/* Called by panic(): decides the test outcome and exits, when testing. */
void ktest_on_panic(void);

#endif
