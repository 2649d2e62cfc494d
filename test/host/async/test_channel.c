/*
 * Host tests of bounded channels (channel.h): the ring itself, receivers and
 * senders that wait and are woken once, oldest first, cancellation that
 * loses nothing, a receive with a timeout, pairs of tasks ping-ponging with
 * an exact count of polls (no lost and no extra wake-ups), and many
 * senders and receivers sharing one channel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/async/channel.h"
#include "kernel/async/coro.h"
#include "kernel/async/task.h"
#include "kernel/async/timer.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "test/host/async/async_fake.h"

#define SLOTS 128

static struct executor ex;
static struct task table[SLOTS];
static uint64_t queue[SLOTS];

static void setup_executor(void)
{
	fake_cpu_reset(&ex);
	assert_int_equal(executor_init(&ex, &fake_platform, table, SLOTS, queue, SLOTS), 0);
}

/* A task that only parks, so its waker can drive operations by hand. */
struct parked {
	struct waker waker;
	struct task_handle h;
	unsigned polls;
};

static enum task_poll parked_poll(void *arg, struct task_cx *cx)
{
	struct parked *p = arg;

	p->waker = cx->waker;
	p->polls++;
	return TASK_PENDING;
}

static void park(struct parked *p, struct task_cx *cx)
{
	*p = (struct parked){ 0 };
	assert_int_equal(executor_spawn(&ex, "parked", parked_poll, p, &p->h), 0);
	executor_run_ready(&ex);
	cx->waker = p->waker;
	cx->ex = &ex;
}

static uint64_t wakes_of(const struct parked *p)
{
	struct task_stats st;

	assert_int_equal(executor_task_stats(&ex, p->h, &st), 0);
	return st.wakes - 1;	/* not counting its spawn */
}

static void init_rejects_empty_or_overflowing_sizes(void **state)
{
	struct channel ch;
	uint8_t buf[16];

	assert_int_equal(channel_init(&ch, NULL, 4, 4), -E_INVAL);
	assert_int_equal(channel_init(&ch, buf, 0, 4), -E_INVAL);
	assert_int_equal(channel_init(&ch, buf, 4, 0), -E_INVAL);
	assert_int_equal(channel_init(&ch, buf, SIZE_MAX / 2, 4), -E_INVAL);
	assert_int_equal(channel_init(&ch, buf, 4, 4), 0);
	assert_int_equal(channel_count(&ch), 0);
}

static void messages_come_out_in_order_across_the_wrap_of_the_ring(void **state)
{
	struct channel ch;
	uint32_t buf[3], v;

	assert_int_equal(channel_init(&ch, buf, 3, sizeof(uint32_t)), 0);
	assert_false(channel_try_recv(&ch, &v));
	for (uint32_t next = 0, want = 0; want < 20; ) {
		while (channel_try_send(&ch, &next))
			next++;
		assert_int_equal(channel_count(&ch), 3);
		for (int i = 0; i < 2; i++) {
			assert_true(channel_try_recv(&ch, &v));
			assert_int_equal(v, want++);
		}
	}
	assert_int_equal(ch.sent - ch.received, channel_count(&ch));
	assert_int_equal(ch.received, 20);
}

static void a_receiver_waits_on_an_empty_channel_and_one_send_wakes_it_once(void **state)
{
	struct channel ch;
	uint32_t buf[2], got = 0, v = 42;
	struct channel_op op;
	struct parked r;
	struct task_cx cx;

	setup_executor();
	park(&r, &cx);
	assert_int_equal(channel_init(&ch, buf, 2, sizeof(uint32_t)), 0);
	channel_op_init(&op, &ch, &got);
	assert_int_equal(channel_recv_poll(&op, &cx), TASK_PENDING);
	assert_int_equal(channel_recv_poll(&op, &cx), TASK_PENDING);
	assert_true(op.linked);
	assert_true(channel_try_send(&ch, &v));
	assert_false(op.linked);
	assert_int_equal(taskq_count(&ex.ready), 1);
	assert_true(channel_try_send(&ch, &v));		/* nobody left to wake */
	assert_int_equal(wakes_of(&r), 1);
	assert_int_equal(channel_recv_poll(&op, &cx), TASK_READY);
	assert_int_equal(got, 42);
	assert_false(op.woken);
}

