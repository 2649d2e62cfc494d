/*
 * Suite tests of the UEFI runtime hand-off (docs/power.md): on OVMF the
 * loader moved the runtime regions to EFI_RT_BASE with SetVirtualAddressMap,
 * the list it handed over is placed back to back inside the window, the
 * runtime table's ResetSystem points into it, the window is absent from the
 * kernel's own tables (only a runtime call's root has it), and each region's
 * mapping there has the kind's permissions.
 */
#include "arch/x86_64/efi_rt.h"
#include "arch/x86_64/mmu.h"
#include "kernel/ktest.h"
#include "kernel/mm/paging.h"
#include "lib/efirt.h"

KTEST(efi_runtime_services_were_moved_to_the_kernel_half)
{
	const struct boot_info *bi = ktest_boot_info();
	const struct efirt_region *r = (const void *)bi->efi_rt_map;
	uint64_t next = EFI_RT_BASE;

	KEXPECT_EQ(bi->efi_rt_error, 0);
	KEXPECT_EQ(bi->efi_rt_svam_status, 0);
	KEXPECT_EQ(efi_rt_check(), 0);
	KEXPECT(bi->efi_rt_count > 0);
	for (uint32_t i = 0; i < bi->efi_rt_count; i++) {
		KEXPECT_EQ(r[i].virt, next);
		KEXPECT(r[i].kind >= EFIRT_CODE && r[i].kind <= EFIRT_MMIO);
		next += r[i].pages * EFIRT_PAGE;
	}
	KEXPECT(next <= EFI_RT_BASE + EFI_RT_WINDOW);
}

KTEST(efi_runtime_window_is_absent_from_the_kernels_tables)
{
	const struct boot_info *bi = ktest_boot_info();
	struct page_mapping m;

	KEXPECT(bi->efi_rt_pml4e & PTE_P);
	KEXPECT(!paging_translate(EFI_RT_BASE, &m));
	KEXPECT(paging_verify(NULL) == 0);
}

/* The window's leaf for va, walked from the loader's separate entry. */
static uint64_t window_leaf(uint64_t pml4e, uint64_t va)
{
	uint64_t e = pml4e;

	for (unsigned shift = PT_SHIFT_PDPT; shift >= PT_SHIFT_PT; shift -= PT_SHIFT_STEP) {
		if (!(e & PTE_P))
			return 0;
		e = ((const uint64_t *)(DIRECT_MAP_BASE + (e & PTE_ADDR)))[pt_index(va, shift)];
	}
	return e;
}

KTEST(efi_runtime_regions_are_mapped_by_kind)
{
	const struct boot_info *bi = ktest_boot_info();
	const struct efirt_region *r = (const void *)bi->efi_rt_map;

	for (uint32_t i = 0; i < bi->efi_rt_count; i++) {
		uint64_t first = window_leaf(bi->efi_rt_pml4e, r[i].virt);
		uint64_t last = window_leaf(bi->efi_rt_pml4e, r[i].virt + (r[i].pages - 1) * EFIRT_PAGE);

		KEXPECT_EQ(first & PTE_ADDR, r[i].phys);
		KEXPECT_EQ(last & PTE_ADDR, r[i].phys + (r[i].pages - 1) * EFIRT_PAGE);
		KEXPECT_EQ(!(first & PTE_NX) || !mmu_nx, r[i].kind == EFIRT_CODE || !mmu_nx);
		KEXPECT_EQ(!!(first & PTE_PCD), r[i].kind == EFIRT_MMIO || r[i].uncached);
	}
}
