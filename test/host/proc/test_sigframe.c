/*
 * Host tests for the Linux x86_64 signal frame (kernel/proc/sigframe.c):
 * the frame goes below the red zone with RSP + 8 16-byte aligned at handler
 * entry; the registers, mask, siginfo and restorer land where musl's
 * ucontext_t and __restore_rt look for them; rt_sigreturn's check takes a
 * well-formed frame back unchanged, sanitises RFLAGS (no IOPL, TF, NT, VM,
 * IF forced on), drops SIGKILL/SIGSTOP from the mask, and refuses RIP or RSP
 * outside the user half (kernel half, non-canonical). The FPU image: in the
 * frame after the siginfo, 16-byte aligned at the user address, pointed at
 * by fpstate, reserved bytes cleared; on the way back a NULL pointer means
 * the clean state, a pointer whose 512 bytes leave the user half is
 * refused, and MXCSR is cut to the CPU's mask whatever the program wrote.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/proc/sigframe.h"

#define RSP 15
#define RIP 16
#define EFL 17

static void regs_fill(uint64_t r[SIGCONTEXT_GREGS])
{
	for (int i = 0; i < SIGCONTEXT_GREGS; i++)
		r[i] = 0x1000u * (uint64_t)(i + 1) + (uint64_t)i;
	r[RSP] = 0x7fffffffe123ull;
	r[RIP] = 0x401234ull;
	r[EFL] = 0x246;
}

static void frame_sits_below_the_red_zone_aligned_as_after_a_call(void **state)
{
	(void)state;
	for (uint64_t sp = 0x7ffffffde000ull; sp < 0x7ffffffde040ull; sp++) {
		uint64_t f = sigframe_place(sp);

		assert_int_equal((f + 8) % 16, 0);
		assert_true(f + sizeof(struct lx_rt_sigframe) <= sp - SIGFRAME_REDZONE);
		assert_true(f + sizeof(struct lx_rt_sigframe) + 24 > sp - SIGFRAME_REDZONE);
	}
	assert_int_equal(sigframe_place(100), 0);        /* would wrap below 0 */
	assert_int_equal(sigframe_place(0), 0);
}

static void frame_has_the_linux_layout(void **state)
{
	struct lx_rt_sigframe fr;
	struct lx_siginfo info = { .si_signo = 10, .si_code = 0 };
	uint64_t r[SIGCONTEXT_GREGS];
	const uint8_t *b = (const uint8_t *)&fr;
	uint64_t v;

	(void)state;
	info.u.kill.pid = 7;
	regs_fill(r);
	sigframe_build(&fr, r, 0x5, &info, 0x401000, 14, 6, 0xdead);
	memcpy(&v, b, 8);
	assert_int_equal(v, 0x401000);                    /* return address: sa_restorer */
	memcpy(&v, b + 48 + 16 * 8, 8);
	assert_int_equal(v, 0x401234);                    /* gregs[REG_RIP] */
	memcpy(&v, b + 48 + 15 * 8, 8);
	assert_int_equal(v, 0x7fffffffe123ull);           /* gregs[REG_RSP] */
	memcpy(&v, b + 48, 8);
	assert_int_equal(v, r[0]);                        /* gregs[REG_R8] */
	memcpy(&v, b + 48 + 20 * 8, 8);
	assert_int_equal(v, 14);                          /* gregs[REG_TRAPNO] */
	memcpy(&v, b + 48 + 22 * 8, 8);
	assert_int_equal(v, 0xdead);                      /* gregs[REG_CR2] */
	memcpy(&v, b + 304, 8);
	assert_int_equal(v, 0x5);                         /* uc_sigmask */
	assert_int_equal(b[312], 10);                     /* si_signo */
	assert_int_equal(b[312 + 16], 7);                 /* si_pid */
	assert_int_equal(fr.uc.uc_mcontext.cs, 0x33);
	assert_int_equal(fr.uc.uc_mcontext.fpstate, 0);
}

