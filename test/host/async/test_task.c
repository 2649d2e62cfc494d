/*
 * Host tests of the executor (task.h), its ready queue (taskq.h), the atomic
 * waker and the coroutine macros (coro.h), on the fake CPU of async_fake.h.
 *
 * Beyond ordering, join, spawn, yield and statistics, three kinds of test
 * go after lost and duplicated wake-ups:
 *  - an interrupt landed on every instruction boundary of the run loop's
 *    way into idle, and of atomic_waker_register (single-stepping), plus
 *    proof that the same sweep catches a naive idle that checks the queue
 *    with interrupts enabled;
 *  - real asynchronous interrupts: a thread signals the main thread at
 *    random moments, the signal mask plays the interrupt flag and
 *    sigsuspend plays sti;hlt;
 *  - a ready queue exactly as large as the task table under wake storms.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "kernel/async/coro.h"
#include "kernel/async/task.h"
#include "kernel/async/taskq.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "test/host/async/async_fake.h"

#define SLOTS 64

static struct executor ex;
static struct task table[SLOTS];
static uint64_t queue[SLOTS];

static int order[4096];
static size_t norder;

static void log_poll(int id)
{
	assert_true(norder < ARRAY_SIZE(order));
	order[norder++] = id;
}

static void assert_order(const int *want, size_t n)
{
	assert_int_equal(norder, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(order[i], want[i]);
	norder = 0;
}

static void setup_executor(size_t max_tasks, size_t queue_cap)
{
	fake_cpu_reset(&ex);
	norder = 0;
	assert_int_equal(executor_init(&ex, &fake_platform, table, max_tasks,
				       queue, queue_cap), 0);
}

/*
 * The workhorse task: logs its id on every poll, finishes on poll number
 * finish_at (0: never), keeps its waker for the test, may wake itself.
 */
struct counter {
	int id;
	unsigned polls, finish_at;
	bool wake_self;
	struct waker waker;
	struct task_handle h;
};

static enum task_poll counter_poll(void *arg, struct task_cx *cx)
{
	struct counter *c = arg;

	log_poll(c->id);
	c->waker = cx->waker;
	if (++c->polls == c->finish_at)
		return TASK_READY;
	if (c->wake_self)
		waker_wake(&cx->waker);
	return TASK_PENDING;
}

static void spawn_counter(struct counter *c, int id, unsigned finish_at)
{
	*c = (struct counter){ .id = id, .finish_at = finish_at };
	assert_int_equal(executor_spawn(&ex, "counter", counter_poll, c, &c->h), 0);
}

/* ---- the ready queue ---------------------------------------------------- */

static void taskq_init_rejects_capacities_that_are_not_powers_of_two(void **state)
{
	struct taskq q;
	uint64_t ids[8];

	assert_int_equal(taskq_init(&q, NULL, 8), -E_INVAL);
	assert_int_equal(taskq_init(&q, ids, 0), -E_INVAL);
	assert_int_equal(taskq_init(&q, ids, 6), -E_INVAL);
	assert_int_equal(taskq_init(&q, ids, (size_t)TASKQ_MAX_CAP * 2), -E_INVAL);
	assert_int_equal(taskq_init(&q, ids, 8), 0);
	assert_true(taskq_empty(&q));
}

static void taskq_is_fifo_across_the_wrap_of_its_positions(void **state)
{
	struct taskq q;
	uint64_t ids[4];
	uint32_t id;

	assert_int_equal(taskq_init_at(&q, ids, 4, UINT32_MAX - 5), 0);
	for (uint32_t round = 0; round < 5; round++) {
		for (uint32_t i = 0; i < 4; i++)
			taskq_push(&q, round * 10 + i);
		assert_int_equal(taskq_count(&q), 4);
		for (uint32_t i = 0; i < 4; i++) {
			assert_true(taskq_pop(&q, &id));
			assert_int_equal(id, round * 10 + i);
		}
	}
	assert_false(taskq_pop(&q, &id));
	assert_true(q.head < 100);	/* it did wrap */
}

static void taskq_push_onto_a_full_queue_panics(void **state)
{
	struct taskq q;
	uint64_t ids[2];

	assert_int_equal(taskq_init(&q, ids, 2), 0);
	taskq_push(&q, 1);
	taskq_push(&q, 2);
	assert_int_equal(taskq_count(&q), 2);
	expect_assert_failure(taskq_push(&q, 3));
	assert_non_null(strstr(fake_panic_msg, "taskq: push of 3 onto a full queue of 2"));
}

/* ---- set-up, spawn, order ---------------------------------------------- */

static void executor_init_rejects_a_queue_smaller_than_the_table(void **state)
{
	struct task_platform partial = fake_platform;

	partial.idle = NULL;
	assert_int_equal(executor_init(&ex, NULL, table, 8, queue, 8), -E_INVAL);
	assert_int_equal(executor_init(&ex, &partial, table, 8, queue, 8), -E_INVAL);
	assert_int_equal(executor_init(&ex, &fake_platform, NULL, 8, queue, 8), -E_INVAL);
	assert_int_equal(executor_init(&ex, &fake_platform, table, 0, queue, 8), -E_INVAL);
	assert_int_equal(executor_init(&ex, &fake_platform, table, 9, queue, 8), -E_INVAL);
	assert_int_equal(executor_init(&ex, &fake_platform, table, 5, queue, 6), -E_INVAL);
	assert_int_equal(executor_init(&ex, &fake_platform, table, 5, queue, 8), 0);
	assert_int_equal(executor_live(&ex), 0);
}

static void spawned_tasks_are_polled_in_spawn_order(void **state)
{
	struct counter c[5];
	static const int want[] = { 0, 1, 2, 3, 4 };

	setup_executor(8, 8);
	for (int i = 0; i < 5; i++)
		spawn_counter(&c[i], i, 1);
	assert_int_equal(executor_live(&ex), 5);
	assert_int_equal(executor_run_ready(&ex), 5);
	assert_order(want, 5);
	assert_int_equal(executor_live(&ex), 0);
	assert_int_equal(ex.stats.finished, 5);
}

