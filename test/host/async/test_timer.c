/*
 * Host tests of the timers (timer.h) on a fake clock: expiry order, ties in
 * start order, nothing early, cancel and restart anywhere in the heap, a
 * full queue, 10,000 timers against a reference model, and the sleep
 * future driving tasks on the executor, with the clock advanced by the
 * fake CPU's idle as the tick interrupt would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/async/coro.h"
#include "kernel/async/task.h"
#include "kernel/async/timer.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "test/host/async/async_fake.h"

#define MANY 10000

static struct timer_queue tq;
static struct timer *heap[MANY];
static struct timer timers[MANY];

static unsigned rng = 7;

static unsigned rnd(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng >> 8;
}

static void setup_queue(size_t cap)
{
	assert_int_equal(timer_queue_init(&tq, heap, cap, 0), 0);
	for (size_t i = 0; i < MANY; i++)
		timer_init(&timers[i]);
}

static void start(size_t i, uint64_t deadline)
{
	assert_int_equal(timer_start(&tq, &timers[i], deadline, &WAKER_NOOP), 0);
}

/* Index of the timer that expires next by now, or -1. */
static long expire(uint64_t now)
{
	struct timer *t = timer_expire_one(&tq, now);

	return t ? (long)(t - timers) : -1;
}

static void init_rejects_a_missing_or_empty_heap(void **state)
{
	assert_int_equal(timer_queue_init(&tq, NULL, 4, 0), -E_INVAL);
	assert_int_equal(timer_queue_init(&tq, heap, 0, 0), -E_INVAL);
	assert_int_equal(timer_queue_init(&tq, heap, 4, 77), 0);
	assert_int_equal(tq.now, 77);
	assert_int_equal(timer_next_deadline(&tq), TIMER_NEVER);
	assert_null(timer_expire_one(&tq, UINT64_MAX));
}

static void timers_expire_in_deadline_order_and_never_early(void **state)
{
	static const uint64_t deadlines[] = { 50, 10, 40, 20, 30 };
	static const long want[] = { 1, 3, 4, 2, 0 };

	setup_queue(8);
	for (size_t i = 0; i < ARRAY_SIZE(deadlines); i++)
		start(i, deadlines[i]);
	assert_int_equal(timer_count(&tq), 5);
	assert_int_equal(timer_next_deadline(&tq), 10);
	assert_int_equal(expire(9), -1);
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		uint64_t due = deadlines[want[i]];

		assert_int_equal(expire(due - 1), -1);
		assert_int_equal(expire(due), want[i]);	/* due exactly then */
		assert_true(timer_fired(&timers[want[i]]));
		assert_int_equal(timer_queue_check(&tq), 0);
	}
	assert_int_equal(timer_next_deadline(&tq), TIMER_NEVER);
}

static void timers_due_on_the_same_tick_expire_in_the_order_started(void **state)
{
	static const long want[] = { 3, 0, 4, 1, 2, 5 };

	setup_queue(8);
	start(3, 5);
	start(0, 7);
	start(4, 7);
	start(1, 7);
	start(2, 7);
	start(5, 9);
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		assert_int_equal(expire(100), want[i]);
	assert_int_equal(expire(100), -1);
}

static void cancel_removes_a_timer_from_anywhere_in_the_heap(void **state)
{
	setup_queue(64);
	for (size_t i = 0; i < 40; i++)
		start(i, 1000 - i * 7 % 100);
	for (size_t i = 0; i < 40; i += 3) {
		assert_int_equal(timer_cancel(&tq, &timers[i]), 0);
		assert_false(timer_pending(&timers[i]));
		assert_int_equal(timer_queue_check(&tq), 0);
	}
	assert_int_equal(timer_cancel(&tq, &timers[0]), -E_NOENT);
	assert_int_equal(timer_count(&tq), 40 - 14);
	for (long got, last = -1; (got = expire(UINT64_MAX)) >= 0; last = got) {
		assert_true(got % 3 != 0);
		if (last >= 0)
			assert_true(timers[last].deadline <= timers[got].deadline);
	}
	assert_int_equal(timer_cancel(&tq, &timers[1]), -E_NOENT);	/* fired */
}

