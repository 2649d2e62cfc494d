/*
 * Bringing up the application processors (see smp.h): the CPU list comes
 * from the MADT (kernel/acpi), each AP gets a struct cpu and is started by
 * the arch code, and lands in smp_ap_main, where it joins the executor.
 */
#include "kernel/acpi/acpi.h"
#include "kernel/arch.h"
#include "kernel/async/sched.h"
#include "kernel/kprintf.h"
#include "kernel/time/clock.h"
#include "kernel/panic.h"
#include "kernel/smp/percpu.h"
#include "kernel/smp/smp.h"
#include "lib/cmdline.h"
#include "lib/errno.h"

static struct smp_report report;

/* Every tick of this CPU's timer, interrupt context. */
static void smp_tick(void *ctx)
{
	(void)ctx;
	cpu_self()->ticks++;
}

/* First C on an AP (its tables, GS and LAPIC are up): check in, run tasks. */
static void smp_ap_main(struct cpu *c)
{
	c->online_tsc = arch_timestamp();
	__atomic_store_n(&c->state, CPU_ONLINE, __ATOMIC_RELEASE);
	sched_run_ap();
}

static void start_one(uint32_t apic_id)
{
	struct cpu *c = percpu_add(apic_id);
	int err;

	if (!c) {
		kprintf("smp: APIC %u left out: the kernel keeps %u CPUs\n", apic_id, SMP_MAX_CPUS);
		report.failed++;
		return;
	}
	err = arch_cpu_start(c, smp_ap_main);
	if (err) {
		__atomic_store_n(&c->state, CPU_FAILED, __ATOMIC_RELEASE);
		kprintf("smp: cpu %u (APIC %u) did not start: %s; left out\n",
			c->index, apic_id, err_name(err));
		report.failed++;
		return;
	}
	report.started++;
}

static int smp_off(int err, const char *why)
{
	report.err = err;
	kprintf("smp: %s: running on one CPU\n", why);
	return 1;
}

unsigned smp_init(const struct boot_info *bi)
{
	const struct acpi_madt_info *madt = acpi_madt();
	uint32_t self = arch_cpu_id();
	int err;

	cpu_self()->apic_id = self;
	clock_add_tick_callback(smp_tick, NULL);   /* the BSP's tick; APs count their own */
	if (cmdline_has(bi->cmdline, "spin.debug=1"))
		spin_debug_set(true);
	if (!madt)
		return smp_off(-E_NODEV, "no usable MADT");
	for (unsigned i = 0; i < madt->cpu_count; i++)
		report.listed += madt->cpus[i].enabled;
	if (report.listed <= 1)
		return 1;
	/* On by default; smp=off keeps the others halted (docs/smp.md). */
	if (cmdline_has(bi->cmdline, "smp=off"))
		return smp_off(0, "other CPUs left halted (smp=off)");
	if (!bi->smp_trampoline_phys)
		return smp_off(-E_NODEV, "the loader found no page below 1 MiB for the trampoline");
	err = arch_smp_prepare(bi->smp_trampoline_phys, bi->tsc_hz);
	if (err == -E_NODEV)
		return smp_off(err, "no local APIC in use (irq=pic?) or no usable trampoline page");
	if (err)
		return smp_off(err, err == -E_RANGE ? "the page tables lie above 4 GiB" : err_name(err));
	for (unsigned i = 0; i < madt->cpu_count; i++)
		if (madt->cpus[i].enabled && madt->cpus[i].apic_id != self)
			start_one(madt->cpus[i].apic_id);
	arch_smp_finish();
	kprintf("smp: %u of %u CPUs online", cpu_online_count(), report.listed);
	if (report.failed)
		kprintf(", %u failed to start", report.failed);
	kprintf("\n");
	return cpu_online_count();
}

const struct smp_report *smp_report(void)
{
	return &report;
}
