/*
 * Tests of CPU exception handling: the IDT, the TSS and its IST stacks, the
 * stubs' register frame, int3, the symbol table and backtraces (suite), and
 * one crash boot per kind of fatal exception (KTEST_SHOULD_PANIC: each passes
 * by panicking; test/scenarios_exceptions.py checks the report it printed).
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/exceptions.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/interrupts.h"
#include "arch/x86_64/tss.h"
#include "kernel/arch.h"
#include "kernel/backtrace.h"
#include "kernel/kprintf.h"
#include "kernel/ksyms.h"
#include "kernel/ktest.h"
#include "kernel/panic.h"
#include "lib/errno.h"
#include "lib/string.h"

#define PAGE 4096ull
#define TEST_VECTOR       0xf0   /* no device uses these two */
#define UNCLAIMED_VECTOR  0xf1

extern const char __text_start[], __text_end[];

static uint64_t gate_target(const struct idt_gate *g)
{
	return g->offset_lo | (uint64_t)g->offset_mid << 16 | (uint64_t)g->offset_hi << 32;
}

static const struct idt_gate *loaded_idt(void)
{
	struct desc_table_ptr p;

	sidt(&p);
	if (p.limit != IDT_VECTORS * sizeof(struct idt_gate) - 1)
		return NULL;
	return (const struct idt_gate *)p.base;
}

KTEST(idt_has_256_present_interrupt_gates_into_kernel_text)
{
	const struct idt_gate *idt = loaded_idt();

	KREQUIRE(idt);
	for (unsigned v = 0; v < IDT_VECTORS; v++) {
		uint64_t t = gate_target(&idt[v]);
		KEXPECT((idt[v].type_attr & IDT_GATE_PRESENT) &&
			(idt[v].type_attr & IDT_GATE_TYPE_MASK) == IDT_GATE_INTERRUPT &&
			(idt[v].type_attr & IDT_GATE_DPL_MASK) == 0);
		KEXPECT_EQ(idt[v].selector, GDT_KERNEL_CODE);
		KEXPECT(t >= (uint64_t)__text_start && t < (uint64_t)__text_end);
		if (v)
			KEXPECT(t != gate_target(&idt[v - 1]));   /* one stub per vector */
	}
}

KTEST(double_fault_nmi_and_machine_check_gates_use_their_ist_stacks)
{
	const struct idt_gate *idt = loaded_idt();
	const struct tss *tss = tss_get();
	uint64_t bottom, top;

	KREQUIRE(idt);
	for (unsigned v = 0; v < IDT_VECTORS; v++) {
		unsigned want = v == EXC_DOUBLE_FAULT ? IST_DOUBLE_FAULT :
				v == EXC_NMI ? IST_NMI : v == EXC_MACHINE_CHECK ? IST_MACHINE_CHECK : 0;
		KEXPECT_EQ(idt[v].ist & 7, want);
	}
	for (unsigned n = 1; n <= IST_COUNT; n++) {
		KREQUIRE(tss_ist_stack(n, &bottom, &top));
		KEXPECT_EQ(tss->ist[n - 1], top);
		KEXPECT_EQ(top % 16, 0);
	}
	KEXPECT(!tss_ist_stack(0, &bottom, &top));
	KEXPECT(!tss_ist_stack(IST_COUNT + 1, &bottom, &top));
}

KTEST(tss_is_loaded_in_the_task_register_and_marked_busy)
{
	uint64_t d[2], base;
	struct desc_table_ptr gp;

	KEXPECT_EQ(read_tr(), GDT_TSS);
	gdt_read_tss_descriptor(d);
	base = (d[0] >> 16 & 0xffffff) | (d[0] >> 56 & 0xff) << 24 | d[1] << 32;
	KEXPECT_EQ(base, (uint64_t)tss_get());
	KEXPECT_EQ((d[0] & 0xffff) | (d[0] >> 48 & 0xf) << 16, sizeof(struct tss) - 1);
	KEXPECT_EQ(d[0] >> 40 & 0xff, 0x8b);   /* present, DPL 0, busy 64-bit TSS: ltr ran */
	KEXPECT_EQ(tss_get()->iomap_base, sizeof(struct tss));
	sgdt(&gp);
	KEXPECT_EQ(gp.limit, GDT_ENTRIES * 8 - 1);
}

