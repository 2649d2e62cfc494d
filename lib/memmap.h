/*
 * Memory-map normalisation: turns the UEFI memory map into the kernel's own
 * map: sorted by base, page-aligned, non-overlapping, adjacent regions of one
 * type merged, typed in the kernel's vocabulary. struct mem_region, its entry,
 * is defined here and handed over through kernel/boot_info.h, which includes
 * this header (lib/ includes nothing above it).
 *
 * Pure code, any context: the loader calls memmap_from_uefi() after
 * ExitBootServices, so it allocates nothing and works inside the caller's
 * buffer. No gnu-efi types: descriptors are read by their documented layout.
 */
#ifndef EMBER_LIB_MEMMAP_H
#define EMBER_LIB_MEMMAP_H

#include <stddef.h>
#include <stdint.h>


/* Memory region types, in the kernel's own vocabulary (modelled on Limine). */
enum mem_type {
	MEM_USABLE = 1,           /* free RAM: conventional, boot services code/data */
	MEM_BOOT_RECLAIMABLE,     /* loader image, boot info, page tables: free once copied */
	MEM_KERNEL,               /* kernel segments and boot stack */
	MEM_ACPI_RECLAIMABLE,     /* ACPI tables: free after they are parsed */
	MEM_ACPI_NVS,             /* must be preserved across sleep */
	MEM_RUNTIME,              /* UEFI runtime services code/data: keep mapped */
	MEM_MMIO,                 /* memory-mapped I/O the firmware reported */
	MEM_RESERVED,             /* anything else: never touch */
	MEM_BAD,                  /* faulty RAM reported by the firmware */
	MEM_PERSISTENT,           /* non-volatile memory */
};

/*
 * One region of physical memory. The map is sorted by base, regions never
 * overlap, base and length are multiples of 4 KiB, and adjacent regions of the
 * same type are merged.
 */
struct mem_region {
	uint64_t base;
	uint64_t length;
	uint32_t type;            /* enum mem_type */
	uint32_t reserved;
};
_Static_assert(sizeof(struct mem_region) == 24, "mem_region: boot-info layout");

/* EFI_MEMORY_TYPE values, numbered as in the UEFI specification. */
#define UEFI_MEM_RESERVED            0u
#define UEFI_MEM_LOADER_CODE         1u
#define UEFI_MEM_LOADER_DATA         2u
#define UEFI_MEM_BOOT_SERVICES_CODE  3u
#define UEFI_MEM_BOOT_SERVICES_DATA  4u
#define UEFI_MEM_RUNTIME_CODE        5u
#define UEFI_MEM_RUNTIME_DATA        6u
#define UEFI_MEM_CONVENTIONAL        7u
#define UEFI_MEM_UNUSABLE            8u
#define UEFI_MEM_ACPI_RECLAIM        9u
#define UEFI_MEM_ACPI_NVS            10u
#define UEFI_MEM_MMIO                11u
#define UEFI_MEM_MMIO_PORT_SPACE     12u
#define UEFI_MEM_PAL_CODE            13u
#define UEFI_MEM_PERSISTENT          14u
#define UEFI_MEM_UNACCEPTED          15u

/* The loader's own OS-defined types (0x80000000 and up), given to AllocatePages. */
#define UEFI_MEM_EMBER_KERNEL   0x80000001u /* kernel segments, stack, page tables */
#define UEFI_MEM_EMBER_BOOT     0x80000002u /* boot info + memory map: reclaimable */

/*
 * EFI_MEMORY_DESCRIPTOR is 40 bytes; firmware may report a larger stride
 * (OVMF: 48). Any stride of at least 40 that is a multiple of 8 is accepted.
 */
#define UEFI_MEM_DESC_MIN_SIZE  40u

/*
 * Output entries that always suffice for desc_count descriptors: 2 per
 * descriptor (every descriptor adds at most a start and an end boundary; the
 * proof is at memmap_from_uefi() in memmap.c). Saturates instead of wrapping.
 */
size_t memmap_capacity_needed(size_t desc_count);

/*
 * Convert map_size bytes of UEFI descriptors, desc_size bytes apart, into
 * out[0..*count). MEM_USABLE regions shrink inward to 4 KiB boundaries, every
 * other type grows outward; where entries overlap, the more restrictive type
 * wins that part (ranking in memmap.c) and the rest of each entry survives.
 * O(n log n) time, no memory but out[].
 *
 * Returns 0, or -E_INVAL (bad desc_size, map_size not a multiple of it, NULL
 * pointers, an entry whose end wraps past 2^64 - 4096), or -E_NOSPC when
 * out[] is too small (never with cap >= memmap_capacity_needed(n); smaller
 * caps may fail even if the final map would fit). Never writes out[cap] or
 * beyond; on error *count is 0 and out[] holds garbage.
 */
int memmap_from_uefi(const void *descs, size_t map_size, size_t desc_size,
		     struct mem_region *out, size_t cap, size_t *count);

/* The kernel's type for a UEFI memory type; unknown types are MEM_RESERVED. */
enum mem_type memmap_type_from_uefi(uint32_t uefi_type);

/* A short lower-case name ("usable", "kernel", ...) for the banner; "unknown". */
const char *memmap_type_name(uint32_t type);

/* Total bytes of regions of one type in m[0..n). */
uint64_t memmap_total(const struct mem_region *m, size_t n, uint32_t type);

#endif