static void a_sender_waits_on_a_full_channel_and_one_receive_wakes_it_once(void **state)
{
	struct channel ch;
	uint16_t buf[1], v = 7, w = 8, got;
	struct channel_op op;
	struct parked s;
	struct task_cx cx;

	setup_executor();
	park(&s, &cx);
	assert_int_equal(channel_init(&ch, buf, 1, sizeof(uint16_t)), 0);
	assert_true(channel_try_send(&ch, &v));
	channel_op_init(&op, &ch, &w);
	assert_int_equal(channel_send_poll(&op, &cx), TASK_PENDING);
	assert_true(channel_try_recv(&ch, &got));
	assert_int_equal(got, 7);
	assert_int_equal(wakes_of(&s), 1);
	assert_int_equal(channel_send_poll(&op, &cx), TASK_READY);
	assert_true(channel_try_recv(&ch, &got));
	assert_int_equal(got, 8);
	assert_int_equal(wakes_of(&s), 1);
}

static void waiting_receivers_are_woken_oldest_first_one_per_message(void **state)
{
	struct channel ch;
	uint32_t buf[4], got[3], v = 1;
	struct channel_op op[3];
	struct parked r[3];
	struct task_cx cx[3];

	setup_executor();
	assert_int_equal(channel_init(&ch, buf, 4, sizeof(uint32_t)), 0);
	for (int i = 0; i < 3; i++) {
		park(&r[i], &cx[i]);
		channel_op_init(&op[i], &ch, &got[i]);
	}
	for (int i = 2; i >= 0; i--)	/* 2 waits first, then 1, then 0 */
		assert_int_equal(channel_recv_poll(&op[i], &cx[i]), TASK_PENDING);
	assert_true(channel_try_send(&ch, &v));
	assert_true(channel_try_send(&ch, &v));
	assert_int_equal(wakes_of(&r[2]), 1);
	assert_int_equal(wakes_of(&r[1]), 1);
	assert_int_equal(wakes_of(&r[0]), 0);
	assert_true(op[0].linked);
	assert_ptr_equal(ch.receivers.first, &op[0]);
	assert_ptr_equal(ch.receivers.last, &op[0]);
}

static void a_woken_receiver_beaten_to_the_message_waits_again(void **state)
{
	struct channel ch;
	uint32_t buf[1], got = 0, v = 5, stolen;
	struct channel_op op;
	struct parked r;
	struct task_cx cx;

	setup_executor();
	park(&r, &cx);
	assert_int_equal(channel_init(&ch, buf, 1, sizeof(uint32_t)), 0);
	channel_op_init(&op, &ch, &got);
	assert_int_equal(channel_recv_poll(&op, &cx), TASK_PENDING);
	assert_true(channel_try_send(&ch, &v));
	assert_true(channel_try_recv(&ch, &stolen));	/* a faster task */
	assert_int_equal(channel_recv_poll(&op, &cx), TASK_PENDING);
	assert_true(op.linked);
	v = 6;
	assert_true(channel_try_send(&ch, &v));
	assert_int_equal(wakes_of(&r), 2);
	assert_int_equal(channel_recv_poll(&op, &cx), TASK_READY);
	assert_int_equal(got, 6);
}

static void cancelling_a_woken_receiver_hands_its_wakeup_to_the_next(void **state)
{
	struct channel ch;
	uint32_t buf[2], got[2], v = 9;
	struct channel_op op[2];
	struct parked r[2];
	struct task_cx cx[2];

	setup_executor();
	assert_int_equal(channel_init(&ch, buf, 2, sizeof(uint32_t)), 0);
	for (int i = 0; i < 2; i++) {
		park(&r[i], &cx[i]);
		channel_op_init(&op[i], &ch, &got[i]);
		assert_int_equal(channel_recv_poll(&op[i], &cx[i]), TASK_PENDING);
	}
	assert_true(channel_try_send(&ch, &v));
	assert_true(op[0].woken);
	channel_op_cancel(&op[0]);
	assert_int_equal(wakes_of(&r[1]), 1);
	assert_int_equal(channel_recv_poll(&op[1], &cx[1]), TASK_READY);
	assert_int_equal(got[1], 9);
	channel_op_cancel(&op[1]);	/* completed: nothing to do */
	assert_int_equal(wakes_of(&r[0]), 1);
	assert_int_equal(wakes_of(&r[1]), 1);
}

