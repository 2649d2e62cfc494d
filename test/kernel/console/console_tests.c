/*
 * In-kernel tests of the console: the scrollback of the kernel's console in
 * the suite (whatever back end it runs on), and the VGA text back end in
 * boots of their own (test/scenarios_console.py): with console=vga on the
 * std VGA, and chosen by itself when the loader found no framebuffer. Those
 * read the banner back from the VGA's text memory at 0xB8000, cell by cell,
 * and print the top rows on serial for the record.
 */
#include "kernel/arch.h"
#include "kernel/console/console.h"
#include "kernel/kprintf.h"
#include "kernel/ktest.h"
#include "kernel/console/vgacon.h"
#include "lib/string.h"

static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncmp(hay, needle, n) == 0)
			return true;
	return false;
}

/* The characters of row y of the VGA text buffer, trailing blanks dropped. */
static void vga_row(unsigned y, char out[VGACON_COLS + 1])
{
	volatile uint16_t *cells = arch_vga_text_buffer();
	unsigned x, end = 0;

	for (x = 0; x < VGACON_COLS; x++) {
		out[x] = (char)(cells[y * VGACON_COLS + x] & 0xff);
		if (out[x] != ' ')
			end = x + 1;
	}
	out[end] = '\0';
}

/* The banner is in VGA text memory: characters and the attribute of "Ember". */
static void expect_banner_in_vga_memory(void)
{
	volatile uint16_t *cells = arch_vga_text_buffer();
	struct arch_mapping map;
	static char row[4][VGACON_COLS + 1];
	uint16_t first = cells[0], seventh = cells[6];
	unsigned cols, rows, y;

	/* Read the screen before printing anything: printing scrolls it, and
	 * the banner may already sit near the top of a full screen. */
	for (y = 0; y < 4; y++)
		vga_row(y, row[y]);
	KREQUIRE(console_ready());
	console_get_size(&cols, &rows);
	KEXPECT_EQ(cols, VGACON_COLS);
	KEXPECT_EQ(rows, VGACON_ROWS);
	KREQUIRE(arch_translate((uint64_t)(uintptr_t)cells, &map));
	KEXPECT_EQ(map.phys, 0xb8000);
	for (y = 0; y < 4; y++)
		kprintf("vga row %u: %s\n", y, row[y]);
	KEXPECT(strncmp(row[0], "Ember ", 6) == 0);
	KEXPECT(contains(row[0], "a small x86_64 operating system"));
	KEXPECT_EQ(first >> 8, vgacon_attr(CON_BRIGHT_CYAN, CON_BLACK));
	KEXPECT_EQ(seventh >> 8, vgacon_attr(CON_WHITE, CON_BLACK));
}

KTEST_BOOT(vga_console_shows_the_banner)
{
	expect_banner_in_vga_memory();
	KEXPECT(ktest_boot_info()->fb.format != FB_NONE);      /* chosen by console=vga */
}

KTEST_BOOT(vga_console_is_chosen_without_a_framebuffer)
{
	expect_banner_in_vga_memory();
	KEXPECT_EQ(ktest_boot_info()->fb.format, FB_NONE);
}

/* The kernel's console keeps what scrolls off; any output returns to the bottom. */
KTEST(console_scrollback_looks_back_and_output_snaps_to_the_bottom)
{
	unsigned cols, rows, i;

	KREQUIRE(console_ready());
	console_get_size(&cols, &rows);
	for (i = 0; i < rows + 10; i++)
		kprintf("scrollback: line %u\n", i);
	KEXPECT_EQ(console_scroll_view(5), 5);
	KEXPECT_EQ(console_scroll_view(-2), 3);
	KEXPECT(console_scroll_view(1000000) >= 10);
	KEXPECT(console_scroll_view(1000000) <= CONSOLE_SCROLLBACK_LINES);
	kprintf("scrollback: back to the bottom\n");
	KEXPECT_EQ(console_scroll_view(0), 0);
	KEXPECT_EQ(console_scroll_view(-1), 0);
}
