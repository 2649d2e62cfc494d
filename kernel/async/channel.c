/*
 * Bounded channels: a ring of fixed-size messages and two wait queues of
 * pending operations. Contract and wake-up rules in channel.h.
 */
#include "kernel/async/channel.h"
#include "lib/errno.h"
#include "lib/string.h"

int channel_init(struct channel *ch, void *buf, size_t cap, size_t msg_size)
{
	if (!buf || cap == 0 || msg_size == 0 || cap > UINT32_MAX ||
	    msg_size > SIZE_MAX / cap)
		return -E_INVAL;
	*ch = (struct channel){ .lock = SPINLOCK_INIT("channel", 0),
				.buf = buf, .cap = (uint32_t)cap,
				.msg_size = msg_size };
	return 0;
}

size_t channel_count(const struct channel *ch)
{
	return ch->count;
}

static void waitq_append(struct channel_waitq *q, struct channel_op *op)
{
	op->next = NULL;
	op->linked = true;
	if (q->last)
		q->last->next = op;
	else
		q->first = op;
	q->last = op;
}

static void waitq_remove(struct channel_waitq *q, struct channel_op *op)
{
	struct channel_op *prev = NULL, *cur = q->first;

	while (cur != op) {
		prev = cur;
		cur = cur->next;
	}
	if (prev)
		prev->next = op->next;
	else
		q->first = op->next;
	if (q->last == op)
		q->last = prev;
	op->next = NULL;
	op->linked = false;
}

/* The other side can go on: wake its oldest waiter, once. */
static void waitq_wake_first(struct channel_waitq *q)
{
	struct channel_op *op = q->first;

	if (!op)
		return;
	waitq_remove(q, op);
	op->woken = true;
	waker_wake(&op->waker);
}

static uint8_t *channel_slot(struct channel *ch, uint32_t i)
{
	uint32_t slot = ch->head + i;

	if (slot >= ch->cap)
		slot -= ch->cap;
	return ch->buf + (size_t)slot * ch->msg_size;
}

static bool try_send_locked(struct channel *ch, const void *msg)
{
	if (ch->count == ch->cap)
		return false;
	memcpy(channel_slot(ch, ch->count), msg, ch->msg_size);
	ch->count++;
	ch->sent++;
	waitq_wake_first(&ch->receivers);
	return true;
}

static bool try_recv_locked(struct channel *ch, void *msg)
{
	if (ch->count == 0)
		return false;
	memcpy(msg, channel_slot(ch, 0), ch->msg_size);
	ch->head = ch->head + 1 == ch->cap ? 0 : ch->head + 1;
	ch->count--;
	ch->received++;
	waitq_wake_first(&ch->senders);
	return true;
}

bool channel_try_send(struct channel *ch, const void *msg)
{
	unsigned long f = spin_lock(&ch->lock);
	bool ok = try_send_locked(ch, msg);

	spin_unlock(&ch->lock, f);
	return ok;
}

bool channel_try_recv(struct channel *ch, void *msg)
{
	unsigned long f = spin_lock(&ch->lock);
	bool ok = try_recv_locked(ch, msg);

	spin_unlock(&ch->lock, f);
	return ok;
}

void channel_op_init(struct channel_op *op, struct channel *ch, void *msg)
{
	*op = (struct channel_op){ .ch = ch, .msg = msg };
}

static struct channel_waitq *channel_waitq_of(struct channel_op *op)
{
	return op->sending ? &op->ch->senders : &op->ch->receivers;
}

/* Shared by both directions: done is the try's result; else wait in line. */
static enum task_poll channel_op_poll(struct channel_op *op, struct task_cx *cx,
				      bool done)
{
	struct channel_waitq *q = channel_waitq_of(op);

	op->woken = false;
	if (done) {
		if (op->linked)
			waitq_remove(q, op);	/* polled early, got through anyway */
		return TASK_READY;
	}
	op->waker = cx->waker;
	if (!op->linked)
		waitq_append(q, op);
	return TASK_PENDING;
}

/* The try and the wait-list change as one step under the channel's lock. */
enum task_poll channel_send_poll(struct channel_op *op, struct task_cx *cx)
{
	unsigned long f = spin_lock(&op->ch->lock);
	enum task_poll r;

	op->sending = true;
	r = channel_op_poll(op, cx, try_send_locked(op->ch, op->msg));
	spin_unlock(&op->ch->lock, f);
	return r;
}

enum task_poll channel_recv_poll(struct channel_op *op, struct task_cx *cx)
{
	unsigned long f = spin_lock(&op->ch->lock);
	enum task_poll r;

	op->sending = false;
	r = channel_op_poll(op, cx, try_recv_locked(op->ch, op->msg));
	spin_unlock(&op->ch->lock, f);
	return r;
}

/*
 * A cancelled op that was woken but never looked took a wake-up meant for
 * whoever can use the message or slot it announced: hand it on.
 */
static void cancel_locked(struct channel_op *op)
{
	struct channel *ch = op->ch;

	if (op->linked) {
		waitq_remove(channel_waitq_of(op), op);
		return;
	}
	if (!op->woken)
		return;
	op->woken = false;
	if (op->sending && ch->count < ch->cap)
		waitq_wake_first(&ch->senders);
	else if (!op->sending && ch->count > 0)
		waitq_wake_first(&ch->receivers);
}

void channel_op_cancel(struct channel_op *op)
{
	unsigned long f = spin_lock(&op->ch->lock);

	cancel_locked(op);
	spin_unlock(&op->ch->lock, f);
}
