/*
 * The executor (kernel/async/task.c) run by several CPUs at once: pthreads
 * of the fake SMP machine each call executor_run_ready on one shared
 * executor, as the kernel's CPUs do. Proves that a task is never polled by
 * two CPUs at once, that every task's polls all happen (none lost, none
 * extra), that the work spreads over the CPUs, and that wake-ups sent from
 * one CPU to a task another CPU is polling or has just polled are never
 * lost (ping-pong pairs: one lost wake-up stalls a pair for good, and the
 * run's time limit fails the test).
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "kernel/arch.h"
#include "kernel/async/task.h"
#include "test/host/smp/smp_fake.h"

#define CPUS      4
#define TASKS     64
#define POLLS     2000
#define PAIRS     8
#define EXCHANGES 20000
#define LIMIT_S   60

static __thread unsigned this_cpu;
static uint64_t clock_now;

static uint32_t idles[CPUS];
static uint32_t kicks;

static void fake_idle(void) { __atomic_fetch_add(&idles[this_cpu], 1, __ATOMIC_RELAXED); sched_yield(); }
static void fake_kick(unsigned cpu) { (void)cpu; __atomic_fetch_add(&kicks, 1, __ATOMIC_RELAXED); }
static uint64_t fake_timestamp(void) { return __atomic_add_fetch(&clock_now, 1, __ATOMIC_RELAXED); }
static unsigned fake_cpu_index(void) { return this_cpu; }

static const struct task_platform smp_platform = {
	.irq_save = arch_irq_save, .irq_restore = arch_irq_restore,
	.irq_enabled = arch_irq_enabled, .idle = fake_idle,
	.timestamp = fake_timestamp, .cpu_index = fake_cpu_index, .kick = fake_kick,
};

static struct task table[TASKS];
static uint64_t queue[TASKS];
static struct executor ex;

/* ---- workers ----------------------------------------------------------- */

struct worker { unsigned index; uint64_t polls; };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *run_cpu(void *arg)
{
	struct worker *w = arg;
	double end = now_s() + LIMIT_S;

	this_cpu = w->index;
	smp_fake_set_cpu(w->index);
	while (executor_live(&ex) > 0 && now_s() < end) {
		size_t n = executor_run_ready(&ex);

		w->polls += n;
		if (!n)
			sched_yield();
	}
	return NULL;
}

static void run_on_cpus(struct worker w[CPUS])
{
	pthread_t t[CPUS];

	for (unsigned i = 0; i < CPUS; i++) {
		w[i] = (struct worker){ .index = i };
		assert_int_equal(pthread_create(&t[i], NULL, run_cpu, &w[i]), 0);
	}
	for (unsigned i = 0; i < CPUS; i++)
		pthread_join(t[i], NULL);
}

static void setup_executor(void)
{
	clock_now = 0;
	kicks = 0;
	memset(idles, 0, sizeof(idles));
	smp_fake_set_cpu(0);
	this_cpu = 0;
	assert_int_equal(executor_init(&ex, &smp_platform, table, TASKS, queue, TASKS), 0);
}

/* ---- spinners: each wakes itself POLLS times --------------------------- */

struct spinner {
	uint32_t inside;	/* 1 while a CPU polls it */
	uint32_t left;
	uint32_t overlaps;	/* polls that found another CPU inside */
	uint32_t cpus;		/* bit i: CPU i polled it */
};

static struct spinner spinners[TASKS];

static enum task_poll spinner_poll(void *state, struct task_cx *cx)
{
	struct spinner *s = state;

	if (__atomic_exchange_n(&s->inside, 1, __ATOMIC_ACQ_REL))
		__atomic_fetch_add(&s->overlaps, 1, __ATOMIC_RELAXED);
	s->cpus |= 1u << this_cpu;
	for (volatile int i = 0; i < 50; i++)
		;
	if (--s->left == 0) {
		__atomic_store_n(&s->inside, 0, __ATOMIC_RELEASE);
		return TASK_READY;
	}
	waker_wake(&cx->waker);   /* mid-poll: RUNNING_WOKEN, queued again after */
	__atomic_store_n(&s->inside, 0, __ATOMIC_RELEASE);
	return TASK_PENDING;
}

static void no_task_is_polled_by_two_cpus_at_once_and_every_poll_happens(void **state)
{
	struct worker w[CPUS];
	uint64_t total = 0;
	unsigned busy_cpus = 0;
	uint32_t seen = 0;

	(void)state;
	setup_executor();
	for (unsigned i = 0; i < TASKS; i++) {
		spinners[i] = (struct spinner){ .left = POLLS };
		assert_int_equal(executor_spawn(&ex, "spin", spinner_poll, &spinners[i], NULL), 0);
	}
	run_on_cpus(w);
	assert_int_equal(executor_live(&ex), 0);
	for (unsigned i = 0; i < TASKS; i++) {
		assert_int_equal(spinners[i].left, 0);
		assert_int_equal(spinners[i].overlaps, 0);
		seen |= spinners[i].cpus;
	}
	for (unsigned i = 0; i < CPUS; i++) {
		total += w[i].polls;
		busy_cpus += w[i].polls > 0;
		assert_int_equal(ex.stats.cpu_polls[i], w[i].polls);
	}
	assert_int_equal(total, (uint64_t)TASKS * POLLS);
	assert_int_equal(ex.stats.polls, total);
	assert_true(busy_cpus >= 2);
	assert_true(__builtin_popcount(seen) >= 2);
}