static void cancelling_a_waiting_op_unlinks_it(void **state)
{
	struct channel ch;
	uint32_t buf[1], got, v = 1, w = 2;
	struct channel_op rop, sop;
	struct parked r, s;
	struct task_cx rcx, scx;

	setup_executor();
	park(&r, &rcx);
	park(&s, &scx);
	assert_int_equal(channel_init(&ch, buf, 1, sizeof(uint32_t)), 0);
	channel_op_init(&rop, &ch, &got);
	assert_int_equal(channel_recv_poll(&rop, &rcx), TASK_PENDING);
	channel_op_cancel(&rop);
	assert_false(rop.linked);
	assert_null(ch.receivers.first);
	assert_true(channel_try_send(&ch, &v));
	assert_int_equal(wakes_of(&r), 0);

	channel_op_init(&sop, &ch, &w);
	assert_int_equal(channel_send_poll(&sop, &scx), TASK_PENDING);
	channel_op_cancel(&sop);
	assert_null(ch.senders.first);
	assert_true(channel_try_recv(&ch, &got));
	assert_int_equal(wakes_of(&s), 0);
	assert_false(channel_try_recv(&ch, &got));	/* w was never sent */
}

static void cancelling_from_the_middle_keeps_the_line_in_order(void **state)
{
	struct channel ch;
	uint32_t buf[2], got[3], v = 4;
	struct channel_op op[3];
	struct parked r[3];
	struct task_cx cx[3];

	setup_executor();
	assert_int_equal(channel_init(&ch, buf, 2, sizeof(uint32_t)), 0);
	for (int i = 0; i < 3; i++) {
		park(&r[i], &cx[i]);
		channel_op_init(&op[i], &ch, &got[i]);
		assert_int_equal(channel_recv_poll(&op[i], &cx[i]), TASK_PENDING);
	}
	channel_op_cancel(&op[1]);
	assert_ptr_equal(ch.receivers.first, &op[0]);
	assert_ptr_equal(op[0].next, &op[2]);
	assert_ptr_equal(ch.receivers.last, &op[2]);
	channel_op_cancel(&op[2]);
	assert_ptr_equal(ch.receivers.last, &op[0]);
	assert_true(channel_try_send(&ch, &v));
	assert_int_equal(wakes_of(&r[0]), 1);
	assert_int_equal(wakes_of(&r[1]) + wakes_of(&r[2]), 0);
}

/*
 * A send wakes the oldest receiver, but a younger one still in line is
 * polled first (woken for some other reason): it takes the message and
 * leaves the line; the woken one finds nothing and lines up again.
 */
static void a_receiver_polled_while_in_line_takes_a_message_and_leaves_the_line(void **state)
{
	struct channel ch;
	uint32_t buf[2], got[2], v = 8;
	struct channel_op op[2];
	struct parked r[2];
	struct task_cx cx[2];

	setup_executor();
	assert_int_equal(channel_init(&ch, buf, 2, sizeof(uint32_t)), 0);
	for (int i = 0; i < 2; i++) {
		park(&r[i], &cx[i]);
		channel_op_init(&op[i], &ch, &got[i]);
		assert_int_equal(channel_recv_poll(&op[i], &cx[i]), TASK_PENDING);
	}
	assert_true(channel_try_send(&ch, &v));		/* wakes op[0] */
	assert_true(op[1].linked);
	assert_int_equal(channel_recv_poll(&op[1], &cx[1]), TASK_READY);
	assert_int_equal(got[1], 8);
	assert_false(op[1].linked);
	assert_null(ch.receivers.first);
	assert_int_equal(channel_recv_poll(&op[0], &cx[0]), TASK_PENDING);
	assert_ptr_equal(ch.receivers.first, &op[0]);
	assert_ptr_equal(ch.receivers.last, &op[0]);
	assert_int_equal(wakes_of(&r[1]), 0);
}

static void cancelling_a_woken_sender_hands_its_wakeup_to_the_next(void **state)
{
	struct channel ch;
	uint32_t buf[1], got, v[3] = { 1, 2, 3 };
	struct channel_op op[2];
	struct parked s[2];
	struct task_cx cx[2];

	setup_executor();
	assert_int_equal(channel_init(&ch, buf, 1, sizeof(uint32_t)), 0);
	assert_true(channel_try_send(&ch, &v[0]));
	for (int i = 0; i < 2; i++) {
		park(&s[i], &cx[i]);
		channel_op_init(&op[i], &ch, &v[i + 1]);
		assert_int_equal(channel_send_poll(&op[i], &cx[i]), TASK_PENDING);
	}
	assert_true(channel_try_recv(&ch, &got));	/* wakes op[0] */
	channel_op_cancel(&op[0]);
	assert_int_equal(wakes_of(&s[1]), 1);
	assert_int_equal(channel_send_poll(&op[1], &cx[1]), TASK_READY);
	assert_true(channel_try_recv(&ch, &got));
	assert_int_equal(got, 3);
}

/* ---- a receive with a timeout: recv and sleep raced, the loser cancelled -- */

static struct timer_queue tq;
static struct timer *tq_heap[8];

struct timed_recv {
	struct coro co;
	struct channel_op op;
	struct timer_sleep sleep;
	uint32_t got;
	int result;		/* 1 message, 0 timeout */
};

