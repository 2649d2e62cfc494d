/*
 * libFuzzer target for rt_sigreturn's frame check (kernel/proc/sigframe.c):
 * the input is the frame a program hands back (padded to 952 bytes) and,
 * in its first 8 bytes, an interrupted stack pointer. Whatever comes in: a
 * refused frame is refused; an accepted one gives RIP and RSP in the user
 * half, RFLAGS without IOPL, TF, NT, RF, VM or anything above bit 18 and
 * with IF on, a mask without SIGKILL and SIGSTOP; building a frame from
 * the accepted registers and checking it again gives the same registers
 * (the check is idempotent); the frame's place is below the red zone with
 * RSP + 8 16-byte aligned. The FPU part: an accepted fpstate pointer is 0 or
 * names 512 bytes inside the user half; the frame's FPU image sanitised
 * against a mask taken from the input keeps no MXCSR bit outside it (what
 * FXRSTOR would #GP on) and no software byte, and sanitising twice changes
 * nothing; a frame built from it points at its own 16-byte aligned image.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/proc/sigframe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_place(uint64_t sp)
{
	uint64_t f = sigframe_place(sp);

	if (!f)
		return;
	if ((f + 8) % 16 || f + sizeof(struct lx_rt_sigframe) > sp - SIGFRAME_REDZONE)
		abort();
}

static void check_accepted(const uint64_t r[SIGCONTEXT_GREGS], uint64_t mask)
{
	struct lx_rt_sigframe again;
	struct lx_siginfo info = { .si_signo = 11 };
	uint64_t r2[SIGCONTEXT_GREGS], mask2;

	if (r[15] >= SIGFRAME_USER_TOP || r[16] >= SIGFRAME_USER_TOP)
		abort();
	if ((r[17] & (0x3000 | 0x100 | 0x4000 | 0x10000 | 0x20000)) || !(r[17] & 0x200) ||
	    (r[17] >> 19))
		abort();
	if (mask & SIG_UNCATCHABLE)
		abort();
	sigframe_build(&again, r, mask, &info, 0x401000, 0, 0, 0);
	if (sigframe_check(&again, r2, &mask2) || memcmp(r, r2, sizeof(r2)) || mask2 != mask)
		abort();
}

static void check_fpu(struct lx_rt_sigframe *fr, uint64_t sp)
{
	struct lx_fpstate once;
	struct lx_rt_sigframe built;
	uint32_t mask = fr->fpstate.mxcsr_mask | 0xffbf;      /* FXSAVE's mask always has these */
	uint64_t va, at = sigframe_place(sp);

	if (sigframe_fpu_source(fr, &va) == 0 &&
	    va && (va >= SIGFRAME_USER_TOP || va + 512 > SIGFRAME_USER_TOP))
		abort();
	sigframe_fpu_sanitize(&fr->fpstate, mask);
	if (fr->fpstate.mxcsr & ~mask || fr->fpstate.sw_reserved[0] || fr->fpstate.sw_reserved[11])
		abort();
	once = fr->fpstate;
	sigframe_fpu_sanitize(&fr->fpstate, mask);
	if (memcmp(&once, &fr->fpstate, sizeof(once)))
		abort();
	if (!at)
		return;
	memset(&built, 0, sizeof(built));
	sigframe_set_fpu(&built, at, &once);
	if (built.uc.uc_mcontext.fpstate != at + 440 || built.uc.uc_mcontext.fpstate % 16 ||
	    memcmp(&built.fpstate, &once, 416))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lx_rt_sigframe fr;
	uint64_t r[SIGCONTEXT_GREGS], mask, sp = 0;

	memset(&fr, 0, sizeof(fr));
	memcpy(&fr, data, size < sizeof(fr) ? size : sizeof(fr));
	memcpy(&sp, data, size < 8 ? size : 8);
	check_place(sp);
	if (sigframe_check(&fr, r, &mask) == 0)
		check_accepted(r, mask);
	check_fpu(&fr, sp);
	return 0;
}
