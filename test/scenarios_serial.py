"""Boots without a serial port: the 16550 driver probes COM1 (scratch register,
loopback) instead of assuming it, and the banner says what is really there.

QEMU's -serial none leaves no UART at 0x3f8, so nothing can be read from
serial: the test watches the screen instead (QMP screendump read back with the
console's own font, see test/screen.py) until the banner and the input line
are drawn, then checks that no line claims COM1.
"""
import os
import time

import qemu
import screen
from scenarios import scenario

ROWS = 30                     # the banner and start-up lines fit in the top rows


def screen_until(b, font, texts, timeout):
    """Screen lines once every text is drawn (or the last read at timeout)."""
    shot = os.path.join(b.tmp, "screen.ppm")
    end = time.monotonic() + timeout
    lines = []
    while time.monotonic() < end:
        if b.proc.poll() is not None:
            return None, f"QEMU exited with {b.proc.returncode} before the screen was ready"
        if os.path.exists(shot):
            os.remove(shot)
        b.screendump(shot)
        lines = screen.screen_lines(shot, font, max_rows=ROWS)
        if all(any(t in line for line in lines) for t in texts):
            return lines, ""
        time.sleep(2)
    return None, f"screen never showed {texts!r}; top of screen: {lines[:6]!r}"


@scenario("system/console_without_serial_port_does_not_claim_com1", level="system")
def no_serial_port(args):
    image = os.path.join(args.build, "ember.img")
    font = screen.Font(os.path.join(args.build, "font", "terminus16.psf"))
    with qemu.Boot(args.ovmf_code, args.ovmf_vars, image=image, serial="none",
                   timeout=150) as b:
        lines, why = screen_until(b, font, ("command line:", "serial input off"), 120)
    if lines is None:
        return False, why
    console = [line for line in lines if line.startswith("console:")]
    if not console or "no serial port" not in console[0]:
        return False, f"console line is {console!r}, not one saying there is no serial port"
    claims = [line for line in lines if "COM1" in line]
    if claims:
        return False, f"the screen claims a serial port: {claims!r}"
    return True, console[0]