static enum task_poll recv_or_timeout(struct timed_recv *t, struct task_cx *cx)
{
	if (channel_recv_poll(&t->op, cx) == TASK_READY) {
		timer_sleep_cancel(&t->sleep);
		t->result = 1;
		return TASK_READY;
	}
	if (timer_sleep_poll(&t->sleep, cx) == TASK_READY) {
		channel_op_cancel(&t->op);
		t->result = 0;
		return TASK_READY;
	}
	return TASK_PENDING;
}

static struct channel tr_ch;

static enum task_poll timed_recv_poll(void *arg, struct task_cx *cx)
{
	struct timed_recv *t = arg;

	CORO_BEGIN(&t->co);
	channel_op_init(&t->op, &tr_ch, &t->got);
	timer_sleep_for(&t->sleep, &tq, 10);
	CORO_AWAIT(&t->co, recv_or_timeout(t, cx));
	CORO_END(&t->co);
}

static void a_receive_with_a_timeout_gives_up_cleanly(void **state)
{
	uint32_t buf[2], v = 3;
	struct timed_recv late = { 0 }, served = { 0 };

	setup_executor();
	assert_int_equal(timer_queue_init(&tq, tq_heap, 8, 0), 0);
	assert_int_equal(channel_init(&tr_ch, buf, 2, sizeof(uint32_t)), 0);
	assert_int_equal(executor_spawn(&ex, "late", timed_recv_poll, &late, NULL), 0);
	executor_run_ready(&ex);
	timer_tick(&tq, 10);
	executor_run_ready(&ex);
	assert_int_equal(late.result, 0);
	assert_null(tr_ch.receivers.first);

	assert_int_equal(executor_spawn(&ex, "served", timed_recv_poll, &served, NULL), 0);
	executor_run_ready(&ex);
	assert_true(channel_try_send(&tr_ch, &v));
	executor_run_ready(&ex);
	assert_int_equal(served.result, 1);
	assert_int_equal(served.got, 3);
	assert_int_equal(timer_count(&tq), 0);
	assert_int_equal(executor_live(&ex), 0);
}

/* ---- ping-pong: exact poll counts ------------------------------------------ */

#define PAIRS   50
#define ROUNDS  200

struct player {
	struct coro co;
	struct channel *in, *out;
	struct channel_op op;
	uint32_t i, msg;
	bool serves;		/* sends first */
	unsigned polls, errors;
};

static enum task_poll player_poll(void *arg, struct task_cx *cx)
{
	struct player *p = arg;

	p->polls++;
	CORO_BEGIN(&p->co);
	for (p->i = 0; p->i < ROUNDS; p->i++) {
		if (p->serves) {
			p->msg = p->i;
			channel_op_init(&p->op, p->out, &p->msg);
			CORO_AWAIT(&p->co, channel_send_poll(&p->op, cx));
		}
		channel_op_init(&p->op, p->in, &p->msg);
		CORO_AWAIT(&p->co, channel_recv_poll(&p->op, cx));
		p->errors += p->msg != p->i;
		if (!p->serves) {
			channel_op_init(&p->op, p->out, &p->msg);
			CORO_AWAIT(&p->co, channel_send_poll(&p->op, cx));
		}
	}
	CORO_END(&p->co);
}

static void many_pairs_ping_pong_with_one_poll_per_message(void **state)
{
	static struct player pl[2 * PAIRS];
	static struct channel ch[2 * PAIRS];
	static uint32_t bufs[2 * PAIRS];

	setup_executor();
	for (int i = 0; i < 2 * PAIRS; i++)
		assert_int_equal(channel_init(&ch[i], &bufs[i], 1, sizeof(uint32_t)), 0);
	for (int i = 0; i < 2 * PAIRS; i += 2) {
		pl[i] = (struct player){ .in = &ch[i + 1], .out = &ch[i], .serves = true };
		pl[i + 1] = (struct player){ .in = &ch[i], .out = &ch[i + 1] };
	}
	for (int i = 0; i < 2 * PAIRS; i++)
		assert_int_equal(executor_spawn(&ex, "player", player_poll, &pl[i], NULL), 0);
	executor_run(&ex);
	assert_int_equal(executor_live(&ex), 0);
	assert_int_equal(fake_cpu.idles, 0);
	for (int i = 0; i < 2 * PAIRS; i++) {
		assert_int_equal(pl[i].errors, 0);
		/*
		 * One poll per message waited for: the server waits for
		 * every reply after its first poll; the client, polled second,
		 * finds the first ball already there.
		 */
		assert_int_equal(pl[i].polls, pl[i].serves ? ROUNDS + 1 : ROUNDS);
	}
	assert_int_equal(ex.stats.stale_wakes, 0);
}