static void the_heap_check_notices_a_broken_heap(void **state)
{
	struct timer *tmp;

	setup_queue(8);
	for (size_t i = 0; i < 5; i++)
		start(i, 10 + i);
	assert_int_equal(timer_queue_check(&tq), 0);
	tmp = heap[0], heap[0] = heap[4], heap[4] = tmp;	/* order broken */
	heap[0]->index = 0, heap[4]->index = 4;
	assert_int_equal(timer_queue_check(&tq), -E_INVAL);
	tmp = heap[0], heap[0] = heap[4], heap[4] = tmp;
	assert_int_equal(timer_queue_check(&tq), -E_INVAL);	/* stale indices */
	heap[0]->index = 0, heap[4]->index = 4;
	assert_int_equal(timer_queue_check(&tq), 0);
	tq.next_deadline = 99;					/* stale for IRQs */
	assert_int_equal(timer_queue_check(&tq), -E_INVAL);
}

static void restarting_a_pending_timer_moves_its_deadline(void **state)
{
	setup_queue(8);
	start(0, 10);
	start(1, 20);
	start(2, 30);
	start(2, 5);		/* earlier */
	start(0, 40);		/* later */
	assert_int_equal(timer_count(&tq), 3);
	assert_int_equal(timer_queue_check(&tq), 0);
	assert_int_equal(expire(100), 2);
	assert_int_equal(expire(100), 1);
	assert_int_equal(expire(100), 0);
	start(1, 3);		/* a fired timer starts again */
	assert_int_equal(timer_next_deadline(&tq), 3);
}

static void a_full_queue_refuses_a_new_timer_but_moves_a_pending_one(void **state)
{
	setup_queue(2);
	start(0, 10);
	start(1, 20);
	assert_int_equal(timer_start(&tq, &timers[2], 5, &WAKER_NOOP), -E_NOSPC);
	assert_false(timer_pending(&timers[2]));
	start(1, 1);
	assert_int_equal(expire(1), 1);
	start(2, 5);
}

/*
 * 10,000 timers with random deadlines (many ties), a third cancelled and
 * some restarted along the way, expired in steps of the clock: the order
 * must match a stable sort by deadline of the timers in start order.
 */
struct ref {
	uint64_t deadline, seq;
	bool live;
};

static struct ref model[MANY];

static void ten_thousand_timers_expire_exactly_like_a_sorted_list(void **state)
{
	uint64_t seq = 0, now = 0, last_deadline = 0, last_seq = 0;
	size_t expired = 0, live = 0;
	long got;

	setup_queue(MANY);
	for (size_t i = 0; i < MANY; i++) {
		model[i] = (struct ref){ .deadline = rnd() % 5000, .seq = seq++, .live = true };
		start(i, model[i].deadline);
	}
	for (size_t i = 0; i < MANY; i += 3) {
		if (i % 2) {
			assert_int_equal(timer_cancel(&tq, &timers[i]), 0);
			model[i].live = false;
		} else {
			model[i].deadline = rnd() % 5000;
			model[i].seq = seq++;
			start(i, model[i].deadline);
		}
	}
	assert_int_equal(timer_queue_check(&tq), 0);
	for (size_t i = 0; i < MANY; i++)
		live += model[i].live;
	assert_int_equal(timer_count(&tq), live);
	for (now = 0; now < 5000; now += 1 + rnd() % 40) {
		while ((got = expire(now)) >= 0) {
			struct ref *r = &model[got];

			assert_true(r->live && r->deadline <= now);
			assert_true(r->deadline > last_deadline ||
				    (r->deadline == last_deadline && r->seq > last_seq) ||
				    expired == 0);
			last_deadline = r->deadline;
			last_seq = r->seq;
			r->live = false;
			expired++;
		}
		assert_true(timer_next_deadline(&tq) > now);
	}
	while ((got = expire(UINT64_MAX)) >= 0)
		expired++, model[got].live = false;
	assert_int_equal(expired, live);
	for (size_t i = 0; i < MANY; i++)
		assert_false(model[i].live);
}

