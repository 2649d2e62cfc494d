/*
 * The Linux x86_64 signal frame, built and checked in plain memory (see
 * sigframe.h). No user copies here: signal.c moves frames to and from the
 * user stack.
 */
#include "kernel/proc/sigframe.h"

#include "lib/string.h"

/* RFLAGS a program may set through sigreturn: CF PF AF ZF SF DF OF AC (as Linux, without TF/RF). */
#define SIGFRAME_FLAGS_USER 0x40cd5ull
#define RFLAGS_IF           0x200ull
#define RFLAGS_FIXED        0x2ull
#define REG_RSP             15
#define REG_RIP             16
#define REG_EFLAGS          17

uint64_t sigframe_place(uint64_t user_sp)
{
	uint64_t need = SIGFRAME_REDZONE + sizeof(struct lx_rt_sigframe) + 16;

	if (user_sp < need)
		return 0;
	return ((user_sp - SIGFRAME_REDZONE - sizeof(struct lx_rt_sigframe)) & ~15ull) - 8;
}

void sigframe_build(struct lx_rt_sigframe *frame, const uint64_t regs[SIGCONTEXT_GREGS],
		    uint64_t mask, const struct lx_siginfo *info, uint64_t restorer,
		    uint64_t trapno, uint64_t err, uint64_t cr2)
{
	struct lx_sigcontext *sc = &frame->uc.uc_mcontext;

	memset(frame, 0, sizeof(*frame));
	frame->pretcode = restorer;
	memcpy(sc, regs, SIGCONTEXT_GREGS * sizeof(uint64_t));
	sc->cs = 0x33;                    /* what Linux reports: __USER_CS */
	sc->ss = 0x2b;
	sc->trapno = trapno;
	sc->err = err;
	sc->cr2 = cr2;
	sc->oldmask = mask;
	frame->uc.uc_sigmask = mask;
	frame->info = *info;
}

static int user_address(uint64_t va)
{
	return va < SIGFRAME_USER_TOP;        /* canonical and in the lower half */
}

int sigframe_check(const struct lx_rt_sigframe *frame, uint64_t regs[SIGCONTEXT_GREGS],
		   uint64_t *mask)
{
	const struct lx_sigcontext *sc = &frame->uc.uc_mcontext;

	memcpy(regs, sc, SIGCONTEXT_GREGS * sizeof(uint64_t));
	if (!user_address(regs[REG_RIP]) || !user_address(regs[REG_RSP]))
		return -1;
	regs[REG_EFLAGS] = (regs[REG_EFLAGS] & SIGFRAME_FLAGS_USER) | RFLAGS_IF | RFLAGS_FIXED;
	*mask = frame->uc.uc_sigmask & ~SIG_UNCATCHABLE;
	return 0;
}

void sigframe_set_fpu(struct lx_rt_sigframe *frame, uint64_t frame_va,
		      const struct lx_fpstate *fpu)
{
	frame->fpstate = *fpu;
	memset(frame->fpstate.reserved2, 0, sizeof(frame->fpstate.reserved2));
	memset(frame->fpstate.sw_reserved, 0, sizeof(frame->fpstate.sw_reserved));
	frame->uc.uc_mcontext.fpstate = frame_va + offsetof(struct lx_rt_sigframe, fpstate);
}

int sigframe_fpu_source(const struct lx_rt_sigframe *frame, uint64_t *va)
{
	uint64_t p = frame->uc.uc_mcontext.fpstate;

	*va = p;
	if (!p)
		return 0;
	return user_address(p) && p + sizeof(struct lx_fpstate) <= SIGFRAME_USER_TOP ? 0 : -1;
}

void sigframe_fpu_sanitize(struct lx_fpstate *fpu, uint32_t mxcsr_mask)
{
	fpu->mxcsr &= mxcsr_mask;
	memset(fpu->sw_reserved, 0, sizeof(fpu->sw_reserved));
}

void sigframe_fpu_clean(struct lx_fpstate *fpu)
{
	memset(fpu, 0, sizeof(*fpu));
	fpu->cwd = LX_FCW_DEFAULT;
	fpu->mxcsr = LX_MXCSR_DEFAULT;
}
