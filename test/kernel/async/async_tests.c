/*
 * In-kernel tests of the executor on the real CPU (kernel/async/sched.h): the
 * blog's async number example, tasks ping-ponging over channels, sleeps on
 * the PIT-driven timer task, wake-ups from interrupts that land while the
 * executor halts, and an input storm through the real IRQ 1 path.
 *
 * Each test spawns its tasks plus a stopper that joins them and stops the
 * executor, then runs the kernel's executor (the timer task never ends).
 */
#include "arch/x86_64/ps2.h"
#include "kernel/arch.h"
#include "kernel/async/channel.h"
#include "kernel/time/clock.h"
#include "kernel/async/coro.h"
#include "kernel/input/input.h"
#include "kernel/kprintf.h"
#include "kernel/ktest.h"
#include "test/kernel/ps2_inject.h"
#include "kernel/async/sched.h"

#define MAX_JOIN 32

/* Joins every task in handles[], then stops the executor. */
struct stopper {
	struct coro co;
	struct task_join join;
	struct task_handle handles[MAX_JOIN];
	unsigned n, i;
};

static enum task_poll stopper_poll(void *arg, struct task_cx *cx)
{
	struct stopper *s = arg;

	CORO_BEGIN(&s->co);
	for (s->i = 0; s->i < s->n; s->i++) {
		task_join_init(&s->join, cx->ex, s->handles[s->i]);
		CORO_AWAIT(&s->co, task_join_poll(&s->join, cx));
	}
	executor_stop(cx->ex);
	CORO_END(&s->co);
}

static struct stopper stopper;

static void stopper_reset(void)
{
	stopper = (struct stopper){ 0 };
}

static bool spawn_joined(const char *name, task_poll_fn *poll, void *state)
{
	if (stopper.n == MAX_JOIN)
		return false;
	return sched_spawn(name, poll, state, &stopper.handles[stopper.n++]) == 0;
}

/* The stop count first: with several CPUs the stopper may stop before this CPU runs. */
static void run_until_joined(void)
{
	struct executor *ex = sched_executor();
	uint32_t gen = executor_stops(ex);
	struct task_handle h;

	KREQUIRE(sched_spawn("stopper", stopper_poll, &stopper, &h) == 0);
	executor_run_since(ex, gen);
	while (executor_alive(ex, h))
		__builtin_ia32_pause();
}

/* ---- the blog's example ------------------------------------------------- */

struct async_number { uint32_t unused; };

static enum task_poll async_number_poll(struct async_number *f, struct task_cx *cx,
					uint32_t *out)
{
	(void)f, (void)cx;
	*out = 42;
	return TASK_READY;
}

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
	kprintf("async number: %u\n", t->number);
	CORO_END(&t->co);
}

KTEST(the_blogs_async_number_example_prints_42_in_the_kernel)
{
	static struct example_task example;

	example = (struct example_task){ 0 };
	stopper_reset();
	KREQUIRE(spawn_joined("example", example_task_poll, &example));
	run_until_joined();
	KEXPECT_EQ(example.number, 42);
	KEXPECT(coro_done(&example.co));
}

/* ---- ping-pong over channels --------------------------------------------- */

#define PAIRS  12
#define ROUNDS 500

struct player {
	struct coro co;
	struct channel *in, *out;
	struct channel_op op;
	uint32_t msg, count;
	bool serves;
};

/* The server sends first, the other side answers: each adds one per catch. */
static enum task_poll player_poll(void *arg, struct task_cx *cx)
{
	struct player *p = arg;

	CORO_BEGIN(&p->co);
	for (p->count = 0; p->count < ROUNDS; p->count++) {
		if (p->serves) {
			channel_op_init(&p->op, p->out, &p->msg);
			CORO_AWAIT(&p->co, channel_send_poll(&p->op, cx));
		}
		channel_op_init(&p->op, p->in, &p->msg);
		CORO_AWAIT(&p->co, channel_recv_poll(&p->op, cx));
		p->msg++;
		if (!p->serves) {
			channel_op_init(&p->op, p->out, &p->msg);
			CORO_AWAIT(&p->co, channel_send_poll(&p->op, cx));
		}
	}
	CORO_END(&p->co);
}

