/*
 * The boot banner: version, memory, framebuffer, command line, and how long
 * each loader phase and the kernel's own start took, from the TSC stamps the
 * loader left in struct boot_info. Main flow, once, after the consoles.
 */
#include "kernel/arch.h"
#include "kernel/console/banner.h"
#include "kernel/console/console.h"
#include "kernel/kprintf.h"
#include "lib/memmap.h"
#include "version.h"   /* generated: EMBER_VERSION */

static const char *const fb_format_names[] = {
	[FB_NONE] = "none", [FB_RGBX] = "RGBX", [FB_BGRX] = "BGRX", [FB_BITMASK] = "bitmask",
};

/* Milliseconds with one decimal between two TSC stamps (integer maths only). */
static void print_ms(const char *what, uint64_t from, uint64_t to, uint64_t hz)
{
	uint64_t tenths = hz ? (to - from) * 10000 / hz : 0;

	kprintf(" %s %llu.%llu", what, (unsigned long long)(tenths / 10),
		(unsigned long long)(tenths % 10));
}

static void print_times(const struct boot_info *bi)
{
	const uint64_t *t = bi->tsc;
	uint64_t hz = bi->tsc_hz;

	kprintf("boot (ms):");
	print_ms("loader config", t[BOOT_PHASE_ENTRY], t[BOOT_PHASE_CONFIG], hz);
	print_ms("+ load", t[BOOT_PHASE_CONFIG], t[BOOT_PHASE_LOADED], hz);
	print_ms("+ paging", t[BOOT_PHASE_LOADED], t[BOOT_PHASE_PAGING], hz);
	print_ms("+ exit", t[BOOT_PHASE_PAGING], t[BOOT_PHASE_EXIT], hz);
	print_ms("+ hand-off", t[BOOT_PHASE_EXIT], t[BOOT_PHASE_HANDOFF], hz);
	print_ms("+ kernel start", t[BOOT_PHASE_HANDOFF], arch_timestamp(), hz);
	kprintf("; TSC %llu MHz\n", (unsigned long long)(hz / 1000000));
}

static void print_console(void)
{
	static const char *const kinds[] = {
		[CONSOLE_NONE] = "serial only", [CONSOLE_FB] = "framebuffer text",
		[CONSOLE_VGA] = "VGA text mode",
	};
	bool serial = arch_serial_present();
	unsigned cols = 0, rows = 0;

	if (console_active() == CONSOLE_NONE) {
		kprintf(serial ? "console: serial only (COM1 115200 8N1)\n" :
				 "console: none (no screen, no serial port)\n");
		return;
	}
	console_get_size(&cols, &rows);
	kprintf("console: %s, %ux%u cells, %s\n", kinds[console_active()], cols, rows,
		serial ? "and COM1" : "no serial port");
}

void banner_print(const struct boot_info *bi)
{
	const struct boot_framebuffer *fb = &bi->fb;
	uint64_t usable = memmap_total(bi->mem_map, bi->mem_count, MEM_USABLE);

	kprintf("\033[96mEmber\033[0m %s - a small x86_64 operating system\n", EMBER_VERSION);
	kprintf("memory: %llu MiB usable, %u map entries, highest address %#llx\n",
		(unsigned long long)(usable >> 20), bi->mem_count,
		(unsigned long long)bi->phys_max);
	if (fb->format == FB_NONE)
		kprintf("framebuffer: none\n");
	else
		kprintf("framebuffer: %ux%u %s, %u bpp, pitch %u, GOP mode %u\n", fb->width,
			fb->height, fb_format_names[fb->format], fb->bpp, fb->pitch, fb->gop_mode);
	print_console();
	if (!(bi->cpu_flags & BOOT_CPU_NX))
		kprintf("cpu: no NX (Execute Disable off?): no-execute pages unavailable, "
			"W^X holds for writes only\n");
	kprintf("command line: \"%s\"\n", bi->cmdline);
	print_times(bi);
	if (bi->ebs_attempts > 1)
		kprintf("loader: ExitBootServices took %u attempts\n", bi->ebs_attempts);
}
