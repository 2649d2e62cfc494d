/*
 * The kernel's memcpy and memset (declared in lib/string.h, which keeps the
 * rest of the string functions in plain C): "rep movsb" and "rep stosb",
 * short and fast on every CPU with ERMSB. Here because lib/ has no assembly.
 * The loader links this file too (it has no libefi). Any context.
 */
#include "lib/string.h"

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	void *ret = dst;

	__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
	return ret;
}

void *memset(void *dst, int c, size_t n)
{
	void *ret = dst;

	__asm__ volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(c) : "memory");
	return ret;
}