KTEST(many_tasks_ping_pong_over_channels_to_the_exact_count)
{
	static struct channel ch[PAIRS][2];
	static uint32_t buf[PAIRS][2];
	static struct player pl[PAIRS][2];

	stopper_reset();
	for (unsigned i = 0; i < PAIRS; i++) {
		KREQUIRE(channel_init(&ch[i][0], &buf[i][0], 1, sizeof(uint32_t)) == 0);
		KREQUIRE(channel_init(&ch[i][1], &buf[i][1], 1, sizeof(uint32_t)) == 0);
		pl[i][0] = (struct player){ .in = &ch[i][1], .out = &ch[i][0], .serves = true };
		pl[i][1] = (struct player){ .in = &ch[i][0], .out = &ch[i][1] };
		KREQUIRE(spawn_joined("ping", player_poll, &pl[i][0]));
		KREQUIRE(spawn_joined("pong", player_poll, &pl[i][1]));
	}
	run_until_joined();
	for (unsigned i = 0; i < PAIRS; i++) {
		KEXPECT_EQ(ch[i][0].sent + ch[i][1].sent, 2 * ROUNDS);
		KEXPECT_EQ(ch[i][0].received + ch[i][1].received, 2 * ROUNDS);
		KEXPECT_EQ(pl[i][0].msg, 2 * ROUNDS);   /* the ball was caught 2 * ROUNDS times */
	}
}

/* ---- sleeps ------------------------------------------------------------- */

#define SLEEPERS 6

static unsigned wake_order[SLEEPERS * 2], woken;

struct sleeper {
	struct coro co;
	struct timer_sleep sleep;
	uint64_t deadline;
	unsigned id;
};

static enum task_poll sleeper_poll(void *arg, struct task_cx *cx)
{
	struct sleeper *s = arg;

	CORO_BEGIN(&s->co);
	timer_sleep_until(&s->sleep, sched_timers(), s->deadline);
	CORO_AWAIT(&s->co, timer_sleep_poll(&s->sleep, cx));
	KEXPECT(clock_ticks() >= s->deadline);
	wake_order[woken++] = s->id;
	CORO_END(&s->co);
}

/* Deadlines 60, 10, 50, 20, 40, 30 ticks away, and three more all due on one tick. */
KTEST(sleeps_complete_in_deadline_order_and_ties_in_start_order)
{
	static const unsigned away[SLEEPERS] = { 60, 10, 50, 20, 40, 30 };
	static const unsigned want[SLEEPERS + 3] = { 1, 3, 5, 6, 7, 8, 4, 2, 0 };
	static struct sleeper s[SLEEPERS + 3];
	uint64_t now = clock_ticks();

	stopper_reset();
	woken = 0;
	for (unsigned i = 0; i < SLEEPERS + 3; i++) {
		s[i] = (struct sleeper){ .id = i,
			.deadline = now + (i < SLEEPERS ? away[i] : 35) };
		KREQUIRE(spawn_joined("sleeper", sleeper_poll, &s[i]));
	}
	run_until_joined();
	KREQUIRE(woken == SLEEPERS + 3);
	for (unsigned i = 0; i < SLEEPERS + 3; i++)
		KEXPECT_EQ(wake_order[i], want[i]);
	KEXPECT_EQ(timer_count(sched_timers()), 0);
}

/* ---- a wake-up raised by the tick while the executor halts ---------------- */

#define HALT_ROUNDS 300

static struct atomic_waker tick_waker;
static volatile bool tick_armed;
static volatile uint64_t tick_fired_at;

static void test_tick(void *ctx)
{
	(void)ctx;
	if (tick_armed) {
		tick_armed = false;
		tick_fired_at = clock_ticks();
		atomic_waker_wake(&tick_waker);
	}
}

struct halter {
	struct coro co;
	unsigned rounds, late;
};

