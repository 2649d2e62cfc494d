/*
 * The executor: task table with a free list, wakers, the run loop with its
 * race-free idle, the join future and the atomic waker. The contract, and
 * which context may call what, is in task.h; the ready queue is taskq.h.
 * Every CPU may run the loop at once: the ready queue is popped lock-free,
 * a task's run state keeps its polls apart, and the table's free list, the
 * live count and the join lists are under ex->lock.
 */
#include "kernel/panic.h"
#include "kernel/async/task.h"
#include "lib/errno.h"

/* atomic_waker.state: WAKING may be or-ed onto REGISTERING. */
#define AW_WAITING      0u
#define AW_REGISTERING  1u
#define AW_WAKING       2u

static bool platform_complete(const struct task_platform *p)
{
	return p && p->irq_save && p->irq_restore && p->irq_enabled &&
	       p->idle && p->timestamp;
}

int executor_init(struct executor *ex, const struct task_platform *plat,
		  struct task *tasks, size_t max_tasks,
		  uint64_t *queue, size_t queue_cap)
{
	if (!ex || !platform_complete(plat) || !tasks || max_tasks == 0 ||
	    max_tasks > TASK_MAX || queue_cap < max_tasks)
		return -E_INVAL;
	*ex = (struct executor){ .lock = SPINLOCK_INIT("executor", SPIN_RANK_EXECUTOR),
				 .plat = plat, .tasks = tasks,
				 .max_tasks = (uint32_t)max_tasks };
	if (taskq_init(&ex->ready, queue, queue_cap) < 0)
		return -E_INVAL;
	for (uint32_t i = 0; i < max_tasks; i++)
		tasks[i] = (struct task){ .cx.ex = ex, .slot = i, .next_free = i + 1 };
	tasks[max_tasks - 1].next_free = TASK_NONE;
	return 0;
}

/* The slot a handle names, after a bounds check. */
static struct task *executor_slot(const struct executor *ex, uint32_t slot)
{
	if (slot >= ex->max_tasks)
		panic("task: slot %u out of range (%u slots)", slot, ex->max_tasks);
	return &ex->tasks[slot];
}

static unsigned executor_cpu(const struct executor *ex)
{
	return ex->plat->cpu_index ? ex->plat->cpu_index() : 0;
}

int executor_spawn(struct executor *ex, const char *name, task_poll_fn *poll,
		   void *state, struct task_handle *out)
{
	unsigned long flags;
	uint32_t slot, gen;
	struct task *t;

	if (!poll)
		return -E_INVAL;
	flags = spin_lock(&ex->lock);
	slot = ex->free_head;
	if (slot == TASK_NONE) {
		spin_unlock(&ex->lock, flags);
		return -E_NOSPC;
	}
	t = &ex->tasks[slot];
	ex->free_head = t->next_free;
	t->poll = poll;
	t->state = state;
	t->name = name ? name : "task";
	t->joiners = NULL;
	t->stats = (struct task_stats){ 0 };
	t->last_cpu = 0;
	gen = t->gen + 1;
	t->cx.waker = (struct waker){ .task = t, .gen = gen };
	/* Published last: a waker matching gen finds the task complete. */
	__atomic_store_n(&t->gen, gen, __ATOMIC_RELEASE);
	ex->live++;
	ex->stats.spawned++;
	spin_unlock(&ex->lock, flags);
	if (out)
		*out = (struct task_handle){ .slot = slot, .gen = gen };
	waker_wake(&t->cx.waker);
	return 0;
}

/*
 * The task in t returned READY: wake its joiners, free the slot. A wake-up
 * still queued for the slot stays queued: the pop finds a free slot and
 * skips it, or a task spawned there meanwhile takes it as its first poll.
 */
static void executor_finish(struct executor *ex, struct task *t)
{
	struct task_join *j, *joiners;
	unsigned long flags = spin_lock(&ex->lock);

	__atomic_store_n(&t->gen, t->gen + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&t->queued, TASK_IDLE, __ATOMIC_RELEASE);  /* late wakes: stale */
	joiners = t->joiners;
	t->joiners = NULL;
	for (j = joiners; j; j = j->next)
		j->linked = false;
	t->poll = NULL;
	t->state = NULL;
	t->next_free = ex->free_head;
	ex->free_head = t->slot;
	__atomic_store_n(&ex->live, ex->live - 1, __ATOMIC_RELEASE);
	ex->stats.finished++;
	spin_unlock(&ex->lock, flags);
	while ((j = joiners)) {   /* unlinked under the lock: ours alone now */
		joiners = j->next;
		j->next = NULL;
		waker_wake(&j->waker);
	}
}

