/*
 * kernel_main: the kernel's table of contents. The loader has left us on the
 * boot stack with interrupts off, our GDT loaded, and everything described by
 * struct boot_info. Each line below brings up one subsystem; docs/ has a
 * chapter for each, in this order.
 */
#include "kernel/acpi/acpi.h"
#include "kernel/arch.h"
#include "kernel/console/banner.h"
#include "kernel/boot.h"
#include "kernel/time/clock.h"
#include "kernel/console/console.h"
#include "kernel/drivers/pci.h"
#include "kernel/drivers/xhci.h"
#include "kernel/input/input.h"
#include "kernel/kprintf.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/ktest.h"
#include "kernel/mm/paging.h"
#include "kernel/panic.h"
#include "kernel/mm/pmm.h"
#include "kernel/proc/files.h"
#include "kernel/proc/proc.h"
#include "kernel/smp/percpu.h"
#include "kernel/async/sched.h"
#include "kernel/shell/shell.h"
#include "kernel/smp/percpu.h"
#include "kernel/smp/smp.h"

static void check_boot_info(const struct boot_info *bi)
{
	if (bi->magic != BOOT_INFO_MAGIC || bi->version != BOOT_INFO_VERSION ||
	    bi->size != sizeof(*bi))
		panic("boot: boot info magic %#x version %u size %u, expected %#x version %u size %zu",
		      bi->magic, bi->version, bi->size, BOOT_INFO_MAGIC, BOOT_INFO_VERSION, sizeof(*bi));
}

__attribute__((noreturn)) void kernel_main(const struct boot_info *bi);

void kernel_main(const struct boot_info *bi)
{
	arch_serial_init();                 /* first: every later line reaches COM1, if any */
	check_boot_info(bi);
	arch_handoff_check();               /* interrupts off, WP on, NXE iff CPUID has NX */
	bi = boot_info_save(bi);            /* kernel copy: the loader's memory can be reclaimed */
	arch_exceptions_init();             /* TSS, IST stacks, IDT: faults get a report */
	percpu_init_bsp(0);                 /* struct cpu 0 through GS: spinlocks work */
	console_init(bi);                   /* text console: framebuffer or VGA text, if any */
	arch_early_init(bi);                /* drop the loader's lower-half mappings */
	banner_print(bi);
	pmm_init(bi);                       /* physical frames from the memory map */
	paging_init();                      /* page-table API over the loader's tables */
	kmalloc_init(bi->cmdline);          /* heap window, grown on demand */
	pmm_reclaim_boot_memory();          /* loader memory back to the pool (copied above) */
	files_init(bi);                     /* the ESP's ember/ folder as the root file tree */
	acpi_init(bi);                      /* ACPI tables: MADT, FADT, HPET, MCFG, checked */
	arch_irq_init(bi);                  /* I/O APIC + LAPIC, or the 8259 pair; lines masked */
	clock_init(bi);                     /* timer tick, TSC nanosecond clock */
	input_init(bi);                     /* PS/2 keyboard, serial receive, decoders */
	sched_init();                       /* executor, timer queue, timer task */
	pci_init();                         /* PCI functions: ECAM or the legacy ports */
	xhci_init();                        /* USB controllers, keyboards: the usb task */
	proc_init();                        /* ring 3, system calls, the procs task */
	smp_init(bi);                       /* every other CPU joins the executor */
	arch_irq_enable();                  /* hardware interrupts from here on */

	if (ktest_count())
		ktest_main(bi);                 /* the test kernel: run tests, exit QEMU */

	shell_spawn(bi->cmdline);           /* the shell task (after init=PATH, if given) */
	sched_run();                        /* run tasks; halt when none is ready */
}
