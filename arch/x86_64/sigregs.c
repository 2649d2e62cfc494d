/*
 * The user registers of a frame in the order of Linux x86_64's struct
 * sigcontext (kernel/arch.h, "user mode"), for signal delivery and
 * rt_sigreturn. The kernel's signal layer checks what it writes back (RIP,
 * RSP, RFLAGS); CS and SS are forced to the user selectors here, so no
 * frame handed in by a program can return to ring 0.
 *
 * Context: interrupts off, on the process's kernel stack.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/interrupts.h"
#include "kernel/arch.h"

#define VEC_PAGE_FAULT 14
#define RFLAGS_DF      (1ull << 10)
#define RFLAGS_TF      (1ull << 8)
#define RFLAGS_RF      (1ull << 16)
#define RFLAGS_AC      (1ull << 18)

void arch_frame_get_regs(const struct interrupt_frame *f, uint64_t r[ARCH_SIGREGS])
{
	const uint64_t v[ARCH_SIGREGS] = {
		f->r8, f->r9, f->r10, f->r11, f->r12, f->r13, f->r14, f->r15,
		f->rdi, f->rsi, f->rbp, f->rbx, f->rdx, f->rax, f->rcx, f->rsp, f->rip, f->rflags,
	};

	for (int i = 0; i < ARCH_SIGREGS; i++)
		r[i] = v[i];
}

void arch_frame_set_regs(struct interrupt_frame *f, const uint64_t r[ARCH_SIGREGS])
{
	f->r8 = r[0], f->r9 = r[1], f->r10 = r[2], f->r11 = r[3];
	f->r12 = r[4], f->r13 = r[5], f->r14 = r[6], f->r15 = r[7];
	f->rdi = r[8], f->rsi = r[9], f->rbp = r[10], f->rbx = r[11];
	f->rdx = r[12], f->rax = r[13], f->rcx = r[14], f->rsp = r[15];
	f->rip = r[16];
	f->rflags = r[17] | RFLAGS_IF | 2;
	f->cs = USER_CS;
	f->ss = USER_SS;
}

uint64_t arch_frame_trap(const struct interrupt_frame *f, uint64_t *err, uint64_t *addr)
{
	if (f->vector >= 32) {
		*err = *addr = 0;
		return 0;
	}
	*err = f->error_code;
	*addr = f->vector == VEC_PAGE_FAULT ? read_cr2() : f->rip;
	return f->vector;
}

void arch_frame_enter_handler(struct interrupt_frame *f, uint64_t rip, uint64_t rsp,
			      uint64_t a0, uint64_t a1, uint64_t a2)
{
	f->rip = rip;
	f->rsp = rsp;
	f->rdi = a0;
	f->rsi = a1;
	f->rdx = a2;
	f->rax = 0;
	f->rflags &= ~(RFLAGS_DF | RFLAGS_TF | RFLAGS_RF | RFLAGS_AC);
	f->cs = USER_CS;
	f->ss = USER_SS;
}
