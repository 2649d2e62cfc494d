/* Scancode injection for the input and async tests (see ps2_inject.h). */
#include "arch/x86_64/ps2.h"
#include "kernel/time/clock.h"
#include "test/kernel/ps2_inject.h"

#define INJECT_WAIT_NS 100000000ull

bool ktest_ps2_inject(uint8_t byte)
{
	struct ps2_stats before, now;
	uint64_t until = clock_ns() + INJECT_WAIT_NS;

	ps2_get_stats(&before);
	if (ps2_inject(byte) < 0)
		return false;
	do {
		ps2_get_stats(&now);
		if (now.irqs > before.irqs)
			return true;
	} while (clock_ns() < until);
	return false;
}
