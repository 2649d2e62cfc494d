/*
 * The legacy VGA: detection, 80x25 text mode, font and palette loading, and
 * the hardware cursor. Under UEFI nobody ran a VGA BIOS: the card may be in
 * a graphics mode (QEMU's std VGA shows the firmware's linear framebuffer
 * through the Bochs VBE extension) and plane 2 holds no font. So the mode is
 * programmed here register by register from the standard mode 3 values,
 * with 8-dot characters (640x400, 25 MHz clock) so that an 8x16 PSF glyph
 * fills a cell exactly, blinking off (16 background colours), and an
 * identity attribute palette onto DAC entries 0..15.
 * Main flow (console bring-up); the cursor calls come from the console.
 */
#include "arch/x86_64/cpu.h"
#include "kernel/arch.h"

/* I/O ports (colour addressing: CRTC and status at 0x3Dx). */
#define VGA_AC_INDEX     0x3c0   /* attribute controller: index, then data, alternately */
#define VGA_MISC_WRITE   0x3c2
#define VGA_SEQ_INDEX    0x3c4
#define VGA_SEQ_DATA     0x3c5
#define VGA_DAC_MASK     0x3c6
#define VGA_DAC_WRITE    0x3c8
#define VGA_DAC_DATA     0x3c9
#define VGA_MISC_READ    0x3cc
#define VGA_GC_INDEX     0x3ce
#define VGA_GC_DATA      0x3cf
#define VGA_CRTC_INDEX   0x3d4
#define VGA_CRTC_DATA    0x3d5
#define VGA_STATUS1      0x3da   /* reading resets the attribute flip-flop */

/* Bochs / QEMU display interface (VBE extension). */
#define VBE_INDEX        0x1ce
#define VBE_DATA         0x1cf
#define VBE_REG_ID       0
#define VBE_REG_ENABLE   4
#define VBE_ID_MIN       0xb0c0
#define VBE_ID_MAX       0xb0cf

#define MISC_TEXT_640    0x63    /* colour I/O, RAM on, 25 MHz, -hsync +vsync: 400 lines */
#define SEQ_RESET        0x00
#define SEQ_MAP_MASK     0x02
#define SEQ_MEMORY_MODE  0x04
#define GC_READ_MAP      0x04
#define GC_MODE          0x05
#define GC_MISC          0x06
#define CRTC_CURSOR_START 0x0a
#define CRTC_CURSOR_END   0x0b
#define CRTC_CURSOR_HIGH  0x0e
#define CRTC_CURSOR_LOW   0x0f
#define CRTC_VRETRACE_END 0x11
#define CRTC_PROTECT      0x80   /* in VRETRACE_END: registers 0-7 read-only */
#define CURSOR_DISABLE    0x20   /* in CURSOR_START */
#define CURSOR_FIRST_LINE 14     /* an underline: scan lines 14-15 of 16 */
#define CURSOR_LAST_LINE  15
#define AC_VIDEO_ON      0x20    /* in the index: palette done, show the picture */

#define VGA_PLANE2_PHYS  0xa0000ull  /* plane 2 while it is mapped for the font */
#define VGA_TEXT_PHYS    0xb8000ull
#define FONT_SLOT        32          /* bytes per glyph in plane 2 */

/* Sequencer 0-4: 8-dot clock, planes 0+1, font A/B = 0, odd/even text memory. */
static const uint8_t vga_seq[] = { 0x03, 0x01, 0x03, 0x00, 0x02 };

/* CRTC 0-0x18: 80 columns of 8 dots, 400 lines of 16-line characters. */
static const uint8_t vga_crtc[] = {
	0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f,
	CURSOR_FIRST_LINE, CURSOR_LAST_LINE, 0x00, 0x00, 0x00, 0x00,
	0x9c, 0x0e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff,
};

/* Graphics controller 0-8: text, odd/even, memory at 0xB8000. */
static const uint8_t vga_gc[] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff };

/* Attribute controller 0-0x14: identity palette, line graphics, no blink, no panning. */
static const uint8_t vga_ac[] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x04, 0x00, 0x0f, 0x00, 0x00,
};

static void vga_write(uint16_t index_port, uint8_t index, uint8_t value)
{
	outb(index_port, index);
	outb(index_port + 1, value);
}

static uint8_t vga_read(uint16_t index_port, uint8_t index)
{
	outb(index_port, index);
	return inb(index_port + 1);
}

static volatile uint8_t *vga_phys(uint64_t phys)
{
	return (volatile uint8_t *)(uintptr_t)(DIRECT_MAP_BASE + phys);
}

/*
 * A VGA decodes the misc output register (a floating bus reads 0xff) and
 * keeps what is written to a CRTC register: the cursor's low byte, which is
 * put back afterwards.
 */
bool arch_vga_present(void)
{
	uint8_t saved;
	bool echoes;

	if (inb(VGA_MISC_READ) == 0xff)
		return false;
	outb(VGA_MISC_WRITE, inb(VGA_MISC_READ) | 0x01);   /* CRTC at 0x3Dx */
	saved = vga_read(VGA_CRTC_INDEX, CRTC_CURSOR_LOW);
	vga_write(VGA_CRTC_INDEX, CRTC_CURSOR_LOW, 0x5a);
	echoes = vga_read(VGA_CRTC_INDEX, CRTC_CURSOR_LOW) == 0x5a;
	vga_write(VGA_CRTC_INDEX, CRTC_CURSOR_LOW, 0xa5);
	echoes = echoes && vga_read(VGA_CRTC_INDEX, CRTC_CURSOR_LOW) == 0xa5;
	vga_write(VGA_CRTC_INDEX, CRTC_CURSOR_LOW, saved);
	return echoes;
}

