"""Power-off and reboot of the real image, seen over QMP (docs/power.md).

- `poweroff` in the shell (OVMF, both builds): the kernel calls UEFI
  ResetSystem(shutdown) and QEMU reports a guest-initiated SHUTDOWN event.
- `reboot` (OVMF): ResetSystem(cold), a guest RESET event (the reboot action
  is set back to reset for this boot), and no later path printed: neither
  the FADT register, the 8042 nor a triple fault was tried.
- U-Boot: `reboot` through its ResetSystem gives a RESET; its ResetSystem
  resets on a shutdown request, so `poweroff` skips it (a named quirk) and
  ACPI S5 ends in SHUTDOWN.
- reset=acpi forces the ACPI paths: `poweroff` takes S5 and `reboot` the
  FADT reset register, with the same QMP events, and `power` says so.
"""
import json
import time

import qemu
from scenarios import scenario, shared_boot
from scenarios_matrix import MATRIX, SHARED_WITH_POWER, serial_after_shell


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


UBOOT = dict(bios=qemu.UBOOT_ROM, machine="pc", drive_if="virtio")
OVMF_2M = ("/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd")
EFI_LATER = ("poweroff: ACPI S5", "QEMU's fixed", "reboot: FADT", "reboot: 8042",
             "reboot: triple fault", "came back", "unusable", "panic")


def shell_command(args, command, extra=(), cmdline=None, firmware=None, before=None,
                  timeout=150, **opts):
    """Boot, type `power` then command on COM1; (first SHUTDOWN/RESET event, lines).
    before(b), if given, runs first, once the shell is up (a shared boot's other check)."""
    code, vars_ = firmware or (args.ovmf_code, args.ovmf_vars)
    where = (dict(esp_dir=qemu.esp_with(f"{args.build}/esp/EFI/BOOT/BOOTX64.EFI", cmdline))
             if cmdline else dict(image=f"{args.build}/ember.img"))
    with qemu.Boot(code, vars_, extra=extra, timeout=timeout, nic=False, **where, **opts) as b:
        if not b.wait_for("Ember shell", 180 if before else 100):
            return None, list(b.lines)
        if before:
            before(b)
        b.qmp("query-status")                 # connect before anything happens
        b.serial_write(b"power\r")
        if not b.wait_for("power: reboot tries", 20):
            return None, list(b.lines)
        b.serial_write(command.encode() + b"\r")
        ev = qmp_event(b, ("SHUTDOWN", "RESET"), 30)
        try:
            while b.next_line(1) is not None:
                pass
        except TimeoutError:
            pass
        return ev, list(b.lines)


def expect(lines, ev, want_line, want_event, reason=None, absent=()):
    log = "\n".join(lines)
    if want_line not in log:
        return False, f"no {want_line!r} line; last: {lines[-3:]}"
    bad = [a for a in absent if a in log]
    if bad:
        return False, f"a later path ran: {bad}"
    if not ev or ev["event"] != want_event or not ev["data"].get("guest"):
        return False, f"QMP event {ev!r}"
    if reason and ev["data"].get("reason") != reason:
        return False, f"QMP event {ev!r}"
    return True, f"{want_event} {ev['data'].get('reason')}"


def poweroff_efi(args, **kw):
    ev, lines = shell_command(args, "poweroff", **kw)
    if not any("power: first path: EFI ResetSystem" in l for l in lines):
        return False, "power does not name EFI ResetSystem first"
    return expect(lines, ev, "poweroff: EFI ResetSystem (shutdown)", "SHUTDOWN",
                  "guest-shutdown", EFI_LATER)


def poweroff_efi_2m(args, **kw):
    ev, lines = shell_command(args, "poweroff", firmware=OVMF_2M, **kw)
    return expect(lines, ev, "poweroff: EFI ResetSystem (shutdown)", "SHUTDOWN",
                  "guest-shutdown", EFI_LATER)


@scenario("system/power/reboot_calls_efi_reset_system_cold", level="system")
def reboot_efi(args):
    ev, lines = shell_command(args, "reboot", extra=("-action", "reboot=reset"))
    return expect(lines, ev, "reboot: EFI ResetSystem (cold)", "RESET", None, EFI_LATER)


@scenario("system/power/uboot_reboot_calls_efi_reset_system", level="system")
def reboot_efi_uboot(args):
    ev, lines = shell_command(args, "reboot", extra=("-action", "reboot=reset"), **UBOOT)
    return expect(lines, ev, "reboot: EFI ResetSystem (cold)", "RESET", None, EFI_LATER)


@scenario("system/power/uboot_poweroff_skips_its_resetting_reset_system", level="system")
def poweroff_uboot(args):
    ev, lines = shell_command(args, "poweroff", extra=("-action", "reboot=reset"), **UBOOT)
    if not any("EFI ResetSystem skipped" in l for l in lines):
        return False, "the U-Boot quirk was not applied"
    return expect(lines, ev, "poweroff: ACPI S5", "SHUTDOWN", "guest-shutdown")


@scenario("system/power/reset_acpi_poweroff_enters_acpi_s5", level="system")
def poweroff(args):
    ev, lines = shell_command(args, "poweroff", cmdline="heap=block kbd=us reset=acpi")
    if not any("power: first path: ACPI (reset=acpi)" in l for l in lines):
        return False, "power does not name ACPI first"
    return expect(lines, ev, "poweroff: ACPI S5", "SHUTDOWN", "guest-shutdown",
                  ("EFI ResetSystem (",))


@scenario("system/power/reset_acpi_reboot_uses_the_fadt_reset_register", level="system")
def reboot(args):
    ev, lines = shell_command(args, "reboot", extra=("-action", "reboot=reset"),
                              cmdline="heap=block kbd=us reset=acpi")
    return expect(lines, ev, "reboot: FADT reset register", "RESET", None,
                  ("EFI ResetSystem (", "reboot: 8042", "reboot: triple fault"))


# The matrix's everyday configurations (OVMF 4 MiB and 2 MiB on q35, no NIC)
# are the machines these power-offs boot: one boot checks both, the matrix's
# start-up lines and `version` first (its own boot allowed 240 s, this one 150 s).
def matrix_then(config, name, power):
    patterns = next(p for n, _, p in MATRIX if n == config)

    def fn(args, checks):
        before = lambda b: checks.run(f"matrix/{config}", serial_after_shell, b, patterns)  # noqa: E731
        checks.run(name, power, args, before=before, timeout=390)
    return fn


for _config, _name, _power in (
        ("ovmf4m_q35_qemu64", "system/power/poweroff_calls_efi_reset_system_shutdown",
         poweroff_efi),
        ("ovmf2m_q35", "system/power/poweroff_calls_efi_reset_system_on_ovmf_2m",
         poweroff_efi_2m)):
    assert _config in SHARED_WITH_POWER
    shared_boot(f"system/power/shared_boot_matrix_{_config}_then_poweroff",
                [f"matrix/{_config}", _name])(matrix_then(_config, _name, _power))
