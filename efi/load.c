/*
 * Loader phase 2: inflate the embedded gzip-compressed kernel (lib/inflate.c)
 * into scratch pages, validate the ELF, then copy its segments into freshly
 * allocated pages and allocate the kernel's boot stack. The blob is checked
 * completely (gzip header, every DEFLATE code, length and CRC-32 against the
 * trailer) and then the ELF (lib/elf.c) before the kernel's pages are
 * allocated: a corrupt or malformed kernel gets a clear message and
 * EFI_LOAD_ERROR, never a jump.
 */
#include "efi/loader.h"
#include "lib/compiler.h"
#include "lib/inflate.h"
#include "lib/memmap.h"
#include "lib/string.h"

extern const uint8_t ember_kernel_gz[];
extern const uint8_t ember_kernel_gz_end[];

#define PAGE 4096ull
#define KERNEL_ELF_MAX (64ull << 20)   /* a larger ISIZE is a corrupt trailer */

/* The inflated ELF, in EfiLoaderData pages freed once its segments are copied. */
struct kernel_elf {
	uint64_t phys, pages;
	size_t size;
};

static EFI_STATUS inflate_kernel(struct kernel_elf *e)
{
	size_t len = (size_t)(ember_kernel_gz_end - ember_kernel_gz);
	struct gzip_member m;
	const char *why = "";
	uint64_t t0 = rdtsc();

	if (gzip_parse(ember_kernel_gz, len, &m, &why)) {
		loader_error(EFI_LOAD_ERROR, "embedded kernel is not gzip data: %s", why);
		return EFI_LOAD_ERROR;
	}
	if (m.isize == 0 || m.isize > KERNEL_ELF_MAX) {
		loader_error(EFI_LOAD_ERROR, "embedded kernel does not decompress: "
			     "implausible length %u in the gzip trailer", m.isize);
		return EFI_LOAD_ERROR;
	}
	e->pages = (m.isize + PAGE - 1) / PAGE;
	if (EFI_ERROR(BS->AllocatePages(AllocateAnyPages, EfiLoaderData, e->pages, &e->phys))) {
		loader_error(EFI_OUT_OF_RESOURCES, "no memory to inflate the kernel (%u KiB)",
			     m.isize / 1024);
		return EFI_OUT_OF_RESOURCES;
	}
	if (gzip_inflate(ember_kernel_gz, len, (void *)e->phys, m.isize, &e->size, &why)) {
		BS->FreePages(e->phys, e->pages);
		loader_error(EFI_LOAD_ERROR, "embedded kernel does not decompress: %s", why);
		return EFI_LOAD_ERROR;
	}
	loader_info("kernel: %lu KiB gzip, %lu KiB ELF, inflated in %lu kcycles",
		    (unsigned long)(len / 1024), (unsigned long)(e->size / 1024),
		    (unsigned long)((rdtsc() - t0) / 1000));
	return EFI_SUCCESS;
}

/* Validate the ELF and copy its segments into one contiguous block. */
static EFI_STATUS place_kernel(struct loader *ld, const uint8_t *elf, size_t size)
{
	struct elf_image *k = &ld->kernel;
	struct boot_info *bi = ld->bi;
	const char *why = "";
	uint64_t span, phys;
	unsigned i;

	if (elf_validate(elf, size, KERNEL_BASE_MIN, k, &why)) {
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
		memcpy((void *)(phys + (s->vaddr - k->vbase)), elf + s->offset, s->filesz);
		/* the rest of memsz (.bss) is already zero: loader_alloc_pages zeroes */
	}
	ld->kernel_phys = phys;
	bi->kernel_phys_base = phys;
	bi->kernel_phys_end = phys + span;
	bi->kernel_virt_base = k->vbase;
	bi->kernel_virt_end = k->vend;
	return EFI_SUCCESS;
}

EFI_STATUS loader_load_kernel(struct loader *ld)
{
	struct boot_info *bi = ld->bi;
	struct kernel_elf e = { 0 };
	EFI_STATUS st;

	st = inflate_kernel(&e);
	if (EFI_ERROR(st))
		return st;
	st = place_kernel(ld, (const uint8_t *)e.phys, e.size);
	BS->FreePages(e.phys, e.pages);
	if (EFI_ERROR(st))
		return st;

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
