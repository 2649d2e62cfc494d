/*
 * The Linux x86_64 signal frame: what the kernel pushes on the user stack
 * before running a handler, and the checks rt_sigreturn applies when a
 * program hands one back. Pure code over plain memory (no user copies, no
 * CPU access), so host tests and the fuzz target build it as it is; the
 * signal layer (signal.c) copies frames in and out of user memory.
 *
 * Layouts from the Linux UAPI (asm/sigcontext.h, asm/ucontext.h,
 * asm-generic/siginfo.h) and arch/x86/kernel/signal.c's rt_sigframe.
 * Context: any.
 */
#ifndef EMBER_KERNEL_PROC_SIGFRAME_H
#define EMBER_KERNEL_PROC_SIGFRAME_H

#include <stddef.h>
#include <stdint.h>

#define SIG_MAX 64                    /* signals 1..64; bit (n - 1) of a sigset */

#define LX_SIGHUP   1
#define LX_SIGQUIT  3
#define LX_SIGABRT  6
#define LX_SIGUSR1  10
#define LX_SIGUSR2  12
#define LX_SIGPIPE  13
#define LX_SIGALRM  14
#define LX_SIGCHLD  17
#define LX_SIGCONT  18
#define LX_SIGSTOP  19
#define LX_SIGTSTP  20
#define LX_SIGTTIN  21
#define LX_SIGTTOU  22
#define LX_SIGURG   23
#define LX_SIGWINCH 28

#define LX_SIG_DFL 0ull
#define LX_SIG_IGN 1ull

#define LX_SA_NOCLDSTOP 0x00000001ull
#define LX_SA_SIGINFO   0x00000004ull
#define LX_SA_RESTORER  0x04000000ull
#define LX_SA_ONSTACK   0x08000000ull
#define LX_SA_RESTART   0x10000000ull
#define LX_SA_NODEFER   0x40000000ull
#define LX_SA_RESETHAND 0x80000000ull

#define LX_SIG_BLOCK   0
#define LX_SIG_UNBLOCK 1
#define LX_SIG_SETMASK 2

#define LX_SI_USER   0                /* si_code: sent by kill */
#define LX_SI_KERNEL 0x80             /* si_code: sent by the kernel itself */
#define LX_SEGV_MAPERR 1

#define SIG_BIT(n) (1ull << ((n) - 1))
/* Never blocked, caught or ignored. */
#define SIG_UNCATCHABLE (SIG_BIT(9) | SIG_BIT(LX_SIGSTOP))

/* struct sigaction as the rt_sigaction system call takes it (not libc's). */
struct lx_sigaction {
	uint64_t handler;                 /* LX_SIG_DFL, LX_SIG_IGN or a user address */
	uint64_t flags;                   /* LX_SA_* */
	uint64_t restorer;                /* musl's __restore_rt: does rt_sigreturn */
	uint64_t mask;                    /* blocked while the handler runs */
};
_Static_assert(sizeof(struct lx_sigaction) == 32, "kernel sigaction is 32 bytes");

/* asm/sigcontext.h, struct sigcontext (64-bit): 256 bytes. */
struct lx_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;                 /* user address of the frame's lx_fpstate (0: none) */
	uint64_t reserved1[8];
};
_Static_assert(sizeof(struct lx_sigcontext) == 256, "x86_64 sigcontext is 256 bytes");
#define SIGCONTEXT_GREGS 18               /* r8 .. eflags, the order above */

struct lx_stack { uint64_t ss_sp; int32_t ss_flags, pad; uint64_t ss_size; };

/* asm/ucontext.h: the kernel's ucontext with a 64-bit signal mask. */
struct lx_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct lx_stack uc_stack;
	struct lx_sigcontext uc_mcontext;
	uint64_t uc_sigmask;
};
_Static_assert(sizeof(struct lx_ucontext) == 304, "x86_64 kernel ucontext is 304 bytes");

/* siginfo_t: 128 bytes; the fields Ember fills. */
struct lx_siginfo {
	int32_t si_signo, si_errno, si_code, pad;
	union {
		struct { int32_t pid; uint32_t uid; } kill;   /* SI_USER */
		uint64_t addr;                                 /* SIGSEGV, SIGBUS, SIGILL, SIGFPE */
		uint8_t bytes[112];
	} u;
};
_Static_assert(sizeof(struct lx_siginfo) == 128, "siginfo_t is 128 bytes");

/*
 * asm/sigcontext.h, struct _fpstate_64: the FXSAVE image (Intel SDM vol. 1,
 * table 10-2), what sigcontext.fpstate points at (musl: fpregs).
 */