KTEST(ist_stacks_are_mapped_with_unmapped_guard_pages)
{
	struct arch_mapping m;
	uint64_t bottom, top, prev_bottom = KERNEL_STACK_TOP - KERNEL_STACK_SIZE;

	for (unsigned n = 1; n <= IST_COUNT; n++) {
		KREQUIRE(tss_ist_stack(n, &bottom, &top));
		KEXPECT_EQ(top - bottom, IST_STACK_SIZE);
		KEXPECT(top < prev_bottom);              /* below the previous stack's guard */
		for (uint64_t va = bottom; va < top; va += PAGE)
			KEXPECT(arch_translate(va, &m) && m.writable && !m.executable &&
				m.page_size == PAGE);
		KEXPECT(!arch_translate(bottom - PAGE, &m));
		KEXPECT(tss_guard_owner(bottom - 1) != NULL);
		KEXPECT(tss_guard_owner(bottom) == NULL);
		prev_bottom = bottom;
	}
	KEXPECT(!strcmp(tss_guard_owner(KERNEL_STACK_TOP - KERNEL_STACK_SIZE - 8), "the boot stack"));
}

KTEST(breakpoint_reports_counts_and_resumes_after_int3)
{
	uint64_t before = exception_stats()->breakpoints, resumed_at;
	volatile bool after = false;

	__asm__ volatile("int3\n\t"
			 "1: leaq 1b(%%rip), %0" : "=r"(resumed_at) : : "memory");
	after = true;
	KEXPECT(after);
	KEXPECT_EQ(exception_stats()->breakpoints, before + 1);
	KEXPECT_EQ(exception_stats()->last_breakpoint_rip, resumed_at);
}

static volatile uint64_t seen_vector, seen_error_code, handler_calls;

static void test_vector_handler(struct interrupt_frame *f)
{
	seen_vector = f->vector;
	seen_error_code = f->error_code;
	handler_calls++;
	f->rax = 0x5eed0000c0ffee00ull;     /* written back by the stubs' restore */
}

/* Load caller-saved registers, raise TEST_VECTOR, store them back. */
static void raise_test_vector(const uint64_t in[9], uint64_t out[9])
{
	register uint64_t *dst __asm__("r12") = out;

	__asm__ volatile(
		"mov 0(%%rbx), %%rcx\n\t"  "mov 8(%%rbx), %%rdx\n\t"
		"mov 16(%%rbx), %%rsi\n\t" "mov 24(%%rbx), %%rdi\n\t"
		"mov 32(%%rbx), %%r8\n\t"  "mov 40(%%rbx), %%r9\n\t"
		"mov 48(%%rbx), %%r10\n\t" "mov 56(%%rbx), %%r11\n\t"
		"mov 64(%%rbx), %%rax\n\t"
		"int %[vec]\n\t"
		"mov %%rcx, 0(%%r12)\n\t"  "mov %%rdx, 8(%%r12)\n\t"
		"mov %%rsi, 16(%%r12)\n\t" "mov %%rdi, 24(%%r12)\n\t"
		"mov %%r8, 32(%%r12)\n\t"  "mov %%r9, 40(%%r12)\n\t"
		"mov %%r10, 48(%%r12)\n\t" "mov %%r11, 56(%%r12)\n\t"
		"mov %%rax, 64(%%r12)"
		: : "b"(in), "r"(dst), [vec] "i"(TEST_VECTOR)
		: "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory");
}

