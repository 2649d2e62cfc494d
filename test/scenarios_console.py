"""Boots of the console's VGA text back end (test/kernel/console/console_tests.c) and
screen checks of it on the real image.

- console=vga on QEMU's std VGA (which OVMF drives as a linear framebuffer
  through the Bochs VBE extension): the kernel leaves VBE, programs 80x25
  text mode with 8x16 cells, loads the Terminus glyphs into plane 2, and
  the banner is in text memory at 0xB8000.
- No framebuffer but a VGA (an ISA VGA, which OVMF has no GOP driver for):
  VGA text is chosen by itself.
- The screendump of both is 640x400 and reads back, glyph by glyph, with
  the same 8x16 font the kernel loaded into the VGA.
"""
import os

import qemu
import screen
from scenarios import scenario, ktest_boot

NO_GOP_VGA = ("-vga", "none", "-device", "isa-vga")

scenario("kernel/console/vga_console_shows_the_banner")(ktest_boot(
    "vga_console_shows_the_banner", cmdline="console=vga", texts=["vga row 0: Ember "]))
scenario("kernel/console/vga_console_is_chosen_without_a_framebuffer")(ktest_boot(
    "vga_console_is_chosen_without_a_framebuffer", extra=NO_GOP_VGA,
    texts=["framebuffer: none", "vga row 0: Ember "]))


def vga_screen(args, cmdline, extra, expect):
    """Boot the real kernel, screendump, read the VGA text screen back."""
    loader = os.path.join(args.build, "esp", "EFI", "BOOT", "BOOTX64.EFI")
    font = screen.Font(os.path.join(args.build, "font", "terminus16.psf"))
    esp = qemu.esp_with(loader, cmdline)
    with qemu.Boot(args.ovmf_code, args.ovmf_vars, esp_dir=esp, extra=extra, timeout=120) as b:
        if not b.wait_for("Ember shell", 90):
            return False, "start-up did not finish; last: " + " | ".join(b.lines[-3:])
        shot = os.path.join(b.tmp, "screen.ppm")
        b.screendump(shot)
        width, height, _ = screen.read_ppm(shot)
        lines = screen.screen_lines(shot, font, max_rows=6)
    if (width, height) != (640, 400):
        return False, f"screen is {width}x{height}, not the 640x400 of 80x25 text"
    drawn = "\n".join(lines)
    for text in expect:
        if text not in drawn:
            return False, f"screen lacks {text!r}; top of screen: {lines[:4]!r}"
    return True, ""


@scenario("system/console_vga_shows_the_banner_on_screen", level="system")
def vga_forced(args):
    return vga_screen(args, "console=vga", (), (
        "Ember", "a small x86_64 operating system", 'command line: "console=vga"',
        "framebuffer: 1280x800"))


@scenario("system/console_vga_is_used_without_a_framebuffer", level="system")
def vga_fallback(args):
    return vga_screen(args, "", NO_GOP_VGA, (
        "Ember", "a small x86_64 operating system", "framebuffer: none"))
