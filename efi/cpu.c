/*
 * Loader phase 0: the CPU features the loader and the kernel rely on, read
 * from CPUID before any of them is used. What is optional (NX, 1 GiB pages,
 * invariant TSC) is recorded in boot_info.cpu_flags and the page tables adapt;
 * what Ember cannot run without (long mode and PAE are given by UEFI x86_64;
 * the TSC and PAT are checked) stops the boot with a line on the UEFI console
 * and an error status back to the firmware, before ExitBootServices.
 *
 * Context: boot services available; runs first in efi_main.
 */
#include "arch/x86_64/mmu.h"   /* PTE_NX */
#include "efi/loader.h"

/* CPUID bits (Intel SDM vol. 2A, CPUID; AMD APM vol. 3, appendix E). */
#define CPUID1_EDX_TSC        (1u << 4)
#define CPUID1_EDX_PAT        (1u << 16)
#define CPUIDX1_EDX_NX        (1u << 20)
#define CPUIDX1_EDX_PAGE1GB   (1u << 26)
#define CPUIDX7_EDX_INVARIANT (1u << 8)

/* The feature flags of this CPU, in boot_info's vocabulary. */
uint32_t loader_cpu_flags(void)
{
	uint32_t r[4], flags = 0, max_ext;

	cpuid(1, 0, r);
	flags |= (r[3] & CPUID1_EDX_TSC) ? BOOT_CPU_TSC : 0;
	flags |= (r[3] & CPUID1_EDX_PAT) ? BOOT_CPU_PAT : 0;
	cpuid(0x80000000, 0, r);
	max_ext = r[0];
	if (max_ext >= 0x80000001) {
		cpuid(0x80000001, 0, r);
		flags |= (r[3] & CPUIDX1_EDX_NX) ? BOOT_CPU_NX : 0;
		flags |= (r[3] & CPUIDX1_EDX_PAGE1GB) ? BOOT_CPU_PAGE_1G : 0;
	}
	if (max_ext >= 0x80000007) {
		cpuid(0x80000007, 0, r);
		flags |= (r[3] & CPUIDX7_EDX_INVARIANT) ? BOOT_CPU_INVARIANT_TSC : 0;
	}
	return flags;
}

EFI_STATUS loader_check_cpu(struct loader *ld)
{
	uint32_t f = loader_cpu_flags();

	ld->cpu_flags = f;
	ld->pte_nx = (f & BOOT_CPU_NX) ? PTE_NX : 0;
	if (!(f & BOOT_CPU_TSC)) {
		loader_error(EFI_UNSUPPORTED, "this CPU has no time-stamp counter: Ember needs one");
		return EFI_UNSUPPORTED;
	}
	if (!(f & BOOT_CPU_PAT)) {
		loader_error(EFI_UNSUPPORTED, "this CPU has no PAT: Ember needs it for the framebuffer");
		return EFI_UNSUPPORTED;
	}
	if (!(f & BOOT_CPU_NX))
		loader_info("this CPU has no NX (Execute Disable off?): booting without no-execute pages");
	return EFI_SUCCESS;
}
