/*
 * The boot CPU's struct cpu (see cpu.h) and the one accessor. Until the SMP
 * work adds the others, there is one CPU.
 */
#include "kernel/arch.h"
#include "kernel/smp/cpu.h"

static struct cpu cpu0;

void cpu_init_boot(void)
{
	cpu0.self = &cpu0;
	arch_set_cpu_base(&cpu0);
}

struct cpu *cpu_self(void)
{
	return arch_cpu_base();
}
