/*
 * Bounded channels between tasks: a ring of cap messages of msg_size bytes
 * each, with a send future that pends while the ring is full and a recv
 * future that pends while it is empty. Any number of tasks may send and
 * receive on one channel; messages come out in the order they went in.
 *
 * A pending operation is linked into the channel's list of waiting senders
 * or receivers, oldest first. Each successful send wakes the oldest waiting
 * receiver and unlinks it, each successful receive the oldest waiting
 * sender: one wake-up per message or freed slot, never two for one, and a
 * waiter is woken at most once per wait. A woken operation that finds the
 * ring taken by a faster task links itself again at the tail.
 *
 * Memory: the ring and the operations are the caller's. An operation must
 * stay in place while it is pending; channel_op_cancel unlinks one that is
 * given up on (and passes a wake-up it received but did not use on to the
 * next waiter, so cancelling loses nothing).
 *
 * Context: task context only, on any CPU: each operation runs under the
 * channel's spinlock. Interrupt handlers feed tasks through a byte ring
 * (ring.h) and an atomic waker instead.
 */
#ifndef EMBER_KERNEL_CHANNEL_H
#define EMBER_KERNEL_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/async/task.h"

struct channel_op;

/* Operations waiting on one side of a channel, oldest first. */
struct channel_waitq {
	struct channel_op *first, *last;
};

struct channel {
	struct spinlock lock;	/* guards every field */
	uint8_t *buf;		/* cap * msg_size bytes */
	size_t msg_size;
	uint32_t cap;
	uint32_t head;		/* slot of the next message to receive */
	uint32_t count;		/* messages in the ring */
	struct channel_waitq senders, receivers;
	uint64_t sent, received;	/* totals, for statistics */
};

/* One send or receive, usable again after it completes (or is cancelled). */
struct channel_op {
	struct channel *ch;
	void *msg;		/* the message to send, or where to receive it */
	struct waker waker;
	struct channel_op *next;
	bool sending;		/* set by the first poll: which side it waits on */
	bool linked;		/* in the channel's senders or receivers */
	bool woken;		/* unlinked by a wake-up not consumed yet */
};

/*
 * A channel of cap messages of msg_size bytes in buf[0..cap * msg_size).
 * Returns 0 or -E_INVAL (NULL buf, zero sizes, cap above UINT32_MAX, or a
 * size product that overflows).
 */
int channel_init(struct channel *ch, void *buf, size_t cap, size_t msg_size);

/* Non-blocking: copy msg in / the oldest message out. False if full / empty. */
bool channel_try_send(struct channel *ch, const void *msg);
bool channel_try_recv(struct channel *ch, void *msg);

size_t channel_count(const struct channel *ch);

/* Prepare op to send msg (copied when it completes) or receive into msg. */
void channel_op_init(struct channel_op *op, struct channel *ch, void *msg);

/* Poll until TASK_READY; the message has moved then. */
enum task_poll channel_send_poll(struct channel_op *op, struct task_cx *cx);
enum task_poll channel_recv_poll(struct channel_op *op, struct task_cx *cx);

/* Give up a send or receive that has not completed. */
void channel_op_cancel(struct channel_op *op);

#endif
