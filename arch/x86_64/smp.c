/*
 * Application processors on x86_64 (see docs/smp.md): the per-CPU GDT, TSS,
 * IST and kernel stacks (each with an unmapped guard page below), the GS
 * base that cpu_self() reads, the real-mode trampoline and INIT-SIPI-SIPI,
 * the inter-processor interrupts (wake-up, TLB shootdown, stop) and their
 * handlers.
 *
 * Stacks window, per CPU n >= 1 (the BSP's are tss.c's, at the top):
 *   top(n) = KERNEL_STACK_TOP - n * SMP_STACKS_SPAN
 *   [top - 64 KiB, top)  kernel stack, guard page below it
 *   then IST1..3: 16 KiB each, a guard page below each
 *
 * Bring-up runs on the BSP, main flow, interrupts off, one AP at a time.
 * The IPI handlers run in interrupt context on the receiving CPU.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/interrupts.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/mmu.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/tss.h"
#include "arch/x86_64/user.h"
#include "kernel/arch.h"
#include "kernel/kprintf.h"
#include "kernel/mm/paging.h"
#include "kernel/mm/pmm.h"
#include "kernel/panic.h"
#include "kernel/smp/percpu.h"
#include "lib/errno.h"
#include "lib/string.h"

#define MSR_GS_BASE       0xc0000101
#define EFER_LMA          (1ull << 10)
#define CR4_PCIDE         (1ull << 17)
#define SMP_STACKS_SPAN   (512ull * 1024)
#define AP_STACK_SIZE     KERNEL_STACK_SIZE
#define AP_WAIT_US        200000   /* an AP has 200 ms to check in */
#define AP_TIMER_HZ       100      /* each AP's LAPIC timer: counts its ticks */

/* What the trampoline's parameter block holds (smp_trampoline.S, same order). */
struct smp_trampoline_params {
	uint16_t gdt_limit;
	uint32_t gdt_base;
	uint16_t pad0;
	uint32_t pm_target;
	uint16_t pm_selector;
	uint16_t pad1;
	uint32_t lm_target;
	uint16_t lm_selector;
	uint16_t pad2;
	uint32_t cr0, cr3, cr4, efer;
	uint32_t alive;
	uint32_t pad3;
	uint64_t stack, cpu, entry;
} __attribute__((packed));
_Static_assert(sizeof(struct smp_trampoline_params) == 72, "matches smp_trampoline.S");

extern const char smp_trampoline_start[], smp_trampoline_end[], smp_trampoline_params[];
extern const char smp_trampoline_pm[], smp_trampoline_lm[], smp_trampoline_gdt[];

static struct arch_cpu arch_cpus[SMP_MAX_CPUS];
static uint64_t tramp_phys;
static uint64_t tsc_hz;
static uint64_t pat_value;
static uint64_t ident_tables[3];   /* the PDPT, PD and PT of the identity mapping */

void arch_cpu_set_self(struct cpu *c)
{
	if (!c->arch)
		c->arch = &arch_cpus[c->index];   /* the BSP keeps tss.c's tables */
	wrmsr(MSR_GS_BASE, (uint64_t)c);
}

struct cpu *arch_cpu_self(void)
{
	struct cpu *c;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(c));
	return c;
}

/* ---- stacks ------------------------------------------------------------- */

static uint64_t stacks_top(unsigned index)
{
	return KERNEL_STACK_TOP - (uint64_t)index * SMP_STACKS_SPAN;
}

/* Map [top - size, top) to fresh frames; the page below stays unmapped. */
static int map_stack(uint64_t top, uint64_t size)
{
	for (uint64_t va = top - size; va < top; va += PAGE_SIZE) {
		uint64_t frame = pmm_alloc_frame();
		int err;

		if (!frame)
			return -E_NOMEM;
		err = paging_map(va, frame, PAGE_SIZE, PAGE_WRITE);
		if (err)
			return err;
	}
	return paging_translate(top - size - PAGE_SIZE, NULL) ? -E_EXIST : 0;
}