/* The SMP tests' pattern: the stop count read, then work that stops at once, then the run. */
static void a_stop_that_came_before_the_run_still_ends_it(void **state)
{
	struct counter c;
	uint32_t gen;

	setup_executor(8, 8);
	spawn_counter(&c, 0, 1000);
	gen = executor_stops(&ex);
	executor_stop(&ex);            /* another CPU's work, done before this one runs */
	executor_run_since(&ex, gen);  /* returns: without it, this waited for ever */
	assert_int_equal(executor_stops(&ex), gen + 1);
	assert_int_equal(executor_live(&ex), 1);
}

static void ready_queue_polls_tasks_in_the_order_they_were_woken(void **state)
{
	struct counter c[4];
	static const int first[] = { 0, 1, 2, 3 }, then[] = { 2, 0, 3, 1 };

	setup_executor(8, 8);
	for (int i = 0; i < 4; i++)
		spawn_counter(&c[i], i, 0);
	executor_run_ready(&ex);
	assert_order(first, 4);
	for (int i = 0; i < 4; i++)
		waker_wake(&c[then[i]].waker);
	assert_int_equal(executor_run_ready(&ex), 4);
	assert_order(then, 4);
}

static void waking_a_queued_task_again_queues_it_once(void **state)
{
	struct counter c;
	struct task_stats st;

	setup_executor(8, 8);
	spawn_counter(&c, 7, 0);
	executor_run_ready(&ex);
	for (int i = 0; i < 3; i++)
		waker_wake(&c.waker);
	assert_int_equal(taskq_count(&ex.ready), 1);
	assert_int_equal(executor_run_ready(&ex), 1);
	assert_int_equal(executor_task_stats(&ex, c.h, &st), 0);
	assert_int_equal(st.polls, 2);
	assert_int_equal(st.wakes, 4);	/* spawn + 3 */
}

static void a_wake_during_its_own_poll_queues_the_task_again(void **state)
{
	struct counter c;

	setup_executor(8, 8);
	spawn_counter(&c, 1, 5);
	c.wake_self = true;
	assert_int_equal(executor_run_ready(&ex), 5);
	assert_int_equal(executor_live(&ex), 0);
}

static void spawn_fails_when_the_table_is_full_and_works_after_a_task_ends(void **state)
{
	struct counter c[4];
	struct task_handle h;

	setup_executor(3, 4);
	for (int i = 0; i < 3; i++)
		spawn_counter(&c[i], i, i == 1 ? 1 : 0);
	assert_int_equal(executor_spawn(&ex, "x", counter_poll, &c[3], &h), -E_NOSPC);
	assert_int_equal(executor_spawn(&ex, "x", NULL, &c[3], &h), -E_INVAL);
	executor_run_ready(&ex);
	assert_int_equal(executor_live(&ex), 2);
	spawn_counter(&c[3], 3, 1);
	assert_int_equal(c[3].h.slot, c[1].h.slot);	/* the freed slot */
	assert_int_not_equal(c[3].h.gen, c[1].h.gen);
}

/* ---- generations: stale wakers and stale queue entries ------------------ */

static void a_stale_waker_wakes_neither_the_dead_task_nor_its_successor(void **state)
{
	struct counter a, b;
	struct waker stale;
	struct task_stats st;

	setup_executor(4, 4);
	spawn_counter(&a, 1, 2);
	executor_run_ready(&ex);
	stale = a.waker;
	waker_wake(&stale);
	executor_run_ready(&ex);		/* a finishes */
	assert_false(executor_alive(&ex, a.h));
	waker_wake(&stale);
	assert_true(taskq_empty(&ex.ready));
	assert_int_equal(ex.stats.stale_wakes, 1);

	spawn_counter(&b, 2, 0);
	assert_int_equal(b.h.slot, a.h.slot);
	executor_run_ready(&ex);
	waker_wake(&stale);
	assert_true(taskq_empty(&ex.ready));
	assert_int_equal(executor_task_stats(&ex, b.h, &st), 0);
	assert_int_equal(st.wakes, 1);
	assert_int_equal(st.polls, 1);
	assert_int_equal(executor_task_stats(&ex, a.h, &st), -E_NOENT);
	assert_int_equal(ex.stats.stale_wakes, 2);
}

/* Task that wakes itself on its last poll, leaving a queue entry behind. */
static enum task_poll wake_then_finish_poll(void *arg, struct task_cx *cx)
{
	log_poll(*(int *)arg);
	waker_wake(&cx->waker);
	return TASK_READY;
}

static struct counter reuse_child;

/* Spawns into the slot the task above just left, while its entry is queued. */
static enum task_poll spawner_poll(void *arg, struct task_cx *cx)
{
	log_poll(*(int *)arg);
	spawn_counter(&reuse_child, 9, 1);
	return TASK_READY;
}

static void a_queue_entry_left_by_a_finished_task_serves_its_successor_once(void **state)
{
	int a_id = 1, s_id = 2;
	static const int want[] = { 1, 2, 9 };

	setup_executor(4, 4);
	assert_int_equal(executor_spawn(&ex, "a", wake_then_finish_poll, &a_id, NULL), 0);
	assert_int_equal(executor_spawn(&ex, "s", spawner_poll, &s_id, NULL), 0);
	assert_int_equal(executor_run_ready(&ex), 3);
	assert_order(want, 3);	/* the child was polled exactly once */
	assert_int_equal(reuse_child.h.slot, 0);
	assert_int_equal(executor_live(&ex), 0);
}

static void a_queue_entry_of_a_finished_task_is_skipped(void **state)
{
	int id = 4;

	setup_executor(4, 4);
	assert_int_equal(executor_spawn(&ex, "a", wake_then_finish_poll, &id, NULL), 0);
	assert_int_equal(executor_run_ready(&ex), 1);
	assert_int_equal(ex.stats.polls, 1);
	assert_true(taskq_empty(&ex.ready));
	assert_int_equal(table[0].queued, 0);
}

