/*
 * Every CPU: bring-up of the application processors the MADT lists, and
 * what a CPU does once it is up (run the executor). See docs/smp.md.
 *
 *   percpu_init_bsp(...)   first, in kernel_main (kernel/smp/percpu.h)
 *   smp_init(bi)           after the executor and the interrupt controller
 *
 * smp_init starts each enabled CPU of the MADT other than this one, one at a
 * time, with a timeout; a CPU that does not check in is reported and left
 * out, the others carry on. Without the loader's low page, an MADT or a
 * local APIC it says so in one line and Ember runs on one CPU.
 *
 * Context: smp_init once, BSP main flow. The rest: any context.
 */
#ifndef EMBER_KERNEL_SMP_H
#define EMBER_KERNEL_SMP_H

#include <stdint.h>

#include "kernel/boot_info.h"

struct smp_report {
	unsigned listed;	/* enabled CPUs in the MADT, this one included */
	unsigned started;	/* APs that checked in */
	unsigned failed;	/* APs that did not */
	int err;		/* why SMP is off (0: it is on or there was one CPU) */
};

/* Start the other CPUs. Returns how many CPUs are online (1 when SMP is off). */
unsigned smp_init(const struct boot_info *bi);

const struct smp_report *smp_report(void);

#endif
