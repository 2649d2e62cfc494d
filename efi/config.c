/*
 * Loader phase 1: gather what the kernel will want to know about the machine
 * while boot services can still tell us: the command line, the framebuffer,
 * the ACPI RSDP and the TSC frequency. Nothing here is fatal: a machine with
 * no GOP or no ACPI still boots, and the banner says what was missing.
 */
#include "efi/loader.h"
#include "lib/cmdline.h"
#include "lib/memmap.h"
#include "lib/string.h"

#define CMDLINE_FILE L"\\ember\\cmdline.txt"
#define TSC_CALIBRATE_US 10000

/* Load options are text only when every character up to the end is printable. */
static bool options_are_text(const CHAR16 *s, UINTN chars)
{
	UINTN i;

	for (i = 0; i < chars && s[i]; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return i > 0;
}

/* The shell passes "BOOTX64.EFI args": drop a leading *.efi word. */
static const CHAR16 *skip_program_name(const CHAR16 *s, UINTN chars)
{
	UINTN i = 0;

	while (i < chars && s[i] && s[i] != L' ')
		i++;
	if (i >= 4 && (s[i - 4] == L'.') && (s[i - 3] | 0x20) == L'e' &&
	    (s[i - 2] | 0x20) == L'f' && (s[i - 1] | 0x20) == L'i') {
		while (i < chars && s[i] == L' ')
			i++;
		return s + i;
	}
	return s;
}

/*
 * The firmware's load options, appended after the file's words (later words
 * win). OVMF's boot manager passes none (or binary data: ignored); the UEFI
 * shell passes "BOOTX64.EFI args"; U-Boot passes its bootargs variable, on
 * this build a Linux command line whose words Ember does not know and ignores.
 */
static void cmdline_from_options(struct loader *ld)
{
	EFI_LOADED_IMAGE *li;
	const CHAR16 *s;
	char ascii[BOOT_CMDLINE_MAX];
	UINTN chars, i;

	if (EFI_ERROR(BS->HandleProtocol(ld->image, &LoadedImageProtocol, (void **)&li)))
		return;
	s = li->LoadOptions;
	chars = li->LoadOptionsSize / sizeof(CHAR16);
	if (!s || !options_are_text(s, chars))
		return;
	s = skip_program_name(s, chars);
	chars -= (UINTN)(s - (const CHAR16 *)li->LoadOptions);
	for (i = 0; i < BOOT_CMDLINE_MAX - 1 && i < chars && s[i]; i++)
		ascii[i] = (char)s[i];
	cmdline_append(ld->bi->cmdline, BOOT_CMDLINE_MAX, ascii, i);
}

/* \ember\cmdline.txt on the volume we were loaded from; '#' lines are comments. */
static void cmdline_from_file(struct loader *ld)
{
	EFI_LOADED_IMAGE *li;
	EFI_FILE_HANDLE root, file;
	char buf[BOOT_CMDLINE_MAX * 4];
	UINTN size = sizeof(buf) - 1, i = 0, end;

	if (EFI_ERROR(BS->HandleProtocol(ld->image, &LoadedImageProtocol, (void **)&li)))
		return;
	root = loader_open_root(li->DeviceHandle);
	if (!root)
		return;
	if (!EFI_ERROR(root->Open(root, &file, CMDLINE_FILE, EFI_FILE_MODE_READ, 0))) {
		if (EFI_ERROR(file->Read(file, &size, buf)))
			size = 0;
		buf[size] = 0;
		file->Close(file);
		while (i < size && buf[i] == '#') {   /* skip comment lines */
			while (i < size && buf[i] != '\n')
				i++;
			i++;
		}
		for (end = i; end < size && buf[end] != '\n'; end++)
			;                             /* the first line that is not a comment */
		if (i < size)
			cmdline_append(ld->bi->cmdline, BOOT_CMDLINE_MAX, buf + i, end - i);
	}
	root->Close(root);
}

/* Bytes per pixel of a bitmask mode: the highest mask bit, rounded up to a byte. */
static uint32_t bitmask_bpp(const EFI_PIXEL_BITMASK *m)
{
	uint32_t all = m->RedMask | m->GreenMask | m->BlueMask | m->ReservedMask;
	uint32_t bits = 32;

	while (bits && !(all & (1u << (bits - 1))))
		bits--;
	return (bits + 7) & ~7u;
}

static void record_mode(struct boot_framebuffer *fb, EFI_GRAPHICS_OUTPUT_PROTOCOL *gop)
{
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info = gop->Mode->Info;

	fb->phys = gop->Mode->FrameBufferBase;
	fb->size = gop->Mode->FrameBufferSize;
	fb->width = info->HorizontalResolution;
	fb->height = info->VerticalResolution;
	fb->gop_mode = gop->Mode->Mode;
	switch (info->PixelFormat) {
	case PixelRedGreenBlueReserved8BitPerColor:
		fb->format = FB_RGBX;
		fb->red_mask = 0xff, fb->green_mask = 0xff00, fb->blue_mask = 0xff0000;
		fb->reserved_mask = 0xff000000;
		fb->bpp = 32;
		break;
	case PixelBlueGreenRedReserved8BitPerColor:
		fb->format = FB_BGRX;
		fb->blue_mask = 0xff, fb->green_mask = 0xff00, fb->red_mask = 0xff0000;
		fb->reserved_mask = 0xff000000;
		fb->bpp = 32;
		break;
	case PixelBitMask:
		fb->format = FB_BITMASK;
		fb->red_mask = info->PixelInformation.RedMask;
		fb->green_mask = info->PixelInformation.GreenMask;
		fb->blue_mask = info->PixelInformation.BlueMask;
		fb->reserved_mask = info->PixelInformation.ReservedMask;
		fb->bpp = bitmask_bpp(&info->PixelInformation);
		break;
	default:
		fb->format = FB_NONE;
		return;
	}
	fb->pitch = info->PixelsPerScanLine * (fb->bpp / 8);
	if (!fb->phys || !fb->bpp || fb->pitch < fb->width * (fb->bpp / 8) ||
	    (uint64_t)fb->pitch * fb->height > fb->size)
		fb->format = FB_NONE;   /* inconsistent mode: better no console than a crash */
}

/* Keep the firmware's mode when it is linear; else take the first linear mode. */
static void find_framebuffer(struct loader *ld)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info;
	UINTN size;
	UINT32 m;

	if (EFI_ERROR(BS->LocateProtocol(&GraphicsOutputProtocol, NULL, (void **)&gop)) || !gop->Mode) {
		loader_info("no graphics output protocol: booting without a framebuffer");
		return;
	}
	record_mode(&ld->bi->fb, gop);
	for (m = 0; ld->bi->fb.format == FB_NONE && m < gop->Mode->MaxMode; m++) {
		if (EFI_ERROR(gop->QueryMode(gop, m, &size, &info)))
			continue;
		if (info->PixelFormat != PixelBltOnly && !EFI_ERROR(gop->SetMode(gop, m)))
			record_mode(&ld->bi->fb, gop);
	}
	if (ld->bi->fb.format == FB_NONE) {
		memset(&ld->bi->fb, 0, sizeof(ld->bi->fb));
		loader_info("graphics output is BltOnly: booting without a framebuffer");
	}
}