KTEST(registered_handler_gets_the_frame_and_registers_survive)
{
	uint64_t in[9], out[9];

	for (unsigned i = 0; i < 9; i++)
		in[i] = 0x1111111111111111ull * (i + 1);
	KREQUIRE(interrupt_register(TEST_VECTOR, test_vector_handler) == 0);
	handler_calls = 0;
	raise_test_vector(in, out);
	KEXPECT_EQ(interrupt_unregister(TEST_VECTOR), 0);
	KEXPECT_EQ(handler_calls, 1);
	KEXPECT_EQ(seen_vector, TEST_VECTOR);
	KEXPECT_EQ(seen_error_code, 0);
	for (unsigned i = 0; i < 8; i++)
		KEXPECT_EQ(out[i], in[i]);
	KEXPECT_EQ(out[8], 0x5eed0000c0ffee00ull);
}

static void count_only_handler(struct interrupt_frame *f)
{
	handler_calls++;
}

/* A figure for docs/interrupts.md: stub + save + dispatch + restore + iretq. */
KTEST(software_interrupt_round_trip_is_measured)
{
	enum { ROUNDS = 10000 };
	uint64_t t0, cycles;

	KREQUIRE(interrupt_register(TEST_VECTOR, count_only_handler) == 0);
	handler_calls = 0;
	t0 = arch_timestamp();
	for (unsigned i = 0; i < ROUNDS; i++)
		__asm__ volatile("int %0" : : "i"(TEST_VECTOR) : "memory");
	cycles = (arch_timestamp() - t0) / ROUNDS;
	KEXPECT_EQ(interrupt_unregister(TEST_VECTOR), 0);
	KEXPECT_EQ(handler_calls, ROUNDS);
	kprintf("interrupt round trip: %llu TSC cycles (mean of %u)\n",
		(unsigned long long)cycles, ROUNDS);
}

KTEST(interrupt_register_rejects_exceptions_bad_vectors_and_duplicates)
{
	KEXPECT_EQ(interrupt_register(EXC_PAGE_FAULT, test_vector_handler), -E_INVAL);
	KEXPECT_EQ(interrupt_register(31, test_vector_handler), -E_INVAL);
	KEXPECT_EQ(interrupt_register(IDT_VECTORS, test_vector_handler), -E_INVAL);
	KEXPECT_EQ(interrupt_register(TEST_VECTOR, NULL), -E_INVAL);
	KREQUIRE(interrupt_register(TEST_VECTOR, test_vector_handler) == 0);
	KEXPECT_EQ(interrupt_register(TEST_VECTOR, test_vector_handler), -E_BUSY);
	KEXPECT_EQ(interrupt_unregister(TEST_VECTOR), 0);
	KEXPECT_EQ(interrupt_unregister(TEST_VECTOR), -E_NOENT);
	KEXPECT_EQ(interrupt_unregister(EXC_DOUBLE_FAULT), -E_INVAL);
}

KTEST(unclaimed_vector_is_counted_and_execution_resumes)
{
	uint64_t before = interrupt_unhandled_count();
	volatile bool after = false;

	__asm__ volatile("int %0" : : "i"(UNCLAIMED_VECTOR) : "memory");
	after = true;
	KEXPECT(after);
	KEXPECT_EQ(interrupt_unhandled_count(), before + 1);
}

KTEST(ksyms_finds_a_known_function_by_address)
{
	const char *name = NULL;
	uint64_t off = 1, fn = (uint64_t)&ksyms_lookup;

	KREQUIRE(ksyms_lookup(fn, &name, &off));
	KEXPECT(!strcmp(name, "ksyms_lookup"));
	KEXPECT_EQ(off, 0);
	KEXPECT(ksyms_lookup(fn + 5, &name, &off) && !strcmp(name, "ksyms_lookup"));
	KEXPECT_EQ(off, 5);
	KEXPECT_EQ(ksyms_address_of("panic_at"), (uint64_t)&panic_at);
	KEXPECT_EQ(ksyms_address_of("no_such_symbol_anywhere"), 0);
	KEXPECT(!ksyms_lookup((uint64_t)&handler_calls, &name, &off));   /* data */
	KEXPECT(!ksyms_lookup(0, &name, &off));
}