/*
 * The queue holds exactly as many ids as the table has slots. Tasks wake
 * random tasks (themselves included) from their polls, the test wakes
 * random tasks from outside, tasks finish and are replaced: the queue must
 * never overflow (that panics) and never hold a slot twice.
 */
struct storm {
	int id;
	unsigned polls, life;
};

static struct storm storms[16];
static struct waker storm_wakers[16];
static unsigned storm_rng = 1;

static unsigned storm_rand(void)
{
	storm_rng = storm_rng * 1103515245u + 12345u;
	return storm_rng >> 16;
}

/*
 * Every id in the ready queue is a distinct slot whose queued flag is set,
 * at every instruction boundary, so interrupt handlers may check it (a
 * position reserved by a push the handler interrupted is still empty).
 */
static bool ready_queue_is_sound(void)
{
	bool seen[SLOTS] = { false };

	for (uint32_t p = ex.ready.tail; p != ex.ready.head; p++) {
		uint32_t slot = (uint32_t)ex.ready.ids[p & ex.ready.mask];

		if (slot == TASKQ_EMPTY)
			continue;
		if (slot >= ex.max_tasks || seen[slot] || !table[slot].queued)
			return false;
		seen[slot] = true;
	}
	return true;
}

static enum task_poll storm_poll(void *arg, struct task_cx *cx)
{
	struct storm *s = arg;

	storm_wakers[s->id] = cx->waker;
	for (unsigned i = storm_rand() % 4; i > 0; i--)
		waker_wake(&storm_wakers[storm_rand() % 16]);
	return ++s->polls == s->life ? TASK_READY : TASK_PENDING;
}

static void storm_spawn(int id)
{
	struct task_handle h;

	storms[id] = (struct storm){ .id = id, .life = 1 + storm_rand() % 50 };
	assert_int_equal(executor_spawn(&ex, "storm", storm_poll, &storms[id], &h), 0);
	storm_wakers[id] = table[h.slot].cx.waker;
}

static void a_queue_as_large_as_the_table_never_overflows_under_wake_storms(void **state)
{
	setup_executor(16, 16);
	memset(storm_wakers, 0, sizeof(storm_wakers));
	for (int i = 0; i < 16; i++)
		storm_spawn(i);
	for (int round = 0; round < 2000; round++) {
		for (unsigned i = storm_rand() % 40; i > 0; i--)
			waker_wake(&storm_wakers[storm_rand() % 16]);
		assert_true(taskq_count(&ex.ready) <= 16);
		assert_true(ready_queue_is_sound());
		executor_run_ready(&ex);
		for (int i = 0; i < 16; i++)
			if (storms[i].polls == storms[i].life)
				storm_spawn(i);
	}
	assert_true(ex.stats.finished > 500);
	assert_true(ex.stats.stale_wakes > 0);
}

/* ---- spawn from tasks, join, yield -------------------------------------- */

struct parent {
	struct coro co;
	struct counter child;
	struct task_join join;
};

static enum task_poll parent_poll(void *arg, struct task_cx *cx)
{
	struct parent *p = arg;

	CORO_BEGIN(&p->co);
	log_poll(100);
	p->child = (struct counter){ .id = 1, .finish_at = 3, .wake_self = true };
	assert_int_equal(executor_spawn(cx->ex, "child", counter_poll,
					&p->child, &p->child.h), 0);
	task_join_init(&p->join, cx->ex, p->child.h);
	CORO_AWAIT(&p->co, task_join_poll(&p->join, cx));
	log_poll(101);
	CORO_END(&p->co);
}

static void a_task_spawns_a_child_and_joins_it(void **state)
{
	struct parent p = { 0 };
	static const int want[] = { 100, 1, 1, 1, 101 };
	struct task_join late;
	struct task_cx cx = { .waker = WAKER_NOOP };

	setup_executor(4, 4);
	assert_int_equal(executor_spawn(&ex, "parent", parent_poll, &p, NULL), 0);
	executor_run(&ex);
	assert_order(want, 5);
	assert_int_equal(fake_cpu.idles, 0);
	assert_true(coro_done(&p.co));

	task_join_init(&late, &ex, p.child.h);
	assert_int_equal(task_join_poll(&late, &cx), TASK_READY);
}

struct joiner {
	int id;
	struct task_join join;
	unsigned polls;
};

static enum task_poll joiner_poll(void *arg, struct task_cx *cx)
{
	struct joiner *j = arg;

	j->polls++;
	log_poll(j->id);
	return task_join_poll(&j->join, cx);
}

static void every_joiner_is_woken_once_in_the_order_it_began_waiting(void **state)
{
	struct counter target;
	struct joiner j[3];
	static const int first[] = { 0, 12, 11, 10 }, then[] = { 0, 12, 11, 10 };

	setup_executor(8, 8);
	spawn_counter(&target, 0, 2);
	for (int i = 2; i >= 0; i--) {
		j[i] = (struct joiner){ .id = 10 + i };
		task_join_init(&j[i].join, &ex, target.h);
		assert_int_equal(executor_spawn(&ex, "joiner", joiner_poll, &j[i], NULL), 0);
	}
	executor_run_ready(&ex);
	assert_order(first, 4);
	waker_wake(&target.waker);
	executor_run_ready(&ex);
	assert_order(then, 4);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(j[i].polls, 2);
		assert_false(j[i].join.linked);
	}
	assert_int_equal(executor_live(&ex), 0);
}

