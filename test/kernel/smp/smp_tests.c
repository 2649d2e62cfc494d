/*
 * In-kernel tests of every CPU (docs/smp.md). Most need two CPUs or more
 * and are boot-only: test/scenarios_smp.py runs them under -smp 2 and 4.
 *
 *   every_cpu_runs_tasks                       CPU-bound tasks spread over all CPUs
 *   a_cross_cpu_wake_up_is_never_lost          ping-pong pairs across CPUs (rounds until some cross)
 *   tlb_shootdown_makes_an_unmapped_page_fault_on_another_cpu   (should panic)
 *   spinlock_debug_catches_a_double_acquisition                 (should panic)
 *   a_panic_stops_a_cpu_spinning_with_interrupts_off            (should panic)
 *   smp_bench                                  figures for make bench
 *
 * The tests spawn tasks on the kernel's executor; the BSP joins in with
 * executor_run until a stopper task has joined them all.
 */
#include "kernel/arch.h"
#include "kernel/async/coro.h"
#include "kernel/async/sched.h"
#include "kernel/kprintf.h"
#include "kernel/ktest.h"
#include "kernel/mm/paging.h"
#include "kernel/mm/pmm.h"
#include "kernel/smp/percpu.h"
#include "kernel/smp/spinlock.h"
#include "kernel/time/clock.h"

#define MAX_TASKS 40

/* ---- joining a set of tasks ------------------------------------------------ */

struct joiner {
	struct coro co;
	unsigned n, i;
	struct task_handle h[MAX_TASKS];
	struct task_join join;
};

static struct joiner joiner;

static enum task_poll joiner_poll(void *arg, struct task_cx *cx)
{
	struct joiner *j = arg;

	CORO_BEGIN(&j->co);
	for (j->i = 0; j->i < j->n; j->i++) {
		task_join_init(&j->join, cx->ex, j->h[j->i]);
		CORO_AWAIT(&j->co, task_join_poll(&j->join, cx));
	}
	executor_stop(cx->ex);
	CORO_END(&j->co);
}

static bool spawn_joined(const char *name, task_poll_fn *poll, void *state)
{
	if (joiner.n == MAX_TASKS)
		return false;
	return sched_spawn(name, poll, state, &joiner.h[joiner.n++]) == 0;
}

/* The BSP runs tasks too until every joined task finished. */
/*
 * The stop count is read before the joiner exists: the APs may run every
 * task and the joiner's executor_stop before this CPU enters the loop (seen
 * under load: the BSP then waited for a stop that had come already, and
 * the watchdog failed the test). And the joiner must be finished, not only
 * stopped, before its state is reused by the next round.
 */
static uint64_t run_until_joined(void)
{
	struct executor *ex = sched_executor();
	uint64_t t0 = arch_timestamp();
	uint32_t gen = executor_stops(ex);
	struct task_handle h;

	if (sched_spawn("joiner", joiner_poll, &joiner, &h) == 0) {
		executor_run_since(ex, gen);
		while (executor_alive(ex, h))
			__builtin_ia32_pause();
	}
	return arch_timestamp() - t0;
}

/* ---- CPU-bound workers ------------------------------------------------------- */

struct worker {
	uint32_t polls_left;
	uint32_t cpus;          /* bit i: CPU i polled it */
	uint64_t sum;
};

static struct worker workers[MAX_TASKS];
static uint32_t work_per_poll = 20000;

static enum task_poll worker_poll(void *arg, struct task_cx *cx)
{
	struct worker *w = arg;
	uint64_t x = w->sum | 1;

	w->cpus |= 1u << cpu_self()->index;
	for (uint32_t i = 0; i < work_per_poll; i++)
		x = x * 6364136223846793005ull + 1442695040888963407ull;
	w->sum = x;
	if (--w->polls_left == 0)
		return TASK_READY;
	waker_wake(&cx->waker);
	return TASK_PENDING;
}

/* Spawn n workers of polls polls each and run them; returns TSC cycles taken. */
static uint64_t run_workers(unsigned n, uint32_t polls)
{
	joiner = (struct joiner){ 0 };
	for (unsigned i = 0; i < n; i++) {
		workers[i] = (struct worker){ .polls_left = polls, .sum = i };
		if (!spawn_joined("worker", worker_poll, &workers[i]))
			return 0;
	}
	return run_until_joined();
}

