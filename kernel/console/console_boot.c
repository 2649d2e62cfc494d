/*
 * console_init, the console's one start-up: the framebuffer (with the
 * embedded Terminus fonts), or the VGA's text mode when asked for
 * (console=vga) or when there is no framebuffer; and console_vga_init, the
 * VGA back end's init. The one piece of the console that reaches hardware
 * (through arch_vga_*), so it stays out of the host tests; console_choose,
 * which makes the decision, and console_fb_init are tested there. Main
 * flow, once, before the banner.
 */
#include "kernel/arch.h"
#include "kernel/console/console.h"
#include "kernel/console/fbcon.h"
#include "kernel/console/vgacon.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/psf.h"

static struct vgacon console_vga;
static struct psf_font console_vga_psf;
static struct psf_map_entry console_vga_map[CONSOLE_FONT_MAP_MAX];
static uint8_t console_vga_glyphs[VGACON_FONT_BYTES];

/* The CP437 glyphs of the embedded 8x16 Terminus; NULL if it does not parse. */
static const uint8_t *console_vga_font(void)
{
	size_t size = (size_t)(font_terminus16_end - font_terminus16_start);

	if (psf_parse(&console_vga_psf, font_terminus16_start, size, console_vga_map,
		      ARRAY_SIZE(console_vga_map)))
		return NULL;
	if (vgacon_build_font(&console_vga_psf, console_vga_glyphs))
		return NULL;
	return console_vga_glyphs;
}

int console_vga_init(void)
{
	uint8_t dac[16 * 3];
	int err;

	if (!arch_vga_present())
		return -E_NODEV;
	vgacon_dac_palette(dac);
	arch_vga_text_mode(console_vga_font(), dac);
	err = vgacon_init(&console_vga, arch_vga_text_buffer(), VGACON_COLS, VGACON_ROWS,
			  arch_vga_set_cursor);
	if (err)
		return err;
	return console_bind(&vgacon_ops, &console_vga, VGACON_COLS, VGACON_ROWS);
}

static enum console_kind active = CONSOLE_NONE;

/* The framebuffer back end with the fonts font_data.S embeds. */
static int console_fb_embedded(const struct boot_framebuffer *fb)
{
	return console_fb_init(fb,
		font_terminus16_start, (size_t)(font_terminus16_end - font_terminus16_start),
		font_terminus32_start, (size_t)(font_terminus32_end - font_terminus32_start));
}

int console_init(const struct boot_info *bi)
{
	enum console_kind kind = console_choose(bi->cmdline, bi->fb.format, arch_vga_present);
	int err;

	switch (kind) {
	case CONSOLE_VGA:
		err = console_vga_init();
		break;
	case CONSOLE_FB:
		err = console_fb_embedded(&bi->fb);
		break;
	default:
		err = -E_NODEV;
	}
	active = err ? CONSOLE_NONE : kind;
	return err;
}

enum console_kind console_active(void)
{
	return active;
}