static void a_cancelled_join_is_not_woken(void **state)
{
	struct counter target, waiter;
	struct task_join j1, j2;
	struct task_cx cx = { .ex = &ex };
	struct task_stats st;

	setup_executor(4, 4);
	spawn_counter(&target, 0, 2);
	spawn_counter(&waiter, 1, 0);
	executor_run_ready(&ex);
	cx.waker = waiter.waker;
	task_join_init(&j1, &ex, target.h);
	task_join_init(&j2, &ex, target.h);
	assert_int_equal(task_join_poll(&j1, &cx), TASK_PENDING);
	assert_int_equal(task_join_poll(&j2, &cx), TASK_PENDING);
	task_join_cancel(&j1);
	assert_false(j1.linked);
	assert_ptr_equal(table[target.h.slot].joiners, &j2);
	task_join_cancel(&j2);
	task_join_cancel(&j2);	/* harmless */
	waker_wake(&target.waker);
	executor_run_ready(&ex);
	assert_false(executor_alive(&ex, target.h));
	assert_int_equal(executor_task_stats(&ex, waiter.h, &st), 0);
	assert_int_equal(st.wakes, 1);	/* its spawn, nothing more */
}

static void a_task_joining_itself_panics(void **state)
{
	struct counter c;
	struct task_join j;
	struct task_cx cx = { .ex = &ex };

	setup_executor(4, 4);
	spawn_counter(&c, 0, 0);
	executor_run_ready(&ex);
	cx.waker = c.waker;
	task_join_init(&j, &ex, c.h);
	expect_assert_failure(task_join_poll(&j, &cx));
	assert_non_null(strstr(fake_panic_msg, "joins itself"));
}

struct yielder {
	struct coro co;
	int id, i;
};

static enum task_poll yielder_poll(void *arg, struct task_cx *cx)
{
	struct yielder *y = arg;

	CORO_BEGIN(&y->co);
	for (y->i = 0; y->i < 3; y->i++) {
		log_poll(y->id * 10 + y->i);
		CORO_YIELD(&y->co, cx);
	}
	CORO_END(&y->co);
}

static void yield_lets_every_other_ready_task_run_first(void **state)
{
	struct yielder y[3] = { 0 };
	static const int want[] = { 10, 20, 30, 11, 21, 31, 12, 22, 32 };

	setup_executor(4, 4);
	for (int i = 0; i < 3; i++) {
		y[i].id = i + 1;
		assert_int_equal(executor_spawn(&ex, "y", yielder_poll, &y[i], NULL), 0);
	}
	assert_int_equal(executor_run_ready(&ex), 12);
	assert_order(want, 9);
	assert_int_equal(executor_live(&ex), 0);
}

/* ---- statistics ---------------------------------------------------------- */

static enum task_poll busy_poll(void *arg, struct task_cx *cx)
{
	struct counter *c = arg;

	fake_cpu.tsc += 100;	/* the work */
	c->waker = cx->waker;
	return TASK_PENDING;
}

static void stats_count_polls_wakes_and_cpu_ticks_per_task(void **state)
{
	struct counter busy = { 0 }, idle;
	struct task_handle h;
	struct task_stats st;
	struct task_info info;

	setup_executor(4, 4);
	assert_int_equal(executor_spawn(&ex, "busy", busy_poll, &busy, &h), 0);
	spawn_counter(&idle, 1, 0);
	executor_run_ready(&ex);
	for (int i = 0; i < 2; i++) {
		waker_wake(&busy.waker);
		waker_wake(&busy.waker);
		executor_run_ready(&ex);
	}
	assert_int_equal(executor_task_stats(&ex, h, &st), 0);
	assert_int_equal(st.polls, 3);
	assert_int_equal(st.wakes, 5);
	assert_int_equal(st.cpu_ticks, 3 * 101);	/* its work + one clock read */
	assert_int_equal(executor_task_stats(&ex, idle.h, &st), 0);
	assert_int_equal(st.cpu_ticks, 1);

	assert_int_equal(executor_task_info(&ex, h.slot, &info), 0);
	assert_string_equal(info.name, "busy");
	assert_int_equal(info.handle.gen, h.gen);
	assert_int_equal(info.stats.polls, 3);
	assert_false(info.queued);
	assert_int_equal(executor_task_info(&ex, 3, &info), -E_NOENT);
	assert_int_equal(executor_task_info(&ex, 99, &info), -E_NOENT);
	assert_int_equal(ex.stats.polls, 4);
}

static enum task_poll nesting_poll(void *arg, struct task_cx *cx)
{
	executor_run_ready(cx->ex);
	return TASK_READY;
}

static void polls_do_not_nest(void **state)
{
	setup_executor(4, 4);
	assert_int_equal(executor_spawn(&ex, "nest", nesting_poll, NULL, NULL), 0);
	expect_assert_failure(executor_run_ready(&ex));
	assert_non_null(strstr(fake_panic_msg, "!ex->polling"));
}

/* ---- the run loop and idle ---------------------------------------------- */

static struct atomic_waker dev_aw;
static volatile bool dev_event;
static unsigned dev_polls;

/* A driver's task: register, then look for work (the atomic waker's rule). */
static enum task_poll device_task_poll(void *arg, struct task_cx *cx)
{
	dev_polls++;
	atomic_waker_register(&dev_aw, &cx->waker);
	return dev_event ? TASK_READY : TASK_PENDING;
}

static void device_irq(void *ctx)
{
	dev_event = true;
	atomic_waker_wake(&dev_aw);
}

static void raise_device_irq(void *ctx)
{
	fake_raise_irq(device_irq, ctx);
}

static void setup_device_task(void)
{
	setup_executor(4, 4);
	fake_cpu.max_idles = 8;		/* the scenarios idle once */
	atomic_waker_init(&dev_aw);
	dev_event = false;
	dev_polls = 0;
	assert_int_equal(executor_spawn(&ex, "dev", device_task_poll, NULL, NULL), 0);
}

static void run_returns_without_idling_when_every_task_finishes(void **state)
{
	struct counter c[3];

	setup_executor(4, 4);
	for (int i = 0; i < 3; i++)
		spawn_counter(&c[i], i, 2);
	for (int i = 0; i < 3; i++)
		c[i].wake_self = true;
	executor_run(&ex);
	assert_int_equal(executor_live(&ex), 0);
	assert_int_equal(fake_cpu.idles, 0);
	assert_false(ex.running);
}