/* Arm the tick, register, pend: the only way on is the interrupt's wake. */
static enum task_poll halter_poll(void *arg, struct task_cx *cx)
{
	struct halter *h = arg;

	CORO_BEGIN(&h->co);
	for (h->rounds = 0; h->rounds < HALT_ROUNDS; h->rounds++) {
		atomic_waker_register(&tick_waker, &cx->waker);
		tick_armed = true;
		CORO_AWAIT(&h->co, !tick_armed);
		if (clock_ticks() > tick_fired_at + 1)
			h->late++;       /* woken by a later interrupt: the wake was lost */
	}
	CORO_END(&h->co);
}

KTEST(a_wake_up_from_an_interrupt_at_the_halt_is_not_lost)
{
	static struct halter h;
	uint64_t idles = sched_executor()->stats.idles;

	h = (struct halter){ 0 };
	atomic_waker_init(&tick_waker);
	KREQUIRE(clock_add_tick_callback(test_tick, NULL) == 0);
	stopper_reset();
	KREQUIRE(spawn_joined("halter", halter_poll, &h));
	run_until_joined();
	clock_remove_tick_callback(test_tick, NULL);
	KEXPECT_EQ(h.rounds, HALT_ROUNDS);
	/* the executor really slept between rounds, and woke on the same tick */
	KEXPECT(sched_executor()->stats.idles - idles >= HALT_ROUNDS / 2);
	KEXPECT(h.late <= HALT_ROUNDS / 20);
	kprintf("async: %u rounds, %llu idles, %u woken late\n", h.rounds,
		(unsigned long long)(sched_executor()->stats.idles - idles), h.late);
}

/* ---- an input storm ------------------------------------------------------- */

#define STORM_BYTES 100

struct reader {
	struct coro co;
	struct kbd_event ev;
	unsigned presses, want;
};

static enum task_poll reader_poll(void *arg, struct task_cx *cx)
{
	struct reader *r = arg;

	CORO_BEGIN(&r->co);
	while (r->presses < r->want) {
		CORO_AWAIT(&r->co, input_next_poll(&r->ev, cx));
		if (r->ev.pressed && r->ev.key == KBD_KEY_A)
			r->presses++;
	}
	CORO_END(&r->co);
}

struct injector {
	struct coro co;
	unsigned i;
	bool ok;
};

/* Once the reader has drained the storm and sleeps: release, then one more press. */
static enum task_poll injector_poll(void *arg, struct task_cx *cx)
{
	struct injector *j = arg;

	CORO_BEGIN(&j->co);
	for (j->i = 0; j->i < 5; j->i++)
		CORO_YIELD(&j->co, cx);
	j->ok = ktest_ps2_inject(SET2_BREAK) && ktest_ps2_inject(SET2_A_MAKE) &&
		ktest_ps2_inject(SET2_A_MAKE);   /* release A, press A */
	CORO_END(&j->co);
}

KTEST(an_input_storm_is_counted_and_the_stream_stays_responsive)
{
	static struct atomic_waker aw;
	static struct reader r;
	static struct injector j;
	struct input_stats before, after;
	struct kbd_event ev;
	unsigned pushed = 0;

	while (input_next(&ev))
		;
	input_get_stats(&before);
	for (unsigned i = 0; i < STORM_BYTES; i++)
		pushed += ktest_ps2_inject(SET2_A_MAKE);
	KREQUIRE(pushed == STORM_BYTES);
	input_get_stats(&after);
	KEXPECT_EQ(after.kbd_drops - before.kbd_drops, STORM_BYTES - INPUT_KBD_RING);
	atomic_waker_init(&aw);
	input_set_waker(&aw);
	r = (struct reader){ .want = INPUT_KBD_RING + 1 };
	j = (struct injector){ 0 };
	stopper_reset();
	KREQUIRE(spawn_joined("reader", reader_poll, &r));
	KREQUIRE(spawn_joined("injector", injector_poll, &j));
	run_until_joined();
	input_set_waker(NULL);
	KEXPECT(j.ok);
	KEXPECT_EQ(r.presses, INPUT_KBD_RING + 1);
}
