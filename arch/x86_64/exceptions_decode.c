/*
 * Names of the 32 exception vectors and the decoding of their error codes
 * into words. Pure functions over plain values: any context, and the same
 * file runs in the host tests.
 */
#include "arch/x86_64/exceptions.h"
#include "lib/compiler.h"
#include "lib/format.h"

static const char *const names[EXC_COUNT] = {
	[EXC_DIVIDE] = "divide error",
	[EXC_DEBUG] = "debug",
	[EXC_NMI] = "non-maskable interrupt",
	[EXC_BREAKPOINT] = "breakpoint",
	[EXC_OVERFLOW] = "overflow",
	[EXC_BOUND_RANGE] = "bound range exceeded",
	[EXC_INVALID_OPCODE] = "invalid opcode",
	[EXC_DEVICE_NOT_AVAIL] = "device not available",
	[EXC_DOUBLE_FAULT] = "double fault",
	[EXC_COPROC_OVERRUN] = "coprocessor segment overrun",
	[EXC_INVALID_TSS] = "invalid TSS",
	[EXC_SEGMENT_NOT_PRESENT] = "segment not present",
	[EXC_STACK_FAULT] = "stack-segment fault",
	[EXC_GENERAL_PROTECTION] = "general protection fault",
	[EXC_PAGE_FAULT] = "page fault",
	[EXC_X87] = "x87 floating-point error",
	[EXC_ALIGNMENT_CHECK] = "alignment check",
	[EXC_MACHINE_CHECK] = "machine check",
	[EXC_SIMD] = "SIMD floating-point exception",
	[EXC_VIRTUALIZATION] = "virtualization exception",
	[EXC_CONTROL_PROTECTION] = "control protection exception",
	[EXC_HV_INJECTION] = "hypervisor injection exception",
	[EXC_VMM_COMMUNICATION] = "VMM communication exception",
	[EXC_SECURITY] = "security exception",
};

static const char *const mnemonics[EXC_COUNT] = {
	[EXC_DIVIDE] = "#DE", [EXC_DEBUG] = "#DB", [EXC_BREAKPOINT] = "#BP",
	[EXC_OVERFLOW] = "#OF", [EXC_BOUND_RANGE] = "#BR", [EXC_INVALID_OPCODE] = "#UD",
	[EXC_DEVICE_NOT_AVAIL] = "#NM", [EXC_DOUBLE_FAULT] = "#DF",
	[EXC_INVALID_TSS] = "#TS", [EXC_SEGMENT_NOT_PRESENT] = "#NP",
	[EXC_STACK_FAULT] = "#SS", [EXC_GENERAL_PROTECTION] = "#GP",
	[EXC_PAGE_FAULT] = "#PF", [EXC_X87] = "#MF", [EXC_ALIGNMENT_CHECK] = "#AC",
	[EXC_MACHINE_CHECK] = "#MC", [EXC_SIMD] = "#XM", [EXC_VIRTUALIZATION] = "#VE",
	[EXC_CONTROL_PROTECTION] = "#CP", [EXC_HV_INJECTION] = "#HV",
	[EXC_VMM_COMMUNICATION] = "#VC", [EXC_SECURITY] = "#SX",
};

const char *exception_name(unsigned vector)
{
	if (vector >= EXC_COUNT)
		return NULL;
	return names[vector] ? names[vector] : "reserved";
}

const char *exception_mnemonic(unsigned vector)
{
	if (vector >= EXC_COUNT)
		return NULL;
	return mnemonics[vector] ? mnemonics[vector] : "";
}

bool exception_has_error_code(unsigned vector)
{
	switch (vector) {
	case EXC_DOUBLE_FAULT: case EXC_INVALID_TSS: case EXC_SEGMENT_NOT_PRESENT:
	case EXC_STACK_FAULT: case EXC_GENERAL_PROTECTION: case EXC_PAGE_FAULT:
	case EXC_ALIGNMENT_CHECK: case EXC_CONTROL_PROTECTION:
	case EXC_VMM_COMMUNICATION: case EXC_SECURITY:
		return true;
	default:
		return false;
	}
}

bool exception_has_selector_error(unsigned vector)
{
	return vector == EXC_INVALID_TSS || vector == EXC_SEGMENT_NOT_PRESENT ||
	       vector == EXC_STACK_FAULT || vector == EXC_GENERAL_PROTECTION;
}

const char *exception_pf_access(uint64_t err)
{
	if (err & PF_I)
		return "instruction fetch";
	return (err & PF_W) ? "write" : "read";
}

const char *exception_pf_cause(uint64_t err)
{
	return (err & PF_P) ? "protection violation" : "not present";
}

int exception_describe_pf(uint64_t err, char *buf, size_t size)
{
	return fmt_snprintf(buf, size, "%s, %s, %s%s%s%s%s", exception_pf_cause(err),
			    exception_pf_access(err), (err & PF_U) ? "user mode" : "kernel mode",
			    (err & PF_RSVD) ? ", reserved bit set" : "",
			    (err & PF_PK) ? ", protection key" : "",
			    (err & PF_SS) ? ", shadow stack" : "",
			    (err & PF_SGX) ? ", SGX" : "");
}

int exception_describe_selector(uint64_t err, char *buf, size_t size)
{
	const char *ext = (err & SEL_EXT) ? "external event, " : "";
	unsigned index = SEL_INDEX(err);

	if (err == 0)
		return fmt_snprintf(buf, size, "no selector involved");
	if (err & SEL_IDT)
		return fmt_snprintf(buf, size, "%sIDT vector %#04x", ext, index);
	return fmt_snprintf(buf, size, "%s%s index %u (selector %#06llx)", ext,
			    (err & SEL_TI) ? "LDT" : "GDT", index,
			    (unsigned long long)(err & 0xfffc));
}