static void idle_runs_with_interrupts_disabled_and_its_interrupt_wakes_the_task(void **state)
{
	setup_device_task();
	fake_cpu.on_idle = raise_device_irq;
	executor_run(&ex);
	assert_int_equal(fake_cpu.idles, 1);
	assert_int_equal(ex.stats.idles, 1);
	assert_false(fake_cpu.halted_forever);
	assert_int_equal(fake_cpu.irqs, 1);
	assert_int_equal(dev_polls, 2);
	assert_int_equal(executor_live(&ex), 0);
	assert_true(fake_cpu.irq_on);
}

static void the_fake_cpu_holds_an_interrupt_until_interrupts_are_enabled(void **state)
{
	unsigned long flags;

	setup_device_task();
	executor_run_ready(&ex);	/* first poll: pending */
	flags = fake_platform.irq_save();
	fake_raise_irq(device_irq, NULL);
	assert_false(dev_event);	/* held by the CPU */
	fake_platform.irq_restore(flags);
	assert_true(dev_event);
	executor_run(&ex);
	assert_int_equal(fake_cpu.idles, 0);
	assert_int_equal(executor_live(&ex), 0);
}

static void stop(void *ctx)
{
	executor_stop(ctx);
}

static void raise_stop_irq(void *ctx)
{
	fake_raise_irq(stop, &ex);
}

static void executor_stop_from_an_interrupt_ends_run(void **state)
{
	struct counter c;

	setup_executor(4, 4);
	spawn_counter(&c, 0, 0);
	fake_cpu.on_idle = raise_stop_irq;
	executor_run(&ex);
	assert_int_equal(executor_live(&ex), 1);
	assert_false(fake_cpu.halted_forever);
	assert_false(ex.running);
	assert_int_equal(ex.stop, 1);	/* stops are counted */
}

static void run_with_interrupts_disabled_panics(void **state)
{
	struct counter c;

	setup_executor(4, 4);
	spawn_counter(&c, 0, 1);
	fake_cpu.irq_on = false;
	expect_assert_failure(executor_run(&ex));
	fake_cpu.irq_on = true;
}

/* The executor's loop, stepped: the interrupt may land anywhere in it. */
static void run_scenario(void *arg)
{
	executor_run(&ex);
}

/* The bug the executor avoids: look at the queue, then disable and halt. */
static void naive_run_scenario(void *arg)
{
	while (executor_live(&ex) > 0 && !fake_cpu.halted_forever) {
		executor_run_ready(&ex);
		if (taskq_empty(&ex.ready)) {
			unsigned long flags = fake_platform.irq_save();

			fake_platform.idle();
			fake_platform.irq_restore(flags);
		}
	}
}

/*
 * Land the device interrupt after instruction k of scenario, for every k up
 * to the halt of a run without it. Returns how many landings ended with the
 * CPU asleep while a task was ready (a lost wake-up), stopping at max_lost.
 */
static unsigned sweep_idle(void (*scenario)(void *), unsigned max_lost,
			   unsigned *landed)
{
	unsigned long steps;
	unsigned lost = 0;
	bool fired;

	setup_device_task();
	fake_cpu.on_idle = raise_device_irq;
	steps = fake_step_run(scenario, NULL, 0, NULL, NULL, NULL);
	assert_int_equal(executor_live(&ex), 0);
	assert_true(steps > 20);
	*landed = 0;
	for (unsigned long k = 1; k <= steps; k++) {
		setup_device_task();
		fake_step_run(scenario, NULL, k, device_irq, NULL, &fired);
		if (!fired)
			continue;
		if (fake_cpu.raised_after_halt)
			break;		/* so are all later ones */
		++*landed;
		assert_true(ready_queue_is_sound());
		if (fake_cpu.halted_forever && !taskq_empty(&ex.ready)) {
			if (++lost == max_lost)
				break;
		}
		else
			assert_int_equal(executor_live(&ex), 0);
	}
	return lost;
}

static void an_interrupt_at_any_instruction_of_the_run_loop_loses_no_wakeup(void **state)
{
	unsigned landed;

	assert_int_equal(sweep_idle(run_scenario, UINT_MAX, &landed), 0);
	assert_true(landed > 20);
}

static void the_sweep_catches_an_idle_that_checks_with_interrupts_enabled(void **state)
{
	unsigned landed;

	assert_int_equal(sweep_idle(naive_run_scenario, 1, &landed), 1);
}

/*
 * A task wakes B while an interrupt handler wakes C and B: wherever the
 * interrupt lands in the task's wake, B and C end up queued once each.
 */
static struct counter wb, wc;

static void wake_b_scenario(void *arg)
{
	waker_wake(&wb.waker);
}

static void irq_wakes_c_and_b(void *ctx)
{
	waker_wake(&wc.waker);
	waker_wake(&wb.waker);
}

static void setup_wake_sweep(void)
{
	setup_executor(4, 4);
	spawn_counter(&wb, 1, 0);
	spawn_counter(&wc, 2, 0);
	executor_run_ready(&ex);
	norder = 0;
}

static void an_interrupt_at_any_instruction_of_a_wake_queues_each_task_once(void **state)
{
	unsigned long steps;
	bool fired;
	unsigned landed = 0;

	setup_wake_sweep();
	steps = fake_step_run(wake_b_scenario, NULL, 0, NULL, NULL, NULL);
	assert_true(steps > 5);
	for (unsigned long k = 1; k <= steps; k++) {
		setup_wake_sweep();
		fake_step_run(wake_b_scenario, NULL, k, irq_wakes_c_and_b, NULL, &fired);
		if (!fired)
			continue;
		landed++;
		assert_int_equal(taskq_count(&ex.ready), 2);
		assert_true(ready_queue_is_sound());
		assert_int_equal(executor_run_ready(&ex), 2);
		assert_int_equal(wb.polls + wc.polls, 4);
	}
	assert_true(landed > 5);
}

