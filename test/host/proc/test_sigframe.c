/*
 * Host tests for the Linux x86_64 signal frame (kernel/proc/sigframe.c):
 * the frame goes below the red zone with RSP + 8 16-byte aligned at handler
 * entry; the registers, mask, siginfo and restorer land where musl's
 * ucontext_t and __restore_rt look for them; rt_sigreturn's check takes a
 * well-formed frame back unchanged, sanitises RFLAGS (no IOPL, TF, NT, VM,
 * IF forced on), drops SIGKILL/SIGSTOP from the mask, and refuses RIP or RSP
 * outside the user half (kernel half, non-canonical).
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(frame_sits_below_the_red_zone_aligned_as_after_a_call),
		cmocka_unit_test(frame_has_the_linux_layout),
		cmocka_unit_test(a_frame_comes_back_unchanged),
		cmocka_unit_test(rflags_are_sanitised),
		cmocka_unit_test(kill_and_stop_leave_the_mask),
		cmocka_unit_test(rip_or_rsp_outside_the_user_half_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
