/*
 * sig CASE: signal handlers as musl programs use them, one case per run
 * (test/scenarios_signal.py reads the lines it prints):
 *   usr1      kill(getpid(), SIGUSR1) runs an SA_SIGINFO handler: si_pid, the
 *             ABI's stack alignment, registers kept across the handler
 *   mask      a blocked signal stays pending until unblocked; SIGKILL cannot be blocked
 *   reset     SA_RESETHAND: the second SIGUSR1 takes the default action (dies)
 *   nodefer   SA_NODEFER lets the handler nest; without it the signal waits
 *   ign       SIG_IGN drops a signal; SIGCHLD is ignored by default, a handler sees it
 *   segv      a SIGSEGV handler runs for a NULL read and siglongjmps out; the
 *             second NULL read runs it again (mask restored), it exits 3
 *   segv2     a fault inside the SIGSEGV handler kills the process
 *   eintr     pipe read, nanosleep and wait4 return EINTR when a handled signal comes
 *   int       a SIGINT handler runs for Ctrl+C while read() waits on the console
 *   priv      a handler rewrites its frame to ask for ring 0 and IOPL 3: refused
 *   hostile N N children hand rt_sigreturn random frames: each dies of SIGSEGV
 */
#define _GNU_SOURCE              /* REG_RIP and friends in ucontext.h */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static volatile int hits, depth, max_depth, got_pid, aligned = 1, got_sig;
static sigjmp_buf env;

static void on(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL))
		printf("sig: sigaction %d failed: %s\n", sig, strerror(errno));
}

static void count(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	/* With a frame pointer, RBP = entry RSP - 8; entry RSP + 8 is 16-aligned. */
	if ((uintptr_t)__builtin_frame_address(0) & 15)
		aligned = 0;
	hits++;
	got_sig = sig;
	got_pid = si->si_pid;
}

static int case_usr1(void)
{
	long out, rdi = getpid(), rsi = SIGUSR1, rdx = 0x1122334455667788;

	on(SIGUSR1, count, 0);
	/* The handler is entered with RDI, RSI, RDX = sig, info, uc: sigreturn puts them back. */
	__asm__ volatile("syscall" : "=a"(out), "+D"(rdi), "+S"(rsi), "+d"(rdx)
			 : "a"((long)SYS_kill) : "rcx", "r11", "memory");
	printf("sig: usr1 hits=%d sig=%d pid_ok=%d aligned=%d ret=%ld regs_ok=%d\n", hits, got_sig,
	       got_pid == getpid(), aligned, out,
	       rdi == getpid() && rsi == SIGUSR1 && rdx == 0x1122334455667788);
	return 0;
}

static int case_mask(void)
{
	sigset_t s, old;

	on(SIGUSR1, count, 0);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGKILL);
	sigprocmask(SIG_BLOCK, &s, NULL);
	kill(getpid(), SIGUSR1);
	printf("sig: blocked hits=%d\n", hits);
	sigprocmask(SIG_BLOCK, NULL, &old);
	printf("sig: kill blockable=%d\n", sigismember(&old, SIGKILL));
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	printf("sig: unblocked hits=%d\n", hits);
	return 0;
}

static int case_reset(void)
{
	on(SIGUSR1, count, SA_RESETHAND);
	kill(getpid(), SIGUSR1);
	printf("sig: reset hits=%d\n", hits);
	fflush(stdout);
	kill(getpid(), SIGUSR1);
	printf("sig: survived the second SIGUSR1\n");
	return 1;
}

static void nest(int sig, siginfo_t *si, void *uc)
{
	(void)si, (void)uc;
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	if (++hits == 1)
		raise(sig);
	depth--;
}

static int case_nodefer(void)
{
	on(SIGUSR1, nest, 0);
	raise(SIGUSR1);
	printf("sig: deferred hits=%d depth=%d\n", hits, max_depth);
	hits = max_depth = 0;
	on(SIGUSR1, nest, SA_NODEFER);
	raise(SIGUSR1);
	printf("sig: nodefer hits=%d depth=%d\n", hits, max_depth);
	return 0;
}

static int case_ign(void)
{
	pid_t pid;

	signal(SIGUSR1, SIG_IGN);
	kill(getpid(), SIGUSR1);
	pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	printf("sig: ignored usr1 and default sigchld\n");
	on(SIGCHLD, count, 0);
	pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	printf("sig: sigchld hits=%d sig=%d from_child=%d\n", hits, got_sig, got_pid == pid);
	return 0;
}

static void segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	printf("sig: SIGSEGV handler: sig=%d addr=%p\n", sig, si->si_addr);
	if (++hits == 2)
		_exit(3);
	siglongjmp(env, 1);
}

static void segv_again(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)si, (void)uc;
	printf("sig: SIGSEGV handler faults again\n");
	fflush(stdout);
	int *volatile bad = (int *)8;

	(void)*(volatile int *)bad;
}

