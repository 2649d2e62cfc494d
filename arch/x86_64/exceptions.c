/*
 * What happens when a CPU exception arrives (see exceptions.h): a full report
 * on every console, then resume (int3, NMI) or panic (everything else). A
 * fault while a fatal report is being written is reported in one line and
 * panics at once, so a broken console or a bad pointer in the report cannot
 * loop.
 *
 * Interrupt context: interrupts off, on the interrupted stack or an IST stack.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/exceptions.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/tss.h"
#include "arch/x86_64/user.h"
#include "arch/x86_64/user_cow.h"
#include "kernel/arch.h"
#include "kernel/backtrace.h"
#include "kernel/kprintf.h"
#include "kernel/ksyms.h"
#include "kernel/panic.h"
#include "lib/format.h"
#include "kernel/smp/percpu.h"

#define NMI_STATUS_PORT   0x61         /* PC system control port B */
#define NMI_STATUS_SERR   (1u << 7)    /* memory parity / PCI SERR# */
#define NMI_STATUS_IOCHK  (1u << 6)    /* I/O channel check */
#define MSR_MCG_STATUS    0x17a
#define CPUID_1_EDX_MCA   (1u << 14)
#define CODE_BYTES        16

static struct exception_stats stats;
static unsigned fatal_depth;

const struct exception_stats *exception_stats(void)
{
	return &stats;
}

static void report_header(const struct interrupt_frame *f)
{
	const char *mn = exception_mnemonic((unsigned)f->vector);

	kprintf("\n\033[91mEXCEPTION\033[0m: %s (%s%svector %llu)\n",
		exception_name((unsigned)f->vector), mn, *mn ? ", " : "",
		(unsigned long long)f->vector);
	if (percpu_ready() && cpu_slots() > 1)
		kprintf("  on cpu %u (APIC id %u)\n", cpu_self()->index, cpu_self()->apic_id);
}

static void report_error_code(const struct interrupt_frame *f)
{
	char words[96];
	unsigned v = (unsigned)f->vector;

	if (!exception_has_error_code(v))
		return;
	if (v == EXC_PAGE_FAULT) {
		exception_describe_pf(f->error_code, words, sizeof(words));
		kprintf("  error code %#llx: %s\n", (unsigned long long)f->error_code, words);
		kprintf("  CR2 0x%016llx (the address that faulted)\n", (unsigned long long)read_cr2());
	} else if (exception_has_selector_error(v)) {
		exception_describe_selector(f->error_code, words, sizeof(words));
		kprintf("  error code %#llx: %s\n", (unsigned long long)f->error_code, words);
	} else {
		kprintf("  error code %#llx\n", (unsigned long long)f->error_code);
	}
}

/* The instruction bytes at RIP, as far as they are mapped: shows what faulted. */
static void report_code(uint64_t rip)
{
	struct arch_mapping m;
	unsigned n = 0;

	kprintf("  code at RIP:");
	while (n < CODE_BYTES && arch_translate(rip + n, &m) && m.executable)
		kprintf(" %02x", *(const volatile uint8_t *)(rip + n++));
	kprintf(n ? "\n" : " (not mapped executable)\n");
}

static void report_registers(const struct interrupt_frame *f)
{
	char where[96];

	ksyms_format(f->rip, where, sizeof(where));
	kprintf("  RIP 0x%016llx <%s>\n", (unsigned long long)f->rip, where);
	kprintf("  CS  %#06llx  RFLAGS 0x%016llx  RSP 0x%016llx  SS %#06llx\n",
		(unsigned long long)f->cs, (unsigned long long)f->rflags,
		(unsigned long long)f->rsp, (unsigned long long)f->ss);
	kprintf("  RAX 0x%016llx  RBX 0x%016llx  RCX 0x%016llx\n", (unsigned long long)f->rax,
		(unsigned long long)f->rbx, (unsigned long long)f->rcx);
	kprintf("  RDX 0x%016llx  RSI 0x%016llx  RDI 0x%016llx\n", (unsigned long long)f->rdx,
		(unsigned long long)f->rsi, (unsigned long long)f->rdi);
	kprintf("  RBP 0x%016llx  R8  0x%016llx  R9  0x%016llx\n", (unsigned long long)f->rbp,
		(unsigned long long)f->r8, (unsigned long long)f->r9);
	kprintf("  R10 0x%016llx  R11 0x%016llx  R12 0x%016llx\n", (unsigned long long)f->r10,
		(unsigned long long)f->r11, (unsigned long long)f->r12);
	kprintf("  R13 0x%016llx  R14 0x%016llx  R15 0x%016llx\n", (unsigned long long)f->r13,
		(unsigned long long)f->r14, (unsigned long long)f->r15);
	kprintf("  CR0 0x%016llx  CR3 0x%016llx  CR4 0x%016llx\n", (unsigned long long)read_cr0(),
		(unsigned long long)read_cr3(), (unsigned long long)read_cr4());
}

