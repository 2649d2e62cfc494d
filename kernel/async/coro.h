/*
 * Stackless coroutines for poll functions: what Rust's async/await compiles
 * to, written by hand. A poll function keeps a struct coro in its state; the
 * macros turn its body into a switch on the saved resume point (the line of
 * the last await), so the next poll jumps straight back into the middle of
 * whatever loop it was in:
 *
 *	static enum task_poll echo_poll(void *arg, struct task_cx *cx)
 *	{
 *		struct echo *e = arg;
 *
 *		CORO_BEGIN(&e->co);
 *		for (e->n = 0; e->n < 10; e->n++) {
 *			channel_op_init(&e->op, e->in, &e->msg);
 *			CORO_AWAIT(&e->co, channel_recv_poll(&e->op, cx));
 *			print(e->msg);
 *			CORO_YIELD(&e->co, cx);
 *		}
 *		CORO_END(&e->co);
 *	}
 *
 * Rules (the price of having no stack of its own):
 *  - locals do not survive an await or yield: keep what you need in the state;
 *  - at most one CORO_* macro per source line (the line is the resume point);
 *  - no CORO_AWAIT/CORO_YIELD inside a switch statement of your own;
 *  - CORO_AWAIT(co, expr) re-evaluates expr on every poll until it is true
 *    (TASK_READY is 1): a future's poll, or a condition. Whoever makes it
 *    true must wake the task: register cx->waker before testing it.
 *
 * Pure: any context the poll function runs in.
 */
#ifndef EMBER_KERNEL_CORO_H
#define EMBER_KERNEL_CORO_H

#include "kernel/panic.h"
#include "kernel/async/task.h"

#define CORO_DONE  (-1)		/* resume point of a finished coroutine */

struct coro {
	int line;		/* 0: not started; CORO_DONE; else a __LINE__ */
};

static inline void coro_init(struct coro *co)
{
	co->line = 0;
}

static inline bool coro_done(const struct coro *co)
{
	return co->line == CORO_DONE;
}

/* Open the body. A finished coroutine stays finished: polls return READY. */
#define CORO_BEGIN(co)                                                        \
	switch ((co)->line) {                                                 \
	default:                                                              \
		panic("coro: bad resume point %d", (co)->line);               \
	case CORO_DONE:                                                       \
		return TASK_READY;                                            \
	case 0:

/* Return PENDING until expr is true; the next poll tests it again. */
#define CORO_AWAIT(co, expr)                                                  \
	do {                                                                  \
		(co)->line = __LINE__;                                        \
		__attribute__((fallthrough));                                 \
	case __LINE__:                                                        \
		if (!(expr))                                                  \
			return TASK_PENDING;                                  \
	} while (0)

/* Let every other ready task run once, then go on here. */
#define CORO_YIELD(co, cx)                                                    \
	do {                                                                  \
		(co)->line = __LINE__;                                        \
		waker_wake(&(cx)->waker);                                     \
		return TASK_PENDING;                                          \
	case __LINE__:;                                                       \
	} while (0)

/* Finish early: the task is done. */
#define CORO_EXIT(co)                                                         \
	do {                                                                  \
		(co)->line = CORO_DONE;                                       \
		return TASK_READY;                                            \
	} while (0)

/* Close the body: falling off the end finishes the task. */
#define CORO_END(co)                                                          \
	}                                                                     \
	(co)->line = CORO_DONE;                                               \
	return TASK_READY

#endif
