/*
 * The UEFI loader's internal interface. efi_main (main.c) runs the phases in
 * order; each phase lives in its own file and reports failure with an
 * EFI_STATUS after printing one clear line on the UEFI console. Only the
 * loader includes <efi.h>; what it hands over is kernel/boot_info.h.
 *
 * Context: boot services are available in every function here except
 * loader_exit_boot_services' tail and loader_handoff.
 */
#ifndef EMBER_EFI_LOADER_H
#define EMBER_EFI_LOADER_H

#include <efi.h>
#include <efilib.h>
#include <stdint.h>
#include <stdbool.h>

#include "arch/x86_64/cpu.h"   /* header-only instruction wrappers */
#include "kernel/boot_info.h"
#include "lib/compiler.h"
#include "lib/efirt.h"
#include "lib/elf.h"
#include "lib/errno.h"

#define LOADER_MAX_ALLOCS 1024

/* Everything the phases pass along. One instance, on efi_main's stack. */
struct loader {
	EFI_HANDLE image;
	struct boot_info *bi;        /* physical = virtual under UEFI's identity map */
	uint64_t bi_phys;
	struct mem_region *map_out;  /* the boot-info block's memory-map array */
	size_t map_cap;

	struct elf_image kernel;     /* validated program headers */
	uint64_t kernel_phys;        /* physical base of the loaded image span */
	uint64_t stack_phys;         /* physical base of the boot stack */

	uint32_t cpu_flags;          /* BOOT_CPU_*: what CPUID offers (cpu.c) */
	uint64_t pte_nx;             /* PTE_NX when the CPU has NX, else 0 */
	uint64_t pml4_phys;          /* root of the page tables built here */
	bool stale_key_test;         /* cmdline loader.stale_map_key=1: force one EBS retry */
	unsigned ebs_attempts;

	/* UEFI runtime services (runtime.c): a root of their own and its table pool. */
	uint64_t rt_root, rt_pool, rt_pool_pages, rt_pool_used;
	struct efirt_region *rt_regions;
	size_t rt_cap;

	/* Every page allocation, so a failed boot gives all of it back. */
	struct { uint64_t phys, pages; } allocs[LOADER_MAX_ALLOCS];
	unsigned nallocs;
};

/* UEFI library services (uefi.c), in place of gnu-efi's libefi. */
void loader_init_tables(EFI_SYSTEM_TABLE *systab);
bool loader_guid_equal(const EFI_GUID *a, const EFI_GUID *b);
EFI_FILE_HANDLE loader_open_root(EFI_HANDLE device);
EFI_MEMORY_DESCRIPTOR *loader_memory_map(UINTN *count, UINTN *key, UINTN *dsize, UINT32 *dver);

/* Console helpers: one line, prefixed "ember loader: ". */
void loader_error(EFI_STATUS status, const char *fmt, ...) __printf_like(2, 3);
void loader_info(const char *fmt, ...) __printf_like(1, 2);

/* Zeroed pages of one of the loader's OS-defined memory types; 0 on failure. */
uint64_t loader_alloc_pages(struct loader *ld, uint32_t uefi_type, uint64_t pages);
void loader_free_all(struct loader *ld);

/* Phases, in order. */
uint32_t loader_cpu_flags(void);                    /* BOOT_CPU_* from CPUID */
EFI_STATUS loader_check_cpu(struct loader *ld);     /* features used, or a clear refusal */
EFI_STATUS loader_config(struct loader *ld);        /* cmdline, GOP, RSDP, TSC */
EFI_STATUS loader_load_kernel(struct loader *ld);   /* validate ELF, load, stack */
EFI_STATUS loader_read_files(struct loader *ld);    /* ESP ember/ -> file-tree archive */
EFI_STATUS loader_build_paging(struct loader *ld);  /* 4-level tables */
EFI_STATUS loader_exit_boot_services(struct loader *ld);
/* runtime.c: allocate before ExitBootServices; map and SetVirtualAddressMap after.
 * Failures only leave boot_info.efi_rt_error set: the kernel falls back. */
void loader_runtime_prepare(struct loader *ld);
void loader_runtime_map(struct loader *ld, void *map, UINTN size, UINTN dsize, UINT32 ver);

/* handoff.S: load CR3, switch stacks, jump. Never returns. */
void loader_handoff(uint64_t cr3, uint64_t stack_top, uint64_t entry, uint64_t boot_info)
	__attribute__((noreturn));

#endif
