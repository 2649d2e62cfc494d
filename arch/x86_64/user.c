/*
 * Ring 3 on x86_64 (kernel/arch.h, "user mode"): SYSCALL set-up, SMEP/SMAP/
 * UMIP, the per-CPU GS base, address spaces (one root table per process,
 * kernel half copied from the kernel's root), kernel-stack frames for a
 * process's first entry, and the glue the stubs in syscall_entry.S and isr.S call.
 *
 * Context: arch_user_init once in the main flow on the BSP, and
 * arch_user_cpu_init on every AP as it starts; the rest with interrupts off
 * or from the process layer, on the CPU it concerns.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/interrupts.h"
#include "arch/x86_64/mmu.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/tss.h"
#include "arch/x86_64/user.h"
#include "kernel/arch.h"
#include "kernel/kprintf.h"
#include "kernel/mm/frame_ref.h"
#include "kernel/mm/pmm.h"
#include "kernel/panic.h"
#include "kernel/smp/percpu.h"
#include "lib/string.h"

#define MSR_STAR          0xc0000081
#define MSR_LSTAR         0xc0000082
#define MSR_FMASK         0xc0000084
#define MSR_FS_BASE       0xc0000100
#define MSR_GS_BASE       0xc0000101
#define MSR_KERNEL_GS     0xc0000102
#define EFER_SCE          (1ull << 0)
#define CR4_UMIP          (1ull << 11)
#define CR4_SMEP          (1ull << 20)
#define CR4_SMAP          (1ull << 21)
#define CPUID7_EBX_SMEP   (1u << 7)
#define CPUID7_EBX_SMAP   (1u << 20)
#define CPUID7_ECX_UMIP   (1u << 2)
/* FMASK: clear TF, IF, DF, IOPL, NT and AC on SYSCALL (as Linux does). */
#define SYSCALL_FMASK     0x47700ull
#define RFLAGS_FIXED      0x2ull
#define RFLAGS_AC         (1ull << 18)
#define PAGE_BYTES        4096

void syscall_entry(void);
void user_enter(void);

const size_t arch_frame_size = sizeof(struct interrupt_frame);
uint8_t uaccess_smap;
static const struct arch_user_hooks *hooks;
/* The process layer's dispatcher: syscall_entry calls through it. */
long (*arch_syscall_fn)(const uint64_t a[6], struct interrupt_frame *f, uint64_t nr);
static bool have_smep, have_umip;
static uint64_t kernel_root;
static uint64_t ac_seen, ac_leaked;   /* arch_user_ac_stats */

/* What this CPU offers (every CPU of a machine reports the same). */
static void detect_protections(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	if (r[0] < 7)
		return;
	cpuid(7, 0, r);
	have_smep = r[1] & CPUID7_EBX_SMEP;
	uaccess_smap = (r[1] & CPUID7_EBX_SMAP) ? 1 : 0;
	have_umip = r[2] & CPUID7_ECX_UMIP;
}

void arch_user_cpu_init(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, ((uint64_t)GDT_USER_BASE << 48) | ((uint64_t)GDT_KERNEL_CODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_FMASK, SYSCALL_FMASK);
	wrmsr(MSR_KERNEL_GS, 0);        /* the user's GS base until a process sets one */
	write_cr4(read_cr4() | (have_smep ? CR4_SMEP : 0) | (uaccess_smap ? CR4_SMAP : 0) |
		  (have_umip ? CR4_UMIP : 0));
	arch_fpu_cpu_init();            /* user programs' SSE: every CPU */
}

void arch_user_init(const struct arch_user_hooks *h)
{
	hooks = h;
	arch_syscall_fn = h->syscall;
	kernel_root = read_cr3() & PTE_ADDR;
	detect_protections();
	arch_user_cpu_init();
	arch_fpu_init();
	kprintf("user: SYSCALL/SYSRET on; SMEP %s, SMAP %s, UMIP %s\n",
		have_smep ? "on" : "absent", uaccess_smap ? "on" : "absent",
		have_umip ? "on" : "absent");
}

void arch_user_features(bool *smep, bool *smap, bool *umip)
{
	*smep = have_smep;
	*smap = uaccess_smap;
	*umip = have_umip;
}

/* This CPU's own TSS (the BSP keeps tss.c's) and SYSCALL stack. */
void arch_set_kernel_stack(uint64_t top)
{
	struct cpu *c = cpu_self();
	struct arch_cpu *a = c->index ? arch_cpu_of(c) : NULL;

	if (a)
		a->tss.rsp[0] = top;
	else
		tss_set_rsp0(top);
	c->syscall_rsp = top;
}