static int case_segv(int again)
{
	on(SIGSEGV, again ? segv_again : segv, 0);
	if (sigsetjmp(env, 1) == 0) {
		(void)*(volatile int *)0;
		printf("sig: the NULL read did not fault\n");
		return 1;
	}
	printf("sig: back from the handler by siglongjmp\n");
	(void)*(volatile int *)0;    /* the mask was restored: the handler runs again, exits 3 */
	printf("sig: not reached\n");
	return 1;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* A child that sends its parent SIGUSR1 after ms, then lives on for linger ms. */
static pid_t poke_later(long ms, long linger)
{
	pid_t pid = fork();

	if (pid == 0) {
		sleep_ms(ms);
		kill(getppid(), SIGUSR1);
		sleep_ms(linger);
		_exit(0);
	}
	return pid;
}

static int case_eintr(void)
{
	int fds[2], st;
	char c;
	long r;
	struct timespec ts = { 10, 0 };
	pid_t a, b;

	on(SIGUSR1, count, 0);
	pipe(fds);
	a = poke_later(20, 0);
	r = read(fds[0], &c, 1);
	printf("sig: pipe read=%ld %s hits=%d\n", r, r < 0 ? strerror(errno) : "", hits);
	waitpid(a, NULL, 0);
	a = poke_later(20, 0);
	r = nanosleep(&ts, &ts);
	printf("sig: nanosleep=%ld %s hits=%d rem=%lds\n", r, r < 0 ? strerror(errno) : "", hits,
	       (long)ts.tv_sec);
	waitpid(a, NULL, 0);
	b = poke_later(20, 100);
	r = waitpid(b, &st, 0);
	printf("sig: wait4=%ld %s hits=%d\n", r, r < 0 ? strerror(errno) : "", hits);
	r = waitpid(b, &st, 0);
	printf("sig: wait4 again=%d\n", r == b);
	return 0;
}

static int case_int(void)
{
	char buf[16];
	long r;

	on(SIGINT, count, 0);
	/* Lines typed earlier for the kernel shell may still sit in the terminal: up to "go". */
	printf("sig: type go\n");
	while ((r = read(0, buf, sizeof(buf) - 1)) > 0 && strncmp(buf, "go\n", 3))
		;
	printf("sig: waiting for Ctrl+C\n");
	r = read(0, buf, sizeof(buf));
	printf("sig: console read=%ld %s hits=%d sig=%d\n", r, r < 0 ? strerror(errno) : "",
	       hits, got_sig);
	return 0;
}

static void escalate(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig, (void)si;

	uc->uc_mcontext.gregs[REG_CSGSFS] = 0x0008;            /* kernel CS */
	uc->uc_mcontext.gregs[REG_EFL] |= 0x3000 | 0x100 | 0x4000;  /* IOPL 3, TF, NT */
	hits++;
}

static int case_priv(void)
{
	unsigned long cs, fl;

	on(SIGUSR1, escalate, 0);
	raise(SIGUSR1);
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	__asm__ volatile("pushf; pop %0" : "=r"(fl));
	printf("sig: priv hits=%d cs=0x%lx iopl=%lu tf=%lu\n", hits, cs, (fl >> 12) & 3,
	       (fl >> 8) & 1);
	fflush(stdout);
	__asm__ volatile("cli");
	printf("sig: cli allowed in ring 3\n");
	return 1;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
	return *s;
}

/* One child: a random frame, optionally with RIP/RSP in the user half, then rt_sigreturn. */
static void hostile_child(uint64_t seed)
{
	static uint64_t frame[64] __attribute__((aligned(16)));
	uint64_t s = seed | 1;

	for (int i = 0; i < 64; i++)
		frame[i] = rnd(&s);
	if (seed & 1) {
		frame[1 + 5 + 15] = rnd(&s) & 0x7fffffffffffull;   /* uc_mcontext.rsp */
		frame[1 + 5 + 16] = rnd(&s) & 0x7fffffffffffull;   /* uc_mcontext.rip */
	}
	__asm__ volatile("mov %0, %%rsp\n\tmov $15, %%eax\n\tsyscall\n\tud2"
			 : : "r"(&frame[1]) : "memory");
}

static int case_hostile(int n)
{
	int killed = 0, other = 0;

	for (int i = 0; i < n; i++) {
		int st;
		pid_t pid = fork();

		if (pid == 0)
			hostile_child(0x9e3779b97f4a7c15ull * (uint64_t)(i + 1) + (uint64_t)i);
		waitpid(pid, &st, 0);
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV)
			killed++;
		else
			other++, printf("sig: hostile frame %d: status 0x%x\n", i, st);
	}
	printf("sig: hostile %d frames, %d killed by SIGSEGV, %d otherwise\n", n, killed, other);
	return 0;
}

int main(int argc, char **argv)
{
	const char *k = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(k, "usr1"))
		return case_usr1();
	if (!strcmp(k, "mask"))
		return case_mask();
	if (!strcmp(k, "reset"))
		return case_reset();
	if (!strcmp(k, "nodefer"))
		return case_nodefer();
	if (!strcmp(k, "ign"))
		return case_ign();
	if (!strcmp(k, "segv") || !strcmp(k, "segv2"))
		return case_segv(k[4] == '2');
	if (!strcmp(k, "eintr"))
		return case_eintr();
	if (!strcmp(k, "int"))
		return case_int();
	if (!strcmp(k, "priv"))
		return case_priv();
	if (!strcmp(k, "hostile"))
		return case_hostile(argc > 2 ? atoi(argv[2]) : 200);
	printf("sig: unknown case %s\n", k);
	return 2;
}