static void a_frame_comes_back_unchanged(void **state)
{
	struct lx_rt_sigframe fr;
	struct lx_siginfo info = { .si_signo = 2 };
	uint64_t r[SIGCONTEXT_GREGS], out[SIGCONTEXT_GREGS], mask;

	(void)state;
	regs_fill(r);
	sigframe_build(&fr, r, 0x1234, &info, 0x401000, 0, 0, 0);
	assert_int_equal(sigframe_check(&fr, out, &mask), 0);
	assert_memory_equal(out, r, sizeof(r));
	assert_int_equal(mask, 0x1234);
}

static void rflags_are_sanitised(void **state)
{
	struct lx_rt_sigframe fr;
	struct lx_siginfo info = { .si_signo = 2 };
	uint64_t r[SIGCONTEXT_GREGS], out[SIGCONTEXT_GREGS], mask;

	(void)state;
	regs_fill(r);
	sigframe_build(&fr, r, 0, &info, 0x401000, 0, 0, 0);
	fr.uc.uc_mcontext.eflags = ~0ull;                 /* IOPL 3, TF, NT, VM, RF, VIF... */
	assert_int_equal(sigframe_check(&fr, out, &mask), 0);
	assert_int_equal(out[EFL] & 0x3000, 0);           /* IOPL */
	assert_int_equal(out[EFL] & 0x100, 0);            /* TF */
	assert_int_equal(out[EFL] & 0x4000, 0);           /* NT */
	assert_int_equal(out[EFL] & 0x20000, 0);          /* VM */
	assert_int_equal(out[EFL] & 0x10000, 0);          /* RF */
	assert_int_equal(out[EFL] & ~0xffffffffull, 0);
	assert_int_equal(out[EFL] & 0x200, 0x200);        /* IF on */
	fr.uc.uc_mcontext.eflags = 0;
	assert_int_equal(sigframe_check(&fr, out, &mask), 0);
	assert_int_equal(out[EFL], 0x202);                /* IF and the fixed bit 1 */
}

static void kill_and_stop_leave_the_mask(void **state)
{
	struct lx_rt_sigframe fr;
	struct lx_siginfo info = { .si_signo = 2 };
	uint64_t r[SIGCONTEXT_GREGS], out[SIGCONTEXT_GREGS], mask;

	(void)state;
	regs_fill(r);
	sigframe_build(&fr, r, ~0ull, &info, 0x401000, 0, 0, 0);
	assert_int_equal(sigframe_check(&fr, out, &mask), 0);
	assert_int_equal(mask, ~0ull & ~(SIG_BIT(9) | SIG_BIT(19)));
}

static void rip_or_rsp_outside_the_user_half_is_refused(void **state)
{
	static const uint64_t bad[] = { 0x0000800000000000ull, 0xffff800000000000ull,
		0xffffffff80000000ull, 0x8000000000000000ull, ~0ull, 0x0001000000000000ull };
	struct lx_rt_sigframe fr;
	struct lx_siginfo info = { .si_signo = 2 };
	uint64_t r[SIGCONTEXT_GREGS], out[SIGCONTEXT_GREGS], mask;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (int which = RSP; which <= RIP; which++) {
			regs_fill(r);
			r[which] = bad[i];
			sigframe_build(&fr, r, 0, &info, 0x401000, 0, 0, 0);
			assert_int_equal(sigframe_check(&fr, out, &mask), -1);
		}
	}
	regs_fill(r);
	r[RIP] = 0x00007fffffffffffull;                   /* the last user byte is fine */
	sigframe_build(&fr, r, 0, &info, 0x401000, 0, 0, 0);
	assert_int_equal(sigframe_check(&fr, out, &mask), 0);
}

