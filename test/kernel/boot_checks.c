/*
 * Suite tests of what the loader handed over: the boot-info block, the memory
 * map, the page tables it built (W^X kernel, NX direct map, write-combining
 * framebuffer, guard page under the stack, nothing in the lower half) and the
 * CPU state at hand-off.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/pic.h"
#include "kernel/arch.h"
#include "kernel/ktest.h"
#include "lib/memmap.h"

#define PAGE 4096ull

extern const char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern const char __data_start[], __bss_end[];

KTEST(boot_info_has_magic_version_and_timestamps)
{
	const struct boot_info *bi = ktest_boot_info();

	KEXPECT_EQ(bi->magic, BOOT_INFO_MAGIC);
	KEXPECT_EQ(bi->version, BOOT_INFO_VERSION);
	KEXPECT_EQ(bi->size, sizeof(*bi));
	/* Measured against Stall in wall-clock time, so under a loaded emulator it
	 * can be far off (13.7 GHz seen for a 2.8 GHz TSC): here only that it was
	 * measured; its accuracy is judged under -icount by
	 * reference_clock_measures_the_tsc_rate_the_loader_found, and the kernel
	 * checks it against a reference clock at every boot. */
	KEXPECT(bi->tsc_hz != 0);
	for (unsigned i = 1; i < BOOT_PHASE_COUNT; i++)
		KEXPECT(bi->tsc[i] >= bi->tsc[i - 1]);
	KEXPECT(bi->tsc[BOOT_PHASE_HANDOFF] <= arch_timestamp());
	KEXPECT(bi->ebs_attempts >= 1);
	KEXPECT(bi->uefi_system_table != 0);
}

KTEST(memory_map_is_well_formed)
{
	const struct boot_info *bi = ktest_boot_info();
	const struct mem_region *m = bi->mem_map;
	bool kernel_inside = false;

	KREQUIRE(bi->mem_count > 0);
	for (unsigned i = 0; i < bi->mem_count; i++) {
		KEXPECT(m[i].length > 0);
		KEXPECT(m[i].base % PAGE == 0 && m[i].length % PAGE == 0);
		KEXPECT(m[i].type >= MEM_USABLE && m[i].type <= MEM_PERSISTENT);
		if (i) {
			KEXPECT(m[i - 1].base + m[i - 1].length <= m[i].base);  /* sorted, disjoint */
			KEXPECT(!(m[i - 1].base + m[i - 1].length == m[i].base &&
				  m[i - 1].type == m[i].type));                /* merged */
		}
		if (m[i].type == MEM_KERNEL && m[i].base <= bi->kernel_phys_base &&
		    bi->kernel_phys_end <= m[i].base + m[i].length)
			kernel_inside = true;
	}
	KEXPECT(kernel_inside);
	KEXPECT(memmap_total(m, bi->mem_count, MEM_USABLE) >= 64ull << 20);
	KEXPECT(bi->phys_max >= m[bi->mem_count - 1].base + m[bi->mem_count - 1].length);
}

KTEST(lower_half_is_unmapped)
{
	struct arch_mapping map;

	KEXPECT_EQ(arch_lower_half_entries(), 0);
	KEXPECT(!arch_translate(0, &map));
	KEXPECT(!arch_translate(0x100000, &map));
}

/* Without NX (-cpu qemu64,-nx) every mapped page is executable. */
static bool exec_expected(bool x)
{
	return x || !arch_has_nx();
}

static void expect_range(const char *start, const char *end, bool w, bool x)
{
	struct arch_mapping map;

	x = exec_expected(x);
	for (uint64_t va = (uint64_t)start & ~(PAGE - 1); va < (uint64_t)end; va += PAGE) {
		if (!KEXPECT(arch_translate(va, &map)))
			return;
		if (!KEXPECT(map.writable == w) || !KEXPECT(map.executable == x))
			return;
	}
}

KTEST(kernel_sections_have_their_elf_permissions)
{
	expect_range(__text_start, __text_end, false, true);
	expect_range(__rodata_start, __rodata_end, false, false);
	expect_range(__data_start, __bss_end, true, false);
}

KTEST(direct_map_covers_usable_memory_without_execute)
{
	const struct boot_info *bi = ktest_boot_info();
	struct arch_mapping map;

	for (unsigned i = 0; i < bi->mem_count; i++) {
		const struct mem_region *r = &bi->mem_map[i];
		uint64_t ends[2] = { r->base, r->base + r->length - PAGE };
		for (unsigned j = 0; j < 2; j++) {
			if (!KEXPECT(arch_translate(DIRECT_MAP_BASE + ends[j], &map)))
				return;
			KEXPECT_EQ(map.phys, ends[j]);
			KEXPECT(map.executable == exec_expected(false));
		}
	}
}

KTEST(framebuffer_is_mapped_write_combining)
{
	const struct boot_info *bi = ktest_boot_info();
	struct arch_mapping map;

	KREQUIRE(bi->fb.format != FB_NONE);
	KREQUIRE(arch_translate(bi->fb.virt, &map));
	KEXPECT_EQ(map.phys, bi->fb.phys);
	KEXPECT(map.write_combining);
	KEXPECT(map.writable && map.executable == exec_expected(false));
	KEXPECT(arch_translate(bi->fb.virt + bi->fb.size - 1, &map));
}

KTEST(boot_stack_has_an_unmapped_guard_page)
{
	struct arch_mapping map;
	uint64_t bottom = KERNEL_STACK_TOP - KERNEL_STACK_SIZE;
	uint64_t sp = (uint64_t)__builtin_frame_address(0);

	KEXPECT(sp > bottom && sp <= KERNEL_STACK_TOP);
	KEXPECT(arch_translate(bottom, &map) && map.writable &&
		map.executable == exec_expected(false));
	KEXPECT(!arch_translate(bottom - PAGE, &map));
}

KTEST(cpu_state_at_handoff_has_wp_nxe_and_interrupts_off)
{
	const struct arch_handoff_state *h = arch_handoff_state();
	const struct boot_info *bi = ktest_boot_info();

	/* as recorded by kernel_main's first act, before start-up changed anything;
	 * EFER.NXE is on exactly when the CPU has NX (the loader checked CPUID) */
	KEXPECT(h->wp && !h->irq_enabled);
	KEXPECT_EQ(h->nxe, h->cpu_has_nx);
	KEXPECT_EQ(h->cpu_has_nx, (bi->cpu_flags & BOOT_CPU_NX) != 0);
	KEXPECT_EQ(arch_has_nx(), h->cpu_has_nx);
	KEXPECT_EQ(h->pic_masks[0], 0xff);   /* both 8259s masked by the loader */
	KEXPECT_EQ(h->pic_masks[1], 0xff);
	KEXPECT_EQ(pic_masks_at_init(), 0xffff);   /* and still so when pic_init ran */
	KEXPECT(read_cr0() & CR0_WP);        /* WP and NXE stay as handed over */
	KEXPECT_EQ((rdmsr(MSR_EFER) & EFER_NXE) != 0, h->cpu_has_nx);
}