static void find_rsdp(struct boot_info *bi)
{
	static EFI_GUID acpi20 = ACPI_20_TABLE_GUID;
	UINTN i;

	for (i = 0; i < ST->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];
		if (loader_guid_equal(&t->VendorGuid, &acpi20)) {
			bi->rsdp_phys = (uint64_t)t->VendorTable;
			bi->rsdp_revision = 2;
			return;
		}
		if (loader_guid_equal(&t->VendorGuid, &AcpiTableGuid) && !bi->rsdp_phys)
			bi->rsdp_phys = (uint64_t)t->VendorTable;
	}
}

/* TSC ticks across a firmware Stall of known length. */
static uint64_t measure_tsc_hz(void)
{
	uint64_t t0, t1;

	t0 = rdtsc();
	BS->Stall(TSC_CALIBRATE_US);
	t1 = rdtsc();
	return (t1 - t0) * (1000000 / TSC_CALIBRATE_US);
}

/*
 * The application processors start in real mode at a page-aligned address
 * below 1 MiB (the SIPI vector names the page): reserve one such page for the
 * kernel's trampoline while boot services can still hand it out. Typed as
 * kernel memory, so the kernel never reuses it. None free: SMP stays off.
 */
static void reserve_trampoline_page(struct loader *ld)
{
	EFI_PHYSICAL_ADDRESS addr = 0x9ffff;   /* highest byte allowed, below the EBDA */

	if (EFI_ERROR(BS->AllocatePages(AllocateMaxAddress,
					(EFI_MEMORY_TYPE)UEFI_MEM_EMBER_KERNEL, 1, &addr)) ||
	    addr < 0x1000 || addr >= 0x100000) {
		loader_info("no free page below 1 MiB: the kernel will run on one CPU");
		return;
	}
	ld->bi->smp_trampoline_phys = addr;
}

EFI_STATUS loader_config(struct loader *ld)
{
	cmdline_from_file(ld);        /* the ESP's defaults first ... */
	cmdline_from_options(ld);     /* ... then the firmware's load options */
	ld->stale_key_test = cmdline_has(ld->bi->cmdline, "loader.stale_map_key=1");
	find_framebuffer(ld);
	find_rsdp(ld->bi);
	reserve_trampoline_page(ld);
	ld->bi->tsc_hz = measure_tsc_hz();
	ld->bi->tsc[BOOT_PHASE_CONFIG] = rdtsc();
	return EFI_SUCCESS;
}
