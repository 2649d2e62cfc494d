/*
 * FPU/SSE state per process and around signal handlers (docs/proc.md),
 * and SMAP's AC flag from ring 3 (test/scenarios_fpu.py runs it):
 *   fpu spin ROUNDS  two processes (fork) each load XMM0-15, MXCSR and the
 *                    x87 control word with their own pattern, then spin on
 *                    SSE arithmetic that leaves them unchanged, yielding now
 *                    and then and preempted by the tick; any change is a
 *                    corruption. Prints one "fpu: spin" line per process.
 *   fpu sig          a SIGUSR1 handler clobbers every XMM register, MXCSR
 *                    and FCW; the code it interrupted sees its own values.
 *   fpu edit         the handler edits fpregs (XMM3, MXCSR): sigreturn
 *                    loads what the frame says.
 *   fpu badmxcsr     the handler writes 0xffffffff to fpregs->mxcsr: the
 *                    kernel cuts it to the CPU's MXCSR_MASK (never a #GP).
 *   fpu nullfp       the handler sets fpregs NULL: the clean state comes back.
 *   fpu xm           unmasks SSE divide-by-zero and divides by zero: #XM,
 *                    which must end the program with SIGFPE (CR4.OSXMMEXCPT
 *                    on; without it the CPU raises #UD). Not in the scenario:
 *                    QEMU 7.2's TCG sets MXCSR.ZE and raises nothing.
 *   fpu mf           the same with the x87 (FCW.ZM clear, fwait): #MF, SIGFPE.
 *   fpu ac N         N loops with RFLAGS.AC set in ring 3 (popf), with
 *                    system calls and ticks landing in the kernel meanwhile.
 * Register-level code is inline assembly: no compiler-generated SSE can
 * sit between loading a pattern and checking it.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#define MXCSR_DEFAULT 0x1f80u
#define FCW_DEFAULT   0x037fu

struct fpregs {                     /* what the asm loads and reads back */
	uint64_t xmm[32];           /* XMM0-15, two quadwords each */
	uint32_t mxcsr;
	uint16_t fcw;
};

static void pattern(struct fpregs *r, uint64_t seed)
{
	for (int i = 0; i < 32; i++)
		r->xmm[i] = seed * 0x9e3779b97f4a7c15ull + (uint64_t)i * 0x0101010101010101ull;
	r->mxcsr = MXCSR_DEFAULT | (seed & 1 ? 0x2000u : 0x4000u | 0x8000u); /* RC, FZ */
	r->fcw = (uint16_t)(FCW_DEFAULT & ~0x300u) | (seed & 1 ? 0x200u : 0x000u); /* PC */
}

#define LOAD_XMM(p) \
	"movdqu 0(" p "), %%xmm0\n movdqu 16(" p "), %%xmm1\n movdqu 32(" p "), %%xmm2\n" \
	"movdqu 48(" p "), %%xmm3\n movdqu 64(" p "), %%xmm4\n movdqu 80(" p "), %%xmm5\n" \
	"movdqu 96(" p "), %%xmm6\n movdqu 112(" p "), %%xmm7\n movdqu 128(" p "), %%xmm8\n" \
	"movdqu 144(" p "), %%xmm9\n movdqu 160(" p "), %%xmm10\n movdqu 176(" p "), %%xmm11\n" \
	"movdqu 192(" p "), %%xmm12\n movdqu 208(" p "), %%xmm13\n movdqu 224(" p "), %%xmm14\n" \
	"movdqu 240(" p "), %%xmm15\n ldmxcsr 256(" p ")\n fldcw 260(" p ")\n"
#define STORE_XMM(p) \
	"movdqu %%xmm0, 0(" p ")\n movdqu %%xmm1, 16(" p ")\n movdqu %%xmm2, 32(" p ")\n" \
	"movdqu %%xmm3, 48(" p ")\n movdqu %%xmm4, 64(" p ")\n movdqu %%xmm5, 80(" p ")\n" \
	"movdqu %%xmm6, 96(" p ")\n movdqu %%xmm7, 112(" p ")\n movdqu %%xmm8, 128(" p ")\n" \
	"movdqu %%xmm9, 144(" p ")\n movdqu %%xmm10, 160(" p ")\n movdqu %%xmm11, 176(" p ")\n" \
	"movdqu %%xmm12, 192(" p ")\n movdqu %%xmm13, 208(" p ")\n movdqu %%xmm14, 224(" p ")\n" \
	"movdqu %%xmm15, 240(" p ")\n stmxcsr 256(" p ")\n fnstcw 260(" p ")\n"
#define XMM_CLOBBERS "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", \
	"xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "memory"

/*
 * Loads in, spins `loops` times over SSE adds and subtracts that cancel
 * (XMM1-15 += XMM0, then -= XMM0), a sched_yield every `every` loops,
 * and stores the registers to out.
 */
