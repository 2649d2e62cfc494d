/*
 * Loader phase 2: validate the embedded kernel ELF, then copy its segments
 * into freshly allocated pages and allocate the kernel's boot stack. The image
 * is checked completely (lib/elf.c) before a single page is allocated: a
 * malformed kernel gets a clear message and EFI_LOAD_ERROR, never a jump.
 */
#include "efi/loader.h"
#include "lib/compiler.h"
#include "lib/memmap.h"
#include "lib/string.h"

extern const uint8_t ember_kernel_elf[];
extern const uint8_t ember_kernel_elf_end[];

#define PAGE 4096ull

EFI_STATUS loader_load_kernel(struct loader *ld)
{
	size_t size = (size_t)(ember_kernel_elf_end - ember_kernel_elf);
	struct elf_image *k = &ld->kernel;
	struct boot_info *bi = ld->bi;
	const char *why = "";
	uint64_t span, phys;
	unsigned i;

	if (elf_validate(ember_kernel_elf, size, KERNEL_BASE_MIN, k, &why)) {
		loader_error(EFI_LOAD_ERROR, "embedded kernel rejected: %s", why);
		return EFI_LOAD_ERROR;
	}
	/* One contiguous physical block for the whole image span. */
	span = k->vend - k->vbase;
	phys = loader_alloc_pages(ld, UEFI_MEM_EMBER_KERNEL, span / PAGE);
	if (!phys) {
		loader_error(EFI_OUT_OF_RESOURCES, "no memory for the kernel (%lu KiB)",
			     (unsigned long)(span / 1024));
		return EFI_OUT_OF_RESOURCES;
	}
	for (i = 0; i < k->count; i++) {
		const struct elf_segment *s = &k->seg[i];
		memcpy((void *)(phys + (s->vaddr - k->vbase)), ember_kernel_elf + s->offset, s->filesz);
		/* the rest of memsz (.bss) is already zero: loader_alloc_pages zeroes */
	}
	ld->kernel_phys = phys;
	bi->kernel_phys_base = phys;
	bi->kernel_phys_end = phys + span;
	bi->kernel_virt_base = k->vbase;
	bi->kernel_virt_end = k->vend;

	ld->stack_phys = loader_alloc_pages(ld, UEFI_MEM_EMBER_KERNEL, KERNEL_STACK_SIZE / PAGE);
	if (!ld->stack_phys) {
		loader_error(EFI_OUT_OF_RESOURCES, "no memory for the kernel stack");
		return EFI_OUT_OF_RESOURCES;
	}
	bi->stack_top = KERNEL_STACK_TOP;
	bi->stack_size = KERNEL_STACK_SIZE;
	bi->tsc[BOOT_PHASE_LOADED] = rdtsc();
	return EFI_SUCCESS;
}
