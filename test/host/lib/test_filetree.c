/*
 * Host tests for the file-tree archive: a tree written by ftree_write reads
 * back (look-up, children, data), and every hostile variant (truncations,
 * bad magic, names out of range, bad order, missing parents, data out of
 * range, "..") is refused with -E_INVAL and a reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/errno.h"
#include "lib/filetree.h"

static uint8_t buf[4096];
static int64_t len;

static const struct ftree_input sample[] = {
	{ "bin/hello", FTREE_FILE, "ELF!", 4 },
	{ "bin", FTREE_DIR, NULL, 0 },
	{ "cmdline.txt", FTREE_FILE, "init=/bin/esh", 13 },
	{ "bin/cat", FTREE_FILE, "cat", 3 },
	{ "empty", FTREE_FILE, NULL, 0 },
	{ "etc", FTREE_DIR, NULL, 0 },
};
#define NSAMPLE (sizeof(sample) / sizeof(sample[0]))

static void build(void)
{
	uint32_t idx[NSAMPLE];

	len = ftree_write(buf, sizeof(buf), sample, NSAMPLE, idx);
	assert_true(len > 0);
}

static struct ftree_entry get_entry(unsigned i)
{
	struct ftree_entry e;

	memcpy(&e, buf + sizeof(struct ftree_header) + i * sizeof(e), sizeof(e));
	return e;
}

static void put_entry(unsigned i, const struct ftree_entry *e)
{
	memcpy(buf + sizeof(struct ftree_header) + i * sizeof(*e), e, sizeof(*e));
}

static void expect_refused(const char *reason_part)
{
	struct ftree t;
	const char *why = NULL;

	assert_int_equal(ftree_open(&t, buf, (size_t)len, &why), -E_INVAL);
	assert_non_null(why);
	if (!strstr(why, reason_part))
		fail_msg("reason \"%s\" lacks \"%s\"", why, reason_part);
	assert_null(t.base);
}

static void written_tree_reads_back(void **state)
{
	struct ftree t;
	struct ftree_node n;

	build();
	assert_int_equal(ftree_open(&t, buf, (size_t)len, NULL), 0);
	assert_int_equal(t.count, NSAMPLE);
	assert_int_equal(ftree_lookup(&t, "bin/hello", 9, &n), 0);
	assert_int_equal(n.type, FTREE_FILE);
	assert_int_equal(n.size, 4);
	assert_memory_equal(n.data, "ELF!", 4);
	assert_int_equal(ftree_lookup(&t, "bin", 3, &n), 0);
	assert_int_equal(n.type, FTREE_DIR);
	assert_int_equal(ftree_lookup(&t, "bin/hell", 8, &n), -E_NOENT);
	assert_int_equal(ftree_lookup(&t, "", 0, &n), 0);
	assert_int_equal(n.index, FTREE_ROOT);
}

static void children_are_listed_once_each(void **state)
{
	struct ftree t;
	struct ftree_node dir, c;
	uint32_t cur = 0;
	char seen[128] = "";

	build();
	assert_int_equal(ftree_open(&t, buf, (size_t)len, NULL), 0);
	ftree_lookup(&t, "", 0, &dir);
	while (ftree_next_child(&t, &dir, &cur, &c) == 0) {
		strncat(seen, c.name, c.name_len);
		strcat(seen, ",");
	}
	assert_string_equal(seen, "bin,cmdline.txt,empty,etc,");
	ftree_lookup(&t, "bin", 3, &dir);
	cur = 0;
	seen[0] = 0;
	while (ftree_next_child(&t, &dir, &cur, &c) == 0) {
		strncat(seen, c.name, c.name_len);
		strcat(seen, ",");
	}
	assert_string_equal(seen, "cat,hello,");
	ftree_lookup(&t, "bin/cat", 7, &dir);
	cur = 0;
	assert_int_equal(ftree_next_child(&t, &dir, &cur, &c), -E_NOENT);
}

static void every_truncation_is_refused(void **state)
{
	struct ftree t;

	build();
	for (int64_t n = 0; n < len; n++)
		assert_int_equal(ftree_open(&t, buf, (size_t)n, NULL), -E_INVAL);
}

static void bad_magic_is_refused(void **state)
{
	build();
	buf[0] ^= 1;
	expect_refused("magic");
}

static void name_outside_is_refused(void **state)
{
	struct ftree_entry e;

	build();
	e = get_entry(2);
	e.name_off = (uint32_t)len - 1;
	put_entry(2, &e);
	expect_refused("name lies outside");
}

static void data_outside_is_refused(void **state)
{
	struct ftree_entry e;

	build();
	e = get_entry(1);   /* bin/cat */
	e.size = UINT64_MAX - 2;
	put_entry(1, &e);
	expect_refused("data lies outside");
}

static void dotdot_is_refused(void **state)
{
	struct ftree_entry e;

	build();
	e = get_entry(1);   /* "bin/cat" -> "bin/.." */
	memcpy(buf + e.name_off + 4, "..", 2);
	e.name_len = 6;
	put_entry(1, &e);
	expect_refused("\"..\"");
}

static void disorder_is_refused(void **state)
{
	struct ftree_entry a, b;

	build();
	a = get_entry(1);
	b = get_entry(2);
	put_entry(1, &b);
	put_entry(2, &a);
	expect_refused("order");
}

static void missing_parent_is_refused(void **state)
{
	static const struct ftree_input orphan[] = { { "bin/x", FTREE_FILE, "x", 1 } };
	uint32_t idx[1];

	assert_int_equal(ftree_write(buf, sizeof(buf), orphan, 1, idx), -E_INVAL);
	build();
	struct ftree_entry e = get_entry(0);   /* "bin" becomes a file */
	e.type = FTREE_FILE;
	put_entry(0, &e);
	expect_refused("parent");
}

static void directory_with_data_is_refused(void **state)
{
	struct ftree_entry e;

	build();
	e = get_entry(0);
	e.size = 1;
	put_entry(0, &e);
	expect_refused("directory has data");
}

static void writer_refuses_duplicates_and_small_buffers(void **state)
{
	static const struct ftree_input dup[] = {
		{ "a", FTREE_FILE, "1", 1 }, { "a", FTREE_FILE, "2", 1 },
	};
	uint32_t idx[NSAMPLE];

	assert_int_equal(ftree_write(buf, sizeof(buf), dup, 2, idx), -E_INVAL);
	assert_int_equal(ftree_write(buf, 40, sample, NSAMPLE, idx), -E_NOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(written_tree_reads_back),
		cmocka_unit_test(children_are_listed_once_each),
		cmocka_unit_test(every_truncation_is_refused),
		cmocka_unit_test(bad_magic_is_refused),
		cmocka_unit_test(name_outside_is_refused),
		cmocka_unit_test(data_outside_is_refused),
		cmocka_unit_test(dotdot_is_refused),
		cmocka_unit_test(disorder_is_refused),
		cmocka_unit_test(missing_parent_is_refused),
		cmocka_unit_test(directory_with_data_is_refused),
		cmocka_unit_test(writer_refuses_duplicates_and_small_buffers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
