/*
 * A fake SMP machine for host tests: each pthread is a CPU with its own
 * interrupt flag and struct cpu (thread-local), panic_at reports through
 * cmocka's mock_assert (expect_assert_failure catches it) or, off the main
 * thread, aborts the process.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/arch.h"
#include "kernel/panic.h"
#include "kernel/smp/percpu.h"
#include "test/host/smp/smp_fake.h"

static __thread struct cpu fake_this_cpu;
static __thread bool fake_irq_on = true;
char smp_fake_panic_msg[256];

void smp_fake_set_cpu(unsigned index)
{
	fake_this_cpu = (struct cpu){ .self = &fake_this_cpu, .index = index };
	fake_irq_on = true;
}

struct cpu *cpu_self(void)
{
	return &fake_this_cpu;
}

unsigned long arch_irq_save(void)
{
	bool was = fake_irq_on;

	fake_irq_on = false;
	return was;
}

void arch_irq_restore(unsigned long flags)
{
	fake_irq_on = flags != 0;
}

bool arch_irq_enabled(void)
{
	return fake_irq_on;
}

void panic_at(const char *file, int line, const char *func, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(smp_fake_panic_msg, sizeof(smp_fake_panic_msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "panic: %s (%s:%d)\n", smp_fake_panic_msg, file, line);
	mock_assert(0, smp_fake_panic_msg, file, line);
	(void)func;
	abort();
}
