/*
 * User memory checks and copies (see uaccess.h).
 */
#include "kernel/arch.h"
#include "kernel/proc/linux_abi.h"
#include "kernel/proc/uaccess.h"

int copy_from_user(void *dst, uint64_t usrc, size_t n)
{
	if (!uaccess_range_ok(usrc, n))
		return -LX_EFAULT;
	return uaccess_copy(dst, (const void *)usrc, n) ? -LX_EFAULT : 0;
}

int copy_to_user(uint64_t udst, const void *src, size_t n)
{
	if (!uaccess_range_ok(udst, n))
		return -LX_EFAULT;
	return uaccess_copy((void *)udst, src, n) ? -LX_EFAULT : 0;
}

long strncpy_from_user(char *dst, uint64_t usrc, size_t n)
{
	long r;

	if (!n)
		return -LX_ENAMETOOLONG;
	if (usrc >= ARCH_USER_TOP)
		return -LX_EFAULT;
	if (n > ARCH_USER_TOP - usrc)
		n = ARCH_USER_TOP - usrc;   /* the string may end before the top */
	r = uaccess_strncpy(dst, (const char *)usrc, n);
	if (r < 0)
		return -LX_EFAULT;
	if ((size_t)r >= n)
		return -LX_ENAMETOOLONG;
	return r;
}

_Static_assert(ARGCHECK_USER_TOP == ARCH_USER_TOP, "argcheck.h and the arch agree on the user half");
