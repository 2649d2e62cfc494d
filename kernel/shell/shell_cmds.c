/*
 * The shell's command table and its information commands: what the
 * machine, the memory, the heap, the tasks and the devices look like now.
 */
#include "kernel/drivers/pci.h"
#include "kernel/drivers/xhci.h"
#include "kernel/arch.h"
#include "kernel/boot.h"
#include "kernel/time/clock.h"
#include "kernel/console/console.h"
#include "kernel/input/input.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/kprintf.h"
#include "kernel/mm/paging.h"
#include "kernel/mm/pmm.h"
#include "kernel/async/sched.h"
#include "kernel/shell/shell_cmds.h"
#include "lib/errno.h"
#include "lib/memmap.h"
#include "version.h"

static int cmd_help(struct shell *sh, int argc, char **argv)
{
	(void)sh, (void)argc, (void)argv;
	for (size_t i = 0; i < shell_ncmds; i++) {
		const struct shell_cmd *c = &shell_cmds[i];

		kprintf("  \033[96m%-11s\033[0m %-8s %s\n", c->name, c->args, c->help);
	}
	kprintf("Keys: Tab completes, Up/Down history, Ctrl+C cancels, Ctrl+L clears,\n"
		"      Shift+PageUp/PageDown scroll back.\n");
	return 0;
}

static int cmd_clear(struct shell *sh, int argc, char **argv)
{
	(void)sh, (void)argc, (void)argv;
	kprintf("\033[H\033[2J");
	return 0;
}

static int cmd_echo(struct shell *sh, int argc, char **argv)
{
	(void)sh;
	for (int i = 1; i < argc; i++)
		kprintf("%s%s", argv[i], i + 1 < argc ? " " : "");
	kprintf("\n");
	return 0;
}

static int cmd_version(struct shell *sh, int argc, char **argv)
{
	(void)sh, (void)argc, (void)argv;
	kprintf("Ember %s (x86_64, UEFI)\n", EMBER_VERSION);
	return 0;
}

static int cmd_uptime(struct shell *sh, int argc, char **argv)
{
	uint64_t ms = clock_ns() / 1000000;

	(void)sh, (void)argc, (void)argv;
	kprintf("up %llu.%03llu s (%llu ms of timer ticks)\n",
		(unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000),
		(unsigned long long)clock_uptime_ms());
	return 0;
}

static int cmd_ticks(struct shell *sh, int argc, char **argv)
{
	struct sched_stats s;

	(void)sh, (void)argc, (void)argv;
	sched_get_stats(&s);
	kprintf("ticks: %llu at %u Hz; timer task woken %llu times, %llu timers fired, %zu pending\n",
		(unsigned long long)clock_ticks(), clock_tick_hz(),
		(unsigned long long)s.timer_wakes, (unsigned long long)s.timers_fired,
		timer_count(sched_timers()));
	return 0;
}

static int cmd_mem(struct shell *sh, int argc, char **argv)
{
	const struct boot_info *bi = boot_info();
	struct pmm_stats s;

	(void)sh, (void)argc, (void)argv;
	pmm_get_stats(&s);
	kprintf("frames: %llu total, %llu free, %llu used, %llu reserved (4 KiB each; %llu MiB free)\n",
		(unsigned long long)s.total, (unsigned long long)s.free,
		(unsigned long long)s.used, (unsigned long long)s.reserved,
		(unsigned long long)(s.free >> 8));
	kprintf("memory map (%u regions):\n", bi->mem_count);
	for (uint32_t i = 0; i < bi->mem_count; i++) {
		const struct mem_region *r = &bi->mem_map[i];

		kprintf("  %#014llx-%#014llx %8llu KiB %s\n", (unsigned long long)r->base,
			(unsigned long long)(r->base + r->length - 1),
			(unsigned long long)(r->length >> 10), memmap_type_name(r->type));
	}
	return 0;
}

