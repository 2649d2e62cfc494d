/*
 * ubench: user-space figures for make bench, in TSC ticks (instructions
 * under QEMU's -icount shift=0). Each figure is the minimum over rounds of
 * a loop's average, against a plain function call measured in the same
 * run: null system call (getpid), process switch (two processes taking
 * turns through sched_yield), fork + exit + wait4, and fork + execve of a
 * small static program + exit + wait4.
 * Prints one line: "ubench: call=C getpid=G switch=S fork=F exec=E".
 */
#include <stdint.h>
#include <stdio.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS 5

static inline uint64_t tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

__attribute__((noinline)) static long plain_call(long x)
{
	__asm__ volatile("" : "+r"(x));
	return x + 1;
}

static long raw_getpid(void)
{
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "a"(SYS_getpid) : "rcx", "r11", "memory");
	return r;
}

static uint64_t per_call(int n, int which)
{
	uint64_t best = UINT64_MAX;

	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = tsc(), d;

		for (int i = 0; i < n; i++)
			which ? (void)raw_getpid() : (void)plain_call(i);
		d = (tsc() - t0) / (uint64_t)n;
		if (d < best)
			best = d;
	}
	return best;
}

/*
 * Two processes yield to each other: each of the parent's yields is two
 * switches (to the child and back) while the child keeps yielding. The
 * clock runs only over the parent's timed loops, after a warm-up, so the
 * fork, exit and wait4 around them are not counted (they were, spread over
 * the switches, before 2026-12-07: about 650 of the 1,265 then reported).
 */
#define WARMUP 20

static uint64_t per_switch(int n)
{
	uint64_t best = UINT64_MAX;
	pid_t pid = fork();

	if (pid == 0) {
		for (int i = 0; i < ROUNDS * n + 4 * WARMUP; i++)
			sched_yield();
		_exit(0);
	}
	for (int i = 0; i < WARMUP; i++)
		sched_yield();
	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = tsc(), d;

		for (int i = 0; i < n; i++)
			sched_yield();
		d = (tsc() - t0) / (2 * (uint64_t)n);
		if (d < best)
			best = d;
	}
	waitpid(pid, NULL, 0);
	return best;
}

static uint64_t per_fork(int n, int exec)
{
	uint64_t best = UINT64_MAX;
	char *argv[] = { "/test/exitcode", "0", NULL }, *envp[] = { NULL };

	for (int r = 0; r < n; r++) {
		uint64_t t0 = tsc(), d;
		pid_t pid = fork();

		if (pid == 0) {
			if (exec)
				execve(argv[0], argv, envp);
			_exit(0);
		}
		waitpid(pid, NULL, 0);
		d = tsc() - t0;
		if (d < best)
			best = d;
	}
	return best;
}

int main(void)
{
	uint64_t call = per_call(1000, 0), getpid_ = per_call(1000, 1);
	uint64_t sw = per_switch(200), fk = per_fork(20, 0), ex = per_fork(20, 1);

	printf("ubench: call=%llu getpid=%llu switch=%llu fork=%llu exec=%llu\n",
	       (unsigned long long)call, (unsigned long long)getpid_, (unsigned long long)sw,
	       (unsigned long long)fk, (unsigned long long)ex);
	return 0;
}
