/*
 * Shell commands that wait (sleep), measure (bench-input), provoke the
 * blog's CPU exceptions (int3, pagefault, overflow) or end the machine
 * (reboot, poweroff).
 */
#include "kernel/arch.h"
#include "kernel/time/clock.h"
#include "kernel/kprintf.h"
#include "kernel/async/sched.h"
#include "kernel/shell/shell_cmds.h"
#include "lib/errno.h"

#define SHELL_SLEEP_MAX_MS  (3600u * 1000)
#define SHELL_UNMAPPED_ADDR 0xdeadbeef000ull  /* lower half: never mapped */
#define SHELL_BENCH_DEFAULT 50

int shell_cmd_sleep(struct shell *sh, int argc, char **argv)
{
	if (argc != 2 || shell_parse_u64(argv[1], &sh->sleep_ms) < 0 ||
	    sh->sleep_ms > SHELL_SLEEP_MAX_MS)
		return -E_INVAL;
	sh->sleep_start_ns = clock_ns();
	sched_sleep_ms(&sh->sleep, sh->sleep_ms);
	return 0;
}

enum task_poll shell_cmd_sleep_poll(struct shell *sh, struct task_cx *cx)
{
	uint64_t us;

	if (timer_sleep_poll(&sh->sleep, cx) == TASK_PENDING)
		return TASK_PENDING;
	us = (clock_ns() - sh->sleep_start_ns) / 1000;
	kprintf("slept %llu ms (%llu.%03llu ms measured)\n", (unsigned long long)sh->sleep_ms,
		(unsigned long long)(us / 1000), (unsigned long long)(us % 1000));
	return TASK_READY;
}

int shell_cmd_int3(struct shell *sh, int argc, char **argv)
{
	(void)sh, (void)argc, (void)argv;
	arch_breakpoint();
	kprintf("int3: back from the breakpoint handler\n");
	return 0;
}

int shell_cmd_pagefault(struct shell *sh, int argc, char **argv)
{
	(void)sh, (void)argc, (void)argv;
	kprintf("pagefault: writing to %#llx\n", SHELL_UNMAPPED_ADDR);
	*(volatile uint64_t *)SHELL_UNMAPPED_ADDR = 42;
	return 0;
}

/* Each frame keeps a buffer alive across the call: no tail call, no loop. */
static __attribute__((noinline)) uint64_t shell_recurse(uint64_t depth)
{
	volatile uint8_t pad[256];

	pad[0] = (uint8_t)depth;
	if (depth == UINT64_MAX)         /* never: keeps the compiler honest */
		return 0;
	return shell_recurse(depth + 1) + pad[0];
}

int shell_cmd_overflow(struct shell *sh, int argc, char **argv)
{
	(void)sh, (void)argc, (void)argv;
	kprintf("overflow: recursing until the stack's guard page\n");
	return (int)shell_recurse(0);
}

int shell_cmd_reboot(struct shell *sh, int argc, char **argv)
{
	(void)sh, (void)argc, (void)argv;
	kprintf("reboot: resetting\n");
	arch_reboot();
}

int shell_cmd_poweroff(struct shell *sh, int argc, char **argv)
{
	(void)sh, (void)argc, (void)argv;
	kprintf("poweroff: powering off\n");
	arch_poweroff();
}

int shell_cmd_power(struct shell *sh, int argc, char **argv)
{
	(void)sh, (void)argc, (void)argv;
	arch_power_report();
	return 0;
}

int shell_cmd_bench_input(struct shell *sh, int argc, char **argv)
{
	uint64_t n = SHELL_BENCH_DEFAULT;

	if (argc > 2 || (argc == 2 && shell_parse_u64(argv[1], &n) < 0) ||
	    n == 0 || n > SHELL_BENCH_MAX)
		return -E_INVAL;
	sh->bench.want = (uint32_t)n;
	sh->bench.have = 0;
	kprintf("bench-input: type %u keys on the keyboard\n", sh->bench.want);
	return 0;
}

static void shell_sort(uint64_t *v, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++) {
		uint64_t x = v[i];
		uint32_t j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

bool shell_bench_sample(struct shell *sh, uint64_t cycles)
{
	struct shell_bench *b = &sh->bench;
	uint64_t med, p90;

	b->cycles[b->have++] = cycles;
	if (b->have < b->want)
		return false;
	shell_sort(b->cycles, b->have);
	med = b->cycles[b->have / 2];
	p90 = b->cycles[(b->have * 9) / 10 < b->have ? (b->have * 9) / 10 : b->have - 1];
	kprintf("\nbench-input: n=%u median=%llu p90=%llu cycles; median=%llu p90=%llu ns; tsc %llu Hz\n",
		b->have, (unsigned long long)med, (unsigned long long)p90,
		(unsigned long long)clock_cycles_to_ns(med),
		(unsigned long long)clock_cycles_to_ns(p90),
		(unsigned long long)clock_tsc_hz());
	b->want = 0;
	return true;
}