static void fpu_image_sits_in_the_frame_aligned_and_pointed_at(void **state)
{
	struct lx_rt_sigframe fr;
	struct lx_fpstate fx;
	struct lx_siginfo info = { .si_signo = 10 };
	uint64_t r[SIGCONTEXT_GREGS], va = 0, sp;

	(void)state;
	regs_fill(r);
	memset(&fx, 0xa5, sizeof(fx));
	fx.mxcsr = 0x3f80;
	sp = sigframe_place(0x7ffffffde123ull);
	sigframe_build(&fr, r, 0, &info, 0x401000, 0, 0, 0);
	sigframe_set_fpu(&fr, sp, &fx);
	assert_int_equal(offsetof(struct lx_rt_sigframe, fpstate), 440);
	assert_int_equal(fr.uc.uc_mcontext.fpstate, sp + 440);
	assert_int_equal(fr.uc.uc_mcontext.fpstate % 16, 0);
	assert_true(sp + sizeof(fr) <= 0x7ffffffde123ull - SIGFRAME_REDZONE);
	assert_memory_equal(&fr.fpstate, &fx, 416);        /* x87, MXCSR, ST, XMM as saved */
	for (int i = 0; i < 12; i++) {
		assert_int_equal(fr.fpstate.reserved2[i], 0);
		assert_int_equal(fr.fpstate.sw_reserved[i], 0);
	}
	assert_int_equal(sigframe_fpu_source(&fr, &va), 0);
	assert_int_equal(va, sp + 440);
}

static void fpu_source_null_is_clean_and_outside_the_user_half_is_refused(void **state)
{
	static const uint64_t bad[] = { 0x00007ffffffffe01ull, 0x0000800000000000ull,
		0xffff800000000000ull, ~0ull, 0x8000000000000000ull, 0xfffffffffffffe00ull };
	struct lx_rt_sigframe fr;
	struct lx_fpstate fx;
	uint64_t va = 1;

	(void)state;
	memset(&fr, 0, sizeof(fr));
	assert_int_equal(sigframe_fpu_source(&fr, &va), 0);
	assert_int_equal(va, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fr.uc.uc_mcontext.fpstate = bad[i];
		assert_int_equal(sigframe_fpu_source(&fr, &va), -1);
	}
	fr.uc.uc_mcontext.fpstate = 0x00007ffffffffe00ull;     /* the last 512 user bytes */
	assert_int_equal(sigframe_fpu_source(&fr, &va), 0);
	memset(&fx, 0xff, sizeof(fx));
	sigframe_fpu_clean(&fx);
	assert_int_equal(fx.cwd, 0x37f);
	assert_int_equal(fx.mxcsr, 0x1f80);
	assert_int_equal(fx.twd, 0);
	assert_int_equal(fx.xmm_space[0], 0);
	assert_int_equal(fx.xmm_space[63], 0);
}

static void hostile_mxcsr_is_cut_to_the_cpu_mask(void **state)
{
	static const uint32_t masks[] = { 0xffbf, 0xffff, 0x0000ffbf };
	struct lx_fpstate fx;

	(void)state;
	for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		memset(&fx, 0, sizeof(fx));
		fx.mxcsr = 0xffffffffu;
		fx.sw_reserved[0] = 0x46505853u;               /* Linux's FP_XSTATE_MAGIC1 */
		sigframe_fpu_sanitize(&fx, masks[i]);
		assert_int_equal(fx.mxcsr, masks[i]);
		assert_int_equal(fx.mxcsr & ~masks[i], 0);
		assert_int_equal(fx.sw_reserved[0], 0);
	}
	fx.mxcsr = 0x1f80;
	sigframe_fpu_sanitize(&fx, 0xffbf);
	assert_int_equal(fx.mxcsr, 0x1f80);                    /* a sane value is untouched */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(frame_sits_below_the_red_zone_aligned_as_after_a_call),
		cmocka_unit_test(frame_has_the_linux_layout),
		cmocka_unit_test(a_frame_comes_back_unchanged),
		cmocka_unit_test(rflags_are_sanitised),
		cmocka_unit_test(kill_and_stop_leave_the_mask),
		cmocka_unit_test(rip_or_rsp_outside_the_user_half_is_refused),
		cmocka_unit_test(fpu_image_sits_in_the_frame_aligned_and_pointed_at),
		cmocka_unit_test(fpu_source_null_is_clean_and_outside_the_user_half_is_refused),
		cmocka_unit_test(hostile_mxcsr_is_cut_to_the_cpu_mask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