static void spin(const struct fpregs *in, struct fpregs *out, long loops, long every)
{
	__asm__ volatile(
		LOAD_XMM("%[in]")
		"1: mov %[every], %%rdx\n"
		"2: paddq %%xmm0, %%xmm1\n paddd %%xmm0, %%xmm2\n paddw %%xmm0, %%xmm3\n"
		"   paddq %%xmm0, %%xmm4\n paddq %%xmm0, %%xmm5\n paddq %%xmm0, %%xmm6\n"
		"   paddq %%xmm0, %%xmm7\n paddq %%xmm0, %%xmm8\n paddq %%xmm0, %%xmm9\n"
		"   paddq %%xmm0, %%xmm10\n paddq %%xmm0, %%xmm11\n paddq %%xmm0, %%xmm12\n"
		"   paddq %%xmm0, %%xmm13\n paddq %%xmm0, %%xmm14\n paddq %%xmm0, %%xmm15\n"
		"   psubq %%xmm0, %%xmm1\n psubd %%xmm0, %%xmm2\n psubw %%xmm0, %%xmm3\n"
		"   psubq %%xmm0, %%xmm4\n psubq %%xmm0, %%xmm5\n psubq %%xmm0, %%xmm6\n"
		"   psubq %%xmm0, %%xmm7\n psubq %%xmm0, %%xmm8\n psubq %%xmm0, %%xmm9\n"
		"   psubq %%xmm0, %%xmm10\n psubq %%xmm0, %%xmm11\n psubq %%xmm0, %%xmm12\n"
		"   psubq %%xmm0, %%xmm13\n psubq %%xmm0, %%xmm14\n psubq %%xmm0, %%xmm15\n"
		"   dec %%rdx\n jnz 2b\n"
		"   mov $24, %%eax\n syscall\n"          /* sched_yield */
		"   sub %[every], %[loops]\n jg 1b\n"
		STORE_XMM("%[out]")
		: [loops] "+r"(loops)
		: [in] "r"(in), [out] "r"(out), [every] "r"(every)
		: "rax", "rcx", "rdx", "r11", XMM_CLOBBERS);
}

static int same(const struct fpregs *a, const struct fpregs *b)
{
	return !memcmp(a->xmm, b->xmm, sizeof(a->xmm)) && a->mxcsr == b->mxcsr && a->fcw == b->fcw;
}

/* One of the two spinners: rounds of spin, each checked; "fpu: spin" line. */
static int spinner(const char *who, uint64_t seed, int rounds)
{
	struct fpregs want, got;
	int bad = 0;

	pattern(&want, seed);
	for (int r = 0; r < rounds; r++) {
		memset(&got, 0, sizeof(got));
		spin(&want, &got, 400000, 20000);
		if (!same(&want, &got)) {
			if (!bad)
				printf("fpu: %s round %d: xmm0 %016llx want %016llx, mxcsr %#x want %#x, "
				       "fcw %#x want %#x\n", who, r, (unsigned long long)got.xmm[0],
				       (unsigned long long)want.xmm[0], got.mxcsr, want.mxcsr,
				       got.fcw, want.fcw);
			bad++;
		}
	}
	printf("fpu: spin %s rounds=%d corrupted=%d\n", who, rounds, bad);
	return bad != 0;
}

static int run_spin(int rounds)
{
	int st = 0, bad;
	pid_t child = fork();

	if (child == 0)
		_exit(spinner("child", 2, rounds));
	bad = spinner("parent", 1, rounds);
	waitpid(child, &st, 0);
	return bad || !WIFEXITED(st) || WEXITSTATUS(st);
}

/* ---- signals ---------------------------------------------------------------- */

static volatile int mode, hits;
static volatile uint32_t handler_mxcsr, handler_fcw, frame_mxcsr;
static volatile int fp_aligned, fp_in_frame;
static struct fpregs garbage;

static void handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	struct _fpstate *fp = uc->uc_mcontext.fpregs;
	uint32_t mx;
	uint16_t cw;

	(void)sig, (void)si;
	__asm__ volatile("stmxcsr %0\n fnstcw %1" : "=m"(mx), "=m"(cw));
	handler_mxcsr = mx, handler_fcw = cw;
	hits++;
	fp_aligned = fp && ((uintptr_t)fp & 15) == 0;
	fp_in_frame = fp && (uintptr_t)fp > (uintptr_t)uc && (uintptr_t)fp < (uintptr_t)uc + 2048;
	frame_mxcsr = fp ? fp->mxcsr : 0;
	if (mode == 1) {             /* sig: clobber everything */
		__asm__ volatile(LOAD_XMM("%0") : : "r"(&garbage) : XMM_CLOBBERS);
	} else if (mode == 2 && fp) {     /* edit */
		fp->_xmm[3].element[0] = 0x11111111u;
		fp->mxcsr = MXCSR_DEFAULT | 0x6000u;     /* round toward zero */
	} else if (mode == 3 && fp) {     /* badmxcsr */
		fp->mxcsr = 0xffffffffu;
	} else if (mode == 4) {           /* nullfp */
		uc->uc_mcontext.fpregs = NULL;
	}
}

