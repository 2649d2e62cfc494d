/*
 * A fake CPU for the host tests of the async core (task, timer, channel):
 * the task_platform the executor runs on, panic_at, and interrupts.
 *
 * Interrupts are a flag. fake_raise_irq(fn, ctx) is a device raising its
 * line: the handler fn runs at once if interrupts are enabled, else it stays
 * pending and runs the moment they are enabled again (irq_restore, or the
 * sti of idle), as on a real CPU. Idle asserts that interrupts are disabled,
 * enables them, delivers a pending interrupt or calls the test's on_idle
 * hook (which usually raises one; a test that idles more than max_idles
 * times fails instead of hanging); with neither, the CPU would halt
 * forever: halted_forever is set and the executor is stopped (an interrupt
 * raised after that sets raised_after_halt: a real CPU would have slept
 * until then, which tells nothing about lost wake-ups).
 *
 * fake_step_run(fn, arg, k, irq, ctx) runs fn single-stepped (x86 trap
 * flag) and raises irq after its k-th instruction, so a test can land an
 * interrupt on every instruction boundary of a piece of code in turn.
 *
 * panic_at reports through cmocka's mock_assert, so expect_assert_failure()
 * catches an expected panic; the message is kept in fake_panic_msg.
 */
#ifndef EMBER_TEST_ASYNC_FAKE_H
#define EMBER_TEST_ASYNC_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/async/task.h"

typedef void fake_irq_fn(void *ctx);

struct fake_cpu {
	bool irq_on;
	uint64_t tsc;			/* what timestamp returns... */
	uint64_t tsc_step;		/* ...after adding this */
	unsigned long idles;		/* idle calls */
	unsigned long max_idles;	/* more fail the test (100,000) */
	unsigned long irqs;		/* interrupts delivered */
	bool halted_forever;		/* idle with nothing to wake it */
	bool raised_after_halt;		/* an interrupt came too late to count */
	fake_irq_fn *pending;		/* raised while interrupts were off */
	void *pending_ctx;
	fake_irq_fn *on_idle;		/* the world, while the CPU sleeps */
	void *on_idle_ctx;
	struct executor *ex;		/* stopped when it would halt forever */
};

extern volatile struct fake_cpu fake_cpu;	/* changed by "interrupts" */
extern const struct task_platform fake_platform;
extern char fake_panic_msg[256];

/* Interrupts on, clock at 0 advancing 1 per read, no hooks. */
void fake_cpu_reset(struct executor *ex);

void fake_raise_irq(fake_irq_fn *fn, void *ctx);

/*
 * Run fn(arg) single-stepped and raise irq(ctx) after step instructions
 * (step 0: never). Returns the instructions counted; *fired says whether
 * the interrupt was raised (fn ended earlier otherwise). fn must not leave
 * by longjmp (no cmocka assertions inside).
 */
unsigned long fake_step_run(void (*fn)(void *), void *arg, unsigned long step,
			    fake_irq_fn *irq, void *ctx, bool *fired);

#endif
