/*
 * The TSS and its IST stacks (see tss.h). There is no frame allocator yet, so
 * each IST stack's memory is a page-aligned array in the kernel's .bss, and
 * its pages are mapped a second time at a fixed place in the stacks window,
 * with the page below left unmapped as a guard. The CPU only ever uses the
 * stacks-window addresses; the .bss alias stays mapped (RW, NX) because the
 * kernel image is mapped as one range. The stacks window's last-level table
 * exists already (the loader maps the boot stack with 4 KiB pages in the same
 * 2 MiB region), so no page-table page has to be allocated.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/mmu.h"
#include "arch/x86_64/tss.h"
#include "kernel/arch.h"
#include "kernel/panic.h"
#include "lib/errno.h"

#define PAGE_SIZE 4096u

static struct tss tss __attribute__((aligned(128)));
static uint8_t ist_memory[IST_COUNT][IST_STACK_SIZE] __attribute__((aligned(PAGE_SIZE)));

static const char *const ist_owner[IST_COUNT + 1] = {
	"the boot stack",
	"the IST1 (double fault) stack",
	"the IST2 (NMI) stack",
	"the IST3 (machine check) stack",
};

/* Top of IST stack n: stacks and guards packed downwards below the boot stack's guard. */
static uint64_t ist_top(unsigned n)
{
	return KERNEL_STACK_TOP - KERNEL_STACK_SIZE - IST_GUARD_SIZE -
	       (uint64_t)(n - 1) * (IST_STACK_SIZE + IST_GUARD_SIZE);
}

bool tss_ist_stack(unsigned n, uint64_t *bottom, uint64_t *top)
{
	if (n < 1 || n > IST_COUNT)
		return false;
	*top = ist_top(n);
	*bottom = *top - IST_STACK_SIZE;
	return true;
}

const char *tss_guard_owner(uint64_t addr)
{
	uint64_t boot_guard = KERNEL_STACK_TOP - KERNEL_STACK_SIZE - IST_GUARD_SIZE;
	uint64_t bottom, top;

	if (addr >= boot_guard && addr < boot_guard + IST_GUARD_SIZE)
		return ist_owner[0];
	for (unsigned n = 1; n <= IST_COUNT; n++) {
		tss_ist_stack(n, &bottom, &top);
		if (addr >= bottom - IST_GUARD_SIZE && addr < bottom)
			return ist_owner[n];
	}
	return NULL;
}

/* Map IST stack n's pages (RW, NX) and check that its guard stayed unmapped. */
static void ist_map(unsigned n)
{
	struct arch_mapping m;
	uint64_t bottom, top;

	tss_ist_stack(n, &bottom, &top);
	for (uint64_t off = 0; off < IST_STACK_SIZE; off += PAGE_SIZE) {
		int err;

		if (!arch_translate((uint64_t)&ist_memory[n - 1][off], &m))
			panic("tss: IST%u memory in .bss is not mapped", n);
		err = mmu_map_4k(bottom + off, m.phys, PTE_W | mmu_nx);
		if (err)
			panic("tss: cannot map IST%u stack at %#llx: %s", n,
			      (unsigned long long)(bottom + off), err_name(err));
	}
	ASSERT(!arch_translate(bottom - IST_GUARD_SIZE, &m));
}

void tss_init(void)
{
	ASSERT(!arch_irq_enabled());
	for (unsigned n = 1; n <= IST_COUNT; n++) {
		ist_map(n);
		tss.ist[n - 1] = ist_top(n);
	}
	tss.rsp[0] = 0;                   /* no ring 3: a privilege change faults loudly */
	tss.iomap_base = sizeof(tss);     /* no I/O permission bitmap */
	gdt_set_tss((uint64_t)&tss, sizeof(tss) - 1);
	ltr(GDT_TSS);
}

void tss_set_rsp0(uint64_t top)
{
	tss.rsp[0] = top;
}

const struct tss *tss_get(void)
{
	return &tss;
}
