/*
 * The shell's cpus command: one line per CPU slot with its APIC id, state,
 * timer ticks and their rate (the BSP's is the kernel's tick, an AP's
 * timer only counts), polls it made, IPIs it received and the share of its online
 * time it spent halted. The figures are the CPUs' own counters, read as
 * snapshots. Shell task context.
 */
#include "kernel/arch.h"
#include "kernel/async/sched.h"
#include "kernel/kprintf.h"
#include "kernel/shell/shell_cmds.h"
#include "kernel/smp/percpu.h"
#include "kernel/smp/smp.h"

/* Idle share in tenths of a percent of the time since the CPU came online. */
static unsigned idle_permille(const struct cpu *c, uint64_t now)
{
	uint64_t up = now - c->online_tsc, idle = c->idle_tsc;
	uint64_t since = __atomic_load_n(&c->idle_since, __ATOMIC_RELAXED);

	if (since && since < now)
		idle += now - since;   /* halted right now */
	if (!up || c->state != CPU_ONLINE)
		return 0;
	return idle >= up ? 1000 : (unsigned)(idle * 1000 / up);
}

int shell_cmd_cpus(struct shell *sh, int argc, char **argv)
{
	uint64_t now = arch_timestamp();
	const struct smp_report *r = smp_report();
	const struct executor *ex = sched_executor();

	(void)sh, (void)argc, (void)argv;
	kprintf("cpu apic state     ticks        hz    tasks run    ipis       idle\n");
	for (unsigned i = 0; i < cpu_slots(); i++) {
		const struct cpu *c = cpu_get(i);
		unsigned idle = idle_permille(c, now);

		kprintf("%3u %4u %-9s %-12llu %-5u %-12llu %-10llu %u.%u%%%s\n", c->index,
			c->apic_id, cpu_state_name(c->state), (unsigned long long)c->ticks, c->tick_hz,
			(unsigned long long)ex->stats.cpu_polls[i], (unsigned long long)c->ipis,
			idle / 10, idle % 10, c == cpu_self() ? " (this one)" : "");
	}
	kprintf("%u online; the MADT lists %u, %u failed to start\n", cpu_online_count(),
		r->listed ? r->listed : 1, r->failed);
	return 0;
}
