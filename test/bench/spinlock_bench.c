/*
 * The cost of an uncontended spinlock acquire + release (kernel/smp/
 * spinlock.c as the kernel builds it), counted by callgrind in
 * spinlock_bench.py. The interrupt-flag calls are replaced by host
 * functions of the same instruction count as the kernel's (pushfq, pop,
 * cli / test, branch, sti: the privileged instruction becomes a nop), so
 * the count is the kernel's.
 *
 *   spinlock_bench lock|empty N
 *
 *   lock   N times spin_lock + spin_unlock on one lock
 *   empty  the same loop without the lock (the loop's own instructions)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/arch.h"
#include "kernel/smp/percpu.h"
#include "kernel/smp/spinlock.h"

void panic_at(const char *file, int line, const char *func, const char *fmt, ...)
{
	fprintf(stderr, "panic at %s:%d (%s): %s\n", file, line, func, fmt);
	abort();
}

/* pushfq; pop; cli; ret as in arch/x86_64/cpu.c, cli as a nop. */
__attribute__((naked)) unsigned long arch_irq_save(void)
{
	__asm__ volatile("pushfq\n\tpopq %rax\n\tnop\n\tret");
}

/* test IF; skip; sti; ret, sti as a nop. */
__attribute__((naked)) void arch_irq_restore(unsigned long flags)
{
	__asm__ volatile("testl $0x200, %edi\n\tje 1f\n\tnop\n1:\tret");
}

struct cpu *cpu_self(void)
{
	return NULL;   /* debug mode stays off */
}

static struct spinlock lock = SPINLOCK_INIT("bench", 0);

__attribute__((noinline)) uint64_t bench_lock(uint64_t n);
__attribute__((noinline)) uint64_t bench_empty(uint64_t n);

uint64_t bench_lock(uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++) {
		unsigned long f = spin_lock(&lock);

		spin_unlock(&lock, f);
	}
	return i;
}

uint64_t bench_empty(uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		__asm__ volatile("" ::: "memory");
	return i;
}

int main(int argc, char **argv)
{
	uint64_t n, done;

	if (argc != 3)
		return 2;
	n = strtoull(argv[2], NULL, 10);
	done = strcmp(argv[1], "lock") == 0 ? bench_lock(n) : bench_empty(n);
	if (lock.locked)
		return 1;
	printf("iterations %llu\n", (unsigned long long)done);
	return 0;
}