/* Kernel stack and IST1-3 of CPU index; fills the TSS; returns the stack top. */
static int cpu_stacks(struct cpu *c, struct arch_cpu *a)
{
	uint64_t top = stacks_top(c->index);
	int err = map_stack(top, AP_STACK_SIZE);

	c->stack_top = top;
	top -= AP_STACK_SIZE + PAGE_SIZE;
	for (unsigned n = 1; !err && n <= IST_COUNT; n++) {
		err = map_stack(top, IST_STACK_SIZE);
		a->tss.ist[n - 1] = top;
		top -= IST_STACK_SIZE + PAGE_SIZE;
	}
	a->tss.iomap_base = sizeof(a->tss);
	return err;
}

/* ---- the identity mapping of the trampoline page ------------------------ */

static uint64_t *phys_table(uint64_t phys)
{
	return (uint64_t *)(DIRECT_MAP_BASE + (phys & PTE_ADDR));
}

/*
 * Map the trampoline page at its own address (read-only, executable) with
 * three private tables in the empty lower half of the top-level table.
 */
static int identity_map(uint64_t page)
{
	uint64_t *pml4 = phys_table(read_cr3());

	for (unsigned i = 0; i < 3; i++)
		if (!(ident_tables[i] = pmm_alloc_frame()))
			return -E_NOMEM;
	for (unsigned i = 0; i < 3; i++)
		memset(phys_table(ident_tables[i]), 0, PAGE_SIZE);
	if (pml4[pt_index(page, PT_SHIFT_PML4)] & PTE_P)
		return -E_EXIST;
	phys_table(ident_tables[0])[pt_index(page, PT_SHIFT_PDPT)] = ident_tables[1] | PTE_P | PTE_W;
	phys_table(ident_tables[1])[pt_index(page, PT_SHIFT_PD)] = ident_tables[2] | PTE_P | PTE_W;
	phys_table(ident_tables[2])[pt_index(page, PT_SHIFT_PT)] = page | PTE_P;
	pml4[pt_index(page, PT_SHIFT_PML4)] = ident_tables[0] | PTE_P | PTE_W;
	return 0;
}

static void identity_unmap(uint64_t page)
{
	uint64_t *pml4 = phys_table(read_cr3());

	pml4[pt_index(page, PT_SHIFT_PML4)] = 0;
	write_cr3(read_cr3());
	for (unsigned i = 0; i < 3; i++)
		if (ident_tables[i])
			pmm_free_frame(ident_tables[i]);
	ident_tables[0] = ident_tables[1] = ident_tables[2] = 0;
}

/* ---- bring-up ------------------------------------------------------------ */

int arch_smp_prepare(uint64_t trampoline_phys, uint64_t tsc_cycles_per_s)
{
	size_t len = (size_t)(smp_trampoline_end - smp_trampoline_start);
	int err;

	if (!trampoline_phys || (trampoline_phys & 0xfff) || trampoline_phys >= 0x100000 ||
	    !lapic_present())
		return -E_NODEV;
	if (read_cr3() >= (1ull << 32))
		return -E_RANGE;   /* the 32-bit step cannot load a CR3 above 4 GiB */
	err = identity_map(trampoline_phys);
	if (err) {
		identity_unmap(trampoline_phys);
		return err;
	}
	memcpy((void *)(DIRECT_MAP_BASE + trampoline_phys), smp_trampoline_start, len);
	tramp_phys = trampoline_phys;
	pat_value = rdmsr(MSR_PAT);
	tsc_hz = tsc_cycles_per_s;
	return ipi_init();
}

/* The APs may still hold the identity mapping in their TLBs: flush them all. */
void arch_smp_finish(void)
{
	if (tramp_phys)
		identity_unmap(tramp_phys);
	tramp_phys = 0;
	tlb_shootdown(TLB_FLUSH_ALL);
}

static struct smp_trampoline_params *tramp_params(void)
{
	return (struct smp_trampoline_params *)(DIRECT_MAP_BASE + tramp_phys +
						(smp_trampoline_params - smp_trampoline_start));
}

