/*
 * Loader phase 3: the kernel's first page tables (4-level, 4 KiB tables from
 * the loader's kernel memory type so the kernel can keep using them):
 * No-execute bits only when the CPU has NX (ld->pte_nx, from efi/cpu.c): on a
 * CPU without it bit 63 is reserved and would fault every access.
 *   - a direct map of physical memory at DIRECT_MAP_BASE, no-execute, with
 *     1 GiB pages when CPUID offers them, else 2 MiB pages: [0, 4 GiB) plus
 *     every range the firmware's memory map reports;
 *   - the kernel's segments at their ELF addresses, W^X from the ELF flags;
 *   - the boot stack below KERNEL_STACK_TOP (the page under it stays unmapped);
 *   - the framebuffer at FB_VIRT_BASE, write-combining through PAT entry 4;
 *   - the two pages of loader_handoff identity-mapped, so the CR3 switch
 *     survives. Nothing else in the lower half.
 */
#include "arch/x86_64/mmu.h"   /* the page-table format, shared with the kernel */
#include "efi/loader.h"
#include "lib/compiler.h"
#include "lib/memmap.h"
#include "lib/string.h"

#define PAGE      0x1000ull
#define PAGE_2M   0x200000ull
#define PAGE_1G   0x40000000ull
#define PAT_ENTRY_WC 4      /* exit.c programs PAT entry 4 as write-combining */

static uint64_t alloc_table(void *ld)
{
	return loader_alloc_pages(ld, UEFI_MEM_EMBER_KERNEL, 1);
}

/*
 * Map one page of 2^leaf bytes through the walker of mmu.h (tables are
 * identity-mapped under UEFI). An identical mapping is fine.
 */
static int map_one(struct loader *ld, uint64_t virt, uint64_t phys, unsigned leaf,
		   uint64_t flags)
{
	struct pt_space s = { .root = ld->pml4_phys, .alloc_table = alloc_table, .alloc_arg = ld };
	uint64_t entry = phys | flags | PTE_P | (leaf != PT_SHIFT_PT ? PTE_PS : 0);
	uint64_t *e;
	int err = pt_entry_for(&s, virt, leaf, PTE_W, &e);

	if (err)
		return err;
	if ((*e & PTE_P) && *e != entry)
		return -E_EXIST;
	*e = entry;
	return 0;
}

/* Map [virt, virt + size) to phys in pages of `page` bytes (4 KiB, 2 MiB or 1 GiB). */
static int map_range(struct loader *ld, uint64_t virt, uint64_t phys, uint64_t size,
		     uint64_t flags, uint64_t page)
{
	unsigned leaf = page == PAGE_1G ? PT_SHIFT_PDPT : page == PAGE_2M ? PT_SHIFT_PD : PT_SHIFT_PT;
	uint64_t off;
	int err;

	for (off = 0; off < size; off += page) {
		err = map_one(ld, virt + off, phys + off, leaf, flags);
		if (err)
			return err;
	}
	return 0;
}

static int map_direct(struct loader *ld, uint64_t base, uint64_t end, uint64_t page)
{
	base = ALIGN_DOWN(base, page);
	end = ALIGN_UP(end, page);
	if (end > ld->bi->phys_max)
		ld->bi->phys_max = end;
	return map_range(ld, DIRECT_MAP_BASE + base, base, end - base,
		      PTE_W | ld->pte_nx, page);
}

/* [0, 4 GiB) and every memory-map range, whatever its type (MMIO included). */
static EFI_STATUS build_direct_map(struct loader *ld)
{
	uint64_t page = (ld->cpu_flags & BOOT_CPU_PAGE_1G) ? PAGE_1G : PAGE_2M;
	UINTN n, key, dsize;
	UINT32 dver;
	EFI_MEMORY_DESCRIPTOR *map = loader_memory_map(&n, &key, &dsize, &dver);
	int err = 0;
	UINTN i;

	if (!map) {
		loader_error(EFI_OUT_OF_RESOURCES, "cannot read the memory map");
		return EFI_OUT_OF_RESOURCES;
	}
	err = map_direct(ld, 0, 4 * PAGE_1G, page);
	for (i = 0; i < n && !err; i++) {
		EFI_MEMORY_DESCRIPTOR *d = (void *)((uint8_t *)map + i * dsize);
		err = map_direct(ld, d->PhysicalStart, d->PhysicalStart + d->NumberOfPages * PAGE, page);
	}
	BS->FreePool(map);
	if (err) {
		loader_error(EFI_OUT_OF_RESOURCES, "direct map: %s", err_name(err));
		return EFI_OUT_OF_RESOURCES;
	}
	return EFI_SUCCESS;
}

static int map_kernel(struct loader *ld)
{
	const struct elf_image *k = &ld->kernel;
	unsigned i;
	int err;

	for (i = 0; i < k->count; i++) {
		const struct elf_segment *s = &k->seg[i];
		uint64_t v = ALIGN_DOWN(s->vaddr, PAGE);
		uint64_t end = ALIGN_UP(s->vaddr + s->memsz, PAGE);
		uint64_t flags = ((s->flags & ELF_PF_W) ? PTE_W : 0) |
				 ((s->flags & ELF_PF_X) ? 0 : ld->pte_nx);
		err = map_range(ld, v, ld->kernel_phys + (v - k->vbase), end - v, flags, PAGE);
		if (err)
			return err;
	}
	return map_range(ld, KERNEL_STACK_TOP - KERNEL_STACK_SIZE, ld->stack_phys,
		      KERNEL_STACK_SIZE, PTE_W | ld->pte_nx, PAGE);
}

static int map_framebuffer(struct loader *ld)
{
	struct boot_framebuffer *fb = &ld->bi->fb;
	uint64_t base, end;

	if (fb->format == FB_NONE)
		return 0;
	base = ALIGN_DOWN(fb->phys, PAGE);
	end = ALIGN_UP(fb->phys + fb->size, PAGE);
	fb->virt = FB_VIRT_BASE + (fb->phys - base);
	return map_range(ld, FB_VIRT_BASE, base, end - base,
		      PTE_W | ld->pte_nx | pt_pat_bits(PAT_ENTRY_WC, PT_SHIFT_PT), PAGE);
}

static int map_handoff(struct loader *ld)
{
	uint64_t code = ALIGN_DOWN((uint64_t)&loader_handoff, PAGE);

	return map_range(ld, code, code, 2 * PAGE, 0, PAGE);
}

EFI_STATUS loader_build_paging(struct loader *ld)
{
	EFI_STATUS st;
	int err;

	ld->pml4_phys = loader_alloc_pages(ld, UEFI_MEM_EMBER_KERNEL, 1);
	if (!ld->pml4_phys) {
		loader_error(EFI_OUT_OF_RESOURCES, "no memory for page tables");
		return EFI_OUT_OF_RESOURCES;
	}
	st = build_direct_map(ld);
	if (EFI_ERROR(st))
		return st;
	err = map_kernel(ld);
	if (!err)
		err = map_framebuffer(ld);
	if (!err)
		err = map_handoff(ld);
	if (err) {
		loader_error(EFI_OUT_OF_RESOURCES, "page tables: %s", err_name(err));
		return EFI_OUT_OF_RESOURCES;
	}
	ld->bi->tsc[BOOT_PHASE_PAGING] = rdtsc();
	return EFI_SUCCESS;
}