/* The quadword at RSP, when it is readable and points into a function. */
static bool return_address_at_rsp(uint64_t rsp, uint64_t *ret)
{
	struct arch_mapping m;
	const char *name;
	uint64_t off;

	if (rsp % sizeof(uint64_t) || !arch_translate(rsp, &m))
		return false;
	*ret = *(const uint64_t *)rsp;
	return *ret && ksyms_lookup(*ret - 1, &name, &off);
}

/*
 * RIP's function first, then its callers. When RIP is in no function (a jump
 * or call into data or the stack), the fault came at the first instruction
 * of the target: the caller's return address is then on top of the stack,
 * so it is shown as the next frame.
 */
static void report_backtrace(const struct interrupt_frame *f)
{
	const char *name;
	uint64_t off, at_rsp;
	unsigned i = 0;

	kprintf("  backtrace:\n");
	backtrace_print_entry(i++, f->rip, false);
	if (!ksyms_lookup(f->rip, &name, &off) && return_address_at_rsp(f->rsp, &at_rsp))
		backtrace_print_entry(i++, at_rsp, true);
	backtrace_print_chain(i, f->rbp);
}

static void report(const struct interrupt_frame *f)
{
	report_header(f);
	report_error_code(f);
	report_code(f->rip);
	report_registers(f);
	report_backtrace(f);
}

/* A fault while writing a fatal report: one line, then panic (panic stops a nested panic). */
static __noreturn void nested_fault(const struct interrupt_frame *f)
{
	if (fatal_depth > 2) {
		static const char loop[] = "\nexception: faults while reporting faults, stopping\n";
		arch_serial_write(loop, sizeof(loop) - 1);
		arch_halt_forever();
	}
	panic("%s (vector %llu) at rip %#llx while reporting an earlier exception",
	      exception_name((unsigned)f->vector), (unsigned long long)f->vector,
	      (unsigned long long)f->rip);
}

/* If addr is in a stack's guard page, say whose: that fault was a stack overflow. */
static void report_guard(const char *what, uint64_t addr)
{
	const char *owner = tss_guard_owner(addr);

	if (owner)
		kprintf("  kernel stack overflow: %s 0x%016llx is in the guard page below %s\n",
			what, (unsigned long long)addr, owner);
}

static __noreturn void page_fault_panic(const struct interrupt_frame *f, const char *where)
{
	uint64_t cr2 = read_cr2();
	const char *owner = tss_guard_owner(cr2);

	report_guard("CR2", cr2);
	panic("page fault at 0x%llx (%s, %s) in %s%s%s", (unsigned long long)cr2,
	      exception_pf_access(f->error_code), exception_pf_cause(f->error_code), where,
	      owner ? ": stack overflow into the guard page below " : "", owner ? owner : "");
}

static void report_machine_check(void)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	if (r[3] & CPUID_1_EDX_MCA)
		kprintf("  MCG_STATUS %#llx\n", (unsigned long long)rdmsr(MSR_MCG_STATUS));
}

/* Every exception that cannot resume: report, then a panic message naming it. */
static __noreturn void fatal(const struct interrupt_frame *f)
{
	unsigned v = (unsigned)f->vector;
	char where[96], words[96];

	if (fatal_depth++)
		nested_fault(f);
	report(f);
	panic_backtrace_printed();   /* the report had the interrupted context's backtrace */
	ksyms_format(f->rip, where, sizeof(where));
	if (v == EXC_PAGE_FAULT)
		page_fault_panic(f, where);
	if (v == EXC_MACHINE_CHECK)
		report_machine_check();
	if (exception_has_selector_error(v)) {
		exception_describe_selector(f->error_code, words, sizeof(words));
		panic("%s (error code %#llx: %s) in %s", exception_name(v),
		      (unsigned long long)f->error_code, words, where);
	}
	panic("%s in %s (rip %#llx)", exception_name(v), where, (unsigned long long)f->rip);
}