KTEST_BOOT(every_cpu_runs_tasks)
{
	unsigned online = cpu_online_count(), n = 4 * online;
	uint32_t seen = 0;

	KREQUIRE(online >= 2);
	KREQUIRE(n <= MAX_TASKS - 1);
	KREQUIRE(run_workers(n, 200) > 0);
	for (unsigned i = 0; i < n; i++) {
		KEXPECT_EQ(workers[i].polls_left, 0);
		seen |= workers[i].cpus;
	}
	kprintf("smp: %u tasks ran on CPUs mask %#x (%u online)\n", n, seen, online);
	KEXPECT_EQ(seen, (1u << online) - 1);
	/* A CPU adds its polls when its round ends, which may be just after ours. */
	for (uint64_t end = clock_ns() + 100000000; clock_ns() < end;)
		__builtin_ia32_pause();
	for (unsigned i = 0; i < online; i++)
		KEXPECT(sched_executor()->stats.cpu_polls[i] > 0);
}

/* ---- ping-pong across CPUs ------------------------------------------------------ */

#define EXCHANGES 3000

struct pair {
	uint32_t turn;
	uint32_t done[2];
	struct waker w[2];
	struct task_handle h[2];
	uint32_t crossed;       /* wake-ups sent to a task another CPU polled last */
};

struct side { struct pair *p; unsigned me; };

static struct pair pair;
static struct side sides[2];

static enum task_poll side_poll(void *arg, struct task_cx *cx)
{
	struct side *s = arg;
	struct pair *p = s->p;
	unsigned other = 1 - s->me;
	struct task_info ti;

	while (__atomic_load_n(&p->turn, __ATOMIC_ACQUIRE) == s->me && p->done[s->me] < EXCHANGES) {
		p->done[s->me]++;
		if (executor_task_info(cx->ex, p->h[other].slot, &ti) == 0 &&
		    ti.last_cpu != cpu_self()->index)
			p->crossed++;
		__atomic_store_n(&p->turn, other, __ATOMIC_RELEASE);
		waker_wake(&p->w[other]);
	}
	return p->done[s->me] == EXCHANGES ? TASK_READY : TASK_PENDING;
}

/* Two tasks hand a turn back and forth EXCHANGES times each. 0 or -1. */
static int run_pingpong(void)
{
	struct executor *ex = sched_executor();
	uint64_t cycles;

	joiner = (struct joiner){ 0 };
	pair = (struct pair){ .turn = 2 };   /* nobody's: APs may poll before set-up ends */
	for (unsigned s = 0; s < 2; s++) {
		sides[s] = (struct side){ .p = &pair, .me = s };
		if (!spawn_joined("side", side_poll, &sides[s]))
			return -1;
		pair.h[s] = joiner.h[joiner.n - 1];
		pair.w[s] = ex->tasks[pair.h[s].slot].cx.waker;
	}
	__atomic_store_n(&pair.turn, 0, __ATOMIC_RELEASE);   /* both wakers known: go */
	waker_wake(&pair.w[0]);
	cycles = run_until_joined();   /* a lost wake-up hangs here: the watchdog fails it */
	kprintf("smp: %u exchanges, %u wake-ups crossed CPUs, %llu cycles per wake-up\n",
		2 * EXCHANGES, pair.crossed, (unsigned long long)(cycles / (2 * EXCHANGES)));
	return pair.done[0] == EXCHANGES && pair.done[1] == EXCHANGES ? 0 : -1;
}

/*
 * Rounds of 6000 exchanges until some wake-ups crossed CPUs. One round may
 * stay on one CPU: with the host busy, the APs' QEMU threads can miss the
 * few milliseconds a round takes (seen under load), so one round alone
 * could fail at random. A lost wake-up hangs a round: the watchdog.
 */
#define PINGPONG_ROUNDS 20

KTEST_BOOT(a_cross_cpu_wake_up_is_never_lost)
{
	unsigned round = 0;

	KREQUIRE(cpu_online_count() >= 2);
	do {
		KEXPECT(run_pingpong() == 0);
		KEXPECT_EQ(pair.done[0], EXCHANGES);
		KEXPECT_EQ(pair.done[1], EXCHANGES);
	} while (!pair.crossed && ++round < PINGPONG_ROUNDS);
	KEXPECT(pair.crossed > 0);
}

/* ---- TLB shootdown -------------------------------------------------------------- */

#define TLB_TEST_VA 0xffffd00000000000ull

struct tlb_reader {
	uint32_t phase;         /* 0 start, 1 read once, 2 unmapped, 3 read again (stale) */
	uint32_t cpu;
	uint64_t value;
};

static struct tlb_reader reader;

/* Reads the page (its TLB now holds it), waits for the unmap, reads again. */
static enum task_poll tlb_reader_poll(void *arg, struct task_cx *cx)
{
	struct tlb_reader *r = arg;

