/*
 * The include rules of docs/README.md ("What may include what"), checked on
 * the source tree itself: lib/ includes only lib/ headers and freestanding
 * C headers and has no assembly; kernel/boot_info.h includes only
 * <stdint.h> and lib/; the loader (efi/) includes only lib/, efi/,
 * kernel/boot_info.h and the header-only arch/x86_64/cpu.h and mmu.h;
 * kernel/ reaches arch/ only through kernel/arch.h (no arch/ header); the
 * drivers in arch/x86_64/ never include kernel/input/ (they are handed
 * their notification). Reads the files relative to the working directory,
 * the repository's top (make test runs there).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <cmocka.h>

#define MAX_LINE 1024

/* Whether one included name is allowed for a file; quoted: "x", else <x>. */
typedef bool (*allow_fn)(const char *name, bool quoted);

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool freestanding(const char *name)
{
	static const char *ok[] = { "stddef.h", "stdint.h", "stdbool.h", "stdarg.h",
				    "limits.h", "stdalign.h", "stdnoreturn.h", NULL };

	for (unsigned i = 0; ok[i]; i++)
		if (!strcmp(name, ok[i]))
			return true;
	return false;
}

/* The name in an #include line, in out; false when the line is no include. */
static bool include_of(const char *line, char *out, size_t cap, bool *quoted)
{
	const char *p = line, *end;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '#')
		return false;
	for (p++; *p == ' ' || *p == '\t'; p++)
		;
	if (!starts(p, "include"))
		return false;
	for (p += 7; *p == ' ' || *p == '\t'; p++)
		;
	if (*p != '"' && *p != '<')
		return false;
	*quoted = *p == '"';
	end = strchr(p + 1, *quoted ? '"' : '>');
	if (!end || (size_t)(end - p - 1) >= cap)
		return false;
	memcpy(out, p + 1, (size_t)(end - p - 1));
	out[end - p - 1] = '\0';
	return true;
}

/* Whether the token asm (asm, __asm, __asm__) occurs in line. */
static bool has_asm(const char *line)
{
	for (const char *p = strstr(line, "asm"); p; p = strstr(p + 1, "asm")) {
		char before = p == line ? ' ' : p[-1], after = p[3];
		bool word_start = !(before == '_' || (before >= 'a' && before <= 'z') ||
				    (before >= 'A' && before <= 'Z') || (before >= '0' && before <= '9'));

		if (p >= line + 2 && p[-1] == '_' && p[-2] == '_')
			word_start = true;
		if (word_start && (after == ' ' || after == '(' || after == '_' || after == '\t'))
			return true;
	}
	return false;
}

/* Checks one file; prints every violation and returns their number. */
static unsigned check_file(const char *path, allow_fn allow, bool forbid_asm)
{
	char line[MAX_LINE], name[256];
	unsigned bad = 0, n = 0;
	bool quoted;
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (include_of(line, name, sizeof(name), &quoted) && !allow(name, quoted)) {
			printf("# %s:%u: may not include %c%s%c\n", path, n, quoted ? '"' : '<',
			       name, quoted ? '"' : '>');
			bad++;
		}
		if (forbid_asm && has_asm(line)) {
			printf("# %s:%u: assembly in lib/\n", path, n);
			bad++;
		}
	}
	fclose(f);
	return bad;
}

static bool is_source(const char *name)
{
	size_t n = strlen(name);

	return n > 2 && name[n - 2] == '.' && (name[n - 1] == 'c' || name[n - 1] == 'h' ||
					       name[n - 1] == 'S' || name[n - 1] == 's');
}

/* Checks every source file of dir (recursively); returns violations, *files counts. */
static unsigned check_dir(const char *dir, allow_fn allow, bool forbid_asm, unsigned *files)
{
	char path[512];
	unsigned bad = 0;
	struct dirent *d;
	DIR *dp = opendir(dir);

	if (!dp)
		fail_msg("cannot open %s: run from the repository's top", dir);
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if (d->d_type == DT_DIR) {
			bad += check_dir(path, allow, forbid_asm, files);
		} else if (is_source(d->d_name)) {
			size_t n = strlen(d->d_name);

			if (forbid_asm && (d->d_name[n - 1] == 'S' || d->d_name[n - 1] == 's')) {
				printf("# %s: assembly file in lib/\n", path);
				bad++;
			}
			bad += check_file(path, allow, forbid_asm);
			(*files)++;
		}
	}
	closedir(dp);
	return bad;
}