/* ---- the atomic waker ----------------------------------------------------- */

static struct counter aw_task;
static bool aw_seen;

static void aw_register_scenario(void *arg)
{
	atomic_waker_register(&dev_aw, &aw_task.waker);
	aw_seen = dev_event;
}

static void setup_aw_task(void)
{
	setup_executor(4, 4);
	spawn_counter(&aw_task, 0, 0);
	executor_run_ready(&ex);
	atomic_waker_init(&dev_aw);
	dev_event = false;
	aw_seen = false;
}

static void an_interrupt_at_any_instruction_of_register_loses_no_wakeup(void **state)
{
	unsigned long steps;
	unsigned races = 0, woken = 0;
	bool fired;

	setup_aw_task();
	steps = fake_step_run(aw_register_scenario, NULL, 0, NULL, NULL, NULL);
	assert_true(steps > 5);
	for (unsigned long k = 1; k <= steps; k++) {
		setup_aw_task();
		fake_step_run(aw_register_scenario, NULL, k, device_irq, NULL, &fired);
		if (!fired)
			continue;
		/* Either the task saw the event or it is queued to see it. */
		assert_true(aw_seen || taskq_count(&ex.ready) == 1);
		assert_true(taskq_count(&ex.ready) <= 1);
		races += dev_aw.races;
		woken += taskq_count(&ex.ready);
	}
	assert_true(races > 0);	/* the window inside register was hit */
	assert_true(woken > 0);
}

static void an_atomic_wake_takes_the_waker(void **state)
{
	setup_aw_task();
	atomic_waker_wake(&dev_aw);		/* nothing registered: nothing */
	assert_true(taskq_empty(&ex.ready));
	atomic_waker_register(&dev_aw, &aw_task.waker);
	atomic_waker_wake(&dev_aw);
	assert_int_equal(taskq_count(&ex.ready), 1);
	executor_run_ready(&ex);
	atomic_waker_wake(&dev_aw);		/* taken by the first wake */
	assert_true(taskq_empty(&ex.ready));
	assert_int_equal(dev_aw.races, 0);
}

/* States only another CPU could leave it in: taken by hand. */
static void register_during_a_wake_elsewhere_wakes_the_task_itself(void **state)
{
	setup_aw_task();
	dev_aw.state = 2;	/* AW_WAKING: a wake is running on another CPU */
	atomic_waker_register(&dev_aw, &aw_task.waker);
	assert_int_equal(taskq_count(&ex.ready), 1);
	dev_aw.state = 1;	/* AW_REGISTERING: a second registration */
	expect_assert_failure(atomic_waker_register(&dev_aw, &aw_task.waker));
	assert_non_null(strstr(fake_panic_msg, "two registrations"));
}

static void a_join_on_a_bogus_handle_panics(void **state)
{
	struct task_join j;
	struct task_cx cx = { .ex = &ex };

	setup_executor(4, 4);
	task_join_init(&j, &ex, (struct task_handle){ .slot = 4, .gen = 1 });
	expect_assert_failure(task_join_poll(&j, &cx));
	assert_non_null(strstr(fake_panic_msg, "slot 4 out of range"));
}

static void registering_a_new_waker_replaces_the_old_one(void **state)
{
	struct counter other;

	setup_aw_task();
	spawn_counter(&other, 1, 0);
	executor_run_ready(&ex);
	atomic_waker_register(&dev_aw, &aw_task.waker);
	atomic_waker_register(&dev_aw, &other.waker);
	atomic_waker_wake(&dev_aw);
	executor_run_ready(&ex);
	assert_int_equal(other.polls, 2);
	assert_int_equal(aw_task.polls, 1);
}

/* ---- real asynchronous interrupts: signals -------------------------------- */

#define SIG_TASKS   16
#define SIG_EVENTS  20000

static pthread_t sig_main;
static sigset_t sig_irq_set;
static volatile uint32_t sig_hw[SIG_TASKS];	/* the "device": events raised */
static volatile uint32_t sig_irq[SIG_TASKS];	/* handed over by the handler */
static struct waker sig_wakers[SIG_TASKS];
static struct atomic_waker sig_aw[SIG_TASKS];
static volatile unsigned long sig_handled;
static volatile bool sig_done, sig_timed_out, sig_unsound;

static unsigned long sig_irq_save(void)
{
	sigset_t old;

	pthread_sigmask(SIG_BLOCK, &sig_irq_set, &old);
	return !sigismember(&old, SIGUSR1);
}

static void sig_irq_restore(unsigned long flags)
{
	if (flags)
		pthread_sigmask(SIG_UNBLOCK, &sig_irq_set, NULL);
}

static bool sig_irq_enabled(void)
{
	sigset_t now;

	pthread_sigmask(SIG_BLOCK, NULL, &now);
	return !sigismember(&now, SIGUSR1);
}

/* sigsuspend is sti;hlt: unblock and wait as one step. */
static void sig_idle(void)
{
	sigset_t open;

	if (sig_irq_enabled())
		abort();	/* cmocka cannot report from here reliably */
	pthread_sigmask(SIG_BLOCK, NULL, &open);
	sigdelset(&open, SIGUSR1);
	sigsuspend(&open);
}

static uint64_t sig_timestamp(void)
{
	return 0;
}

static const struct task_platform sig_platform = {
	.irq_save = sig_irq_save, .irq_restore = sig_irq_restore,
	.irq_enabled = sig_irq_enabled, .idle = sig_idle,
	.timestamp = sig_timestamp,
};

/* The interrupt handler: read the device, hand over, wake. */
static void sig_handler(int sig)
{
	for (int i = 0; i < SIG_TASKS; i++) {
		uint32_t n = __atomic_exchange_n(&sig_hw[i], 0, __ATOMIC_ACQ_REL);

		if (!n)
			continue;
		__atomic_fetch_add(&sig_irq[i], n, __ATOMIC_RELEASE);
		if (i & 1)
			atomic_waker_wake(&sig_aw[i]);
		else
			waker_wake(&sig_wakers[i]);
	}
	sig_handled++;
	if (!ready_queue_is_sound())
		sig_unsound = true;
	if (sig_timed_out)
		executor_stop(&ex);
}