static uint32_t tramp_addr(const char *label)
{
	return (uint32_t)(tramp_phys + (uint64_t)(label - smp_trampoline_start));
}

static void ap_entry(struct cpu *c);

static void fill_params(struct cpu *c)
{
	struct smp_trampoline_params *p = tramp_params();

	p->gdt_limit = 4 * 8 - 1;
	p->gdt_base = tramp_addr(smp_trampoline_gdt);
	p->pm_target = tramp_addr(smp_trampoline_pm);
	p->pm_selector = 0x08;
	p->lm_target = tramp_addr(smp_trampoline_lm);
	p->lm_selector = 0x18;
	p->cr0 = (uint32_t)read_cr0();
	p->cr3 = (uint32_t)read_cr3();
	p->cr4 = (uint32_t)(read_cr4() & ~CR4_PCIDE);
	p->efer = (uint32_t)(rdmsr(MSR_EFER) & ~EFER_LMA);
	p->alive = 0;
	p->stack = c->stack_top;
	p->cpu = (uint64_t)c;
	p->entry = (uint64_t)ap_entry;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Busy-wait about us microseconds on the TSC (hz known) or a fixed count. */
static void delay_us(uint64_t us)
{
	uint64_t start = rdtsc();
	uint64_t cycles = tsc_hz ? tsc_hz / 1000000 * us : us * 3000;

	while (rdtsc() - start < cycles)
		pause();
}

static bool wait_online(struct cpu *c, uint64_t us)
{
	for (uint64_t t = 0; t < us; t += 10) {
		if (__atomic_load_n(&c->state, __ATOMIC_ACQUIRE) == CPU_ONLINE)
			return true;
		delay_us(10);
	}
	return false;
}

/* Intel SDM vol. 3, 9.4.4.1: INIT, 10 ms, SIPI, 200 us, SIPI if still silent. */
static int sipi_sequence(struct cpu *c)
{
	uint8_t page = (uint8_t)(tramp_phys >> 12);

	lapic_send_init(c->apic_id);
	delay_us(10000);
	lapic_send_startup(c->apic_id, page);
	if (wait_online(c, 200))
		return 0;
	if (!tramp_params()->alive)
		lapic_send_startup(c->apic_id, page);
	return wait_online(c, AP_WAIT_US) ? 0 : -E_TIMEDOUT;
}

int arch_cpu_start(struct cpu *c, void (*main)(struct cpu *c))
{
	struct arch_cpu *a = &arch_cpus[c->index];
	int err;

	ASSERT(tramp_phys && c->index > 0 && c->index < SMP_MAX_CPUS);
	c->arch = a;
	a->main = main;
	err = cpu_stacks(c, a);
	if (err)
		return err;
	fill_params(c);
	err = sipi_sequence(c);
	if (err && tramp_params()->alive)
		kprintf("smp: cpu %u (APIC %u) ran the trampoline but never reached C\n",
			c->index, c->apic_id);
	return err;
}

/* The AP's first C: its own GDT and TSS, the shared IDT, GS, PAT, LAPIC. */
static void ap_entry(struct cpu *c)
{
	struct arch_cpu *a = c->arch;

	gdt_load_cpu(a->gdt, (uint64_t)&a->tss, sizeof(a->tss) - 1);
	idt_load();
	arch_cpu_set_self(c);
	wrmsr(MSR_PAT, pat_value);
	lapic_init();
	if (lapic_timer_start(AP_TIMER_HZ) == 0)   /* its own ticks (none if the rate is unknown) */
		c->tick_hz = AP_TIMER_HZ;
	arch_user_cpu_init();   /* SYSCALL MSRs, SMEP/SMAP/UMIP: per CPU */
	a->main(c);
	arch_halt_forever();
}

/* The LAPIC's id; without a LAPIC set up (irq=pic), the initial id CPUID reports. */
uint32_t arch_cpu_id(void)
{
	uint32_t r[4];

	if (lapic_present())
		return lapic_id();
	cpuid(1, 0, r);
	return r[1] >> 24;
}

struct arch_cpu *arch_cpu_of(struct cpu *c)
{
	return c->arch;
}