KTEST(ksyms_table_is_sorted_and_inside_kernel_text)
{
	unsigned n = ksyms_count();
	char buf[64];

	KREQUIRE(n > 100);
	for (unsigned i = 0; i < n; i++) {
		const struct ksym *s = &ksyms_table[i];
		KEXPECT(s->addr >= (uint64_t)__text_start && s->addr + s->size <= (uint64_t)__text_end);
		KEXPECT(s->size > 0);
		if (i)
			KEXPECT(ksyms_table[i - 1].addr + ksyms_table[i - 1].size <= s->addr);
	}
	ksyms_format((uint64_t)&kprintf + 0x10, buf, sizeof(buf));
	KEXPECT(!strcmp(buf, "kprintf+0x10"));
	ksyms_format(0x1000, buf, sizeof(buf));
	KEXPECT(!strcmp(buf, "??"));
}

/* noipa: no inlining, cloning or sibling calls, so both frames really exist. */
static __attribute__((noipa)) unsigned bt_leaf(uint64_t *out, unsigned max)
{
	unsigned n = backtrace_here(out, max);

	__asm__ volatile("" ::: "memory");
	return n;
}

static __attribute__((noipa)) unsigned bt_caller(uint64_t *out, unsigned max)
{
	unsigned n = bt_leaf(out, max);

	__asm__ volatile("" ::: "memory");
	return n + 0;
}

static bool names(uint64_t ret, const char *want)
{
	const char *name;
	uint64_t off;

	return ksyms_lookup(ret - 1, &name, &off) && !strcmp(name, want);
}

KTEST(backtrace_contains_the_function_and_its_caller)
{
	uint64_t ret[BACKTRACE_MAX];
	unsigned n = bt_caller(ret, BACKTRACE_MAX);

	KREQUIRE(n >= 4);
	KEXPECT(names(ret[0], "bt_leaf"));
	KEXPECT(names(ret[1], "bt_caller"));
	KEXPECT(names(ret[2], "ktest_fn_backtrace_contains_the_function_and_its_caller"));
	KEXPECT(names(ret[n - 1], "_start"));   /* the chain ends at the entry code */
	KEXPECT_EQ(bt_caller(ret, 2), 2);       /* and is bounded */
}

KTEST(backtrace_stops_on_bad_frame_pointers)
{
	uint64_t f[8] __attribute__((aligned(16)));
	uint64_t out[8], fp = (uint64_t)f, r = (uint64_t)&kprintf + 4;

	KEXPECT_EQ(backtrace_walk(0, out, 8), 0);                          /* NULL */
	KEXPECT_EQ(backtrace_walk(fp + 4, out, 8), 0);                     /* misaligned */
	KEXPECT_EQ(backtrace_walk(0xffff700000000000ull, out, 8), 0);      /* non-canonical */
	KEXPECT_EQ(backtrace_walk(0x100000, out, 8), 0);                   /* unmapped */
	KEXPECT_EQ(backtrace_walk((uint64_t)&ksyms_lookup & ~7ull, out, 8), 0); /* read-only */
	f[0] = fp + 16; f[1] = r;          /* a good frame, then ... */
	f[2] = fp + 32; f[3] = r + 1;
	f[4] = 0;       f[5] = r + 2;      /* ... the outermost one: 3 frames */
	KEXPECT_EQ(backtrace_walk(fp, out, 8), 3);
	KEXPECT(out[0] == r && out[1] == r + 1 && out[2] == r + 2);
	f[2] = fp + 16;                    /* a frame pointing at itself */
	KEXPECT_EQ(backtrace_walk(fp, out, 8), 2);
	f[2] = fp + 44;                    /* climbing, but misaligned */
	KEXPECT_EQ(backtrace_walk(fp, out, 8), 2);
	f[2] = KERNEL_STACK_TOP;           /* climbing off the top of the stack: unmapped */
	KEXPECT_EQ(backtrace_walk(fp, out, 8), 2);
	f[2] = fp + BACKTRACE_MAX_STEP + 16; /* a jump no stack frame makes */
	KEXPECT_EQ(backtrace_walk(fp, out, 8), 2);
	f[1] = 0;                          /* a zero return address ends the chain */
	KEXPECT_EQ(backtrace_walk(fp, out, 8), 0);
}

