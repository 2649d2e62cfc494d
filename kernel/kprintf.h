/*
 * Kernel text output: printf-style formatting (lib/format.c) sent to every
 * console: the framebuffer console when there is one, and always the serial
 * line. Whole calls are atomic with respect to interrupts, so lines from an
 * interrupt handler never split another line. Any context.
 */
#ifndef EMBER_KERNEL_KPRINTF_H
#define EMBER_KERNEL_KPRINTF_H

#include <stdarg.h>
#include <stddef.h>

#include "lib/compiler.h"

int kprintf(const char *fmt, ...) __printf_like(1, 2);
int kvprintf(const char *fmt, va_list ap) __printf_like(1, 0);
/* Raw bytes (UTF-8) to every console. */
void kputs_n(const char *s, size_t len);

/* A panic stopped the other CPUs: print without waiting for the console lock. */
void kprintf_break_lock(void);

#endif