static int cmd_heap(struct shell *sh, int argc, char **argv)
{
	struct kmalloc_stats s;

	(void)sh, (void)argc, (void)argv;
	kmalloc_get_stats(&s);
	kprintf("heap: %s design%s at %#llx, %llu KiB mapped of %llu KiB, grown %llu times\n",
		s.design, s.debug ? " (debug)" : "", (unsigned long long)s.base,
		(unsigned long long)(s.mapped >> 10), (unsigned long long)(s.limit >> 10),
		(unsigned long long)s.grows);
	kprintf("  in use %zu B (peak %zu), free %zu B (largest %zu), %zu live allocations\n",
		s.heap.in_use, s.heap.peak_in_use, s.heap.free, s.heap.largest_free,
		s.heap.allocs);
	kprintf("  %llu allocs, %llu frees, %llu failed, fragmentation %u.%u%%\n",
		(unsigned long long)s.heap.nr_alloc, (unsigned long long)s.heap.nr_free,
		(unsigned long long)s.heap.nr_failed, s.heap.frag_permille / 10,
		s.heap.frag_permille % 10);
	return 0;
}

static int cmd_tasks(struct shell *sh, int argc, char **argv)
{
	struct executor *ex = sched_executor();
	struct task_info ti;

	(void)argc, (void)argv;
	kprintf("slot name         on  polls      wakes      cpu (us)\n");
	for (uint32_t slot = 0; slot < SCHED_MAX_TASKS; slot++) {
		if (executor_task_info(ex, slot, &ti) < 0)
			continue;
		if (slot == sh->self.slot)     /* mid-poll: the start is subtracted */
			ti.stats.cpu_ticks += arch_timestamp();
		kprintf("%4u %-12s %-3u %-10llu %-10llu %llu\n", slot, ti.name, ti.last_cpu,
			(unsigned long long)ti.stats.polls, (unsigned long long)ti.stats.wakes,
			(unsigned long long)(clock_cycles_to_ns(ti.stats.cpu_ticks) / 1000));
	}
	kprintf("executor: %llu polls, %llu idles, %llu spawned, %llu finished, %llu stale wakes\n",
		(unsigned long long)ex->stats.polls, (unsigned long long)ex->stats.idles,
		(unsigned long long)ex->stats.spawned, (unsigned long long)ex->stats.finished,
		(unsigned long long)ex->stats.stale_wakes);
	return 0;
}

static int cmd_kbd(struct shell *sh, int argc, char **argv)
{
	struct input_stats s;
	int err;

	(void)sh;
	if (argc > 1) {
		err = input_set_layout(argv[1]);
		if (err < 0)
			return err;
	}
	input_get_stats(&s);
	kprintf("layout %s; layouts:", input_layout());
	for (size_t i = 0; kbd_layout_at(i); i++)
		kprintf(" %s", kbd_layout_at(i)->name);
	kprintf("\nkeyboard: %s, scancode set %d; dropped bytes: keyboard %u, serial %u\n",
		s.keyboard ? "PS/2" : "none", s.scancode_set, s.kbd_drops, s.serial_drops);
	return 0;
}

static const char *fb_format_name(uint32_t f)
{
	static const char *const names[] = { "none", "RGBX", "BGRX", "bitmask" };

	return f < 4 ? names[f] : "?";
}

static int cmd_fb(struct shell *sh, int argc, char **argv)
{
	const struct boot_framebuffer *fb = &boot_info()->fb;
	static const char *const kinds[] = { "serial only", "framebuffer text", "VGA text" };
	unsigned cols, rows;

	(void)sh, (void)argc, (void)argv;
	console_get_size(&cols, &rows);
	if (fb->format == FB_NONE)
		kprintf("framebuffer: none\n");
	else
		kprintf("framebuffer: %ux%u %s, %u bpp, pitch %u, GOP mode %u, at %#llx\n",
			fb->width, fb->height, fb_format_name(fb->format), fb->bpp, fb->pitch,
			fb->gop_mode, (unsigned long long)fb->phys);
	kprintf("console: %s, %ux%u cells\n", kinds[console_active()], cols, rows);
	return 0;
}

static int cmd_cpu(struct shell *sh, int argc, char **argv)
{
	struct arch_cpu_info ci;
	const char *name;

	(void)sh, (void)argc, (void)argv;
	arch_cpu_info(&ci);
	kprintf("vendor %s, family %u model %u stepping %u\n", ci.vendor, ci.family,
		ci.model, ci.stepping);
	kprintf("brand: %s\nfeatures:", ci.brand[0] ? ci.brand : "(none)");
	for (unsigned i = 0; (name = arch_cpu_feature_name(i)); i++)
		if (ci.features & (1ull << i))
			kprintf(" %s", name);
	kprintf("\n");
	arch_fpu_print();
	return 0;
}