/* ---- address spaces ------------------------------------------------------- */

uint64_t *user_table(uint64_t phys)
{
	return (uint64_t *)(DIRECT_MAP_BASE + (phys & PTE_ADDR));
}

uint64_t arch_as_new(void)
{
	uint64_t root = pmm_alloc_frame();

	if (!root)
		return 0;
	memset(user_table(root), 0, PT_ENTRIES / 2 * 8);
	memcpy(user_table(root) + PT_ENTRIES / 2, user_table(kernel_root) + PT_ENTRIES / 2,
	       PT_ENTRIES / 2 * 8);
	return root;
}

void arch_as_activate(uint64_t root)
{
	uint64_t want = root ? root : kernel_root;

	if ((read_cr3() & PTE_ADDR) != want)
		write_cr3(want);
}

uint64_t arch_as_current(void)
{
	uint64_t cur = read_cr3() & PTE_ADDR;

	return cur == kernel_root ? 0 : cur;
}

/* Frees the table at phys and everything below it; level 3 = PDPT ... 0 = page. */
static uint64_t free_tree(uint64_t phys, unsigned level)
{
	uint64_t *t = user_table(phys), n = 1;

	if (level == 0) {
		frame_ref_drop(phys & PTE_ADDR);   /* freed with its last holder (fork shares) */
		return 1;
	}
	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		if (!(t[i] & PTE_P))
			continue;
		if (t[i] & PTE_PS)
			panic("user: a large page in a user address space");
		n += free_tree(t[i] & PTE_ADDR, level - 1);
	}
	pmm_free_frame(phys & PTE_ADDR);
	return n;
}

uint64_t arch_user_next_mapped(uint64_t va, uint64_t end)
{
	struct pt_space space = { .root = read_cr3() & PTE_ADDR, .phys_offset = DIRECT_MAP_BASE };
	struct pt_walk w;

	va &= ~(uint64_t)(PAGE_BYTES - 1);
	while (va < end && va < ARCH_USER_TOP) {
		pt_walk(&space, va, PT_SHIFT_PT, false, 0, &w);
		if (pt_walk_mapped(&w))
			return va;
		va = (va | ((1ull << w.shift) - 1)) + 1;   /* past the absent 2^shift block */
	}
	return end;
}

/* A partly built copy: free what it holds (level as in free_tree, + 1). */
static void free_table_after_error(uint64_t table, unsigned level)
{
	free_tree(table, level);
}

uint64_t arch_as_destroy(uint64_t root)
{
	uint64_t *t = user_table(root), n = 0;

	ASSERT((read_cr3() & PTE_ADDR) != root);
	for (unsigned i = 0; i < PT_ENTRIES / 2; i++)
		if (t[i] & PTE_P)
			n += free_tree(t[i] & PTE_ADDR, 3);
	pmm_free_frame(root);
	return n + 1;
}

/* Copies the table at src (level 3 = PDPT ... 1 = PT) into a new table; 0 on no memory. */
static uint64_t copy_tree(uint64_t src, unsigned level, uint64_t *pages)
{
	uint64_t dst = pmm_alloc_frame(), *s = user_table(src), *d;

	if (!dst)
		return 0;
	d = user_table(dst);
	memset(d, 0, PAGE_BYTES);
	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		uint64_t child;

		if (!(s[i] & PTE_P))
			continue;
		if (level == 1) {
			child = pmm_alloc_frame();
			if (child) {
				memcpy(user_table(child), user_table(s[i]), PAGE_BYTES);
				++*pages;
			}
		} else {
			child = copy_tree(s[i] & PTE_ADDR, level - 1, pages);
		}
		if (!child) {
			d[i] = 0;
			free_table_after_error(dst, level);
			return 0;
		}
		d[i] = (s[i] & ~PTE_ADDR) | child;
	}
	return dst;
}

uint64_t arch_as_fork(uint64_t src_root, uint64_t *pages)
{
	uint64_t root = arch_as_new(), *s = user_table(src_root), *d;

	*pages = 0;
	if (!root)
		return 0;
	d = user_table(root);
	for (unsigned i = 0; i < PT_ENTRIES / 2; i++) {
		if (!(s[i] & PTE_P))
			continue;
		uint64_t child = copy_tree(s[i] & PTE_ADDR, 3, pages);
		if (!child) {
			arch_as_destroy(root);
			return 0;
		}
		d[i] = (s[i] & ~PTE_ADDR) | child;
	}
	return root;
}