/*
 * A poll returned PENDING: the task goes back to IDLE, unless a wake-up
 * arrived during the poll (RUNNING_WOKEN): then it is queued again. Only
 * this CPU can leave RUNNING_WOKEN (wakers see bit 0 set and stop), so the
 * plain store of QUEUED cannot race with a waker's push.
 */
static inline void executor_release(struct executor *ex, struct task *t)
{
	uint8_t running = TASK_RUNNING;

	if (unlikely(!__atomic_compare_exchange_n(&t->queued, &running, TASK_IDLE, false,
						  __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))) {
		__atomic_store_n(&t->queued, TASK_QUEUED, __ATOMIC_RELAXED);
		executor_enqueue(ex, t);
	}
}

/*
 * The next live task from the ready queue, its state RUNNING, or NULL. From
 * then on a wake-up marks it RUNNING_WOKEN and executor_release queues it
 * again after the poll: the poll cannot miss what caused it. Entries of
 * tasks that finished while queued are counted in *skipped.
 */
static inline struct task *executor_pop(struct executor *ex, size_t *skipped)
{
	uint32_t slot;
	struct task *t;

	for (;;) {
		if (!taskq_pop(&ex->ready, &slot))
			return NULL;
		t = &ex->tasks[slot];
		if (likely(__atomic_load_n(&t->gen, __ATOMIC_ACQUIRE) & 1)) {
			/* An exchange, not a store: a full barrier before the poll's
			 * loads. A plain store may wait in the store buffer while the
			 * poll reads its condition (x86 lets loads pass older stores);
			 * a waker on another CPU that changed the condition then finds
			 * QUEUED, does nothing, and the store of RUNNING lands after
			 * its or: the poll saw the old condition and the wake is lost. */
			__atomic_exchange_n(&t->queued, TASK_RUNNING, __ATOMIC_SEQ_CST);
			return t;
		}
		__atomic_store_n(&t->queued, TASK_IDLE, __ATOMIC_RELEASE);
		++*skipped;
	}
}

/* Close the poll's interval: charge the clock's reading, count the poll. */
static inline uint64_t executor_charge(struct task *t, uint64_t (*timestamp)(void))
{
	uint64_t now = timestamp();

	t->stats.cpu_ticks += now;
	t->stats.polls++;
	return now;
}

/* executor_set_cpu_limit keeps this CPU out: it neither polls nor stays awake. */
static bool executor_kept_out(const struct executor *ex, unsigned cpu)
{
	uint32_t limit = __atomic_load_n(&ex->cpu_limit, __ATOMIC_RELAXED);

	return limit && cpu >= limit;
}

/*
 * The hot loop. Each clock read ends one poll's interval and starts the
 * next, so a task is charged for its poll and the executor's few
 * instructions before it. The charge is made in two halves around the
 * poll (two instructions instead of six): a task that reads its own
 * cpu_ticks from inside its poll sees the start subtracted already. It is
 * closed in each branch, so the poll's result need not outlive the clock
 * read, and polls are counted afterwards, as entries taken off the queue
 * minus those skipped: each instruction here is 2% of a cycle.
 */
size_t executor_run_ready(struct executor *ex)
{
	uint64_t (*timestamp)(void) = ex->plat->timestamp;
	uint64_t then = timestamp();
	unsigned cpu = executor_cpu(ex);
	size_t skipped = 0, polls = 0;
	struct task *t;

	ASSERT(cpu < EXECUTOR_MAX_CPUS && !ex->polling[cpu]);
	if (unlikely(executor_kept_out(ex, cpu)))
		return 0;          /* kept out for a measurement */
	ex->polling[cpu] = true;
	while ((t = executor_pop(ex, &skipped))) {
		t->stats.cpu_ticks -= then;
		t->last_cpu = (uint8_t)cpu;
		polls++;
		if (likely(t->poll(t->state, &t->cx) == TASK_PENDING)) {
			then = executor_charge(t, timestamp);
			executor_release(ex, t);
		} else {
			then = executor_charge(t, timestamp);
			executor_finish(ex, t);
		}
	}
	ex->polling[cpu] = false;
	__atomic_fetch_add(&ex->stats.polls, polls, __ATOMIC_RELAXED);
	ex->stats.cpu_polls[cpu] += polls;
	return polls;
}