/* ---- many senders, many receivers, one channel ---------------------------- */

#define SENDERS    8
#define RECEIVERS  5
#define PER_SENDER 500

struct note {
	uint16_t sender, seq;
};

struct mover {
	struct coro co;
	struct channel_op op;
	struct note msg;
	int id, n, total;
	bool sends;
	int last_seq[SENDERS];
};

static struct channel shared;
static uint8_t received[SENDERS][PER_SENDER];
static unsigned mover_rng = 99;

static enum task_poll mover_poll(void *arg, struct task_cx *cx)
{
	struct mover *m = arg;

	CORO_BEGIN(&m->co);
	for (m->n = 0; m->n < m->total; m->n++) {
		m->msg = (struct note){ .sender = (uint16_t)m->id, .seq = (uint16_t)m->n };
		channel_op_init(&m->op, &shared, &m->msg);
		if (m->sends) {
			CORO_AWAIT(&m->co, channel_send_poll(&m->op, cx));
		} else {
			CORO_AWAIT(&m->co, channel_recv_poll(&m->op, cx));
			received[m->msg.sender][m->msg.seq]++;
			if (m->msg.seq <= m->last_seq[m->msg.sender])
				received[m->msg.sender][m->msg.seq] += 100; /* out of order */
			m->last_seq[m->msg.sender] = m->msg.seq;
		}
		mover_rng = mover_rng * 1103515245u + 12345u;
		if ((mover_rng >> 16) % 3 == 0)
			CORO_YIELD(&m->co, cx);
	}
	CORO_END(&m->co);
}

static void many_senders_and_receivers_pass_each_message_exactly_once_in_order(void **state)
{
	static struct mover mv[SENDERS + RECEIVERS];
	struct note buf[3];

	setup_executor();
	memset(received, 0, sizeof(received));
	assert_int_equal(channel_init(&shared, buf, 3, sizeof(struct note)), 0);
	/* Spawned interleaved: S R S R ... then the senders left over. */
	for (int i = 0, senders = 0, receivers = 0; i < SENDERS + RECEIVERS; i++) {
		bool sends = receivers == RECEIVERS || (i % 2 == 0 && senders < SENDERS);

		mv[i] = (struct mover){ .sends = sends };
		mv[i].id = sends ? senders++ : receivers++;
		mv[i].total = sends ? PER_SENDER : SENDERS * PER_SENDER / RECEIVERS;
		for (int k = 0; k < SENDERS; k++)
			mv[i].last_seq[k] = -1;
		assert_int_equal(executor_spawn(&ex, "mover", mover_poll, &mv[i], NULL), 0);
	}
	executor_run(&ex);
	assert_false(fake_cpu.halted_forever);
	assert_int_equal(executor_live(&ex), 0);
	for (int s = 0; s < SENDERS; s++)
		for (int q = 0; q < PER_SENDER; q++)
			assert_int_equal(received[s][q], 1);
	assert_int_equal(shared.sent, SENDERS * PER_SENDER);
	assert_int_equal(shared.received, SENDERS * PER_SENDER);
	assert_null(shared.senders.first);
	assert_null(shared.receivers.first);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_rejects_empty_or_overflowing_sizes),
		cmocka_unit_test(messages_come_out_in_order_across_the_wrap_of_the_ring),
		cmocka_unit_test(a_receiver_waits_on_an_empty_channel_and_one_send_wakes_it_once),
		cmocka_unit_test(a_sender_waits_on_a_full_channel_and_one_receive_wakes_it_once),
		cmocka_unit_test(waiting_receivers_are_woken_oldest_first_one_per_message),
		cmocka_unit_test(a_woken_receiver_beaten_to_the_message_waits_again),
		cmocka_unit_test(cancelling_a_woken_receiver_hands_its_wakeup_to_the_next),
		cmocka_unit_test(cancelling_a_waiting_op_unlinks_it),
		cmocka_unit_test(cancelling_from_the_middle_keeps_the_line_in_order),
		cmocka_unit_test(a_receiver_polled_while_in_line_takes_a_message_and_leaves_the_line),
		cmocka_unit_test(cancelling_a_woken_sender_hands_its_wakeup_to_the_next),
		cmocka_unit_test(a_receive_with_a_timeout_gives_up_cleanly),
		cmocka_unit_test(many_pairs_ping_pong_with_one_poll_per_message),
		cmocka_unit_test(many_senders_and_receivers_pass_each_message_exactly_once_in_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
