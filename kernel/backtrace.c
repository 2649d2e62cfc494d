/*
 * Frame-pointer backtraces (see backtrace.h) with names from the embedded
 * symbol table.
 */
#include "kernel/arch.h"
#include "kernel/backtrace.h"
#include "kernel/kprintf.h"
#include "kernel/ksyms.h"

/* A frame record {next fp, return address} we may read: aligned, mapped, on a writable page. */
static bool frame_readable(uint64_t fp)
{
	struct arch_mapping m;

	if (!fp || fp % sizeof(uint64_t))
		return false;
	return arch_translate(fp, &m) && m.writable &&
	       arch_translate(fp + sizeof(uint64_t), &m) && m.writable;
}

/*
 * One step up the chain: the return address of the frame at *fp, and *fp
 * moved to the next frame (0 when the next one must not be followed).
 * False when the frame at *fp is unusable or ends the chain.
 */
static bool step(uint64_t *fp, uint64_t *ret)
{
	const uint64_t *frame;
	uint64_t next;

	if (!frame_readable(*fp))
		return false;
	frame = (const uint64_t *)*fp;
	next = frame[0];
	*ret = frame[1];
	if (!*ret)
		return false;
	*fp = (next > *fp && next - *fp <= BACKTRACE_MAX_STEP) ? next : 0;
	return true;
}

unsigned backtrace_walk(uint64_t fp, uint64_t *out, unsigned max)
{
	unsigned n = 0;
	uint64_t ret;

	while (n < max && step(&fp, &ret))
		out[n++] = ret;
	return n;
}

__attribute__((noinline)) unsigned backtrace_here(uint64_t *out, unsigned max)
{
	return backtrace_walk((uint64_t)__builtin_frame_address(0), out, max);
}

void backtrace_print_entry(unsigned i, uint64_t addr, bool is_return_address)
{
	const char *name;
	uint64_t off;

	if (is_return_address && addr && ksyms_lookup(addr - 1, &name, &off))
		off++;
	else if (!ksyms_lookup(addr, &name, &off))
		name = NULL;
	if (name)
		kprintf("    #%-2u 0x%016llx  %s+0x%llx\n", i, (unsigned long long)addr, name,
			(unsigned long long)off);
	else
		kprintf("    #%-2u 0x%016llx  ??\n", i, (unsigned long long)addr);
}

unsigned backtrace_print_chain(unsigned first, uint64_t fp)
{
	uint64_t tail[BACKTRACE_TAIL], ret;
	unsigned n = 0, kept, skipped;

	for (; n < BACKTRACE_LIMIT && step(&fp, &ret); n++) {
		if (n < BACKTRACE_HEAD)
			backtrace_print_entry(first + n, ret, true);
		else
			tail[(n - BACKTRACE_HEAD) % BACKTRACE_TAIL] = ret;
	}
	if (n <= BACKTRACE_HEAD)
		return n;
	kept = n - BACKTRACE_HEAD < BACKTRACE_TAIL ? n - BACKTRACE_HEAD : BACKTRACE_TAIL;
	skipped = n - BACKTRACE_HEAD - kept;
	if (skipped)
		kprintf("    ... %u frames skipped ...\n", skipped);
	for (unsigned k = n - kept; k < n; k++)
		backtrace_print_entry(first + k, tail[(k - BACKTRACE_HEAD) % BACKTRACE_TAIL], true);
	if (n == BACKTRACE_LIMIT)
		kprintf("    (walk stopped after %u frames)\n", BACKTRACE_LIMIT);
	return n;
}

void backtrace_print(uint64_t rip, uint64_t fp)
{
	unsigned i = 0;

	if (rip)
		backtrace_print_entry(i++, rip, false);
	backtrace_print_chain(i, fp);
}
