/*
 * Argument checks of system calls (see argcheck.h).
 */
#include "kernel/proc/argcheck.h"
#include "kernel/proc/linux_abi.h"
#include "lib/string.h"

bool uaccess_range_ok(uint64_t addr, uint64_t len)
{
	return addr < ARGCHECK_USER_TOP && len <= ARGCHECK_USER_TOP - addr;
}

static int add_component(char *out, size_t size, size_t *len, const char *c, size_t n)
{
	if (n == 0 || (n == 1 && c[0] == '.'))
		return 0;
	if (n == 2 && c[0] == '.' && c[1] == '.') {
		while (*len > 0 && out[*len - 1] != '/')
			(*len)--;
		if (*len > 0)
			(*len)--;      /* drop the '/' too */
		return 0;
	}
	if (*len + 1 + n + 1 > size)
		return -LX_ENAMETOOLONG;
	out[(*len)++] = '/';
	memcpy(out + *len, c, n);
	*len += n;
	return 0;
}

static int add_path(char *out, size_t size, size_t *len, const char *p)
{
	while (*p) {
		const char *end = p;
		int err;

		while (*end && *end != '/')
			end++;
		err = add_component(out, size, len, p, (size_t)(end - p));
		if (err)
			return err;
		p = *end ? end + 1 : end;
	}
	return 0;
}

int path_normalise(const char *cwd, const char *path, char *out, size_t size)
{
	size_t len = 0;
	int err = 0;

	if (!path[0])
		return -LX_ENOENT;
	if (size < 2)
		return -LX_ENAMETOOLONG;
	if (path[0] != '/')
		err = add_path(out, size, &len, cwd);
	if (!err)
		err = add_path(out, size, &len, path);
	if (err)
		return err;
	if (len == 0)
		out[len++] = '/';
	out[len] = '\0';
	return 0;
}

