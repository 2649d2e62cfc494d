/*
 * The executor's cost per wake-and-poll cycle: TASKS tasks each wake
 * themselves and return PENDING ROUNDS times, then finish. Run under
 * callgrind by executor_bench.py, which counts the instructions inside the
 * noinline entry point of each design and divides by the cycles it prints.
 *
 *   executor_bench ember|blog TASKS ROUNDS
 *
 *   ember  kernel/async/task.c as the kernel uses it, on a platform whose
 *          interrupt save/restore and clock cost what a call costs;
 *   blog   a C rendering of the blog's executor, as the baseline: tasks
 *          and the waker cache in ordered maps keyed by task id (sorted
 *          arrays searched by halving, standing in for BTreeMap), a
 *          bounded lock-free MPMC queue of ids (crossbeam's ArrayQueue),
 *          heap-allocated reference-counted wakers called through a
 *          vtable, futures as boxed objects with a poll method.
 *
 * Host -O2 without sanitizers. Set-up and spawning are outside the
 * measured functions; each design checks its own results before printing.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/panic.h"
#include "kernel/arch.h"
#include "kernel/async/task.h"
#include "kernel/smp/percpu.h"
#include "lib/compiler.h"

void panic_at(const char *file, int line, const char *func, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "panic at %s:%d (%s): ", file, line, func);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

struct spinner {
	uint32_t left;		/* polls still to go */
};

/* ---- Ember ----------------------------------------------------------------- */

static uint64_t bench_clock;

/* What the kernel's pushf/pop/cli and rdtsc amount to, as calls. */
static unsigned long bench_irq_save(void)
{
	return 1;
}

static void bench_irq_restore(unsigned long flags)
{
	(void)flags;
}

static bool bench_irq_enabled(void)
{
	return true;
}

/* The executor's spinlock (kernel/smp/spinlock.c) reaches the CPU through these. */
unsigned long arch_irq_save(void)
{
	return 1;
}

void arch_irq_restore(unsigned long flags)
{
	(void)flags;
}

struct cpu *cpu_self(void)
{
	return NULL;   /* only spinlock debug mode asks, and the bench leaves it off */
}

static void bench_idle(void)
{
	panic("bench: the executor went idle");
}

static uint64_t bench_timestamp(void)
{
	return ++bench_clock;
}

static const struct task_platform bench_platform = {
	.irq_save = bench_irq_save, .irq_restore = bench_irq_restore,
	.irq_enabled = bench_irq_enabled, .idle = bench_idle,
	.timestamp = bench_timestamp,
};

static enum task_poll spinner_poll(void *arg, struct task_cx *cx)
{
	struct spinner *s = arg;

	if (--s->left == 0)
		return TASK_READY;
	waker_wake(&cx->waker);
	return TASK_PENDING;
}

size_t bench_run_ember(struct executor *ex);

/* Measured: every wake and poll of the run. */
__attribute__((noinline, noclone)) size_t bench_run_ember(struct executor *ex)
{
	return executor_run_ready(ex);
}

static int run_ember(uint32_t tasks, uint32_t rounds, uint64_t *polls)
{
	size_t cap = 1;
	struct task *table = calloc(tasks, sizeof(*table));
	struct spinner *sp = calloc(tasks, sizeof(*sp));
	uint64_t *queue;
	struct executor ex;

	while (cap < tasks)
		cap *= 2;
	queue = calloc(cap, sizeof(*queue));
	if (!table || !sp || !queue ||
	    executor_init(&ex, &bench_platform, table, tasks, queue, cap) < 0)
		return -1;
	for (uint32_t i = 0; i < tasks; i++) {
		sp[i].left = rounds;
		if (executor_spawn(&ex, "spin", spinner_poll, &sp[i], NULL) < 0)
			return -1;
	}
	*polls = bench_run_ember(&ex);
	for (uint32_t i = 0; i < tasks; i++)
		if (sp[i].left != 0)
			return -1;
	return executor_live(&ex) == 0 && ex.stats.finished == tasks ? 0 : -1;
}