/* ---- one boot each: the host waits for "nmi: waiting", then injects an NMI over QMP ---- */

KTEST_BOOT(nmi_is_reported_on_its_ist_stack_and_resumes)
{
	const struct boot_info *bi = ktest_boot_info();
	uint64_t before = exception_stats()->nmis, end, bottom, top, sp;

	kprintf("nmi: waiting\n");
	end = arch_timestamp() + 30 * (bi->tsc_hz ? bi->tsc_hz : 3000000000ull);
	while (exception_stats()->nmis == before && arch_timestamp() < end)
		pause();
	KREQUIRE(exception_stats()->nmis == before + 1);
	sp = exception_stats()->last_nmi_handler_rsp;
	tss_ist_stack(IST_NMI, &bottom, &top);
	KEXPECT(sp >= bottom && sp < top);
	kprintf("nmi: handled on IST2, resumed\n");
}

/* ---- crash boots: each must end in its exception's report and panic ---- */

static volatile uintptr_t null_address = 0;
static volatile uintptr_t non_canonical_address = 0x0000800000000000ull;
static volatile unsigned zero;
static volatile unsigned never = ~0u;
static uint8_t data_page_code[16] = { 0xc3 };   /* ret, in a no-execute .data page */

static __attribute__((noipa)) unsigned stack_overflow_recurse(unsigned depth)
{
	volatile uint8_t pad[128];

	pad[0] = (uint8_t)depth;
	if (depth == never)
		return 0;
	return stack_overflow_recurse(depth + 1) + pad[0];
}

KTEST_SHOULD_PANIC(exception_stack_overflow_ends_in_double_fault)
{
	stack_overflow_recurse(0);
	__asm__ volatile("" ::: "memory");   /* a call, not a tail jump */
}

KTEST_SHOULD_PANIC(exception_null_read_page_faults)
{
	(void)*(volatile uint64_t *)null_address;
}

static __attribute__((noinline, used)) void text_write_target(void)
{
	__asm__ volatile("");
}

KTEST_SHOULD_PANIC(exception_write_to_kernel_text_page_faults)
{
	*(volatile uint8_t *)(uintptr_t)&text_write_target = 0xc3;
}

KTEST_SHOULD_PANIC(exception_execute_from_stack_page_faults)
{
	volatile uint8_t code[16];

	code[0] = 0xc3;
	__asm__ volatile("" ::: "memory");
	((void (*)(void))(uintptr_t)code)();
}

KTEST_SHOULD_PANIC(exception_execute_from_data_page_faults)
{
	data_page_code[0] = 0xc3;          /* written at run time: stays in .data */
	__asm__ volatile("" ::: "memory");
	((void (*)(void))(uintptr_t)data_page_code)();
	__asm__ volatile("" ::: "memory");   /* a call, not a tail jump */
}

KTEST_SHOULD_PANIC(exception_divide_error)
{
	volatile unsigned quotient = 10u / zero;

	(void)quotient;
}

KTEST_SHOULD_PANIC(exception_invalid_opcode)
{
	__asm__ volatile("ud2");
}

KTEST_SHOULD_PANIC(exception_non_canonical_access_general_protection)
{
	(void)*(volatile uint64_t *)non_canonical_address;
}
