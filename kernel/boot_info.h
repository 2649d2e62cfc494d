/*
 * The hand-off contract between the UEFI loader and the kernel.
 *
 * The loader fills one struct boot_info (and the arrays it points to) before it
 * jumps to the kernel's entry point with a pointer to it in %rdi. Every pointer
 * in here is a kernel virtual address inside the direct map, so the kernel can
 * read all of it without any mapping of its own. Only <stdint.h> types (the
 * memory map's entry, struct mem_region, lives with the code that builds it
 * in lib/memmap.h, so lib/ needs nothing from here): the kernel never sees a
 * gnu-efi type.
 *
 * Bump BOOT_INFO_VERSION whenever the layout changes; the kernel refuses a
 * block whose magic or version it does not know.
 */
#ifndef EMBER_BOOT_INFO_H
#define EMBER_BOOT_INFO_H

#ifndef __ASSEMBLER__
#include <stdint.h>

#include "lib/memmap.h"   /* struct mem_region: the map's entry, shared downward */
#endif

#define BOOT_INFO_MAGIC   0x52424d45u /* "EMBR" little-endian */
#define BOOT_INFO_VERSION 3u

/* Fixed virtual layout agreed by loader and kernel (see docs/boot.md). */
#define DIRECT_MAP_BASE    0xffff800000000000ull /* physical 0 maps here, NX */
#define HEAP_BASE          0xffffc00000000000ull /* kernel heap window (kmalloc), NX */
#define HEAP_WINDOW_SIZE   (512ull << 30)        /* one top-level slot; grows on demand */
#define FB_VIRT_BASE       0xffffe00000000000ull /* framebuffer, write-combining */
#define KERNEL_STACK_TOP   0xffffff0000000000ull /* boot stack grows down from here */
#define KERNEL_STACK_SIZE  (64ull * 1024)        /* guard page below is unmapped */
#define EFI_RT_BASE        0xffffd00000000000ull /* UEFI runtime regions (docs/power.md) */
#define EFI_RT_WINDOW      (1ull << 30)          /* at most 1 GiB of them */
#define KERNEL_BASE_MIN    0xffffffff80000000ull /* kernel ELF segments live above */

#ifndef __ASSEMBLER__

/* Framebuffer pixel formats as the loader found them. */
enum fb_format {
	FB_NONE = 0,              /* no usable linear framebuffer (BltOnly or no GOP) */
	FB_RGBX,                  /* byte 0 red, 1 green, 2 blue, 3 reserved */
	FB_BGRX,                  /* byte 0 blue, 1 green, 2 red, 3 reserved */
	FB_BITMASK,               /* arbitrary masks below */
};

struct boot_framebuffer {
	uint64_t phys;            /* physical base address */
	uint64_t virt;            /* virtual base (write-combining mapping) */
	uint64_t size;            /* bytes */
	uint32_t width, height;   /* visible pixels */
	uint32_t pitch;           /* bytes per scan line, >= width * bpp / 8 */
	uint32_t bpp;             /* bits per pixel: 32 for every GOP format seen */
	uint32_t red_mask, green_mask, blue_mask, reserved_mask;
	uint32_t format;          /* enum fb_format */
	uint32_t gop_mode;        /* GOP mode number, for the banner */
};

/* TSC stamps of the loader's phases, in order. */
enum boot_phase {
	BOOT_PHASE_ENTRY,         /* efi_main entered */
	BOOT_PHASE_CONFIG,        /* command line, GOP, RSDP and TSC done */
	BOOT_PHASE_LOADED,        /* kernel validated and its segments loaded */
	BOOT_PHASE_PAGING,        /* page tables built */
	BOOT_PHASE_EXIT,          /* ExitBootServices returned */
	BOOT_PHASE_HANDOFF,       /* about to jump to the kernel */
	BOOT_PHASE_COUNT
};

/* CPU features the loader checked (boot_info.cpu_flags); page tables follow them. */
#define BOOT_CPU_NX            (1u << 0)  /* no-execute pages; else no NX bits, EFER.NXE off */
#define BOOT_CPU_PAGE_1G       (1u << 1)  /* 1 GiB pages in the direct map; else 2 MiB */
#define BOOT_CPU_PAT           (1u << 2)  /* page attribute table (required) */
#define BOOT_CPU_TSC           (1u << 3)  /* time-stamp counter (required) */
#define BOOT_CPU_INVARIANT_TSC (1u << 4)  /* TSC rate constant across P/C-states */

#define BOOT_CMDLINE_MAX 256

struct boot_info {
	uint32_t magic;           /* BOOT_INFO_MAGIC */
	uint32_t version;         /* BOOT_INFO_VERSION */
	uint32_t size;            /* sizeof(struct boot_info) as the loader built it */
	uint32_t mem_count;       /* entries in mem_map */

	const struct mem_region *mem_map; /* sorted map, direct-map address */
	uint64_t direct_map_base; /* DIRECT_MAP_BASE */
	uint64_t phys_max;        /* highest physical address mapped + 1 */

	uint64_t kernel_phys_base; /* lowest physical address of the kernel segments */
	uint64_t kernel_phys_end;
	uint64_t kernel_virt_base; /* lowest and end virtual address of the image */
	uint64_t kernel_virt_end;
	uint64_t stack_top;       /* virtual top of the boot stack */
	uint64_t stack_size;

	struct boot_framebuffer fb;

	uint64_t rsdp_phys;       /* ACPI RSDP, 0 if none */
	uint32_t rsdp_revision;   /* 0 = ACPI 1.0, 2 = ACPI 2.0+ */
	uint32_t uefi_revision;   /* system table revision */
	uint64_t uefi_system_table; /* physical address, for runtime services */

	uint32_t ebs_attempts;    /* ExitBootServices calls it took (1 normally) */
	uint32_t cpu_flags;       /* BOOT_CPU_*: what the loader found in CPUID */
	uint64_t smp_trampoline_phys; /* a 4 KiB page below 1 MiB for the APs' start-up
	                               * code (typed MEM_KERNEL), 0 if none: then SMP is off */
	uint64_t tsc_hz;          /* measured against Stall, 0 if unknown */
	uint64_t tsc[BOOT_PHASE_COUNT];

	uint64_t files;           /* the ESP's ember/ folder as a file-tree archive
				     (lib/filetree.h), direct-map address in
				     MEM_KERNEL memory the kernel keeps; 0 if none */
	uint64_t files_size;      /* bytes of that archive */

	char cmdline[BOOT_CMDLINE_MAX]; /* NUL-terminated ASCII */

	/* UEFI runtime services, moved by SetVirtualAddressMap to EFI_RT_BASE (version 3). */
	uint64_t efi_rt_phys;     /* EFI_RUNTIME_SERVICES table, physical; 0: not usable */
	uint64_t efi_rt_pml4e;    /* PML4 entry of the window; put in a root only for calls */
	uint64_t efi_rt_map;      /* struct efirt_region[efi_rt_count], direct-map address,
				     MEM_KERNEL memory */
	uint32_t efi_rt_count;
	int32_t efi_rt_error;     /* 0, or why not usable: -E_NODEV no runtime table,
				     -E_NOMEM/-E_RANGE/-E_INVAL mapping, -E_IO call failed */
	uint64_t efi_rt_svam_status; /* what SetVirtualAddressMap returned (EFI_STATUS) */
	char fw_vendor[32];       /* the system table's FirmwareVendor, ASCII, NUL-terminated */
};

#endif /* __ASSEMBLER__ */
#endif
