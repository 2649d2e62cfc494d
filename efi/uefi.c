/*
 * The few UEFI library services the loader uses, written here so that
 * gnu-efi's libefi (about 29 KiB of Print, device paths and helpers we never
 * call) is not linked: the system table pointers, the GUIDs looked up,
 * opening the boot volume's root directory and reading the memory map.
 * gnu-efi still provides the headers, crt0 and the self-relocation
 * (libgnuefi); memcpy and memset come from arch/x86_64/string.c.
 *
 * Context: boot services.
 */
#include "efi/loader.h"
#include "lib/string.h"

EFI_SYSTEM_TABLE *ST;
EFI_BOOT_SERVICES *BS;
EFI_RUNTIME_SERVICES *RT;

EFI_GUID gEfiLoadedImageProtocolGuid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
EFI_GUID gEfiGraphicsOutputProtocolGuid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
EFI_GUID gEfiSimpleFileSystemProtocolGuid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
EFI_GUID AcpiTableGuid = ACPI_TABLE_GUID;

void loader_init_tables(EFI_SYSTEM_TABLE *systab)
{
	ST = systab;
	BS = systab->BootServices;
	RT = systab->RuntimeServices;
}

bool loader_guid_equal(const EFI_GUID *a, const EFI_GUID *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* The root directory of the volume on device, or NULL. */
EFI_FILE_HANDLE loader_open_root(EFI_HANDLE device)
{
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *vol;
	EFI_FILE_HANDLE root;

	if (EFI_ERROR(BS->HandleProtocol(device, &gEfiSimpleFileSystemProtocolGuid, (void **)&vol)))
		return NULL;
	if (EFI_ERROR(vol->OpenVolume(vol, &root)))
		return NULL;
	return root;
}

/* The memory map in pool memory (BS->FreePool it), or NULL. Allocating the
 * buffer can split a range, so each retry asks for a few descriptors more. */
EFI_MEMORY_DESCRIPTOR *loader_memory_map(UINTN *count, UINTN *key, UINTN *dsize, UINT32 *dver)
{
	EFI_MEMORY_DESCRIPTOR *map = NULL;
	UINTN size = 0;
	EFI_STATUS st;
	unsigned tries;

	for (tries = 0; tries < 4; tries++) {
		st = BS->GetMemoryMap(&size, map, key, dsize, dver);
		if (!EFI_ERROR(st) && *dsize) {
			*count = size / *dsize;
			return map;
		}
		if (map)
			BS->FreePool(map);
		map = NULL;
		if (st != EFI_BUFFER_TOO_SMALL)
			return NULL;
		size += 16 * sizeof(EFI_MEMORY_DESCRIPTOR);
		if (EFI_ERROR(BS->AllocatePool(EfiLoaderData, size, (void **)&map)))
			return NULL;
	}
	BS->FreePool(map);
	return NULL;
}
