/*
 * sysfuzz [N]: makes N (default 100000) system calls with random and
 * hostile arguments: kernel addresses, non-canonical and wrapping
 * pointers, huge lengths, bad descriptors, unknown flags, unknown numbers.
 * The kernel must answer every one with a value (an error is fine) and
 * stay up. Calls that would end or block this program, or take away what
 * it needs to report (exit, fork, execve, kill, reads that wait, its own
 * memory, TLS, fds 0-2, terminal modes, signal actions, polls and sleeps without
 * a short limit, an rt_sigsuspend that would wait; rt_sigreturn, which
 * would take its own stack for a frame, is left out: test/user/sig.c hands
 * it hostile frames) are steered away from those cases.
 * Ends with "sysfuzz: N calls returned, E errors".
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static uint64_t state = 0x853c49e6748fea9bull;
static char *buf;            /* a scratch mapping: overflows fault, never corrupt us */
#define SCRATCH (64 * 1024)

static uint64_t rnd(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static long raw6(long n, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f)
{
	register uint64_t r10 __asm__("r10") = d, r8 __asm__("r8") = e, r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10),
			 "r"(r8), "r"(r9) : "rcx", "r11", "memory");
	return ret;
}

/* A hostile value: addresses the kernel must refuse, edge integers, or a valid buffer. */
static uint64_t hostile(void)
{
	static const uint64_t v[] = {
		0, 1, 2, 3, 4096, 0xfff, (uint64_t)-1, (uint64_t)-4096, 0x7fffffff, 0x80000000,
		0x00007fffffffffffull, 0x0000800000000000ull, 0xffff800000000000ull,
		0xffffffff80000000ull, 0x8000000000000000ull, 0xdeadbeefdeadbeefull,
		0x10000, 100, 31, 32,
	};
	uint64_t r = rnd();

	switch (r % 4) {
	case 0: return v[(r >> 8) % (sizeof(v) / sizeof(v[0]))];
	case 1: return (uint64_t)buf + ((r >> 8) % 8192);
	case 2: return rnd();
	default: return (r >> 8) & 0xffff;
	}
}

static const int calls[] = { 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 16, 20, 21, 24,
	32, 33, 63, 72, 79, 80, 89, 96, 102, 110, 186, 217, 218, 228, 257, 262, 273, 292,
	293, 302, 318, 7, 155, 17, 25, 99, 157, 200, 234, 334, 335, 336, 400, 1000, 100000,
	115, 201, 230, 130, 280, 82, 264, 316 };

/* Keeps one call from hurting the program itself (see the top). */
static void steer(long n, uint64_t *a)
{
	if ((n == 3 || n == 33 || n == 292) && a[n == 3 ? 0 : 1] < 3)
		a[n == 3 ? 0 : 1] = 100 + a[n == 3 ? 0 : 1];   /* keep fds 0-2 */
	if ((n == 32 || n == 33 || n == 292 || n == 72) && a[0] < 3)
		a[0] += 3;                                        /* no new console descriptors */
	if ((n == 1 || n == 20) && a[0] < 3)
		a[0] = 40;                                        /* no noise on the console */
	if (n == 16 && (a[1] & 0xffff) >= 0x5402 && (a[1] & 0xffff) <= 0x5404)
		a[1] = 0x5401;                                    /* TCGETS, not TCSETS */
	if (n == 9 || n == 10 || n == 11 || n == 12) {
		if (a[0] < 0x0000100000000000ull)
			a[0] += 0x0000200000000000ull;            /* never our own pages */
		if (n == 12 && a[0] < 0x0000800000000000ull)
			a[0] = 0;                                 /* brk: query only */
	}
	if (n == 9)
		a[2] &= ~2ull;                                    /* nothing writable over us */
	if (n == 293)
		a[1] = (a[1] & 0x80000) | 04000;                  /* pipes never block us */
	if (n == 72 && (a[1] == 4 || a[1] == 2))
		a[1] = 3;                                         /* F_GETFL, not F_SETFL */
	if (n == 13 || n == 14)
		a[1] = 0;                                         /* keep default actions and mask */
	if (n == 7)
		a[2] &= 1;                                        /* poll: 0 or 1 ms, never forever */
	if (n == 230 && a[2] >= (uint64_t)buf && a[2] < (uint64_t)buf + SCRATCH - 16) {
		uint64_t ts[2] = { 0, rnd() % 1000000 };          /* clock_nanosleep: < 1 ms */

		memcpy((void *)a[2], ts, sizeof(ts));
	}
	if (n == 130 && a[0] >= (uint64_t)buf && a[0] < (uint64_t)buf + SCRATCH)
		a[1] = 9;                                         /* rt_sigsuspend: never sleeps */
	if (n == 200 || n == 234) {
		a[0] = 0x7fff0000 | (a[0] & 0xffff);              /* tkill/tgkill: no such pid */
		a[1] = n == 234 ? a[0] : a[1];
	}
}

int main(int argc, char **argv)
{
	long total = argc > 1 ? atol(argv[1]) : 100000, errors = 0;
	int con;

	buf = mmap(NULL, SCRATCH, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 1;

	for (long i = 0; i < total; i++) {
		long n = calls[rnd() % (sizeof(calls) / sizeof(calls[0]))];
		uint64_t a[6];

		for (int k = 0; k < 6; k++)
			a[k] = hostile();
		steer(n, a);
		if (raw6(n, a[0], a[1], a[2], a[3], a[4], a[5]) < 0)
			errors++;
	}
	for (int fd = 3; fd < 32; fd++)
		close(fd);
	con = open("/dev/console", O_WRONLY);
	dprintf(con >= 0 ? con : 1, "sysfuzz: %ld calls returned, %ld errors\n", total, errors);
	return 0;
}