/* QEMU/Bochs: a VBE mode overrides the VGA registers; switch it off. */
static void vga_leave_vbe(void)
{
	uint16_t id;

	outw(VBE_INDEX, VBE_REG_ID);
	id = inw(VBE_DATA);
	if (id < VBE_ID_MIN || id > VBE_ID_MAX)
		return;
	outw(VBE_INDEX, VBE_REG_ENABLE);
	outw(VBE_DATA, 0);
}

static void vga_set_registers(void)
{
	unsigned i;

	outb(VGA_MISC_WRITE, MISC_TEXT_640);
	vga_write(VGA_SEQ_INDEX, SEQ_RESET, 0x01);          /* synchronous reset */
	for (i = 1; i < sizeof(vga_seq); i++)
		vga_write(VGA_SEQ_INDEX, (uint8_t)i, vga_seq[i]);
	vga_write(VGA_SEQ_INDEX, SEQ_RESET, vga_seq[0]);
	vga_write(VGA_CRTC_INDEX, CRTC_VRETRACE_END,
		  vga_read(VGA_CRTC_INDEX, CRTC_VRETRACE_END) & ~CRTC_PROTECT);
	for (i = 0; i < sizeof(vga_crtc); i++)
		vga_write(VGA_CRTC_INDEX, (uint8_t)i, vga_crtc[i]);
	for (i = 0; i < sizeof(vga_gc); i++)
		vga_write(VGA_GC_INDEX, (uint8_t)i, vga_gc[i]);
	(void)inb(VGA_STATUS1);
	for (i = 0; i < sizeof(vga_ac); i++) {
		outb(VGA_AC_INDEX, (uint8_t)i);
		outb(VGA_AC_INDEX, vga_ac[i]);
	}
	outb(VGA_AC_INDEX, AC_VIDEO_ON);
}

/*
 * Plane 2 holds the font: 256 slots of 32 bytes, of which 16 are used. It
 * is reachable at 0xA0000 only with odd/even addressing off and plane 2
 * selected, so the font goes in between two register switches.
 */
static void vga_load_font(const uint8_t *font)
{
	volatile uint8_t *plane = vga_phys(VGA_PLANE2_PHYS);
	unsigned ch, row;

	vga_write(VGA_SEQ_INDEX, SEQ_MAP_MASK, 0x04);
	vga_write(VGA_SEQ_INDEX, SEQ_MEMORY_MODE, 0x06);
	vga_write(VGA_GC_INDEX, GC_READ_MAP, 0x02);
	vga_write(VGA_GC_INDEX, GC_MODE, 0x00);
	vga_write(VGA_GC_INDEX, GC_MISC, 0x04);            /* 0xA0000, 64 KiB */
	for (ch = 0; ch < 256; ch++)
		for (row = 0; row < FONT_SLOT; row++)
			plane[ch * FONT_SLOT + row] = row < 16 ? font[ch * 16 + row] : 0;
	vga_write(VGA_SEQ_INDEX, SEQ_MAP_MASK, vga_seq[SEQ_MAP_MASK]);
	vga_write(VGA_SEQ_INDEX, SEQ_MEMORY_MODE, vga_seq[SEQ_MEMORY_MODE]);
	vga_write(VGA_GC_INDEX, GC_READ_MAP, vga_gc[GC_READ_MAP]);
	vga_write(VGA_GC_INDEX, GC_MODE, vga_gc[GC_MODE]);
	vga_write(VGA_GC_INDEX, GC_MISC, vga_gc[GC_MISC]);
}

static void vga_load_dac(const uint8_t dac[48])
{
	unsigned i;

	outb(VGA_DAC_MASK, 0xff);
	outb(VGA_DAC_WRITE, 0);
	for (i = 0; i < 48; i++)
		outb(VGA_DAC_DATA, dac[i] & 0x3f);
}

void arch_vga_text_mode(const uint8_t *font, const uint8_t dac[48])
{
	vga_leave_vbe();
	vga_set_registers();
	if (font)
		vga_load_font(font);
	vga_load_dac(dac);
}

volatile uint16_t *arch_vga_text_buffer(void)
{
	return (volatile uint16_t *)vga_phys(VGA_TEXT_PHYS);
}

void arch_vga_set_cursor(bool visible, unsigned offset)
{
	if (!visible) {
		vga_write(VGA_CRTC_INDEX, CRTC_CURSOR_START, CURSOR_DISABLE);
		return;
	}
	vga_write(VGA_CRTC_INDEX, CRTC_CURSOR_HIGH, (uint8_t)(offset >> 8));
	vga_write(VGA_CRTC_INDEX, CRTC_CURSOR_LOW, (uint8_t)offset);
	vga_write(VGA_CRTC_INDEX, CRTC_CURSOR_START, CURSOR_FIRST_LINE);
}