	(void)cx;
	r->cpu = cpu_self()->index;
	r->value = *(volatile uint64_t *)TLB_TEST_VA;
	__atomic_store_n(&r->phase, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&r->phase, __ATOMIC_ACQUIRE) != 2)
		__builtin_ia32_pause();
	/* At once: printing first would touch enough pages to evict the entry. */
	r->value = *(volatile uint64_t *)TLB_TEST_VA;   /* must fault */
	__atomic_store_n(&r->phase, 3, __ATOMIC_RELEASE);
	kprintf("tlb: cpu %u read %#llx after the unmap\n", r->cpu,
		(unsigned long long)TLB_TEST_VA);
	return TASK_READY;
}

static bool wait_phase(uint32_t want, uint64_t ms)
{
	uint64_t end = clock_ns() + ms * 1000000;

	while (__atomic_load_n(&reader.phase, __ATOMIC_ACQUIRE) != want) {
		if (clock_ns() > end)
			return false;
		__builtin_ia32_pause();   /* under -icount: lets the reader's vCPU run */
	}
	return true;
}

KTEST_SHOULD_PANIC(tlb_shootdown_makes_an_unmapped_page_fault_on_another_cpu)
{
	uint64_t frame = pmm_alloc_frame();

	KREQUIRE(cpu_online_count() >= 2);
	KREQUIRE(frame != 0);
	KREQUIRE(paging_map(TLB_TEST_VA, frame, PAGE_SIZE, PAGE_WRITE) == 0);
	*(volatile uint64_t *)TLB_TEST_VA = 0x5eed;
	reader = (struct tlb_reader){ 0 };
	/* The BSP does not run the executor here: the reader lands on an AP. */
	KREQUIRE(sched_spawn("tlb-reader", tlb_reader_poll, &reader, NULL) == 0);
	KREQUIRE(wait_phase(1, 5000));
	KEXPECT_EQ(reader.value, 0x5eed);
	KEXPECT(reader.cpu != cpu_self()->index);
	KREQUIRE(paging_unmap(TLB_TEST_VA, NULL) == 0);
	__atomic_store_n(&reader.phase, 2, __ATOMIC_RELEASE);
	kprintf("tlb: cpu %u unmapped %#llx, cpu %u reads it again\n", cpu_self()->index,
		(unsigned long long)TLB_TEST_VA, reader.cpu);
	if (wait_phase(3, 2000))
		kprintf("tlb: cpu %u read the unmapped page through a stale TLB entry\n", reader.cpu);
	KEXPECT(false);            /* no fault came: the test fails */
}

/* ---- a panic stops a CPU spinning with interrupts off --------------------------------- */

static uint32_t spinner_cpu;     /* index + 1 once the spinner runs */
static volatile uint64_t spinner_turns;

/* Spins for ever with interrupts off: only an NMI can reach this CPU. */
static enum task_poll spinner_poll(void *arg, struct task_cx *cx)
{
	(void)arg;
	(void)cx;
	arch_irq_save();
	__atomic_store_n(&spinner_cpu, cpu_self()->index + 1, __ATOMIC_RELEASE);
	for (;;)
		spinner_turns++;
	return TASK_PENDING;
}

KTEST_SHOULD_PANIC(a_panic_stops_a_cpu_spinning_with_interrupts_off)
{
	uint64_t end = clock_ns() + 5000000000ull, before;
	struct cpu *c;

	KREQUIRE(cpu_online_count() >= 2);
	KREQUIRE(sched_spawn("spinner", spinner_poll, NULL, NULL) == 0);
	while (!__atomic_load_n(&spinner_cpu, __ATOMIC_ACQUIRE) && clock_ns() < end)
		__builtin_ia32_pause();
	KREQUIRE(__atomic_load_n(&spinner_cpu, __ATOMIC_ACQUIRE) != 0);
	c = cpu_get(spinner_cpu - 1);
	KEXPECT(c != cpu_self());
	arch_stop_other_cpus();
	before = spinner_turns;
	for (end = clock_ns() + 50000000; clock_ns() < end;)
		__builtin_ia32_pause();
	kprintf("stop: cpu %u (spinning with interrupts off) is %s; its loop %s\n", c->index,
		cpu_state_name(c->state), spinner_turns == before ? "stopped" : "still runs");
	KEXPECT_EQ(c->state, CPU_STOPPED);
	KEXPECT_EQ(spinner_turns, before);
	panic("ktest: every other CPU stopped");
}

/* ---- spinlock debug ------------------------------------------------------------ */