/* A push found CPUs asleep: take one's bit (it sets it again next time) and wake it. */
void executor_kick(struct executor *ex)
{
	unsigned self = executor_cpu(ex);
	uint32_t limit = __atomic_load_n(&ex->cpu_limit, __ATOMIC_RELAXED);
	uint32_t mask = __atomic_load_n(&ex->idle_mask, __ATOMIC_ACQUIRE) & ~(1u << self);

	if (limit && limit < 32)
		mask &= (1u << limit) - 1;   /* CPUs kept out would only go back to sleep */

	while (mask && ex->plat->kick) {
		uint32_t bit = mask & -mask;

		if (__atomic_fetch_and(&ex->idle_mask, ~bit, __ATOMIC_ACQ_REL) & bit) {
			ex->plat->kick((unsigned)__builtin_ctz(bit));
			return;
		}
		mask &= ~bit;
	}
}

/* A stop came since the caller's executor_run began (it saw generation gen). */
static bool executor_stopping(const struct executor *ex, uint32_t gen)
{
	return __atomic_load_n(&ex->stop, __ATOMIC_ACQUIRE) != gen;
}

/*
 * The blog's sleep_if_idle. The queue is checked with interrupts disabled:
 * an interrupt that wakes a task after the check stays pending at the CPU
 * until idle enables interrupts, and idle enables them and halts as one
 * step, so that interrupt ends the halt instead of being slept through.
 * A CPU kept out by executor_set_cpu_limit sleeps whatever the queue holds:
 * looping past tasks it may not take would burn the CPU (under TCG, a host
 * core) that the measurement is about.
 */
static void executor_idle_gen(struct executor *ex, uint32_t gen)
{
	const struct task_platform *plat = ex->plat;
	unsigned long flags = plat->irq_save();
	unsigned cpu = executor_cpu(ex);
	uint32_t bit = 1u << cpu;

	/* Dekker with executor_enqueue: set the bit, then look at the queue
	 * (a full barrier between); a pusher pushes, then reads the bits. */
	__atomic_fetch_or(&ex->idle_mask, bit, __ATOMIC_SEQ_CST);
	if ((taskq_empty(&ex->ready) || executor_kept_out(ex, cpu)) &&
	    !executor_stopping(ex, gen)) {
		__atomic_fetch_add(&ex->stats.idles, 1, __ATOMIC_RELAXED);
		plat->idle();
	}
	__atomic_fetch_and(&ex->idle_mask, ~bit, __ATOMIC_RELEASE);
	plat->irq_restore(flags);
}

void executor_idle(struct executor *ex)
{
	executor_idle_gen(ex, __atomic_load_n(&ex->stop, __ATOMIC_ACQUIRE));
}

static uint32_t executor_live_now(const struct executor *ex)
{
	return __atomic_load_n(&ex->live, __ATOMIC_ACQUIRE);
}

/*
 * Stops are counted, not flagged: each run returns on the first stop after
 * it began, and no CPU has to clear anything, so a CPU that comes back in
 * at once is not sent out again by a stop meant for the last round.
 */
uint32_t executor_stops(const struct executor *ex)
{
	return __atomic_load_n(&ex->stop, __ATOMIC_ACQUIRE);
}

void executor_run(struct executor *ex)
{
	executor_run_since(ex, executor_stops(ex));
}

void executor_run_since(struct executor *ex, uint32_t gen)
{
	ASSERT(ex->plat->irq_enabled());
	__atomic_fetch_add(&ex->running, 1, __ATOMIC_ACQ_REL);
	while (executor_live_now(ex) > 0 && !executor_stopping(ex, gen)) {
		executor_run_ready(ex);
		if (executor_live_now(ex) > 0)
			executor_idle_gen(ex, gen);
	}
	__atomic_sub_fetch(&ex->running, 1, __ATOMIC_ACQ_REL);
}

/* Wake every CPU asleep in idle, to look again at what just changed. */
static void executor_wake_sleepers(struct executor *ex)
{
	uint32_t mask = __atomic_exchange_n(&ex->idle_mask, 0, __ATOMIC_ACQ_REL);

	for (; mask && ex->plat->kick; mask &= mask - 1)
		ex->plat->kick((unsigned)__builtin_ctz(mask));
}

/* Every CPU asleep in idle is woken to see the new count. */
void executor_stop(struct executor *ex)
{
	__atomic_fetch_add(&ex->stop, 1, __ATOMIC_SEQ_CST);
	executor_wake_sleepers(ex);
}

/* CPUs let back in may be asleep with tasks queued: every sleeper is woken to look. */
void executor_set_cpu_limit(struct executor *ex, unsigned n)
{
	__atomic_store_n(&ex->cpu_limit, n, __ATOMIC_SEQ_CST);
	executor_wake_sleepers(ex);
}

size_t executor_live(const struct executor *ex)
{
	return executor_live_now(ex);
}

bool executor_alive(const struct executor *ex, struct task_handle h)
{
	return h.slot < ex->max_tasks && (h.gen & 1) &&
	       __atomic_load_n(&ex->tasks[h.slot].gen, __ATOMIC_ACQUIRE) == h.gen;
}

