/*
 * kprintf: format into a small buffer and flush it to the consoles in chunks.
 * The formatting engine streams characters, so output of any length works
 * without a heap. Interrupts are off for the whole call.
 */
#include "kernel/arch.h"
#include "kernel/console/console.h"
#include "kernel/kprintf.h"
#include "lib/format.h"

#define KPRINTF_CHUNK 128

struct kbuf {
	char data[KPRINTF_CHUNK];
	size_t len;
};

/* Interrupts off here too, so raw writes are as atomic as kprintf's lines. */
void kputs_n(const char *s, size_t len)
{
	unsigned long flags = arch_irq_save();

	arch_serial_write(s, len);
	if (console_ready())
		console_write(s, len);
	arch_irq_restore(flags);
}

static void emit(char c, void *ctx)
{
	struct kbuf *b = ctx;

	b->data[b->len++] = c;
	if (b->len == sizeof(b->data)) {
		kputs_n(b->data, b->len);
		b->len = 0;
	}
}

int kvprintf(const char *fmt, va_list ap)
{
	struct kbuf b = { .len = 0 };
	unsigned long flags = arch_irq_save();
	int n;

	n = fmt_format(emit, &b, fmt, ap);
	kputs_n(b.data, b.len);
	arch_irq_restore(flags);
	return n;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}