/* Loads in, kill(getpid(), SIGUSR1) (the handler runs on the way out), stores to out. */
static void signal_between(const struct fpregs *in, struct fpregs *out)
{
	long pid = getpid();

	__asm__ volatile(
		LOAD_XMM("%[in]")
		"mov $62, %%eax\n mov %[pid], %%rdi\n mov $10, %%esi\n syscall\n"
		STORE_XMM("%[out]")
		:
		: [in] "r"(in), [out] "r"(out), [pid] "r"(pid)
		: "rax", "rcx", "rdi", "rsi", "r11", XMM_CLOBBERS);
}

static uint32_t cpu_mxcsr_mask(void)
{
	static uint8_t area[512] __attribute__((aligned(16)));
	uint32_t m;

	__asm__ volatile("fxsave %0" : "=m"(area));
	memcpy(&m, area + 28, 4);
	return m ? m : 0xffbf;
}

static int run_signal_case(const char *name)
{
	struct sigaction sa;
	struct fpregs want, got, expect;
	int ok;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	pattern(&want, 5);
	pattern(&garbage, 6);
	expect = want;
	mode = !strcmp(name, "sig") ? 1 : !strcmp(name, "edit") ? 2 :
	       !strcmp(name, "badmxcsr") ? 3 : 4;
	if (mode == 2) {
		memcpy((char *)&expect.xmm[6], "\x11\x11\x11\x11", 4);
		expect.mxcsr = MXCSR_DEFAULT | 0x6000u;
	} else if (mode == 3) {
		expect.mxcsr = cpu_mxcsr_mask();
	} else if (mode == 4) {
		memset(expect.xmm, 0, sizeof(expect.xmm));
		expect.mxcsr = MXCSR_DEFAULT, expect.fcw = FCW_DEFAULT;
	}
	signal_between(&want, &got);
	ok = hits == 1 && same(&got, &expect) && handler_mxcsr == MXCSR_DEFAULT &&
	     handler_fcw == FCW_DEFAULT && fp_aligned && fp_in_frame && frame_mxcsr == want.mxcsr;
	printf("fpu: %s hits=%d handler_clean=%d fpregs_aligned=%d in_frame=%d frame_mxcsr_ok=%d "
	       "mxcsr=%#x want=%#x xmm_ok=%d ok=%d\n", name, hits,
	       handler_mxcsr == MXCSR_DEFAULT && handler_fcw == FCW_DEFAULT, fp_aligned,
	       fp_in_frame, frame_mxcsr == want.mxcsr, got.mxcsr, expect.mxcsr,
	       !memcmp(got.xmm, expect.xmm, sizeof(got.xmm)), ok);
	return !ok;
}

/* ---- AC ---------------------------------------------------------------------- */

/* loops of register work with RFLAGS.AC set, a getpid every 4096 (SYSCALL's FMASK clears it). */
static int run_ac(long loops)
{
	uint64_t fl = 0;

	__asm__ volatile(
		"pushfq\n orq $0x40000, (%%rsp)\n popfq\n"
		"1: mov $4096, %%edx\n"
		"2: dec %%edx\n jnz 2b\n"
		"   mov $39, %%eax\n syscall\n"          /* getpid */
		"   dec %[n]\n jnz 1b\n"
		"pushfq\n pop %[fl]\n"
		"pushfq\n andq $~0x40000, (%%rsp)\n popfq\n"
		: [n] "+r"(loops), [fl] "=r"(fl)
		:
		: "rax", "rcx", "rdx", "r11", "memory", "cc");
	printf("fpu: ac loops done, AC was %s at the end\n", (fl & 0x40000) ? "set" : "clear");
	return !(fl & 0x40000);
}

static int run_xm(void)
{
	uint32_t mx = MXCSR_DEFAULT & ~0x200u;      /* ZM clear: divide-by-zero unmasked */
	double one = 1.0, zero = 0.0;

	__asm__ volatile("ldmxcsr %[mx]\n divsd %[z], %[o]"
			 : [o] "+x"(one) : [mx] "m"(mx), [z] "x"(zero));
	__asm__ volatile("stmxcsr %0" : "=m"(mx));
	printf("fpu: xm survived a divide by zero: %f mxcsr %#x\n", one, mx);
	return 1;
}

/* The same with the x87: ZM unmasked in FCW, 1/0, then fwait raises #MF (CR0.NE on). */
static int run_mf(void)
{
	uint16_t cw = FCW_DEFAULT & ~0x4u;

	__asm__ volatile("fldcw %0\n fld1\n fldz\n fdivrp\n fwait\n fstp %%st(0)" : : "m"(cw));
	printf("fpu: mf survived a divide by zero\n");
	return 1;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "spin"))
		return run_spin(argc >= 3 ? atoi(argv[2]) : 20);
	if (argc >= 2 && !strcmp(argv[1], "xm"))
		return run_xm();
	if (argc >= 2 && !strcmp(argv[1], "mf"))
		return run_mf();
	if (argc >= 2 && !strcmp(argv[1], "ac"))
		return run_ac(argc >= 3 ? atol(argv[2]) : 20000);
	if (argc >= 2)
		return run_signal_case(argv[1]);
	fprintf(stderr, "usage: fpu spin [ROUNDS] | sig | edit | badmxcsr | nullfp | ac [N]\n");
	return 2;
}