/* ---- the blog's executor, in C ---------------------------------------------- */

struct blog_context;

/* Pin<Box<dyn Future<Output = ()>>>: an object with a vtable. */
struct blog_future_vtable {
	enum task_poll (*poll)(void *self, struct blog_context *cx);
	void (*drop)(void *self);
};

struct blog_future {
	const struct blog_future_vtable *vt;
	struct spinner state;
};

/* crossbeam ArrayQueue: a cell per slot with a stamp, CAS on head and tail. */
struct blog_cell {
	uint64_t stamp;
	uint64_t value;
};

struct blog_queue {
	uint64_t head, tail;
	uint64_t cap, one_lap;
	struct blog_cell *cells;
};

/* Waker: a data pointer and a vtable (RawWakerVTable). */
struct blog_waker_vtable {
	void (*wake_by_ref)(const void *data);
	void (*drop)(const void *data);
};

struct blog_waker {
	const struct blog_waker_vtable *vt;
	const void *data;
};

/* Arc<TaskWaker>: strong count, task id, Arc<ArrayQueue<TaskId>>. */
struct blog_task_waker {
	uint64_t strong;
	uint64_t task_id;
	struct blog_queue *queue;
};

struct blog_context {
	const struct blog_waker *waker;
};

/*
 * An ordered map keyed by task id, standing in for BTreeMap: O(log n)
 * look-up by halving; ids arrive in increasing order, so insertion appends;
 * removal leaves a tombstone (value NULL), so it stays O(log n) too.
 */
struct blog_entry {
	uint64_t id;
	void *value;
};

struct blog_map {
	struct blog_entry *e;
	size_t n, cap;
	size_t live;		/* entries that are not tombstones */
};

struct blog_executor {
	struct blog_map tasks;		/* id -> struct blog_future * */
	struct blog_map waker_cache;	/* id -> struct blog_waker * */
	struct blog_queue *task_queue;
	uint64_t next_id;
};

