"""Power-off and reboot of the real image, seen over QMP (docs/power.md).

- `poweroff` in the shell: the kernel says it takes the ACPI S5 path and QEMU
  reports a guest-initiated SHUTDOWN event, then exits.
- `reboot`: the kernel says it writes the FADT reset register, QEMU reports a
  guest RESET event (the reboot action is set back to reset for this boot),
  and no line says the 8042 or a triple fault was tried: the reset register
  did it.
"""
import json
import time

import qemu
from scenarios import scenario


def qmp_event(b, names, timeout):
    """The first QMP event in names, or None when none arrives in time."""
    b._qmp.settimeout(timeout)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            line = b._qmp_file.readline()
        except OSError:
            return None
        if not line:
            return None
        msg = json.loads(line)
        if msg.get("event") in names:
            return msg
    return None


def shell_command(args, command, extra=()):
    with qemu.Boot(args.ovmf_code, args.ovmf_vars, image=f"{args.build}/ember.img",
                   extra=extra, timeout=150) as b:
        if not b.wait_for("Ember shell", 100):
            return None, list(b.lines)
        b.qmp("query-status")                 # connect before anything happens
        b.serial_write(command.encode() + b"\r")
        ev = qmp_event(b, ("SHUTDOWN", "RESET"), 30)
        try:
            while b.next_line(1) is not None:
                pass
        except TimeoutError:
            pass
        return ev, list(b.lines)


@scenario("system/power/poweroff_enters_acpi_s5", level="system")
def poweroff(args):
    ev, lines = shell_command(args, "poweroff")
    log = "\n".join(lines)
    if "poweroff: ACPI S5" not in log:
        return False, f"no ACPI S5 line; last: {lines[-3:]}"
    if not ev or ev["event"] != "SHUTDOWN" or ev["data"].get("reason") != "guest-shutdown":
        return False, f"QMP event {ev!r}"
    return True, "SHUTDOWN guest-shutdown"


@scenario("system/power/reboot_uses_the_fadt_reset_register", level="system")
def reboot(args):
    ev, lines = shell_command(args, "reboot", extra=("-action", "reboot=reset"))
    log = "\n".join(lines)
    if "reboot: FADT reset register" not in log:
        return False, f"no FADT reset line; last: {lines[-3:]}"
    if "reboot: 8042" in log or "reboot: triple fault" in log:
        return False, "the reset register did not reset"
    if not ev or ev["event"] != "RESET" or not ev["data"].get("guest"):
        return False, f"QMP event {ev!r}"
    return True, f"RESET {ev['data'].get('reason')}"
