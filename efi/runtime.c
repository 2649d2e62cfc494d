/*
 * Loader phase 4b: UEFI runtime services moved into the kernel half
 * (docs/power.md). Before ExitBootServices, loader_runtime_prepare sizes and
 * allocates, in kernel memory, a root of its own, a pool of page tables and
 * the region list, from the map as it is then. Right after ExitBootServices,
 * loader_runtime_map places the final map's runtime regions at EFI_RT_BASE
 * (lib/efirt.c), maps them in that separate root and calls
 * SetVirtualAddressMap while the firmware's identity map still runs the
 * loader. The kernel copies the root's one PML4 entry into a root of its own
 * for the length of a call, so its own tables never hold the firmware's
 * writable and executable pages. No allocation after ExitBootServices.
 * efi=noruntime on the command line skips all of it (a firmware that breaks
 * in SetVirtualAddressMap).
 */
#include "arch/x86_64/mmu.h"
#include "efi/loader.h"
#include "lib/cmdline.h"
#include "lib/efirt.h"
#include "lib/string.h"

#define RT_SLACK_PAGES    512   /* runtime regions may grow until the final map */
#define RT_SLACK_REGIONS  16
#define RT_SIGNATURE      0x56524553544e5552ull  /* "RUNTSERV" */

static uint64_t pool_table(void *arg)
{
	struct loader *ld = arg;
	uint64_t phys;

	if (ld->rt_pool_used == ld->rt_pool_pages)
		return 0;
	phys = ld->rt_pool + ld->rt_pool_used++ * 4096;
	memset((void *)phys, 0, 4096);
	return phys;
}

static size_t runtime_descs(const uint8_t *map, UINTN size, UINTN dsize)
{
	size_t n = 0;

	for (UINTN off = 0; off + dsize <= size; off += dsize)
		n += (((const EFI_MEMORY_DESCRIPTOR *)(map + off))->Attribute & EFIRT_ATTR_RUNTIME) != 0;
	return n;
}

void loader_runtime_prepare(struct loader *ld)
{
	UINTN n, key, dsize;
	UINT32 dver;
	EFI_MEMORY_DESCRIPTOR *map;
	uint64_t pages, regions_pages, base;
	EFI_RUNTIME_SERVICES *rt = ST->RuntimeServices;

	ld->bi->efi_rt_error = -E_NODEV;
	if (!rt || rt->Hdr.Signature != RT_SIGNATURE)
		return;
	if (cmdline_has(ld->bi->cmdline, "efi=noruntime")) {
		loader_info("efi=noruntime: runtime services left where they are, unused");
		return;
	}
	ld->bi->efi_rt_error = -E_NOMEM;
	map = loader_memory_map(&n, &key, &dsize, &dver);
	if (!map)
		return;
	pages = efirt_runtime_pages(map, n * dsize, dsize);
	ld->rt_cap = runtime_descs((const uint8_t *)map, n * dsize, dsize) + RT_SLACK_REGIONS;
	BS->FreePool(map);
	ld->rt_pool_pages = efirt_tables_needed(pages + RT_SLACK_PAGES);
	regions_pages = (ld->rt_cap * sizeof(struct efirt_region) + 4095) / 4096;
	base = loader_alloc_pages(ld, UEFI_MEM_EMBER_KERNEL, 1 + ld->rt_pool_pages + regions_pages);
	if (!base)
		return;
	ld->rt_root = base;
	ld->rt_pool = base + 4096;
	ld->rt_regions = (struct efirt_region *)(ld->rt_pool + ld->rt_pool_pages * 4096);
	ld->bi->efi_rt_error = 0;
}

static uint64_t region_flags(const struct loader *ld, const struct efirt_region *r)
{
	switch (r->kind) {
	case EFIRT_CODE:
		return PTE_W;
	case EFIRT_MMIO:
		return PTE_W | ld->pte_nx | PTE_PCD | PTE_PWT;
	default:
		return PTE_W | ld->pte_nx | (r->uncached ? PTE_PCD | PTE_PWT : 0);
	}
}

/* Every region, 4 KiB pages, in the runtime root only. */
static int map_regions(struct loader *ld, size_t count)
{
	struct pt_space s = { .root = ld->rt_root, .alloc_table = pool_table, .alloc_arg = ld };
	uint64_t *e;
	int err;

	for (size_t i = 0; i < count; i++) {
		const struct efirt_region *r = &ld->rt_regions[i];
		for (uint64_t p = 0; p < r->pages; p++) {
			err = pt_entry_for(&s, r->virt + p * 4096, PT_SHIFT_PT, PTE_W, &e);
			if (err)
				return err;
			*e = (r->phys + p * 4096) | region_flags(ld, r) | PTE_P;
		}
	}
	return 0;
}

/* Interrupts off, boot services gone, the firmware's page tables still loaded. */
void loader_runtime_map(struct loader *ld, void *map, UINTN size, UINTN dsize, UINT32 ver)
{
	struct boot_info *bi = ld->bi;
	EFI_RUNTIME_SERVICES *rt = ST->RuntimeServices;
	size_t count;
	EFI_STATUS st;
	int err;

	if (!ld->rt_root)
		return;
	err = efirt_assign(map, size, dsize, EFI_RT_BASE, EFI_RT_WINDOW, ld->rt_regions,
			   ld->rt_cap, &count);
	if (!err)
		err = map_regions(ld, count);
	if (err) {
		bi->efi_rt_error = err;
		return;
	}
	st = rt->SetVirtualAddressMap(size, dsize, ver, map);
	bi->efi_rt_svam_status = st;
	if (EFI_ERROR(st)) {
		bi->efi_rt_error = -E_IO;
		return;
	}
	bi->efi_rt_phys = (uint64_t)rt;
	bi->efi_rt_pml4e = ((uint64_t *)ld->rt_root)[pt_index(EFI_RT_BASE, PT_SHIFT_PML4)];
	bi->efi_rt_map = DIRECT_MAP_BASE + (uint64_t)ld->rt_regions;
	bi->efi_rt_count = (uint32_t)count;
}