/* ---- ping-pong pairs: every exchange is a wake-up across tasks ---------- */

struct pair {
	uint32_t turn;			/* which side may go */
	uint32_t done[2];		/* exchanges each side made */
	struct waker w[2];
	uint32_t crossed;		/* wake-ups sent to a task another CPU polled last */
	struct task_handle h[2];
};

struct side { struct pair *p; unsigned me; };

static struct pair pairs[PAIRS];
static struct side sides[PAIRS][2];

static enum task_poll side_poll(void *state, struct task_cx *cx)
{
	struct side *s = state;
	struct pair *p = s->p;
	unsigned other = 1 - s->me;

	(void)cx;
	while (__atomic_load_n(&p->turn, __ATOMIC_ACQUIRE) == s->me && p->done[s->me] < EXCHANGES) {
		p->done[s->me]++;
		if (table[p->h[other].slot].last_cpu != this_cpu)
			__atomic_fetch_add(&p->crossed, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&p->turn, other, __ATOMIC_RELEASE);
		waker_wake(&p->w[other]);
	}
	return p->done[s->me] == EXCHANGES ? TASK_READY : TASK_PENDING;
}

static void a_wake_up_from_another_cpu_is_never_lost(void **state)
{
	struct worker w[CPUS];
	uint64_t crossed = 0;

	(void)state;
	setup_executor();
	for (unsigned i = 0; i < PAIRS; i++) {
		pairs[i] = (struct pair){ .turn = 0 };
		for (unsigned s = 0; s < 2; s++) {
			sides[i][s] = (struct side){ .p = &pairs[i], .me = s };
			assert_int_equal(executor_spawn(&ex, "side", side_poll, &sides[i][s],
							&pairs[i].h[s]), 0);
			pairs[i].w[s] = table[pairs[i].h[s].slot].cx.waker;
		}
	}
	run_on_cpus(w);
	for (unsigned i = 0; i < PAIRS; i++) {
		assert_int_equal(pairs[i].done[0], EXCHANGES);
		assert_int_equal(pairs[i].done[1], EXCHANGES);
		crossed += pairs[i].crossed;
	}
	assert_int_equal(executor_live(&ex), 0);
	assert_true(crossed > 0);
	print_message("%llu of %u wake-ups went to a task another CPU polled last\n",
		      (unsigned long long)crossed, PAIRS * EXCHANGES * 2);
}

/* ---- executor_set_cpu_limit --------------------------------------------- */

/*
 * A CPU kept out must sleep even though tasks are queued: one that went
 * round its loop instead would spin, and under TCG take the host core the
 * one-CPU half of the speed-up measurement needs (seen: -smp 4's one-CPU
 * rounds ran 3.5 times slower than -smp 2's). Lifting the limit wakes it.
 */
static void a_cpu_kept_out_sleeps_with_tasks_queued_and_is_woken_when_let_in(void **state)
{
	(void)state;
	setup_executor();
	spinners[0] = (struct spinner){ .left = 3 };
	assert_int_equal(executor_spawn(&ex, "spinner", spinner_poll, &spinners[0], NULL), 0);
	executor_set_cpu_limit(&ex, 1);
	this_cpu = 1;
	smp_fake_set_cpu(1);
	assert_int_equal(executor_run_ready(&ex), 0);
	executor_idle(&ex);
	assert_int_equal(idles[1], 1);          /* slept, with the spinner queued */
	assert_int_equal(spinners[0].left, 3);
	__atomic_fetch_or(&ex.idle_mask, 1u << 1, __ATOMIC_SEQ_CST);   /* asleep again */
	executor_set_cpu_limit(&ex, 0);
	assert_int_equal(kicks, 1);
	assert_int_equal(ex.idle_mask, 0);
	assert_int_equal(executor_run_ready(&ex), 3);   /* let in: it polls */
	assert_int_equal(spinners[0].left, 0);
	assert_true(spinners[0].cpus == 1u << 1);
	assert_int_equal(executor_live(&ex), 0);
	this_cpu = 0;
	smp_fake_set_cpu(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_task_is_polled_by_two_cpus_at_once_and_every_poll_happens),
		cmocka_unit_test(a_wake_up_from_another_cpu_is_never_lost),
		cmocka_unit_test(a_cpu_kept_out_sleeps_with_tasks_queued_and_is_woken_when_let_in),
	};

	return cmocka_run_group_tests_name("executor_smp", tests, NULL, NULL);
}