KTEST_SHOULD_PANIC(spinlock_debug_catches_a_double_acquisition)
{
	static struct spinlock twice = SPINLOCK_INIT("ktest-twice", 0);
	unsigned long f;

	spin_debug_set(true);
	f = spin_lock(&twice);
	(void)spin_lock(&twice);       /* without debug mode: spins for ever */
	spin_unlock(&twice, f);
	KEXPECT(false);
}

KTEST(spinlock_saves_and_restores_the_interrupt_flag)
{
	static struct spinlock l = SPINLOCK_INIT("ktest-flag", 0);
	unsigned long f;

	KREQUIRE(arch_irq_enabled());
	f = spin_lock(&l);
	KEXPECT(!arch_irq_enabled());
	KEXPECT(spin_held(&l));
	spin_unlock(&l, f);
	KEXPECT(arch_irq_enabled());
	KEXPECT(!spin_held(&l));
}

KTEST(per_cpu_data_is_reached_through_gs_on_the_bsp)
{
	struct cpu *c = cpu_self();

	KREQUIRE(c != NULL);
	KEXPECT(c->self == c);
	KEXPECT_EQ(c->index, 0);
	KEXPECT(cpu_get(0) == c);
	KEXPECT_EQ(c->state, CPU_ONLINE);
	KEXPECT_EQ(c->apic_id, arch_cpu_id());
}

/* ---- figures for make bench -------------------------------------------------------- */

/*
 * Throughput of the same CPU-bound work on 1 CPU, then on every CPU, in one
 * boot (executor_set_cpu_limit keeps the APs out of the first half, asleep),
 * after one warm-up round (the emulator translates the code on its first
 * run), fifteen times over. Under TCG a round's halves take about 0.2 and
 * 0.1 s of host time: short, so that the host's speed, which drifts by
 * tens of percent over seconds on a shared machine, moves little between
 * the two halves of one round; many, so that the median ratio
 * (test/bench/smp_bench.py) shrugs off the rounds it did move. The figures
 * go to serial.
 */
#define BENCH_ROUNDS 15
#define BENCH_POLLS  400

/* Task polls per second of the kernel's clock. */
static uint64_t polls_per_s(unsigned n, uint64_t cycles)
{
	uint64_t ns = clock_cycles_to_ns(cycles);

	return ns ? (uint64_t)n * BENCH_POLLS * 1000000000ull / ns : 0;
}

KTEST_BOOT(smp_bench_throughput)
{
	unsigned online = cpu_online_count(), n = 4 * online;
	uint64_t one, all;

	KREQUIRE(online >= 2 && n < MAX_TASKS);
	for (unsigned r = 0; r <= BENCH_ROUNDS; r++) {
		executor_set_cpu_limit(sched_executor(), 1);
		one = run_workers(n, BENCH_POLLS);
		executor_set_cpu_limit(sched_executor(), 0);
		all = run_workers(n, BENCH_POLLS);
		KREQUIRE(one && all);
		for (unsigned i = 0; i < n; i++)
			KEXPECT_EQ(workers[i].polls_left, 0);
		if (r == 0)
			continue;   /* warm-up */
		kprintf("bench: round %u: %u tasks x %u polls: 1 cpu %llu cycles, %u cpus %llu cycles, "
			"speed-up %llu.%02llu; %llu and %llu polls/s\n", r, n, BENCH_POLLS,
			(unsigned long long)one, online, (unsigned long long)all,
			(unsigned long long)(one / all), (unsigned long long)(one * 100 / all % 100),
			(unsigned long long)polls_per_s(n, one),
			(unsigned long long)polls_per_s(n, all));
	}
}

/*
 * Latency figures, run under -icount (test/bench/smp_bench.py): TSC deltas
 * then count the instructions both CPUs executed, so they repeat. Every
 * round starts with CPU 1 halted in the executor's idle and the BSP outside
 * the executor, so the woken task can only run on CPU 1. The BSP's waits
 * execute pause: under -icount QEMU runs the vCPUs in turn on one thread and
 * only a pause or a halt hands the turn to the other (docs/smp.md).
 */
#define LAT_ROUNDS 64
#define LAT_WAIT_CYCLES 2000000000ull

struct sleeper {
	uint32_t polls;          /* polls so far (release: polled_at is written) */
	uint32_t cpu;            /* the CPU of the last poll */
	uint64_t polled_at;      /* TSC when the last poll began */
	uint32_t finish;
};

static struct sleeper sleeper;

static enum task_poll sleeper_poll(void *arg, struct task_cx *cx)
{
	struct sleeper *s = arg;
	uint64_t now = arch_timestamp();