static int cmd_pci(struct shell *sh, int argc, char **argv)
{
	(void)sh, (void)argc, (void)argv;
	pci_print();
	return 0;
}

static int cmd_usb(struct shell *sh, int argc, char **argv)
{
	(void)sh, (void)argc, (void)argv;
	xhci_print();
	return 0;
}

static int cmd_translate(struct shell *sh, int argc, char **argv)
{
	struct page_mapping m;
	uint64_t va;

	(void)sh;
	if (argc != 2 || shell_parse_u64(argv[1], &va) < 0)
		return -E_INVAL;
	if (!paging_translate(va, &m)) {
		kprintf("%#llx: not mapped\n", (unsigned long long)va);
		return 0;
	}
	kprintf("%#llx -> phys %#llx, %s page, %s%s%s%s%s\n", (unsigned long long)va,
		(unsigned long long)m.phys,
		m.size == PAGE_SIZE_1G ? "1 GiB" : m.size == PAGE_SIZE_2M ? "2 MiB" : "4 KiB",
		m.flags & PAGE_WRITE ? "writable" : "read-only",
		m.flags & PAGE_EXEC ? ", executable" : ", no-execute",
		m.flags & PAGE_USER ? ", user" : ", kernel",
		m.flags & PAGE_WC ? ", write-combining" : "",
		m.flags & PAGE_UC ? ", uncached" : "");
	return 0;
}

const struct shell_cmd shell_cmds[] = {
	{ "help", "", "list the commands", cmd_help, NULL },
	{ "clear", "", "clear the screen", cmd_clear, NULL },
	{ "echo", "TEXT", "print TEXT", cmd_echo, NULL },
	{ "version", "", "Ember's version", cmd_version, NULL },
	{ "uptime", "", "time since start-up", cmd_uptime, NULL },
	{ "ticks", "", "timer ticks and the timer task", cmd_ticks, NULL },
	{ "mem", "", "physical frames and the memory map", cmd_mem, NULL },
	{ "heap", "", "kernel heap figures", cmd_heap, NULL },
	{ "tasks", "", "tasks: last CPU, polls, wake-ups, CPU time", cmd_tasks, NULL },
	{ "cpus", "", "every CPU: APIC id, state, ticks, tasks run, idle share", shell_cmd_cpus, NULL },
	{ "kbd", "[LAYOUT]", "show or switch the keyboard layout", cmd_kbd, NULL },
	{ "fb", "", "framebuffer mode and console", cmd_fb, NULL },
	{ "cpu", "", "CPUID: vendor, brand, features", cmd_cpu, NULL },
	{ "pci", "", "PCI functions, class and driver", cmd_pci, NULL },
	{ "usb", "", "USB controllers, ports and devices", cmd_usb, NULL },
	{ "acpi", "", "ACPI tables: signature, OEM, revision, length; the MADT",
	  shell_cmd_acpi, NULL },
	{ "translate", "ADDR", "page walk of a virtual address", cmd_translate, NULL },
	{ "sleep", "MS", "wait MS milliseconds on a timer", shell_cmd_sleep,
	  shell_cmd_sleep_poll },
	{ "bench-input", "[N]", "key interrupt to echo latency over N keys",
	  shell_cmd_bench_input, NULL },
	{ "run", "PATH [ARGS] [&]", "run a program in the foreground (Ctrl+C stops it), or in the background with &",
	  shell_cmd_run, shell_cmd_run_poll },
	{ "procs", "", "processes: pid, parent, state, ticks, pages", shell_cmd_procs, NULL },
	{ "syscalls", "", "system calls made, and those answered ENOSYS", shell_cmd_syscalls, NULL },
	{ "int3", "", "breakpoint exception: report, then go on", shell_cmd_int3, NULL },
	{ "pagefault", "", "write to an unmapped address: report, panic",
	  shell_cmd_pagefault, NULL },
	{ "overflow", "", "overflow the stack: double fault", shell_cmd_overflow, NULL },
	{ "reboot", "", "reset the machine", shell_cmd_reboot, NULL },
	{ "poweroff", "", "switch off: EFI ResetSystem, else ACPI S5", shell_cmd_poweroff, NULL },
	{ "power", "", "which reboot and poweroff paths will be tried", shell_cmd_power, NULL },
};

const size_t shell_ncmds = sizeof(shell_cmds) / sizeof(shell_cmds[0]);
