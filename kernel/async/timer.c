/*
 * Timers in a binary min-heap keyed by (deadline, start order), each timer
 * knowing its index, and the sleep future. Contract in timer.h.
 */
#include "kernel/panic.h"
#include "kernel/async/timer.h"
#include "lib/errno.h"

int timer_queue_init(struct timer_queue *tq, struct timer **heap, size_t cap,
		     uint64_t now)
{
	if (!heap || cap == 0 || cap > UINT32_MAX)
		return -E_INVAL;
	*tq = (struct timer_queue){ .heap = heap, .cap = cap, .now = now,
				    .next_deadline = TIMER_NEVER,
				    .lock = SPINLOCK_INIT("timers", SPIN_RANK_TIMERS) };
	return 0;
}

void timer_init(struct timer *t)
{
	*t = (struct timer){ .state = TIMER_IDLE };
}

static bool timer_before(const struct timer *a, const struct timer *b)
{
	return a->deadline < b->deadline ||
	       (a->deadline == b->deadline && a->seq < b->seq);
}

static void timer_place(struct timer_queue *tq, struct timer *t, size_t i)
{
	tq->heap[i] = t;
	t->index = (uint32_t)i;
}

static void timer_sift_up(struct timer_queue *tq, size_t i)
{
	struct timer *t = tq->heap[i];

	while (i > 0 && timer_before(t, tq->heap[(i - 1) / 2])) {
		timer_place(tq, tq->heap[(i - 1) / 2], i);
		i = (i - 1) / 2;
	}
	timer_place(tq, t, i);
}

static void timer_sift_down(struct timer_queue *tq, size_t i)
{
	struct timer *t = tq->heap[i];
	size_t child;

	while ((child = 2 * i + 1) < tq->count) {
		if (child + 1 < tq->count &&
		    timer_before(tq->heap[child + 1], tq->heap[child]))
			child++;
		if (!timer_before(tq->heap[child], t))
			break;
		timer_place(tq, tq->heap[child], i);
		i = child;
	}
	timer_place(tq, t, i);
}

/* Publish heap[0]'s deadline for interrupt handlers (one aligned store). */
static void timer_publish(struct timer_queue *tq)
{
	uint64_t next = tq->count ? tq->heap[0]->deadline : TIMER_NEVER;

	__atomic_store_n(&tq->next_deadline, next, __ATOMIC_RELEASE);
}

/* Take the timer at heap index i out: the last one fills the hole. */
static void timer_remove_at(struct timer_queue *tq, size_t i)
{
	struct timer *last = tq->heap[--tq->count];

	if (i < tq->count) {
		timer_place(tq, last, i);
		if (i > 0 && timer_before(last, tq->heap[(i - 1) / 2]))
			timer_sift_up(tq, i);
		else
			timer_sift_down(tq, i);
	}
	timer_publish(tq);
}

static int timer_start_locked(struct timer_queue *tq, struct timer *t, uint64_t deadline,
			      const struct waker *w)
{
	if (t->state == TIMER_PENDING) {
		timer_remove_at(tq, t->index);
	} else if (tq->count == tq->cap) {
		return -E_NOSPC;
	}
	t->deadline = deadline;
	t->seq = tq->next_seq++;
	t->waker = *w;
	t->state = TIMER_PENDING;
	timer_place(tq, t, tq->count++);
	timer_sift_up(tq, t->index);
	timer_publish(tq);
	return 0;
}

int timer_start(struct timer_queue *tq, struct timer *t, uint64_t deadline,
		const struct waker *w)
{
	unsigned long f = spin_lock(&tq->lock);
	int err = timer_start_locked(tq, t, deadline, w);

	spin_unlock(&tq->lock, f);
	return err;
}

int timer_cancel(struct timer_queue *tq, struct timer *t)
{
	unsigned long f = spin_lock(&tq->lock);
	int err = -E_NOENT;

	if (t->state == TIMER_PENDING) {
		ASSERT(t->index < tq->count && tq->heap[t->index] == t);
		timer_remove_at(tq, t->index);
		t->state = TIMER_IDLE;
		err = 0;
	}
	spin_unlock(&tq->lock, f);
	return err;
}

static struct timer *timer_expire_locked(struct timer_queue *tq, uint64_t now)
{
	struct timer *t;

	if (tq->count == 0 || tq->heap[0]->deadline > now)
		return NULL;
	t = tq->heap[0];
	timer_remove_at(tq, 0);
	t->state = TIMER_FIRED;
	return t;
}

struct timer *timer_expire_one(struct timer_queue *tq, uint64_t now)
{
	unsigned long f = spin_lock(&tq->lock);
	struct timer *t = timer_expire_locked(tq, now);

	spin_unlock(&tq->lock, f);
	return t;
}

/* Wakes under the lock: a wake is lock-free, and the timer may be reused once we let go. */
size_t timer_tick(struct timer_queue *tq, uint64_t now)
{
	unsigned long f = spin_lock(&tq->lock);
	struct timer *t;
	size_t n = 0;

	if (now > tq->now)
		tq->now = now;
	while ((t = timer_expire_locked(tq, tq->now))) {
		waker_wake(&t->waker);
		n++;
	}
	spin_unlock(&tq->lock, f);
	return n;
}

uint64_t timer_next_deadline(const struct timer_queue *tq)
{
	return __atomic_load_n(&tq->next_deadline, __ATOMIC_ACQUIRE);
}

int timer_queue_check(const struct timer_queue *tq)
{
	for (size_t i = 0; i < tq->count; i++) {
		const struct timer *t = tq->heap[i];

		if (t->index != i || t->state != TIMER_PENDING)
			return -E_INVAL;
		if (i > 0 && timer_before(t, tq->heap[(i - 1) / 2]))
			return -E_INVAL;
	}
	if (timer_next_deadline(tq) !=
	    (tq->count ? tq->heap[0]->deadline : TIMER_NEVER))
		return -E_INVAL;
	return 0;
}

/* ---- the sleep future ------------------------------------------------------ */

void timer_sleep_until(struct timer_sleep *s, struct timer_queue *tq,
		       uint64_t deadline)
{
	timer_init(&s->timer);
	s->tq = tq;
	s->deadline = deadline;
}

void timer_sleep_for(struct timer_sleep *s, struct timer_queue *tq,
		     uint64_t duration)
{
	uint64_t deadline = tq->now + duration;

	timer_sleep_until(s, tq, deadline < tq->now ? TIMER_NEVER : deadline);
}

/* Under the queue's lock: the timer task may fire this timer on another CPU. */
enum task_poll timer_sleep_poll(struct timer_sleep *s, struct task_cx *cx)
{
	unsigned long f = spin_lock(&s->tq->lock);
	enum task_poll r = TASK_PENDING;

	if (timer_fired(&s->timer) || s->deadline <= s->tq->now)
		r = TASK_READY;
	else if (timer_pending(&s->timer))
		s->timer.waker = cx->waker;	/* the same task, or a new owner */
	else if (timer_start_locked(s->tq, &s->timer, s->deadline, &cx->waker) < 0)
		panic("timer: queue full (%zu pending timers)", s->tq->cap);
	spin_unlock(&s->tq->lock, f);
	return r;
}

void timer_sleep_cancel(struct timer_sleep *s)
{
	timer_cancel(s->tq, &s->timer);
}
