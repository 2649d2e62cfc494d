/*
 * Host tests for system-call argument checks: user ranges (kernel and
 * non-canonical addresses, wrapping lengths, the exact top) and path
 * normalisation (".", "..", repeated '/', relative to cwd, overflow).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/proc/argcheck.h"
#include "kernel/proc/linux_abi.h"

static void user_ranges(void **state)
{
	const uint64_t top = ARGCHECK_USER_TOP;

	assert_true(uaccess_range_ok(0x400000, 4096));
	assert_true(uaccess_range_ok(top - 4096, 4096));
	assert_true(uaccess_range_ok(0, 0));
	assert_false(uaccess_range_ok(top - 4096, 4097));
	assert_false(uaccess_range_ok(top, 0));
	assert_false(uaccess_range_ok(0xffff800000000000ull, 8));
	assert_false(uaccess_range_ok(0xffffffff80000000ull, 1));
	assert_false(uaccess_range_ok(0x8000000000000000ull, 1));   /* non-canonical */
	assert_false(uaccess_range_ok(0x1000, UINT64_MAX));         /* wraps */
	assert_false(uaccess_range_ok(0x1000, UINT64_MAX - 0x800)); /* wraps to a small end */
}

static void expect_path(const char *cwd, const char *in, const char *want)
{
	char out[PATH_MAX_LEN];

	assert_int_equal(path_normalise(cwd, in, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void paths_normalise(void **state)
{
	expect_path("/", "/bin/hello", "/bin/hello");
	expect_path("/", "bin//hello/", "/bin/hello");
	expect_path("/bin", "hello", "/bin/hello");
	expect_path("/bin", "./../bin/./hello", "/bin/hello");
	expect_path("/bin", "..", "/");
	expect_path("/", "../../..", "/");
	expect_path("/a/b", "../../../c", "/c");
	expect_path("/", ".", "/");
}

static void bad_paths_are_refused(void **state)
{
	char out[PATH_MAX_LEN], tiny[8], longp[600];

	assert_int_equal(path_normalise("/", "", out, sizeof(out)), -LX_ENOENT);
	assert_int_equal(path_normalise("/", "/abcdefgh", tiny, sizeof(tiny)), -LX_ENAMETOOLONG);
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = 0;
	assert_int_equal(path_normalise("/", longp, out, sizeof(out)), -LX_ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(user_ranges),
		cmocka_unit_test(paths_normalise),
		cmocka_unit_test(bad_paths_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
