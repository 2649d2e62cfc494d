/* Suite tests of kernel text output: kprintf's formatting and its serial copy. */
#include "kernel/arch.h"
#include "kernel/kprintf.h"
#include "kernel/ktest.h"
#include "lib/format.h"
#include "lib/string.h"

KTEST(kprintf_returns_length_and_sends_it_to_serial)
{
	uint64_t before = arch_serial_bytes_sent();
	int n = kprintf("kprintf: %d %s %#x\n", -42, "ok", 255u);

	KEXPECT_EQ(n, sizeof("kprintf: -42 ok 0xff\n") - 1);
	/* serial turns "\n" into "\r\n": one byte more */
	KEXPECT_EQ(arch_serial_bytes_sent() - before, (uint64_t)n + 1);
}

KTEST(snprintf_formats_64_bit_values_in_the_kernel)
{
	char buf[64];

	fmt_snprintf(buf, sizeof(buf), "%llx|%lld|%zu|%p", 0xffffffff80000000ull,
		     -9223372036854775807ll - 1, (size_t)4096, (void *)0xffff800000001000ull);
	KEXPECT(!strcmp(buf, "ffffffff80000000|-9223372036854775808|4096|0xffff800000001000"));
}

KTEST(long_output_is_not_cut)
{
	uint64_t before = arch_serial_bytes_sent();
	int n = kprintf("%300s|\n", "right-aligned in 300 columns");

	KEXPECT_EQ(n, 302);
	KEXPECT_EQ(arch_serial_bytes_sent() - before, 303);
}