struct lx_fpstate {
	uint16_t cwd, swd, twd, fop;      /* x87 control, status, abridged tag, opcode */
	uint64_t rip, rdp;
	uint32_t mxcsr, mxcsr_mask;
	uint32_t st_space[32];            /* ST0-7 / MM0-7, 16 bytes each */
	uint32_t xmm_space[64];           /* XMM0-15 */
	uint32_t reserved2[12];
	uint32_t sw_reserved[12];         /* Linux's XSAVE magic lives here: 0, no XSAVE */
};
_Static_assert(sizeof(struct lx_fpstate) == 512, "the FXSAVE image is 512 bytes");
_Static_assert(offsetof(struct lx_fpstate, mxcsr) == 24, "MXCSR at 24");
_Static_assert(offsetof(struct lx_fpstate, xmm_space) == 160, "XMM0 at 160");
#define LX_FCW_DEFAULT   0x037f           /* FNINIT: every x87 exception masked */
#define LX_MXCSR_DEFAULT 0x1f80           /* every SSE exception masked, round to nearest */

/*
 * arch/x86/kernel/signal.c: the return address first, so the handler "was
 * called". The FPU state follows the siginfo, 16-byte aligned (the frame
 * starts 8 bytes past a multiple of 16), as Linux puts it above the frame.
 */
struct lx_rt_sigframe {
	uint64_t pretcode;                /* sa_restorer */
	struct lx_ucontext uc;
	struct lx_siginfo info;
	struct lx_fpstate fpstate;        /* uc.uc_mcontext.fpstate points here */
};
_Static_assert(sizeof(struct lx_rt_sigframe) == 952, "rt_sigframe + fxsave image: 952 bytes");
_Static_assert(offsetof(struct lx_rt_sigframe, uc.uc_mcontext) == 48, "mcontext at 48");
_Static_assert(offsetof(struct lx_rt_sigframe, info) == 312, "siginfo at 312");
_Static_assert(offsetof(struct lx_rt_sigframe, fpstate) % 16 == 8,
	       "fpstate 16-byte aligned in a frame placed at 8 mod 16");
#define SIGFRAME_HEAD_BYTES offsetof(struct lx_rt_sigframe, fpstate)

#define SIGFRAME_REDZONE 128              /* the ABI's red zone below the interrupted RSP */
#define SIGFRAME_USER_TOP 0x0000800000000000ull

/*
 * Where the frame goes for an interrupted stack pointer: below the red
 * zone, aligned so that RSP + 8 is a multiple of 16 at handler entry (as
 * if the handler had been called). 0 when it would wrap below 0.
 */
uint64_t sigframe_place(uint64_t user_sp);

/*
 * Fills frame for signal sig: regs are the interrupted registers
 * (SIGCONTEXT_GREGS of them, sigcontext order), mask the blocked set to
 * restore, info the siginfo to hand over (copied), restorer the return address.
 */
void sigframe_build(struct lx_rt_sigframe *frame, const uint64_t regs[SIGCONTEXT_GREGS],
		    uint64_t mask, const struct lx_siginfo *info, uint64_t restorer,
		    uint64_t trapno, uint64_t err, uint64_t cr2);

/*
 * rt_sigreturn's check of a frame a program handed back: fills regs
 * (sigcontext order) and *mask from it with RFLAGS sanitised (only the
 * arithmetic flags, DF and AC kept; IF forced on), SIGKILL/SIGSTOP removed
 * from the mask. 0, or -1 when RIP or RSP is not a canonical user-half
 * address (the caller kills the process with SIGSEGV). CS and SS are not
 * read: the caller forces the user selectors.
 */
int sigframe_check(const struct lx_rt_sigframe *frame, uint64_t regs[SIGCONTEXT_GREGS],
		   uint64_t *mask);

/*
 * The FPU state of the interrupted code into the frame, which will sit at
 * user address frame_va: copied (the reserved and software bytes cleared)
 * and uc_mcontext.fpstate pointed at it.
 */
void sigframe_set_fpu(struct lx_rt_sigframe *frame, uint64_t frame_va,
		      const struct lx_fpstate *fpu);

/*
 * rt_sigreturn: where the FPU state to restore is. 0 with *va = 0 (NULL:
 * the clean state) or the address of 512 bytes in the user half; -1 when
 * they would not lie in the user half (the caller kills with SIGSEGV).
 */
int sigframe_fpu_source(const struct lx_rt_sigframe *frame, uint64_t *va);

/*
 * Makes an FPU image a program handed in safe for FXRSTOR: MXCSR keeps
 * only the bits in mxcsr_mask (a reserved bit would be a #GP in the
 * kernel); the software bytes are cleared. Every other field is accepted
 * by FXRSTOR whatever it holds.
 */
void sigframe_fpu_sanitize(struct lx_fpstate *fpu, uint32_t mxcsr_mask);

/* The state a handler given fpstate NULL gets back: FCW 0x37f, MXCSR 0x1f80, the rest 0. */
void sigframe_fpu_clean(struct lx_fpstate *fpu);

#endif