static int blog_queue_push(struct blog_queue *q, uint64_t value)
{
	uint64_t tail = __atomic_load_n(&q->tail, __ATOMIC_RELAXED);

	for (;;) {
		uint64_t index = tail & (q->one_lap - 1);
		uint64_t lap = tail & ~(q->one_lap - 1);
		uint64_t new_tail = index + 1 < q->cap ? tail + 1 : lap + q->one_lap;
		struct blog_cell *c = &q->cells[index];
		uint64_t stamp = __atomic_load_n(&c->stamp, __ATOMIC_ACQUIRE);

		if (stamp == tail) {
			if (__atomic_compare_exchange_n(&q->tail, &tail, new_tail, true,
							__ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
				c->value = value;
				__atomic_store_n(&c->stamp, tail + 1, __ATOMIC_RELEASE);
				return 0;
			}
		} else if (stamp + q->one_lap == tail + 1) {
			if (__atomic_load_n(&q->head, __ATOMIC_RELAXED) + q->one_lap == tail)
				return -1;	/* full */
			tail = __atomic_load_n(&q->tail, __ATOMIC_RELAXED);
		} else {
			tail = __atomic_load_n(&q->tail, __ATOMIC_RELAXED);
		}
	}
}

static bool blog_queue_pop(struct blog_queue *q, uint64_t *value)
{
	uint64_t head = __atomic_load_n(&q->head, __ATOMIC_RELAXED);

	for (;;) {
		uint64_t index = head & (q->one_lap - 1);
		uint64_t lap = head & ~(q->one_lap - 1);
		uint64_t new_head = index + 1 < q->cap ? head + 1 : lap + q->one_lap;
		struct blog_cell *c = &q->cells[index];
		uint64_t stamp = __atomic_load_n(&c->stamp, __ATOMIC_ACQUIRE);

		if (stamp == head + 1) {
			if (__atomic_compare_exchange_n(&q->head, &head, new_head, true,
							__ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
				*value = c->value;
				__atomic_store_n(&c->stamp, head + q->one_lap, __ATOMIC_RELEASE);
				return true;
			}
		} else if (stamp == head) {
			if (__atomic_load_n(&q->tail, __ATOMIC_RELAXED) == head)
				return false;	/* empty */
			head = __atomic_load_n(&q->head, __ATOMIC_RELAXED);
		} else {
			head = __atomic_load_n(&q->head, __ATOMIC_RELAXED);
		}
	}
}

static struct blog_queue *blog_queue_new(uint64_t cap)
{
	struct blog_queue *q = calloc(1, sizeof(*q));

	if (!q || !(q->cells = calloc(cap, sizeof(*q->cells))))
		return NULL;
	q->cap = cap;
	q->one_lap = 1;
	while (q->one_lap <= cap)
		q->one_lap *= 2;
	for (uint64_t i = 0; i < cap; i++)
		q->cells[i].stamp = i;
	return q;
}

/* BTreeMap::get: the index of id, or where it would go (*found false). */
static size_t blog_map_search(const struct blog_map *m, uint64_t id, bool *found)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->e[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < m->n && m->e[lo].id == id;
	return lo;
}

static void *blog_map_get(const struct blog_map *m, uint64_t id)
{
	bool found;
	size_t i = blog_map_search(m, id, &found);

	return found ? m->e[i].value : NULL;
}

static int blog_map_insert(struct blog_map *m, uint64_t id, void *value)
{
	bool found;
	size_t i = blog_map_search(m, id, &found);

	if (found) {
		m->live += m->e[i].value == NULL;
		m->e[i].value = value;
		return 0;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 8;
		struct blog_entry *e = realloc(m->e, cap * sizeof(*e));

		if (!e)
			return -1;
		m->e = e;
		m->cap = cap;
	}
	memmove(&m->e[i + 1], &m->e[i], (m->n - i) * sizeof(*m->e));
	m->e[i] = (struct blog_entry){ .id = id, .value = value };
	m->n++;
	m->live++;
	return 0;
}

static void *blog_map_remove(struct blog_map *m, uint64_t id)
{
	bool found;
	size_t i = blog_map_search(m, id, &found);
	void *value;

	if (!found || !m->e[i].value)
		return NULL;
	value = m->e[i].value;
	m->e[i].value = NULL;
	m->live--;
	return value;
}

/* TaskWaker::wake_task: self.task_queue.push(self.task_id).expect("task_queue full") */
static void blog_waker_wake_by_ref(const void *data)
{
	const struct blog_task_waker *tw = data;

	if (blog_queue_push(tw->queue, tw->task_id) < 0)
		panic("bench: task_queue full");
}

static void blog_waker_drop(const void *data)
{
	struct blog_task_waker *tw = (struct blog_task_waker *)data;

	if (__atomic_sub_fetch(&tw->strong, 1, __ATOMIC_RELEASE) == 0)
		free(tw);
}

static const struct blog_waker_vtable blog_waker_vt = {
	.wake_by_ref = blog_waker_wake_by_ref, .drop = blog_waker_drop,
};

/* TaskWaker::new(task_id, task_queue.clone()) -> Waker */
static struct blog_waker *blog_waker_new(uint64_t id, struct blog_queue *q)
{
	struct blog_task_waker *tw = malloc(sizeof(*tw));
	struct blog_waker *w = malloc(sizeof(*w));

	if (!tw || !w)
		panic("bench: out of memory");
	*tw = (struct blog_task_waker){ .strong = 1, .task_id = id, .queue = q };
	*w = (struct blog_waker){ .vt = &blog_waker_vt, .data = tw };
	return w;
}

static enum task_poll blog_spinner_poll(void *self, struct blog_context *cx)
{
	struct blog_future *f = self;

	if (--f->state.left == 0)
		return TASK_READY;
	cx->waker->vt->wake_by_ref(cx->waker->data);
	return TASK_PENDING;
}

static void blog_future_drop(void *self)
{
	(void)self;	/* owned by the bench, checked after the run */
}

static const struct blog_future_vtable blog_spinner_vt = {
	.poll = blog_spinner_poll, .drop = blog_future_drop,
};

/* Executor::run_ready_tasks, line by line. */
static size_t blog_run_ready_tasks(struct blog_executor *ex)
{
	uint64_t id;
	size_t polls = 0;

	while (blog_queue_pop(ex->task_queue, &id)) {
		struct blog_future *task = blog_map_get(&ex->tasks, id);
		struct blog_waker *waker;
		struct blog_context cx;

		if (!task)
			continue;	/* task no longer exists */
		waker = blog_map_get(&ex->waker_cache, id);
		if (!waker) {
			waker = blog_waker_new(id, ex->task_queue);
			blog_map_insert(&ex->waker_cache, id, waker);
		}
		cx.waker = waker;
		polls++;
		if (task->vt->poll(task, &cx) == TASK_READY) {
			task->vt->drop(blog_map_remove(&ex->tasks, id));
			waker = blog_map_remove(&ex->waker_cache, id);
			waker->vt->drop(waker->data);
			free(waker);
		}
	}
	return polls;
}

size_t bench_run_blog(struct blog_executor *ex);

__attribute__((noinline, noclone)) size_t bench_run_blog(struct blog_executor *ex)
{
	return blog_run_ready_tasks(ex);
}

static int run_blog(uint32_t tasks, uint32_t rounds, uint64_t *polls)
{
	/* The blog's queue holds 100 ids; more tasks need a larger one. */
	struct blog_executor ex = { .task_queue = blog_queue_new(MAX(tasks, 100u)) };
	struct blog_future *f = calloc(tasks, sizeof(*f));

	if (!ex.task_queue || !f)
		return -1;
	for (uint32_t i = 0; i < tasks; i++) {
		uint64_t id = ex.next_id++;	/* Executor::spawn */

		f[i] = (struct blog_future){ .vt = &blog_spinner_vt,
					     .state = { .left = rounds } };
		if (blog_map_insert(&ex.tasks, id, &f[i]) < 0 ||
		    blog_queue_push(ex.task_queue, id) < 0)
			return -1;
	}
	*polls = bench_run_blog(&ex);
	for (uint32_t i = 0; i < tasks; i++)
		if (f[i].state.left != 0)
			return -1;
	return ex.tasks.live == 0 && ex.waker_cache.live == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	uint32_t tasks, rounds;
	uint64_t polls = 0;
	int err;

	if (argc != 4 || (strcmp(argv[1], "ember") && strcmp(argv[1], "blog"))) {
		fprintf(stderr, "usage: %s ember|blog TASKS ROUNDS\n", argv[0]);
		return 2;
	}
	tasks = (uint32_t)strtoul(argv[2], NULL, 10);
	rounds = (uint32_t)strtoul(argv[3], NULL, 10);
	if (tasks == 0 || rounds < 2)
		return 2;
	err = strcmp(argv[1], "ember") ? run_blog(tasks, rounds, &polls)
				      : run_ember(tasks, rounds, &polls);
	if (err < 0 || polls != (uint64_t)tasks * rounds) {
		fprintf(stderr, "%s: wrong result (polls %llu)\n", argv[1],
			(unsigned long long)polls);
		return 1;
	}
	/* Cycles: wake-ups made inside the run, each followed by its poll. */
	printf("design %s tasks %u rounds %u polls %llu cycles %llu\n", argv[1],
	       tasks, rounds, (unsigned long long)polls,
	       (unsigned long long)tasks * (rounds - 1));
	return 0;
}