struct sig_task {
	int id;
	uint32_t target, consumed;
	unsigned polls, empty_polls;
};

static struct sig_task sig_tasks[SIG_TASKS];

static enum task_poll sig_task_poll(void *arg, struct task_cx *cx)
{
	struct sig_task *t = arg;
	uint32_t n;

	t->polls++;
	if (t->id & 1)
		atomic_waker_register(&sig_aw[t->id], &cx->waker);
	n = __atomic_exchange_n(&sig_irq[t->id], 0, __ATOMIC_ACQ_REL);
	t->consumed += n;
	t->empty_polls += n == 0;
	/* Task-context wakes of others, for the IRQ to interrupt. */
	if (n)
		waker_wake(&sig_wakers[(t->id + 1) % SIG_TASKS]);
	return t->consumed == t->target ? TASK_READY : TASK_PENDING;
}

static void *sig_producer(void *arg)
{
	const uint8_t *plan = arg;
	struct timespec until;

	for (int e = 0; e < SIG_EVENTS; e++) {
		__atomic_fetch_add(&sig_hw[plan[e]], 1, __ATOMIC_ACQ_REL);
		pthread_kill(sig_main, SIGUSR1);
		for (volatile unsigned spin = rand() % 3000; spin; spin--)
			;
	}
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += 10;
	while (!sig_done) {
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > until.tv_sec) {
			sig_timed_out = true;
			pthread_kill(sig_main, SIGUSR1);
			break;
		}
		sched_yield();
	}
	return NULL;
}

static void random_asynchronous_interrupts_lose_and_duplicate_no_wakeups(void **state)
{
	static uint8_t plan[SIG_EVENTS];
	struct sigaction sa = { .sa_handler = sig_handler };
	pthread_t producer;
	uint64_t polls = 0;

	srand(12345);
	fake_cpu_reset(NULL);
	assert_int_equal(executor_init(&ex, &sig_platform, table, SIG_TASKS,
				       queue, SIG_TASKS), 0);
	memset(sig_tasks, 0, sizeof(sig_tasks));
	for (int e = 0; e < SIG_EVENTS; e++) {
		plan[e] = (uint8_t)(rand() % SIG_TASKS);
		sig_tasks[plan[e]].target++;
	}
	for (int i = 0; i < SIG_TASKS; i++) {
		sig_tasks[i].id = i;
		atomic_waker_init(&sig_aw[i]);
		sig_hw[i] = sig_irq[i] = 0;
		assert_int_equal(executor_spawn(&ex, "sig", sig_task_poll, &sig_tasks[i], NULL), 0);
		sig_wakers[i] = table[i].cx.waker;
	}
	sigemptyset(&sig_irq_set);
	sigaddset(&sig_irq_set, SIGUSR1);
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, NULL), 0);
	sig_main = pthread_self();
	sig_done = sig_timed_out = sig_unsound = false;
	sig_handled = 0;
	assert_int_equal(pthread_create(&producer, NULL, sig_producer, plan), 0);
	executor_run(&ex);
	sig_done = true;
	pthread_join(producer, NULL);
	pthread_sigmask(SIG_UNBLOCK, &sig_irq_set, NULL);
	signal(SIGUSR1, SIG_IGN);

	assert_false(sig_timed_out);
	for (int i = 0; i < SIG_TASKS; i++) {
		assert_int_equal(sig_tasks[i].consumed, sig_tasks[i].target);
		polls += sig_tasks[i].polls;
	}
	assert_int_equal(polls, ex.stats.polls);
	assert_false(sig_unsound);
	assert_int_equal(executor_live(&ex), 0);
	assert_true(sig_handled > 100);
	assert_true(ex.stats.idles > 0);
	print_message("signals handled %lu, polls %lu, idles %lu\n", sig_handled,
		      (unsigned long)polls, (unsigned long)ex.stats.idles);
}

/* ---- coroutines ------------------------------------------------------------- */

struct looper {
	struct coro co;
	int i;
	bool go;
	struct waker waker;
};

static enum task_poll looper_poll(void *arg, struct task_cx *cx)
{
	struct looper *l = arg;

	CORO_BEGIN(&l->co);
	for (l->i = 0; l->i < 4; l->i++) {
		l->waker = cx->waker;
		CORO_AWAIT(&l->co, l->go);
		l->go = false;
		log_poll(l->i);
	}
	CORO_END(&l->co);
}

static void await_in_a_loop_resumes_in_the_middle_of_the_loop(void **state)
{
	struct looper l = { 0 };
	static const int one[] = { 0 }, two[] = { 1 };
	int await_line;

	setup_executor(4, 4);
	assert_int_equal(executor_spawn(&ex, "loop", looper_poll, &l, NULL), 0);
	executor_run_ready(&ex);
	assert_int_equal(norder, 0);
	await_line = l.co.line;
	assert_true(await_line > 0);
	executor_run_ready(&ex);	/* nothing ready: nothing polled */
	l.go = true;
	waker_wake(&l.waker);
	executor_run_ready(&ex);
	assert_order(one, 1);
	assert_int_equal(l.co.line, await_line);
	l.go = true;
	waker_wake(&l.waker);
	waker_wake(&l.waker);	/* a spurious extra: still one step */
	executor_run_ready(&ex);
	assert_order(two, 1);
	for (int k = 0; k < 2; k++) {
		l.go = true;
		waker_wake(&l.waker);
		executor_run_ready(&ex);
	}
	assert_true(coro_done(&l.co));
	assert_int_equal(executor_live(&ex), 0);
}

struct early {
	struct coro co;
	int steps;
};

