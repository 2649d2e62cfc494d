/*
 * Freestanding memory and string functions. In the kernel and loader these are
 * the real implementations (the compiler emits calls to memcpy/memset itself):
 * lib/string.c, plus memcpy/memset from arch/x86_64/string.c in the kernel and
 * from gnu-efi's libefi in the loader. Host builds use the C library's.
 */
#ifndef EMBER_LIB_STRING_H
#define EMBER_LIB_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

#endif