int executor_task_stats(const struct executor *ex, struct task_handle h,
			struct task_stats *out)
{
	struct task_info info;

	if (!executor_alive(ex, h) || executor_task_info(ex, h.slot, &info) < 0)
		return -E_NOENT;
	*out = info.stats;
	return 0;
}

int executor_task_info(const struct executor *ex, uint32_t slot,
		       struct task_info *out)
{
	const struct task *t;

	if (slot >= ex->max_tasks || !(ex->tasks[slot].gen & 1))
		return -E_NOENT;
	t = &ex->tasks[slot];
	*out = (struct task_info){
		.handle = { .slot = slot, .gen = t->gen }, .name = t->name,
		.stats = t->stats,
		.queued = __atomic_load_n(&t->queued, __ATOMIC_RELAXED) & TASK_QUEUED,
		.last_cpu = t->last_cpu,
	};
	/* Counted by wakers in any context: one atomic read. */
	out->stats.wakes = __atomic_load_n(&t->stats.wakes, __ATOMIC_RELAXED);
	return 0;
}

/* ---- the join future ------------------------------------------------------ */

void task_join_init(struct task_join *j, struct executor *ex,
		    struct task_handle target)
{
	*j = (struct task_join){ .ex = ex, .target = target };
}

/* Append j to the target's joiners: woken in the order they started waiting. */
static void task_join_link(struct task *t, struct task_join *j)
{
	struct task_join **p = &t->joiners;

	while (*p)
		p = &(*p)->next;
	j->next = NULL;
	j->linked = true;
	*p = j;
}

/* Under the executor's lock: the target cannot finish half-way through. */
enum task_poll task_join_poll(struct task_join *j, struct task_cx *cx)
{
	struct task *t = executor_slot(j->ex, j->target.slot);
	unsigned long flags;

	if (cx->waker.task == t && t->gen == j->target.gen)
		panic("task: %s joins itself", t->name);
	flags = spin_lock(&j->ex->lock);
	if (t->gen != j->target.gen) {
		spin_unlock(&j->ex->lock, flags);
		return TASK_READY;
	}
	j->waker = cx->waker;
	if (!j->linked)
		task_join_link(t, j);
	spin_unlock(&j->ex->lock, flags);
	return TASK_PENDING;
}

void task_join_cancel(struct task_join *j)
{
	struct task *t;
	struct task_join **p;
	unsigned long flags = spin_lock(&j->ex->lock);

	if (j->linked) {
		t = executor_slot(j->ex, j->target.slot);
		for (p = &t->joiners; *p != j; p = &(*p)->next)
			ASSERT(*p);
		*p = j->next;
		j->next = NULL;
		j->linked = false;
	}
	spin_unlock(&j->ex->lock, flags);
}

/* ---- the atomic waker ---------------------------------------------------- */

void atomic_waker_init(struct atomic_waker *aw)
{
	*aw = (struct atomic_waker){ .state = AW_WAITING };
}

/* Registering saw a wake arrive meanwhile: that wake left its work to us. */
static void atomic_waker_finish_race(struct atomic_waker *aw)
{
	struct waker w = aw->waker;

	aw->waker = WAKER_NOOP;
	aw->races++;
	__atomic_store_n(&aw->state, AW_WAITING, __ATOMIC_RELEASE);
	waker_wake(&w);
}

void atomic_waker_register(struct atomic_waker *aw, const struct waker *w)
{
	uint32_t prev = AW_WAITING;

	if (__atomic_compare_exchange_n(&aw->state, &prev, AW_REGISTERING, false,
					__ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE)) {
		aw->waker = *w;
		prev = AW_REGISTERING;
		if (!__atomic_compare_exchange_n(&aw->state, &prev, AW_WAITING, false,
						 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			atomic_waker_finish_race(aw);
		return;
	}
	/* Another CPU is inside wake (it took the old waker): wake ourselves. */
	if (prev == AW_WAKING) {
		waker_wake(w);
		return;
	}
	panic("atomic_waker: two registrations at once");
}

void atomic_waker_wake(struct atomic_waker *aw)
{
	struct waker w;

	/* Not WAITING: a register will see the bit, or another wake is on it. */
	if (__atomic_fetch_or(&aw->state, AW_WAKING, __ATOMIC_ACQ_REL) != AW_WAITING)
		return;
	w = aw->waker;
	aw->waker = WAKER_NOOP;
	__atomic_fetch_and(&aw->state, ~AW_WAKING, __ATOMIC_RELEASE);
	waker_wake(&w);
}
