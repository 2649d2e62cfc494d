/*
 * libFuzzer target for rt_sigreturn's frame check (kernel/proc/sigframe.c):
 * the input is the frame a program hands back (padded to 440 bytes) and,
 * in its first 8 bytes, an interrupted stack pointer. Whatever comes in: a
 * refused frame is refused; an accepted one gives RIP and RSP in the user
 * half, RFLAGS without IOPL, TF, NT, RF, VM or anything above bit 18 and
 * with IF on, a mask without SIGKILL and SIGSTOP; building a frame from
 * the accepted registers and checking it again gives the same registers
 * (the check is idempotent); the frame's place is below the red zone with
 * RSP + 8 16-byte aligned.
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
	return 0;
}