/* ---- frames ------------------------------------------------------------------ */

uint64_t arch_user_stack_init(uint64_t top, uint64_t rip, uint64_t rsp,
			      struct interrupt_frame **frame_out)
{
	struct interrupt_frame *f = (struct interrupt_frame *)(top - sizeof(*f));
	uint64_t *sp = (uint64_t *)f;

	memset(f, 0, sizeof(*f));
	f->rip = rip;
	f->cs = USER_CS;
	f->rflags = RFLAGS_IF | RFLAGS_FIXED;
	f->rsp = rsp;
	f->ss = USER_SS;
	*--sp = (uint64_t)user_enter;   /* arch_switch returns here */
	*--sp = RFLAGS_FIXED;           /* popfq: interrupts off until iretq */
	for (int i = 0; i < 6; i++)
		*--sp = 0;              /* rbp rbx r12 r13 r14 r15 */
	*frame_out = f;
	return (uint64_t)sp;
}

void arch_frame_reset(struct interrupt_frame *f, uint64_t rip, uint64_t rsp)
{
	memset(f, 0, sizeof(*f));
	f->rip = rip;
	f->cs = USER_CS;
	f->rflags = RFLAGS_IF | RFLAGS_FIXED;
	f->rsp = rsp;
	f->ss = USER_SS;
}

void arch_syscall_set_return(struct interrupt_frame *f, uint64_t v)
{
	f->rax = v;
}

uint64_t arch_frame_ip(const struct interrupt_frame *f)
{
	return f->rip;
}

uint64_t arch_frame_sp(const struct interrupt_frame *f)
{
	return f->rsp;
}

void arch_set_tls(uint64_t base)
{
	wrmsr(MSR_FS_BASE, base);
}

uint64_t arch_tls(void)
{
	return rdmsr(MSR_FS_BASE);
}

/* ---- called by the stubs ---------------------------------------------------- */

/*
 * Ring 3 ran with AC set: the entry stubs must have cleared it for the
 * handler (SYSCALL through FMASK, isr_common with clac), or SMAP was off
 * for the whole handler. Still inside the handler here: read RFLAGS.
 */
static void count_ac(const struct interrupt_frame *f)
{
	(void)f;
	__atomic_fetch_add(&ac_seen, 1, __ATOMIC_RELAXED);
	if (read_rflags() & RFLAGS_AC)
		__atomic_fetch_add(&ac_leaked, 1, __ATOMIC_RELAXED);
}

void arch_user_ac_stats(uint64_t *seen, uint64_t *leaked)
{
	*seen = __atomic_load_n(&ac_seen, __ATOMIC_RELAXED);
	*leaked = __atomic_load_n(&ac_leaked, __ATOMIC_RELAXED);
}


/*
 * Before IRETQ to ring 3: the process layer's hook, then a last check that
 * RIP is in the user half (IRETQ to a non-canonical one would fault in ring
 * 0). A bad RIP is the process's fault: a SIGSEGV handler may run once; the
 * second time round the signal is blocked and the process ends.
 */
void arch_user_return(struct interrupt_frame *f)
{
	if (!hooks || !(f->cs & 3))
		return;
	if ((f->rflags & RFLAGS_AC) && uaccess_smap)
		count_ac(f);
	hooks->user_return(f);
	while (f->rip >= ARCH_USER_TOP) {
		hooks->user_fault(f, "return to an address outside the user half");
		hooks->user_return(f);
	}
}

extern const uint64_t uaccess_fixups[], uaccess_fixups_end[];

bool user_fixup_known(uint64_t rip)
{
	for (const uint64_t *e = uaccess_fixups; e < uaccess_fixups_end; e += 2)
		if (rip == e[0])
			return true;
	return false;
}

void user_kill(const char *what, bool from_ring3)
{
	if (hooks && hooks->user_kill)
		hooks->user_kill(what, from_ring3);
}

bool user_fixup(struct interrupt_frame *f)
{
	for (const uint64_t *e = uaccess_fixups; e < uaccess_fixups_end; e += 2) {
		if (f->rip == e[0]) {
			f->rip = e[1];
			return true;
		}
	}
	return false;
}

bool user_fault(struct interrupt_frame *f, const char *what)
{
	if (!(f->cs & 3) || !hooks)
		return false;
	hooks->user_fault(f, what);
	return true;
}
