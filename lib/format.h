/*
 * printf-style formatting without floating point: the engine behind kprintf
 * and every snprintf in the loader, kernel and host tests. fmt_format streams
 * characters one at a time into a caller's callback, so it needs no buffer and
 * no allocation; fmt_vsnprintf/fmt_snprintf are the C99 snprintf built on it.
 *
 * Supported, with C99/glibc output: %d %i %u %x %X %o %c %s %p %%, the flags
 * '-' '0' '+' ' ' '#', width and precision (both may be '*'), and the length
 * modifiers hh h l ll z t j, and the synonyms glibc accepts: L and q for ll,
 * Z for z (so "%Ld|%d" takes a long long, then an int). %s of NULL prints "(null)" (nothing when the
 * precision is below 6, like glibc) and %p prints "0x..." or "(nil)".
 *
 * Not supported (test/check_formats.py makes them a build error in the loader
 * and kernel; GCC's -Werror=format checks every argument's type against the
 * __printf_like functions): floating point (%f %e %g %a: no FPU state),
 * %n (a write through the argument list), wide characters (%lc %ls), %m and
 * positional arguments (%1$d). Such a directive, and any unknown one, is
 * printed exactly as written ("%f", "%-8lf", "%ls") and consumes no argument
 * beyond those of its '*' fields; a '%' that ends the string prints as is.
 *
 * Errors: a width or precision above INT_MAX, or an output longer than
 * INT_MAX characters, stops formatting and returns -E_RANGE (C99 allows any
 * negative value; test for < 0).
 *
 * Context: pure, reentrant, any context (IRQ included) as long as the
 * callback is; stack use is a few dozen bytes.
 */
#ifndef EMBER_LIB_FORMAT_H
#define EMBER_LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

#include "lib/compiler.h"

/* Receives each output character in order; ctx is the caller's. */
typedef void (*fmt_emit_fn)(char c, void *ctx);

/*
 * Formats fmt with ap, calling emit(c, ctx) once per character (no final
 * NUL). Returns the number of characters emitted, or -E_RANGE (see above).
 */
int fmt_format(fmt_emit_fn emit, void *ctx, const char *fmt, va_list ap) __printf_like(3, 0);

/*
 * C99 vsnprintf: writes at most size - 1 characters and a NUL into buf when
 * size > 0, nothing at all when size == 0 (buf may then be NULL). Returns the
 * length the full output has, whatever size was, or -E_RANGE.
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) __printf_like(3, 0);

/* fmt_vsnprintf with the arguments inline. */
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) __printf_like(3, 4);

#endif
