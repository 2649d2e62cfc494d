/*
 * Calls into UEFI runtime services (see efi_rt.h, docs/power.md): the
 * runtime table read through the direct map, the call made in a copy of the
 * current root that also holds the firmware's window, on efi_stack.
 * Task context; interrupts off during the call.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/efi_rt.h"
#include "arch/x86_64/mmu.h"
#include "kernel/arch.h"
#include "kernel/boot.h"
#include "kernel/boot_info.h"
#include "kernel/mm/paging.h"
#include "lib/compiler.h"
#include "lib/efirt.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"

#define EFI_RT_SIGNATURE 0x56524553544e5552ull  /* "RUNTSERV" */
#define EFI_STACK_SIZE   (32 * 1024)            /* the spec asks for at least 4 KiB */
#define CR0_MP           (1ull << 1)
#define CR0_EM           (1ull << 2)
#define CR0_TS           (1ull << 3)
#define CR4_OSFXSR       (1ull << 9)
#define CR4_OSXMMEXCPT   (1ull << 10)
#define MXCSR_DEFAULT    0x1f80u                /* all exceptions masked, round to nearest */

/* EFI_RUNTIME_SERVICES (UEFI 2.10, 4.5): function pointers, already virtual. */
struct efi_runtime_services {
	uint64_t signature;
	uint32_t revision, header_size, crc32, reserved;
	uint64_t get_time, set_time, get_wakeup_time, set_wakeup_time;
	uint64_t set_virtual_address_map, convert_pointer;
	uint64_t get_variable, get_next_variable_name, set_variable;
	uint64_t get_next_high_monotonic_count;
	uint64_t reset_system;
} __packed;
_Static_assert(__builtin_offsetof(struct efi_runtime_services, reset_system) == 104,
	       "EFI_RUNTIME_SERVICES.ResetSystem");

uint64_t efi_call4_on_stack(uint64_t fn, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
			    uint64_t stack_top);

static uint64_t call_root[PT_ENTRIES] __attribute__((aligned(4096)));
static uint8_t efi_stack[EFI_STACK_SIZE] __attribute__((aligned(16)));

static const struct efi_runtime_services *rt_table(void)
{
	const struct boot_info *bi = boot_info();

	if (!bi || !bi->efi_rt_phys || !(bi->efi_rt_pml4e & PTE_P))
		return NULL;
	return (const void *)(DIRECT_MAP_BASE + bi->efi_rt_phys);
}

int efi_rt_check(void)
{
	const struct efi_runtime_services *rt = rt_table();

	if (!rt)
		return -E_NODEV;
	if (rt->signature != EFI_RT_SIGNATURE)
		return -E_INVAL;
	if (rt->reset_system < EFI_RT_BASE || rt->reset_system >= EFI_RT_BASE + EFI_RT_WINDOW)
		return -E_RANGE;
	return 0;
}

void efi_rt_describe(char *buf, unsigned size)
{
	const struct boot_info *bi = boot_info();
	const struct efirt_region *r;
	uint64_t pages = 0;

	if (!bi || !bi->efi_rt_phys) {
		fmt_snprintf(buf, size, "not mapped by the loader (%s, SetVirtualAddressMap %#llx)",
			     err_name(bi ? bi->efi_rt_error : -E_NODEV),
			     (unsigned long long)(bi ? bi->efi_rt_svam_status : 0));
		return;
	}
	r = (const void *)bi->efi_rt_map;
	for (uint32_t i = 0; i < bi->efi_rt_count; i++)
		pages += r[i].pages;
	fmt_snprintf(buf, size, "%u regions, %llu KiB at %#llx, table at phys %#llx",
		     bi->efi_rt_count, (unsigned long long)pages * 4,
		     (unsigned long long)EFI_RT_BASE, (unsigned long long)bi->efi_rt_phys);
}

/* The current root with the firmware's window added; its physical address. */
static uint64_t build_call_root(void)
{
	struct page_mapping m;

	memcpy(call_root, (const void *)(DIRECT_MAP_BASE + (read_cr3() & PTE_ADDR)),
	       sizeof(call_root));
	call_root[pt_index(EFI_RT_BASE, PT_SHIFT_PML4)] = boot_info()->efi_rt_pml4e;
	return paging_translate((uint64_t)call_root, &m) ? m.phys : 0;
}

/* UEFI 2.3.4.2: CR0.EM and TS clear, x87 and MXCSR in their default state. */
static void fpu_for_firmware(void)
{
	uint32_t mxcsr = MXCSR_DEFAULT;

	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	__asm__ volatile("fninit; ldmxcsr %0" : : "m"(mxcsr) : "memory");
}

int efi_rt_reset(unsigned type)
{
	const struct efi_runtime_services *rt = rt_table();
	uint64_t cr0, cr3, cr4, root;
	unsigned long flags;
	int err = efi_rt_check();

	if (err)
		return err;
	flags = arch_irq_save();
	root = build_call_root();
	if (!root) {
		arch_irq_restore(flags);
		return -E_NOENT;
	}
	cr0 = read_cr0(), cr3 = read_cr3(), cr4 = read_cr4();
	fpu_for_firmware();
	write_cr3(root);
	efi_call4_on_stack(rt->reset_system, type, 0, 0, 0,
			   (uint64_t)efi_stack + sizeof(efi_stack));
	write_cr3(cr3);
	write_cr4(cr4);
	write_cr0(cr0);
	arch_irq_restore(flags);
	return -E_IO;
}
