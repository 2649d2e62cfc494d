/*
 * The table of struct cpu (see percpu.h). Slots are handed out in the order
 * CPUs are started, on the bootstrap processor only, before any other CPU
 * reads the table, so adding needs no lock.
 */
#include "kernel/arch.h"
#include "kernel/panic.h"
#include "kernel/smp/percpu.h"

static struct cpu cpus[SMP_MAX_CPUS] __attribute__((aligned(64)));
static unsigned slots;

void percpu_init_bsp(uint32_t apic_id)
{
	struct cpu *c = &cpus[0];

	ASSERT(slots == 0);
	c->self = c;
	c->index = 0;
	c->apic_id = apic_id;
	c->state = CPU_ONLINE;
	c->online_tsc = arch_timestamp();
	arch_cpu_set_self(c);
	__atomic_store_n(&slots, 1, __ATOMIC_RELEASE);
}

bool percpu_ready(void)
{
	return __atomic_load_n(&slots, __ATOMIC_ACQUIRE) != 0;
}

struct cpu *cpu_self(void)
{
	return arch_cpu_self();
}

struct cpu *cpu_get(unsigned i)
{
	return i < __atomic_load_n(&slots, __ATOMIC_ACQUIRE) ? &cpus[i] : NULL;
}

unsigned cpu_slots(void)
{
	return __atomic_load_n(&slots, __ATOMIC_ACQUIRE);
}

struct cpu *percpu_add(uint32_t apic_id)
{
	struct cpu *c;

	if (slots == SMP_MAX_CPUS)
		return NULL;
	c = &cpus[slots];
	c->self = c;
	c->index = slots;
	c->apic_id = apic_id;
	c->state = CPU_STARTING;
	__atomic_store_n(&slots, slots + 1, __ATOMIC_RELEASE);
	return c;
}

unsigned cpu_online_count(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < cpu_slots(); i++)
		n += __atomic_load_n(&cpus[i].state, __ATOMIC_ACQUIRE) == CPU_ONLINE;
	return n;
}

const char *cpu_state_name(uint32_t state)
{
	static const char *const names[] = { "absent", "starting", "online", "failed", "stopped" };

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "?";
}