/* ---- the rules ----------------------------------------------------------------------- */

static bool lib_allows(const char *name, bool quoted)
{
	return quoted ? starts(name, "lib/") : freestanding(name);
}

static bool boot_info_allows(const char *name, bool quoted)
{
	return quoted ? starts(name, "lib/") : !strcmp(name, "stdint.h");
}

static bool efi_allows(const char *name, bool quoted)
{
	if (!quoted)
		return freestanding(name) || !strcmp(name, "efi.h") || !strcmp(name, "efilib.h");
	return starts(name, "lib/") || starts(name, "efi/") ||
	       !strcmp(name, "kernel/boot_info.h") || !strcmp(name, "arch/x86_64/cpu.h") ||
	       !strcmp(name, "arch/x86_64/mmu.h");
}

static bool kernel_allows(const char *name, bool quoted)
{
	return !quoted || !starts(name, "arch/");
}

static bool arch_allows(const char *name, bool quoted)
{
	return !quoted || !starts(name, "kernel/input/");
}

/* ---- tests --------------------------------------------------------------------------- */

static void lib_includes_nothing_above_it_and_has_no_assembly(void **state)
{
	unsigned files = 0;

	(void)state;
	assert_int_equal(check_dir("lib", lib_allows, true, &files), 0);
	assert_true(files > 10);
}

static void boot_info_includes_only_stdint_and_lib(void **state)
{
	(void)state;
	assert_int_equal(check_file("kernel/boot_info.h", boot_info_allows, false), 0);
}

static void the_loader_includes_only_lib_boot_info_and_header_only_arch(void **state)
{
	unsigned files = 0;

	(void)state;
	assert_int_equal(check_dir("efi", efi_allows, false, &files), 0);
	assert_true(files > 5);
}

static void kernel_reaches_arch_only_through_arch_h(void **state)
{
	unsigned files = 0;

	(void)state;
	assert_int_equal(check_dir("kernel", kernel_allows, false, &files), 0);
	assert_true(files > 20);
}

static void arch_drivers_do_not_call_up_into_input(void **state)
{
	unsigned files = 0;

	(void)state;
	assert_int_equal(check_dir("arch", arch_allows, false, &files), 0);
	assert_true(files > 10);
}

/* The checker itself: it must see what it is meant to catch. */
static void the_checker_sees_includes_and_asm(void **state)
{
	char name[64];
	bool quoted;

	(void)state;
	assert_true(include_of("#include \"kernel/boot_info.h\"\n", name, sizeof(name), &quoted));
	assert_true(quoted);
	assert_string_equal(name, "kernel/boot_info.h");
	assert_true(include_of("  #  include <efi.h>", name, sizeof(name), &quoted));
	assert_false(quoted);
	assert_false(include_of("/* #include is a word */", name, sizeof(name), &quoted));
	assert_false(lib_allows("kernel/boot_info.h", true));
	assert_false(lib_allows("stdio.h", false));
	assert_true(has_asm("\t__asm__ volatile(\"rep movsb\");"));
	assert_true(has_asm("asm(\"hlt\");"));
	assert_true(has_asm("__asm volatile(\"\")"));
	assert_false(has_asm("/* plasma */ int chasm;"));
	assert_false(efi_allows("arch/x86_64/exceptions.h", true));
	assert_false(kernel_allows("arch/x86_64/cpu.h", true));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_checker_sees_includes_and_asm),
		cmocka_unit_test(lib_includes_nothing_above_it_and_has_no_assembly),
		cmocka_unit_test(boot_info_includes_only_stdint_and_lib),
		cmocka_unit_test(the_loader_includes_only_lib_boot_info_and_header_only_arch),
		cmocka_unit_test(kernel_reaches_arch_only_through_arch_h),
		cmocka_unit_test(arch_drivers_do_not_call_up_into_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
