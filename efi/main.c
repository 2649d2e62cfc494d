/*
 * efi_main: the UEFI application that boots Ember. It runs the loader's
 * phases in order (see docs/boot.md) and jumps to the kernel embedded in this
 * same file. Any failure before ExitBootServices prints one clear line and
 * returns an error status to the firmware, which then tries its next boot
 * option; nothing jumps into an image that did not validate.
 */
#include "efi/loader.h"
#include "lib/format.h"
#include "lib/memmap.h"
#include "lib/string.h"

#define LOADER_LINE_MAX 160

static void console_line(const char *prefix, const char *fmt, va_list ap)
{
	char line[LOADER_LINE_MAX];
	CHAR16 wide[LOADER_LINE_MAX + 2];
	size_t n, i = 0;

	n = strlen(prefix);
	memcpy(line, prefix, n);
	fmt_vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	for (n = 0; line[n] && i < LOADER_LINE_MAX; n++)
		wide[i++] = (unsigned char)line[n];
	wide[i++] = L'\r';
	wide[i++] = L'\n';
	wide[i] = 0;
	ST->ConOut->OutputString(ST->ConOut, wide);
}

void loader_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_line("ember loader: ", fmt, ap);
	va_end(ap);
}

void loader_error(EFI_STATUS status, const char *fmt, ...)
{
	char prefix[48];
	va_list ap;

	fmt_snprintf(prefix, sizeof(prefix), "ember loader: error %lu: ",
		     (unsigned long)(status & ~EFI_ERROR_MASK));
	va_start(ap, fmt);
	console_line(prefix, fmt, ap);
	va_end(ap);
}

uint64_t loader_alloc_pages(struct loader *ld, uint32_t uefi_type, uint64_t pages)
{
	EFI_PHYSICAL_ADDRESS addr = 0;
	EFI_STATUS st;

	if (ld->nallocs == LOADER_MAX_ALLOCS)
		return 0;
	st = BS->AllocatePages(AllocateAnyPages, (EFI_MEMORY_TYPE)uefi_type, pages, &addr);
	if (EFI_ERROR(st))
		return 0;
	ld->allocs[ld->nallocs].phys = addr;
	ld->allocs[ld->nallocs].pages = pages;
	ld->nallocs++;
	memset((void *)addr, 0, pages * 4096);
	return addr;
}

void loader_free_all(struct loader *ld)
{
	while (ld->nallocs) {
		ld->nallocs--;
		BS->FreePages(ld->allocs[ld->nallocs].phys, ld->allocs[ld->nallocs].pages);
	}
}

/* Where the firmware loaded us: gdb adds the loader's symbols at this address. */
static uint64_t loader_image_base(EFI_HANDLE image)
{
	EFI_LOADED_IMAGE *li;

	if (EFI_ERROR(BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&li)))
		return 0;
	return (uint64_t)li->ImageBase;
}

/* The boot-info block outlives the loader: it is typed "boot" in the map. */
static EFI_STATUS alloc_boot_info(struct loader *ld)
{
	ld->bi_phys = loader_alloc_pages(ld, UEFI_MEM_EMBER_BOOT, 1);
	if (!ld->bi_phys) {
		loader_error(EFI_OUT_OF_RESOURCES, "no memory for the boot info block");
		return EFI_OUT_OF_RESOURCES;
	}
	ld->bi = (struct boot_info *)ld->bi_phys;
	ld->bi->magic = BOOT_INFO_MAGIC;
	ld->bi->version = BOOT_INFO_VERSION;
	ld->bi->size = sizeof(struct boot_info);
	ld->bi->direct_map_base = DIRECT_MAP_BASE;
	ld->bi->uefi_system_table = (uint64_t)ST;
	ld->bi->uefi_revision = ST->Hdr.Revision;
	ld->bi->cpu_flags = ld->cpu_flags;
	for (unsigned i = 0; ST->FirmwareVendor && ST->FirmwareVendor[i] &&
			     i < sizeof(ld->bi->fw_vendor) - 1; i++)
		ld->bi->fw_vendor[i] = ST->FirmwareVendor[i] < 0x80 ? (char)ST->FirmwareVendor[i] : '?';
	return EFI_SUCCESS;
}

/* gnu-efi's crt0 relocates the image, then calls us with the SysV ABI. The one
 * global symbol of the loader (the rest are hidden: -fvisibility=hidden), so gdb
 * and test/scenarios_gdb.py find it as crt0 does. */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab) __attribute__((visibility("default")));

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	struct loader *ld;       /* 16 KiB of allocation log: from the pool, not the stack
				  * (nor a static: gnu-efi keeps .bss in the file) */
	uint64_t entry_tsc;
	EFI_STATUS st;

	loader_init_tables(systab);
	BS->SetWatchdogTimer(0, 0, 0, NULL);  /* else the firmware resets us after 5 min */
	loader_info("image base %#lx", (unsigned long)loader_image_base(image));
	st = BS->AllocatePool(EfiLoaderData, sizeof(*ld), (void **)&ld);
	if (EFI_ERROR(st)) {
		loader_error(st, "no memory for the loader's state");
		return st;
	}
	memset(ld, 0, sizeof(*ld));
	ld->image = image;
	st = loader_check_cpu(ld);            /* before the first rdtsc, PAT or NX use */
	if (EFI_ERROR(st))
		goto fail;
	entry_tsc = rdtsc();

	st = alloc_boot_info(ld);
	if (EFI_ERROR(st))
		goto fail;
	ld->bi->tsc[BOOT_PHASE_ENTRY] = entry_tsc;

	st = loader_config(ld);
	if (!EFI_ERROR(st))
		st = loader_load_kernel(ld);
	if (!EFI_ERROR(st))
		st = loader_read_files(ld);
	if (!EFI_ERROR(st))
		st = loader_build_paging(ld);
	if (!EFI_ERROR(st))
		st = loader_exit_boot_services(ld);
	if (EFI_ERROR(st))
		goto fail;

	/* Boot services are gone: no console, no allocation from here on. */
	ld->bi->tsc[BOOT_PHASE_HANDOFF] = rdtsc();
	loader_handoff(ld->pml4_phys, KERNEL_STACK_TOP, ld->kernel.entry,
		       DIRECT_MAP_BASE + ld->bi_phys);
fail:
	loader_free_all(ld);
	BS->FreePool(ld);
	return st;
}