/*
 * #DF, on IST1. Shows that the handler runs on its own stack and, when the
 * interrupted stack ran into its guard page, that this was a stack overflow.
 */
static __noreturn void double_fault(const struct interrupt_frame *f)
{
	uint64_t here = (uint64_t)__builtin_frame_address(0), lo, hi;
	char where[96];
	bool overflow;

	if (fatal_depth++)
		nested_fault(f);
	report(f);
	tss_ist_stack(IST_DOUBLE_FAULT, &lo, &hi);
	kprintf("  double fault handler: frame 0x%016llx is %s its IST1 stack [0x%016llx, 0x%016llx)\n",
		(unsigned long long)here, here >= lo && here < hi ? "on" : "NOT on",
		(unsigned long long)lo, (unsigned long long)hi);
	overflow = tss_guard_owner(read_cr2()) || tss_guard_owner(f->rsp - 8);
	report_guard("CR2", read_cr2());
	if (!tss_guard_owner(read_cr2()))
		report_guard("RSP - 8", f->rsp - 8);
	ksyms_format(f->rip, where, sizeof(where));
	panic("double fault%s in %s (RSP %#llx)", overflow ? " after a kernel stack overflow" : "",
	      where, (unsigned long long)f->rsp);
}

static void breakpoint(const struct interrupt_frame *f)
{
	stats.breakpoints++;
	stats.last_breakpoint_rip = f->rip;
	report(f);
	kprintf("  breakpoint: resuming at 0x%016llx\n", (unsigned long long)f->rip);
}

/* NMI, on IST2: the chipset's reason from port 0x61, then carry on (as Linux does). */
static void nmi(const struct interrupt_frame *f)
{
	uint8_t status;

	ipi_nmi_stop_check();   /* a panic on another CPU: stop here, say nothing */
	status = inb(NMI_STATUS_PORT);
	stats.nmis++;
	stats.last_nmi_handler_rsp = (uint64_t)__builtin_frame_address(0);
	report(f);
	kprintf("  NMI: port 0x61 = 0x%02x%s%s; resuming\n", status,
		(status & NMI_STATUS_SERR) ? " (memory parity / system error)" : "",
		(status & NMI_STATUS_IOCHK) ? " (I/O channel check)" : "");
}

/*
 * An exception in ring 3 ends only that process: one line saying what and
 * where, then the process layer's hook (which does not come back here).
 */
static bool from_user(struct interrupt_frame *f)
{
	static char what[160];
	char words[96];
	unsigned v = (unsigned)f->vector;

	if (!(f->cs & 3) || v == EXC_BREAKPOINT || v == EXC_NMI || v == EXC_DOUBLE_FAULT ||
	    v == EXC_MACHINE_CHECK)
		return false;
	if (v == EXC_PAGE_FAULT) {
		exception_describe_pf(f->error_code, words, sizeof(words));
		fmt_snprintf(what, sizeof(what), "page fault at 0x%llx (%s) at rip 0x%llx",
			     (unsigned long long)read_cr2(), words, (unsigned long long)f->rip);
	} else {
		fmt_snprintf(what, sizeof(what), "%s at rip 0x%llx", exception_name(v),
			     (unsigned long long)f->rip);
	}
	return user_fault(f, what);
}

void exception_handle(struct interrupt_frame *frame)
{
	stats.total++;
	if (frame->vector == EXC_PAGE_FAULT && cow_fault(frame))
		return;         /* a write to a copy-on-write page: now private, retry */
	if (frame->vector == EXC_PAGE_FAULT && !(frame->cs & 3) && user_fixup(frame))
		return;         /* a user copy hit a bad page: it returns -1 */
	if (from_user(frame))
		return;
	switch (frame->vector) {
	case EXC_BREAKPOINT:
		breakpoint(frame);
		return;
	case EXC_NMI:
		nmi(frame);
		return;
	case EXC_DOUBLE_FAULT:
		double_fault(frame);
	default:
		fatal(frame);
	}
}

void arch_exceptions_init(void)
{
	tss_init();      /* IST stacks first: the IDT's #DF, NMI and #MC gates name them */
	idt_init();
}