	(void)cx;
	s->polled_at = now;
	s->cpu = cpu_self()->index;
	__atomic_store_n(&s->polls, s->polls + 1, __ATOMIC_RELEASE);
	return __atomic_load_n(&s->finish, __ATOMIC_ACQUIRE) ? TASK_READY : TASK_PENDING;
}

/* Wait (pause, bounded) until (*p & mask) == want; false on timeout. */
static bool lat_wait_u32(const uint32_t *p, uint32_t want, uint32_t mask)
{
	uint64_t t0 = arch_timestamp();

	while ((__atomic_load_n(p, __ATOMIC_ACQUIRE) & mask) != want) {
		if (arch_timestamp() - t0 > LAT_WAIT_CYCLES)
			return false;
		__builtin_ia32_pause();
	}
	return true;
}

static bool cpu1_idle(void)
{
	return lat_wait_u32(&sched_executor()->idle_mask, 2, 2);
}

static void sort_u64(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

static void lat_report(const char *what, uint64_t *v, unsigned n)
{
	sort_u64(v, n);
	kprintf("bench: %s median %llu cycles (min %llu, max %llu, %u rounds)\n", what,
		(unsigned long long)v[n / 2], (unsigned long long)v[0],
		(unsigned long long)v[n - 1], n);
}

/* One wake-up of the sleeper on halted CPU 1: wake to poll, wake to seen here. */
static bool wake_round(const struct waker *w, uint64_t *latency, uint64_t *round_trip)
{
	uint32_t before = __atomic_load_n(&sleeper.polls, __ATOMIC_ACQUIRE);
	uint64_t t0;

	if (!cpu1_idle())
		return false;
	t0 = arch_timestamp();
	waker_wake(w);
	if (!lat_wait_u32(&sleeper.polls, before + 1, ~0u))
		return false;
	*round_trip = arch_timestamp() - t0;
	*latency = sleeper.polled_at - t0;   /* one clock: QEMU's virtual one */
	return sleeper.cpu == 1 && sleeper.polled_at >= t0;
}

/* Cross-CPU wake-up of a task on a halted CPU, LAT_ROUNDS times. */
static int bench_wake_latency(void)
{
	static uint64_t lat[LAT_ROUNDS], rt[LAT_ROUNDS];
	struct executor *ex = sched_executor();
	struct task_handle h;
	struct waker w;
	unsigned n = 0;

	sleeper = (struct sleeper){ 0 };
	executor_set_cpu_limit(ex, 2);      /* with -smp > 2: CPU 1 only */
	if (sched_spawn("sleeper", sleeper_poll, &sleeper, &h) == 0 &&
	    lat_wait_u32(&sleeper.polls, 1, ~0u)) {
		w = ex->tasks[h.slot].cx.waker;
		while (n < LAT_ROUNDS && wake_round(&w, &lat[n], &rt[n]))
			n++;
		__atomic_store_n(&sleeper.finish, 1, __ATOMIC_RELEASE);
		waker_wake(&w);
		for (uint64_t t0 = arch_timestamp(); executor_alive(ex, h) &&
		     arch_timestamp() - t0 < LAT_WAIT_CYCLES;)
			__builtin_ia32_pause();
	}
	executor_set_cpu_limit(ex, 0);
	if (n < LAT_ROUNDS) {
		kprintf("bench: wake-up round %u failed (cpu %u)\n", n, sleeper.cpu);
		return -1;
	}
	lat_report("cross-cpu wake-up (wake to poll)", lat, n);
	lat_report("cross-cpu wake-up round trip (wake to poll seen)", rt, n);
	return 0;
}

/* The IPI round trip to halted CPU 1, LAT_ROUNDS single pings. */
static int bench_ipi_round_trip(void)
{
	static uint64_t rt[LAT_ROUNDS];

	for (unsigned i = 0; i < LAT_ROUNDS; i++) {
		if (!cpu1_idle())
			return -1;
		rt[i] = arch_ipi_round_trip(cpu_get(1), 1);
		if (!rt[i])
			return -1;
	}
	lat_report("ipi round trip", rt, LAT_ROUNDS);
	return 0;
}

KTEST_BOOT(smp_bench_latency)
{
	KREQUIRE(cpu_online_count() >= 2);
	KEXPECT(bench_ipi_round_trip() == 0);
	KEXPECT(bench_wake_latency() == 0);
	/* Both tasks free to run anywhere: under -icount they stay on one CPU. */
	KEXPECT(run_pingpong() == 0);
}
