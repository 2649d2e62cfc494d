/*
 * The x87/SSE state of user programs (kernel/arch.h, "FPU state";
 * docs/proc.md): CR0/CR4 set up on every CPU, and the 512-byte FXSAVE
 * image each process keeps while it is off the CPU. The kernel itself is
 * built without SSE or x87, so the registers always hold the state of the
 * process this CPU runs (or last ran): nothing is saved on a system call
 * or an interrupt, only when a process leaves the CPU.
 *
 * FXSAVE, not XSAVE: it covers x87, MMX, XMM0-15 and MXCSR, everything a
 * musl program uses. CR4.OSXSAVE stays off (cleared if the firmware set
 * it), so AVX and AVX-512 instructions are #UD in ring 3 and CPUID tells
 * programs that the OS does not keep their state: no YMM/ZMM upper halves
 * or mask registers need saving.
 *
 * Context: arch_fpu_cpu_init on each CPU as it starts (interrupts off);
 * the rest on the CPU whose registers they touch, interrupts off.
 */
#include "arch/x86_64/cpu.h"
#include "kernel/arch.h"
#include "kernel/kprintf.h"
#include "lib/string.h"

#define CR0_MP            (1ull << 1)     /* WAIT/FWAIT honour TS */
#define CR0_EM            (1ull << 2)     /* no x87: every x87/SSE instruction #NM/#UD */
#define CR0_TS            (1ull << 3)     /* task switched: lazy saving (not used) */
#define CR0_NE            (1ull << 5)     /* x87 errors as #MF, not IRQ 13 */
#define CR4_OSFXSR        (1ull << 9)     /* FXSAVE/FXRSTOR and SSE */
#define CR4_OSXMMEXCPT    (1ull << 10)    /* unmasked SSE exceptions as #XM */
#define CR4_OSXSAVE       (1ull << 18)
#define CPUID1_ECX_XSAVE  (1u << 26)
#define CPUID1_ECX_AVX    (1u << 28)
#define FX_FCW            0               /* Intel SDM vol. 1, table 10-2: FXSAVE layout */
#define FX_MXCSR          24
#define FX_MXCSR_MASK     28
#define FCW_DEFAULT       0x037f          /* FNINIT's: all masked, 64-bit precision */
#define MXCSR_DEFAULT     0x1f80          /* all masked, round to nearest */
#define MXCSR_MASK_OLD    0xffbf          /* when FXSAVE writes 0 there (SDM 11.6.6) */

static uint32_t mxcsr_mask = MXCSR_MASK_OLD;

void arch_fpu_cpu_init(void)
{
	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
	write_cr4((read_cr4() & ~CR4_OSXSAVE) | CR4_OSFXSR | CR4_OSXMMEXCPT);
	__asm__ volatile("fninit" ::: "memory");
}

void arch_fpu_save(void *area)
{
	__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
}

void arch_fpu_restore(const void *area)
{
	__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}

void arch_fpu_clean(void *area)
{
	uint16_t fcw = FCW_DEFAULT;
	uint32_t mxcsr = MXCSR_DEFAULT;

	memset(area, 0, ARCH_FPU_BYTES);
	memcpy((uint8_t *)area + FX_FCW, &fcw, sizeof(fcw));
	memcpy((uint8_t *)area + FX_MXCSR, &mxcsr, sizeof(mxcsr));
}

uint32_t arch_fpu_mxcsr_mask(void)
{
	return mxcsr_mask;
}

/* Once, on the BSP after arch_fpu_cpu_init: the MXCSR bits this CPU accepts. */
void arch_fpu_init(void)
{
	static uint8_t probe[ARCH_FPU_BYTES] __attribute__((aligned(16)));
	uint32_t m;

	memset(probe, 0, sizeof(probe));
	arch_fpu_save(probe);
	memcpy(&m, probe + FX_MXCSR_MASK, sizeof(m));
	mxcsr_mask = m ? m : MXCSR_MASK_OLD;
}

/* For the cpu command: what is kept per process and what the CPU offers that is not. */
void arch_fpu_print(void)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	kprintf("fpu: FXSAVE, %u bytes per process, MXCSR_MASK %#x; XSAVE %s, AVX %s: "
		"CR4.OSXSAVE %s, no AVX state kept\n", (unsigned)ARCH_FPU_BYTES, mxcsr_mask,
		(r[2] & CPUID1_ECX_XSAVE) ? "offered" : "absent",
		(r[2] & CPUID1_ECX_AVX) ? "offered (unavailable to programs)" : "absent",
		(read_cr4() & CR4_OSXSAVE) ? "ON (a bug)" : "off");
}
