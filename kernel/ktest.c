/*
 * The in-kernel test runner (see ktest.h). Runs in the main flow after
 * start-up; tests run one after the other on the boot stack.
 */
#include "kernel/arch.h"
#include "kernel/time/clock.h"
#include "kernel/kprintf.h"
#include "kernel/ktest.h"
#include "lib/cmdline.h"
#include "lib/string.h"

#define KTEST_TIMEOUT_S 30   /* default watchdog limit per test; ktest.timeout=S */
#define EXIT_PASS 0x10   /* QEMU exits with (0x10 << 1) | 1 = 33 */
#define EXIT_FAIL 0x11   /* 35 */

extern const struct ktest __ktests_start[], __ktests_end[];

static const struct ktest *current;
static const struct boot_info *boot_info;
static volatile uint64_t deadline_ns;   /* 0: no test running */
static unsigned timeout_s = KTEST_TIMEOUT_S;
static bool current_failed;

const struct boot_info *ktest_boot_info(void)
{
	return boot_info;
}

unsigned ktest_count(void)
{
	return (unsigned)(__ktests_end - __ktests_start);
}

bool ktest_check(bool ok, const char *expr, const char *file, int line)
{
	if (!ok) {
		kprintf("ktest:   %s:%d: expected %s\n", file, line, expr);
		current_failed = true;
	}
	return ok;
}

bool ktest_check_eq(uint64_t a, uint64_t b, const char *expr, const char *file, int line)
{
	if (a != b) {
		kprintf("ktest:   %s:%d: expected %s, got 0x%llx and 0x%llx\n", file, line, expr,
			(unsigned long long)a, (unsigned long long)b);
		current_failed = true;
	}
	return a == b;
}

/*
 * The watchdog, a timer tick callback (IRQ context): a test still running
 * past its deadline fails and ends the run, so a hung test cannot stall it.
 */
static void watchdog_tick(void *ctx)
{
	(void)ctx;
	if (!deadline_ns || clock_ns() < deadline_ns || !current)
		return;
	kprintf("ktest: FAIL %s (watchdog: still running after %u s)\n", current->name, timeout_s);
	arch_test_exit(EXIT_FAIL);
}

static void watchdog_start(void)
{
	char val[16];
	unsigned s = 0;

	if (cmdline_get(boot_info->cmdline, "ktest.timeout", val, sizeof(val)) > 0) {
		for (const char *p = val; *p >= '0' && *p <= '9'; p++)
			s = s * 10 + (unsigned)(*p - '0');
		if (s)
			timeout_s = s;
	}
	if (clock_add_tick_callback(watchdog_tick, NULL))
		kprintf("ktest: no tick callback slot: running without the watchdog\n");
}

/* Run one test; true when it passed. */
static bool run_one(const struct ktest *t, uint64_t tsc_hz)
{
	uint64_t t0;

	current = t;
	current_failed = false;
	kprintf("ktest: run %s\n", t->name);
	t0 = arch_timestamp();
	deadline_ns = clock_ns() + (uint64_t)timeout_s * 1000000000ull;
	t->fn();
	deadline_ns = 0;
	current = NULL;
	if (t->flags & KTEST_EXPECT_PANIC) {
		kprintf("ktest: FAIL %s (returned without the expected panic)\n", t->name);
		return false;
	}
	kprintf("ktest: %s %s (%llu us)\n", current_failed ? "FAIL" : "pass", t->name,
		tsc_hz ? (unsigned long long)((arch_timestamp() - t0) * 1000000 / tsc_hz) : 0ull);
	return !current_failed;
}

static const struct ktest *find(const char *name)
{
	for (const struct ktest *t = __ktests_start; t < __ktests_end; t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

void ktest_main(const struct boot_info *bi)
{
	char only[64], from[16];
	unsigned passed = 0, failed = 0, skip = 0, index = 0;
	const struct ktest *t;

	boot_info = bi;
	watchdog_start();
	if (cmdline_get(bi->cmdline, "ktest.only", only, sizeof(only)) >= 0) {
		t = find(only);
		if (!t) {
			kprintf("ktest: FAIL %s (no such test)\n", only);
			arch_test_exit(EXIT_FAIL);
		}
		arch_test_exit(run_one(t, bi->tsc_hz) ? EXIT_PASS : EXIT_FAIL);
	}
	if (cmdline_get(bi->cmdline, "ktest.from", from, sizeof(from)) > 0)
		for (const char *p = from; *p >= '0' && *p <= '9'; p++)
			skip = skip * 10 + (unsigned)(*p - '0');
	kprintf("ktest: suite of %u tests\n", ktest_count());
	for (t = __ktests_start; t < __ktests_end; t++) {
		if (t->flags & KTEST_BOOT_ONLY)
			continue;
		if (index++ < skip)
			continue;
		if (run_one(t, bi->tsc_hz))
			passed++;
		else
			failed++;
	}
	kprintf("ktest: done: %u passed, %u failed\n", passed, failed);
	arch_test_exit(failed ? EXIT_FAIL : EXIT_PASS);
}

void ktest_on_panic(void)
{
	if (!ktest_count())
		return;                    /* the normal kernel: just halt */
	if (current && (current->flags & KTEST_EXPECT_PANIC)) {
		kprintf("ktest: pass %s (panicked as expected)\n", current->name);
		arch_test_exit(EXIT_PASS);
	}
	kprintf("ktest: FAIL %s (panic)\n", current ? current->name : "(start-up)");
	arch_test_exit(EXIT_FAIL);
}
