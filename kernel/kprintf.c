/*
 * kprintf: format into a small buffer and flush it to the consoles in chunks.
 * The formatting engine streams characters, so output of any length works
 * without a heap. Interrupts are off and the console lock is held for the
 * whole call, so a line from one CPU never splits another CPU's line. The
 * lock knows its holder: a fault inside kprintf whose report prints again
 * on the same CPU goes through instead of waiting for itself, and after a
 * panic has stopped the other CPUs (kprintf_break_lock) nobody waits.
 */
#include "kernel/arch.h"
#include "kernel/console/console.h"
#include "kernel/kprintf.h"
#include "kernel/smp/percpu.h"
#include "lib/format.h"

static uint32_t kp_owner;     /* holder's cpu index + 1, 0 when free */
static bool kp_broken;        /* panic: everyone else is stopped */

/* Take the console: false when this CPU held it already (nested print). */
static bool kprintf_lock(void)
{
	uint32_t me, free = 0;

	if (__atomic_load_n(&kp_broken, __ATOMIC_ACQUIRE) || !percpu_ready())
		return false;
	me = cpu_self()->index + 1;
	if (__atomic_load_n(&kp_owner, __ATOMIC_RELAXED) == me)
		return false;
	while (!__atomic_compare_exchange_n(&kp_owner, &free, me, false,
					    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		free = 0;
		__builtin_ia32_pause();
		if (__atomic_load_n(&kp_broken, __ATOMIC_ACQUIRE))
			return false;
	}
	return true;
}

static void kprintf_unlock(bool taken)
{
	if (taken)
		__atomic_store_n(&kp_owner, 0, __ATOMIC_RELEASE);
}

void kprintf_break_lock(void)
{
	__atomic_store_n(&kp_broken, true, __ATOMIC_RELEASE);
}

#define KPRINTF_CHUNK 128

struct kbuf {
	char data[KPRINTF_CHUNK];
	size_t len;
};

/* Interrupts off here too, so raw writes are as atomic as kprintf's lines. */
void kputs_n(const char *s, size_t len)
{
	unsigned long flags = arch_irq_save();
	bool taken = kprintf_lock();

	arch_serial_write(s, len);
	if (console_ready())
		console_write(s, len);
	kprintf_unlock(taken);
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
	bool taken = kprintf_lock();
	int n;

	n = fmt_format(emit, &b, fmt, ap);
	kputs_n(b.data, b.len);
	kprintf_unlock(taken);
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
