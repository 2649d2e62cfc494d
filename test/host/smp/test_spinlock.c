/*
 * Spinlocks (kernel/smp/spinlock.c) on the fake SMP machine: pthreads as
 * CPUs. Mutual exclusion under contention, the interrupt flag saved and
 * restored, and debug mode's checks: double acquisition, lock-order
 * inversion and release by a CPU that does not hold the lock all panic
 * with a message that names the lock.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/arch.h"
#include "kernel/smp/spinlock.h"
#include "test/host/smp/smp_fake.h"

#define THREADS 4
#define ROUNDS  200000

static struct spinlock counter_lock = SPINLOCK_INIT("counter", 0);
static uint64_t counter;     /* plain: only the lock keeps increments whole */

struct worker { unsigned index; bool irq_off_inside; };

static void *count_up(void *arg)
{
	struct worker *w = arg;

	smp_fake_set_cpu(w->index);
	for (unsigned i = 0; i < ROUNDS; i++) {
		unsigned long f = spin_lock(&counter_lock);

		if (arch_irq_enabled())
			w->irq_off_inside = false;
		counter++;
		spin_unlock(&counter_lock, f);
	}
	return NULL;
}

static void no_increment_is_lost_when_four_cpus_contend(void **state)
{
	pthread_t t[THREADS];
	struct worker w[THREADS];

	(void)state;
	counter = 0;
	for (unsigned i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .index = i, .irq_off_inside = true };
		assert_int_equal(pthread_create(&t[i], NULL, count_up, &w[i]), 0);
	}
	for (unsigned i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		assert_true(w[i].irq_off_inside);
	}
	assert_int_equal(counter, (uint64_t)THREADS * ROUNDS);
	assert_false(spin_held(&counter_lock));
}

static void lock_disables_interrupts_and_unlock_puts_back_what_was_there(void **state)
{
	struct spinlock l = SPINLOCK_INIT("l", 0);
	unsigned long f, g;

	(void)state;
	smp_fake_set_cpu(0);
	f = spin_lock(&l);
	assert_false(arch_irq_enabled());
	assert_true(spin_held(&l));
	spin_unlock(&l, f);
	assert_true(arch_irq_enabled());

	g = arch_irq_save();           /* taken with interrupts already off */
	f = spin_lock(&l);
	spin_unlock(&l, f);
	assert_false(arch_irq_enabled());
	arch_irq_restore(g);
	assert_true(arch_irq_enabled());
}

static void trylock_fails_on_a_held_lock_and_leaves_interrupts_alone(void **state)
{
	struct spinlock l = SPINLOCK_INIT("l", 0);
	unsigned long f, g;

	(void)state;
	smp_fake_set_cpu(0);
	assert_true(spin_trylock(&l, &f));
	assert_false(spin_trylock(&l, &g));
	spin_unlock(&l, f);
	assert_true(arch_irq_enabled());
	assert_true(spin_trylock(&l, &g));
	spin_unlock(&l, g);
}

/* Out of line: the flag it drops would be clobbered by the longjmp of a panic. */
static __attribute__((noinline)) void lock_and_drop(struct spinlock *l)
{
	(void)spin_lock(l);
}

static void debug_mode_panics_on_a_double_acquisition(void **state)
{
	struct spinlock l = SPINLOCK_INIT("twice", 0);
	unsigned long f;

	(void)state;
	smp_fake_set_cpu(3);
	spin_debug_set(true);
	f = spin_lock(&l);
	expect_assert_failure(lock_and_drop(&l));
	assert_non_null(strstr(smp_fake_panic_msg, "spin: double acquisition of twice on cpu 3"));
	spin_unlock(&l, f);
	spin_debug_set(false);
}

static void debug_mode_panics_on_a_lock_order_inversion(void **state)
{
	struct spinlock low = SPINLOCK_INIT("low", 10), high = SPINLOCK_INIT("high", 20);
	unsigned long f, g;

	(void)state;
	smp_fake_set_cpu(1);
	spin_debug_set(true);
	f = spin_lock(&low);           /* the right order passes */
	g = spin_lock(&high);
	spin_unlock(&high, g);
	spin_unlock(&low, f);
	g = spin_lock(&high);
	expect_assert_failure(lock_and_drop(&low));
	assert_non_null(strstr(smp_fake_panic_msg, "lock order: low (rank 10) taken while holding high (rank 20)"));
	spin_unlock(&high, g);
	spin_debug_set(false);
}

static void debug_mode_panics_when_a_lock_is_released_by_a_cpu_that_does_not_hold_it(void **state)
{
	struct spinlock l = SPINLOCK_INIT("stray", 0);

	(void)state;
	smp_fake_set_cpu(2);
	spin_debug_set(true);
	expect_assert_failure(spin_unlock(&l, 1));
	assert_non_null(strstr(smp_fake_panic_msg, "spin: stray released by cpu 2"));
	spin_debug_set(false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_increment_is_lost_when_four_cpus_contend),
		cmocka_unit_test(lock_disables_interrupts_and_unlock_puts_back_what_was_there),
		cmocka_unit_test(trylock_fails_on_a_held_lock_and_leaves_interrupts_alone),
		cmocka_unit_test(debug_mode_panics_on_a_double_acquisition),
		cmocka_unit_test(debug_mode_panics_on_a_lock_order_inversion),
		cmocka_unit_test(debug_mode_panics_when_a_lock_is_released_by_a_cpu_that_does_not_hold_it),
	};

	return cmocka_run_group_tests_name("spinlock", tests, NULL, NULL);
}
