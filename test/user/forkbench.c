/*
 * forkbench: what fork costs a process with HEAP_MIB of heap touched, in
 * TSC ticks (instructions under QEMU's -icount shift=0), for make bench
 * (test/bench/fork_bench.py boots once with copy-on-write fork and once
 * with fork.cow=0, the eager full copy). Each figure is the minimum over
 * ROUNDS of: fork + the child's _exit + wait4 ("fork"), and the same with
 * the child writing one byte in every heap page first ("fork_write": the
 * case copy-on-write pays a fault per page for). Also the frames fork took
 * (sysinfo, the child alive).
 * Prints one line: "forkbench: fork=F fork_write=W frames_kib=K".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#define HEAP_MIB 8
#define ROUNDS   5
#define PAGE     4096

static char *heap;

static inline uint64_t tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static uint64_t one_fork(int child_writes)
{
	uint64_t t0 = tsc();
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (child_writes)
			for (size_t off = 0; off < (size_t)HEAP_MIB << 20; off += PAGE)
				heap[off] = 2;
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		exit(1);
	return tsc() - t0;
}

static uint64_t best_of(int child_writes)
{
	uint64_t best = UINT64_MAX;

	for (int r = 0; r < ROUNDS; r++) {
		uint64_t d = one_fork(child_writes);

		best = d < best ? d : best;
	}
	return best;
}

static long free_kib(void)
{
	struct sysinfo si;

	return sysinfo(&si) ? 0 : (long)(si.freeram * si.mem_unit / 1024);
}

/* Frames fork takes: free memory before fork and with the child alive (blocked on a pipe). */
static long fork_frames_kib(void)
{
	int p[2], st;
	long before, after;
	pid_t pid;
	char c;

	if (pipe(p))
		exit(1);
	before = free_kib();
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) < 0);
	}
	after = free_kib();
	close(p[1]);
	waitpid(pid, &st, 0);
	return before - after;
}

int main(void)
{
	uint64_t f, w;

	heap = malloc((size_t)HEAP_MIB << 20);
	if (!heap)
		return 1;
	memset(heap, 1, (size_t)HEAP_MIB << 20);
	f = best_of(0);
	w = best_of(1);
	printf("forkbench: fork=%llu fork_write=%llu frames_kib=%ld\n", (unsigned long long)f,
	       (unsigned long long)w, fork_frames_kib());
	return 0;
}