static enum task_poll early_poll(void *arg, struct task_cx *cx)
{
	struct early *e = arg;

	CORO_BEGIN(&e->co);
	e->steps++;
	CORO_AWAIT(&e->co, e->steps++ >= 1);
	if (e->steps > 0)
		CORO_EXIT(&e->co);
	e->steps = 100;		/* never reached */
	CORO_END(&e->co);
}

static void a_finished_coroutine_stays_finished(void **state)
{
	struct early e = { 0 };
	struct task_cx cx = { .waker = WAKER_NOOP };

	assert_int_equal(early_poll(&e, &cx), TASK_READY);
	assert_int_equal(e.steps, 2);
	assert_true(coro_done(&e.co));
	assert_int_equal(early_poll(&e, &cx), TASK_READY);
	assert_int_equal(e.steps, 2);
	coro_init(&e.co);
	assert_false(coro_done(&e.co));
}

static void a_corrupt_resume_point_panics(void **state)
{
	struct early e = { .co = { .line = 123456 } };
	struct task_cx cx = { .waker = WAKER_NOOP };

	expect_assert_failure(early_poll(&e, &cx));
	assert_non_null(strstr(fake_panic_msg, "coro: bad resume point 123456"));
}

/* ---- the blog's example: async fn example_task() ------------------------- */

static char printed[64];

/* async fn async_number() -> u32 { 42 } */
struct async_number {
	uint32_t unused;
};

static enum task_poll async_number_poll(struct async_number *f, struct task_cx *cx,
					uint32_t *out)
{
	*out = 42;
	return TASK_READY;
}

/* let number = async_number().await; println!("async number: {}", number); */
struct example_task {
	struct coro co;
	struct async_number fut;
	uint32_t number;
};

static enum task_poll example_task_poll(void *arg, struct task_cx *cx)
{
	struct example_task *t = arg;

	CORO_BEGIN(&t->co);
	CORO_AWAIT(&t->co, async_number_poll(&t->fut, cx, &t->number));
	snprintf(printed, sizeof(printed), "async number: %u\n", t->number);
	CORO_END(&t->co);
}

static void the_blogs_async_number_example_prints_42(void **state)
{
	struct example_task t = { 0 };

	setup_executor(4, 4);
	printed[0] = '\0';
	assert_int_equal(executor_spawn(&ex, "example", example_task_poll, &t, NULL), 0);
	executor_run(&ex);
	assert_string_equal(printed, "async number: 42\n");
	assert_int_equal(ex.stats.polls, 1);
	assert_int_equal(fake_cpu.idles, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(taskq_init_rejects_capacities_that_are_not_powers_of_two),
		cmocka_unit_test(taskq_is_fifo_across_the_wrap_of_its_positions),
		cmocka_unit_test(taskq_push_onto_a_full_queue_panics),
		cmocka_unit_test(executor_init_rejects_a_queue_smaller_than_the_table),
		cmocka_unit_test(spawned_tasks_are_polled_in_spawn_order),
		cmocka_unit_test(ready_queue_polls_tasks_in_the_order_they_were_woken),
		cmocka_unit_test(waking_a_queued_task_again_queues_it_once),
		cmocka_unit_test(a_wake_during_its_own_poll_queues_the_task_again),
		cmocka_unit_test(spawn_fails_when_the_table_is_full_and_works_after_a_task_ends),
		cmocka_unit_test(a_stale_waker_wakes_neither_the_dead_task_nor_its_successor),
		cmocka_unit_test(a_queue_entry_left_by_a_finished_task_serves_its_successor_once),
		cmocka_unit_test(a_queue_entry_of_a_finished_task_is_skipped),
		cmocka_unit_test(a_queue_as_large_as_the_table_never_overflows_under_wake_storms),
		cmocka_unit_test(a_task_spawns_a_child_and_joins_it),
		cmocka_unit_test(every_joiner_is_woken_once_in_the_order_it_began_waiting),
		cmocka_unit_test(a_cancelled_join_is_not_woken),
		cmocka_unit_test(a_task_joining_itself_panics),
		cmocka_unit_test(yield_lets_every_other_ready_task_run_first),
		cmocka_unit_test(stats_count_polls_wakes_and_cpu_ticks_per_task),
		cmocka_unit_test(polls_do_not_nest),
		cmocka_unit_test(a_stop_that_came_before_the_run_still_ends_it),
		cmocka_unit_test(run_returns_without_idling_when_every_task_finishes),
		cmocka_unit_test(idle_runs_with_interrupts_disabled_and_its_interrupt_wakes_the_task),
		cmocka_unit_test(the_fake_cpu_holds_an_interrupt_until_interrupts_are_enabled),
		cmocka_unit_test(executor_stop_from_an_interrupt_ends_run),
		cmocka_unit_test(run_with_interrupts_disabled_panics),
		cmocka_unit_test(an_interrupt_at_any_instruction_of_the_run_loop_loses_no_wakeup),
		cmocka_unit_test(the_sweep_catches_an_idle_that_checks_with_interrupts_enabled),
		cmocka_unit_test(an_interrupt_at_any_instruction_of_a_wake_queues_each_task_once),
		cmocka_unit_test(an_interrupt_at_any_instruction_of_register_loses_no_wakeup),
		cmocka_unit_test(an_atomic_wake_takes_the_waker),
		cmocka_unit_test(registering_a_new_waker_replaces_the_old_one),
		cmocka_unit_test(register_during_a_wake_elsewhere_wakes_the_task_itself),
		cmocka_unit_test(a_join_on_a_bogus_handle_panics),
		cmocka_unit_test(random_asynchronous_interrupts_lose_and_duplicate_no_wakeups),
		cmocka_unit_test(await_in_a_loop_resumes_in_the_middle_of_the_loop),
		cmocka_unit_test(a_finished_coroutine_stays_finished),
		cmocka_unit_test(a_corrupt_resume_point_panics),
		cmocka_unit_test(the_blogs_async_number_example_prints_42),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