/* ---- with the executor: ticks wake tasks ----------------------------------- */

static struct executor ex;
static struct task table[16];
static uint64_t queue[16];
static int order[64];
static size_t norder;

static void setup_executor(void)
{
	fake_cpu_reset(&ex);
	norder = 0;
	assert_int_equal(executor_init(&ex, &fake_platform, table, 16, queue, 16), 0);
}

struct waiter {
	int id;
	struct waker waker;
};

static enum task_poll waiter_poll(void *arg, struct task_cx *cx)
{
	struct waiter *w = arg;

	order[norder++] = w->id;
	w->waker = cx->waker;
	return TASK_PENDING;
}

static void tick_wakes_the_tasks_of_expired_timers_in_deadline_order(void **state)
{
	struct waiter w[4];
	static const int want[] = { 2, 0, 3 };

	setup_executor();
	setup_queue(8);
	for (int i = 0; i < 4; i++) {
		w[i].id = i;
		assert_int_equal(executor_spawn(&ex, "w", waiter_poll, &w[i], NULL), 0);
	}
	executor_run_ready(&ex);
	norder = 0;
	assert_int_equal(timer_start(&tq, &timers[0], 20, &w[0].waker), 0);
	assert_int_equal(timer_start(&tq, &timers[1], 99, &w[1].waker), 0);
	assert_int_equal(timer_start(&tq, &timers[2], 10, &w[2].waker), 0);
	assert_int_equal(timer_start(&tq, &timers[3], 20, &w[3].waker), 0);
	assert_int_equal(timer_tick(&tq, 9), 0);
	assert_true(taskq_empty(&ex.ready));
	assert_int_equal(timer_tick(&tq, 50), 3);
	assert_int_equal(tq.now, 50);
	executor_run_ready(&ex);
	assert_int_equal(norder, 3);
	assert_memory_equal(order, want, sizeof(want));
	assert_int_equal(timer_tick(&tq, 40), 0);	/* the clock never goes back */
	assert_int_equal(tq.now, 50);
}

/* A task that sleeps period ticks, count times, noting when it woke. */
struct sleeper {
	struct coro co;
	struct timer_sleep sleep;
	int id, i, count;
	uint64_t period;
	uint64_t woke[8];
};

static enum task_poll sleeper_poll(void *arg, struct task_cx *cx)
{
	struct sleeper *s = arg;

	CORO_BEGIN(&s->co);
	for (s->i = 0; s->i < s->count; s->i++) {
		timer_sleep_for(&s->sleep, &tq, s->period);
		CORO_AWAIT(&s->co, timer_sleep_poll(&s->sleep, cx));
		s->woke[s->i] = tq.now;
		order[norder++] = s->id;
	}
	CORO_END(&s->co);
}

/* The PIT, while the CPU sleeps: the next tick, and its interrupt. */
static void tick_irq(void *ctx)
{
	timer_tick(&tq, tq.now + 1);
}

static void next_tick(void *ctx)
{
	fake_raise_irq(tick_irq, ctx);
}

