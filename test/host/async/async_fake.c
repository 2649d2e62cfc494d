/*
 * The fake CPU of the async host tests: interrupt flag, pending interrupt,
 * idle, clock, single-stepping, panic. Described in async_fake.h.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <cmocka.h>

#include "kernel/panic.h"
#include "kernel/arch.h"
#include "kernel/smp/percpu.h"
#include "test/host/async/async_fake.h"

#define EFLAGS_TF 0x100ul

volatile struct fake_cpu fake_cpu;
char fake_panic_msg[256];

static struct {
	volatile unsigned long count, target;
	volatile bool fired;
	fake_irq_fn *irq;
	void *ctx;
} stepper;

void panic_at(const char *file, int line, const char *func, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fake_panic_msg, sizeof(fake_panic_msg), fmt, ap);
	va_end(ap);
	mock_assert(0, fake_panic_msg, file, line);
	abort();
}

static void fake_trap_flag(bool on);

/* Fail the test, out of single-stepping first (cmocka leaves by longjmp). */
static void fake_fail(const char *msg)
{
	fake_trap_flag(false);
	fail_msg("%s", msg);
}

/* The CPU takes an interrupt: handlers run with interrupts disabled. */
static void fake_deliver(fake_irq_fn *fn, void *ctx)
{
	fake_cpu.irq_on = false;
	fake_cpu.irqs++;
	fn(ctx);
	fake_cpu.irq_on = true;
}

static void fake_deliver_pending(void)
{
	fake_irq_fn *fn = fake_cpu.pending;

	if (fn && fake_cpu.irq_on) {
		fake_cpu.pending = NULL;
		fake_deliver(fn, fake_cpu.pending_ctx);
	}
}

void fake_raise_irq(fake_irq_fn *fn, void *ctx)
{
	if (fake_cpu.halted_forever)
		fake_cpu.raised_after_halt = true;
	fake_cpu.pending = fn;
	fake_cpu.pending_ctx = ctx;
	fake_deliver_pending();
}

static unsigned long fake_irq_save(void)
{
	bool was = fake_cpu.irq_on;

	fake_cpu.irq_on = false;
	return was;
}

static void fake_irq_restore(unsigned long flags)
{
	fake_cpu.irq_on = flags != 0;
	fake_deliver_pending();
}

static bool fake_irq_enabled(void)
{
	return fake_cpu.irq_on;
}

/*
 * sti; hlt: interrupts on (a pending one is taken at once), else sleep
 * until the world (on_idle) raises one. Nothing at all: asleep for good.
 */
static void fake_idle(void)
{
	unsigned long before = fake_cpu.irqs;

	if (fake_cpu.irq_on)
		fake_fail("fake: idle entered with interrupts enabled");
	if (++fake_cpu.idles > fake_cpu.max_idles)
		fake_fail("fake: too many idles: a wake-up is lost, or nothing ends");
	fake_cpu.irq_on = true;
	fake_deliver_pending();
	if (fake_cpu.irqs == before && fake_cpu.on_idle)
		fake_cpu.on_idle(fake_cpu.on_idle_ctx);
	/* Asleep for good, unless one came in after all (it may land anywhere). */
	fake_cpu.halted_forever = true;
	if (fake_cpu.irqs != before) {
		fake_cpu.halted_forever = false;
		fake_cpu.raised_after_halt = false;
		return;
	}
	if (fake_cpu.ex)
		executor_stop(fake_cpu.ex);
}

static uint64_t fake_timestamp(void)
{
	fake_cpu.tsc += fake_cpu.tsc_step;
	return fake_cpu.tsc;
}

const struct task_platform fake_platform = {
	.irq_save = fake_irq_save,
	.irq_restore = fake_irq_restore,
	.irq_enabled = fake_irq_enabled,
	.idle = fake_idle,
	.timestamp = fake_timestamp,
};

void fake_cpu_reset(struct executor *ex)
{
	fake_cpu = (struct fake_cpu){ .irq_on = true, .tsc_step = 1, .ex = ex,
				      .max_idles = 100000 };
	fake_panic_msg[0] = '\0';
}

/* SIGTRAP after every instruction while the trap flag is set. */
static void fake_on_trap(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	if (++stepper.count < stepper.target)
		return;
	uc->uc_mcontext.gregs[REG_EFL] &= ~EFLAGS_TF;
	stepper.fired = true;
	fake_raise_irq(stepper.irq, stepper.ctx);
}

static void fake_trap_flag(bool on)
{
	if (on)
		__asm__ volatile("pushfq; orq %0, (%%rsp); popfq"
				 : : "i"(EFLAGS_TF) : "memory", "cc");
	else
		__asm__ volatile("pushfq; andq %0, (%%rsp); popfq"
				 : : "i"(~EFLAGS_TF) : "memory", "cc");
}

unsigned long fake_step_run(void (*fn)(void *), void *arg, unsigned long step,
			    fake_irq_fn *irq, void *ctx, bool *fired)
{
	struct sigaction sa = { .sa_sigaction = fake_on_trap, .sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGTRAP, &sa, NULL), 0);
	stepper.count = 0;
	stepper.target = step ? step : ~0ul;
	stepper.fired = false;
	stepper.irq = irq;
	stepper.ctx = ctx;
	fake_trap_flag(true);
	fn(arg);
	fake_trap_flag(false);
	if (fired)
		*fired = stepper.fired;
	return stepper.count;
}

/*
 * The arch_* services kernel/smp/spinlock.c uses, on the same fake flag:
 * the executor's spinlock disables the fake CPU's interrupts as the real
 * one does, and a pending interrupt is taken at the unlock.
 */
unsigned long arch_irq_save(void)
{
	return fake_irq_save();
}

void arch_irq_restore(unsigned long flags)
{
	fake_irq_restore(flags);
}

bool arch_irq_enabled(void)
{
	return fake_irq_enabled();
}

struct cpu *cpu_self(void)
{
	static struct cpu fake_cpu0 = { .self = &fake_cpu0 };

	return &fake_cpu0;
}
