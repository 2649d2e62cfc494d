/*
 * Loader phase 4: leave the firmware. Everything the kernel needs is allocated
 * before the final memory map is read; the map buffer is sized with slack so
 * that ExitBootServices can be retried (the map key changes whenever the
 * firmware's own map changes) without allocating in between. After that the
 * firmware map is converted into the kernel's sorted, typed map in the
 * boot-info block, interrupts stay off, both PICs are masked and the CPU is
 * put into the state the kernel expects (PAT entry 4 = write-combining,
 * CR0.WP, EFER.NXE when the CPU has NX).
 */
#include "arch/x86_64/cpu.h"
#include "efi/loader.h"
#include "lib/compiler.h"
#include "lib/memmap.h"
#include "lib/string.h"

#define EBS_MAX_ATTEMPTS 4
#define MAP_SLACK_DESCS  64   /* room for the map to grow between look-ups */

/* PAT entries 0-3 as after reset (WB, WT, UC-, UC); entry 4 = WC (1), 5-7 reset values. */
#define PAT_VALUE 0x0007040100070406ull

/* A raw COM1 line for the one failure that can happen after ExitBootServices. */
static void serial_panic(const char *msg)
{
	for (; *msg; msg++) {
		for (int i = 0; i < 100000 && !(inb(0x3fd) & 0x20); i++)
			;  /* wait (bounded) for the transmit holding register */
		outb(0x3f8, (uint8_t)*msg);
	}
	for (;;) {
		cli();
		hlt();
	}
}

/* Size the map once, then allocate the buffer and the kernel's map array. */
static EFI_STATUS prepare_buffers(struct loader *ld, void **buf, UINTN *cap, UINTN *dsize)
{
	UINTN size = 0, key;
	UINT32 ver;
	EFI_STATUS st;
	uint64_t descs, out_bytes, phys;

	st = BS->GetMemoryMap(&size, NULL, &key, dsize, &ver);
	if (st != EFI_BUFFER_TOO_SMALL || *dsize < 40) {
		loader_error(st, "GetMemoryMap did not report a size");
		return EFI_ERROR(st) ? st : EFI_DEVICE_ERROR;
	}
	descs = size / *dsize + MAP_SLACK_DESCS;
	out_bytes = memmap_capacity_needed(descs) * sizeof(struct mem_region);
	*cap = descs * *dsize;
	phys = loader_alloc_pages(ld, UEFI_MEM_EMBER_BOOT, (*cap + out_bytes + 4095) / 4096);
	if (!phys) {
		loader_error(EFI_OUT_OF_RESOURCES, "no memory for the memory map");
		return EFI_OUT_OF_RESOURCES;
	}
	*buf = (void *)phys;
	ld->map_out = (struct mem_region *)(phys + *cap);
	ld->map_cap = memmap_capacity_needed(descs);
	return EFI_SUCCESS;
}

/* loader.stale_map_key=1 changes the map after reading it, forcing one retry. */
static void spoil_key_for_test(struct loader *ld)
{
	void *p;

	if (ld->stale_key_test && ld->ebs_attempts == 1 &&
	    !EFI_ERROR(BS->AllocatePool(EfiLoaderData, 4096 * 3, &p)))
		(void)p;  /* left allocated: freeing could restore the same key */
}

EFI_STATUS loader_exit_boot_services(struct loader *ld)
{
	UINTN cap, size, key, dsize;
	UINT32 ver;
	void *buf;
	size_t count;
	EFI_STATUS st;

	loader_runtime_prepare(ld);
	st = prepare_buffers(ld, &buf, &cap, &dsize);
	if (EFI_ERROR(st))
		return st;
	for (ld->ebs_attempts = 1; ld->ebs_attempts <= EBS_MAX_ATTEMPTS; ld->ebs_attempts++) {
		size = cap;
		st = BS->GetMemoryMap(&size, buf, &key, &dsize, &ver);
		if (EFI_ERROR(st))
			break;
		spoil_key_for_test(ld);
		st = BS->ExitBootServices(ld->image, key);
		if (!EFI_ERROR(st))
			break;
	}
	if (EFI_ERROR(st)) {
		loader_error(st, "ExitBootServices failed after %u attempts", ld->ebs_attempts);
		return st;
	}
	cli();
	ld->bi->tsc[BOOT_PHASE_EXIT] = rdtsc();
	ld->bi->ebs_attempts = ld->ebs_attempts;

	loader_runtime_map(ld, buf, size, dsize, ver);
	if (memmap_from_uefi(buf, size, dsize, ld->map_out, ld->map_cap, &count))
		serial_panic("ember loader: the firmware memory map is malformed\r\n");
	ld->bi->mem_map = (const struct mem_region *)(DIRECT_MAP_BASE + (uint64_t)ld->map_out);
	ld->bi->mem_count = (uint32_t)count;

	outb(0x21, 0xff);     /* mask both 8259s: the kernel unmasks what it handles */
	outb(0xa1, 0xff);
	wbinvd();
	wrmsr(MSR_PAT, PAT_VALUE);
	if (ld->cpu_flags & BOOT_CPU_NX)   /* without NX, EFER.NXE is reserved: untouched */
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	write_cr0(read_cr0() | CR0_WP);
	return EFI_SUCCESS;
}