static void sleeping_tasks_wake_on_their_ticks_while_the_cpu_idles(void **state)
{
	struct sleeper s[3] = {
		{ .id = 0, .period = 3, .count = 4 },
		{ .id = 1, .period = 5, .count = 2 },
		{ .id = 2, .period = 4, .count = 3 },
	};
	static const int want[] = { 0, 2, 1, 0, 2, 0, 1, 2, 0 };

	setup_executor();
	setup_queue(8);
	fake_cpu.on_idle = next_tick;
	for (int i = 0; i < 3; i++)
		assert_int_equal(executor_spawn(&ex, "sleep", sleeper_poll, &s[i], NULL), 0);
	executor_run(&ex);
	assert_false(fake_cpu.halted_forever);
	assert_int_equal(executor_live(&ex), 0);
	for (int i = 0; i < 3; i++)
		for (int k = 0; k < s[i].count; k++)
			assert_int_equal(s[i].woke[k], s[i].period * (k + 1));
	/* ties at 12: task 0 slept again at 9, task 2 at 8: 2 went first */
	assert_int_equal(norder, ARRAY_SIZE(want));
	assert_memory_equal(order, want, sizeof(want));
	assert_int_equal(fake_cpu.idles, 12);	/* one per tick, nothing busy */
	assert_int_equal(timer_count(&tq), 0);
}

static void a_sleep_whose_deadline_has_passed_is_ready_at_once(void **state)
{
	struct timer_sleep s;
	struct task_cx cx = { .waker = WAKER_NOOP };

	setup_queue(4);
	timer_tick(&tq, 100);
	timer_sleep_until(&s, &tq, 60);
	assert_int_equal(timer_sleep_poll(&s, &cx), TASK_READY);
	timer_sleep_for(&s, &tq, 0);
	assert_int_equal(timer_sleep_poll(&s, &cx), TASK_READY);
	assert_int_equal(timer_count(&tq), 0);
	timer_sleep_for(&s, &tq, UINT64_MAX);	/* saturates: never */
	assert_int_equal(s.deadline, TIMER_NEVER);
}

static void a_cancelled_sleep_leaves_the_queue_and_wakes_nobody(void **state)
{
	struct waiter w = { .id = 5 };
	struct timer_sleep s;
	struct task_cx cx = { .ex = &ex };

	setup_executor();
	setup_queue(4);
	assert_int_equal(executor_spawn(&ex, "w", waiter_poll, &w, NULL), 0);
	executor_run_ready(&ex);
	cx.waker = w.waker;
	timer_sleep_for(&s, &tq, 10);
	assert_int_equal(timer_sleep_poll(&s, &cx), TASK_PENDING);
	assert_int_equal(timer_sleep_poll(&s, &cx), TASK_PENDING);	/* not twice */
	assert_int_equal(timer_count(&tq), 1);
	timer_sleep_cancel(&s);
	assert_int_equal(timer_count(&tq), 0);
	assert_int_equal(timer_tick(&tq, 20), 0);
	assert_true(taskq_empty(&ex.ready));
}

static void a_sleep_on_a_full_queue_panics(void **state)
{
	struct timer_sleep s;
	struct task_cx cx = { .waker = WAKER_NOOP };

	setup_queue(1);
	start(0, 50);
	timer_sleep_for(&s, &tq, 10);
	expect_assert_failure(timer_sleep_poll(&s, &cx));
	assert_non_null(strstr(fake_panic_msg, "timer: queue full"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_rejects_a_missing_or_empty_heap),
		cmocka_unit_test(timers_expire_in_deadline_order_and_never_early),
		cmocka_unit_test(timers_due_on_the_same_tick_expire_in_the_order_started),
		cmocka_unit_test(cancel_removes_a_timer_from_anywhere_in_the_heap),
		cmocka_unit_test(the_heap_check_notices_a_broken_heap),
		cmocka_unit_test(restarting_a_pending_timer_moves_its_deadline),
		cmocka_unit_test(a_full_queue_refuses_a_new_timer_but_moves_a_pending_one),
		cmocka_unit_test(ten_thousand_timers_expire_exactly_like_a_sorted_list),
		cmocka_unit_test(tick_wakes_the_tasks_of_expired_timers_in_deadline_order),
		cmocka_unit_test(sleeping_tasks_wake_on_their_ticks_while_the_cpu_idles),
		cmocka_unit_test(a_sleep_whose_deadline_has_passed_is_ready_at_once),
		cmocka_unit_test(a_cancelled_sleep_leaves_the_queue_and_wakes_nobody),
		cmocka_unit_test(a_sleep_on_a_full_queue_panics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
