"""System tests of PCI, xHCI and USB keyboards on the real image.

QEMU's machine here has no 8042 (-machine q35,i8042=off), an xHCI
controller and a USB keyboard bound to the display device (FACTS.md: QMP
input-send-event's `device` names the display; the keyboard bound to it
receives the keys). The scenarios check that:

- `pci` lists the controller with its class name and the xhci driver;
- typing a shell command on the USB keyboard runs it, and both the serial
  line and the screen show the echo (Shift and Backspace included);
- Caps Lock typed on USB changes case (the same decoder state as PS/2) and
  a held key repeats in software;
- two USB keyboards both type into the shell;
- three controllers (qemu-xhci with MSI-X, nec-usb-xhci with MSI only, and
  one told by usb.irq=poll to use the timer) each deliver their keyboard's
  keys, and the MSI-X one counts interrupts;
- a keyboard unplugged (QMP device_del) is reported, and plugged back in
  (device_add) types again;
- with the 8042 present too, PS/2 and USB keys both reach the shell.
"""
import os
import time

import qemu
from scenarios import scenario
from scenarios_input import check_line, image, screen_text

PROMPT = "Ember shell"


def usb_machine(keyboards=("k1",), i8042=False):
    extra = ["-machine", "q35" if i8042 else "q35,i8042=off", "-vga", "none",
             "-device", "VGA,id=vga0", "-device", "qemu-xhci,id=x"]
    for i, k in enumerate(keyboards):
        extra += ["-device", f"usb-kbd,bus=x.0,display=vga{i % 1},id={k}"]
    return tuple(extra)


def usb_keys(b, combos, device="vga0", hold=0.03):
    """Press and release each combo (a list of qcodes) on the USB keyboard bound to device."""
    for combo in combos:
        ev = [{"type": "key", "data": {"down": True, "key": {"type": "qcode", "data": k}}}
              for k in combo]
        b.qmp("input-send-event", device=device, events=ev)
        time.sleep(hold)
        for e in ev:
            e["data"]["down"] = False
        b.qmp("input-send-event", device=device, events=list(reversed(ev)))
        time.sleep(0.02)


def text_keys(text):
    keys = []
    for ch in text:
        if ch == " ":
            keys.append(["spc"])
        elif ch.isupper():
            keys.append(["shift", ch.lower()])
        else:
            keys.append([ch])
    return keys


def boot(args, extra, timeout=200):
    return qemu.Boot(args.ovmf_code, args.ovmf_vars, image=image(args), extra=extra,
                     timeout=timeout)


def wait_keyboards(b, n, timeout=60):
    """Start-up done and n keyboards attached; None or an error string."""
    if not b.wait_for(PROMPT, 90):
        return "no shell; last: " + " | ".join(b.lines[-3:])
    deadline = time.monotonic() + timeout
    while sum(", keyboard" in l for l in b.lines) < n:
        if time.monotonic() > deadline or not b.wait_for(", keyboard", 5):
            if time.monotonic() > deadline:
                return f"{n} keyboards never attached; usb lines: " + " | ".join(
                    l for l in b.lines if l.startswith("usb"))
    return None


def wait_line(b, text, timeout):
    """Wait until a serial line is exactly text (not merely contains it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(l.strip() == text for l in b.lines):
            return True
        b.wait_for(text, 1)
    return any(l.strip() == text for l in b.lines)


@scenario("system/usb/pci_lists_the_xhci_controller_with_its_driver", level="system")
def pci_lists(args):
    extra = usb_machine() + ("-device", "usb-tablet,bus=x.0")
    with boot(args, extra) as b:
        err = wait_keyboards(b, 1)
        if err:
            return False, err
        if not any(l.startswith("pci:") and "through ECAM" in l for l in b.lines):
            return False, "q35 has an MCFG table but PCI did not use ECAM"
        b.serial_write(b"usb\r")
        if not b.wait_for("no driver", 20):
            return False, "usb does not list the tablet as a device without driver"
        b.serial_write(b"pci\r")
        if not b.wait_for("USB controller (xHCI) [xhci]", 20):
            return False, "pci does not list the xHCI controller bound to xhci; last: " + \
                " | ".join(b.lines[-6:])
        if not b.wait_for("BAR0 mem", 10):
            return False, "pci does not show the controller's BAR0; last: " + \
                " | ".join(b.lines[-3:])
    return True, ""


@scenario("system/usb/pc_machine_without_mcfg_uses_the_config_ports", level="system")
def legacy_ports(args):
    extra = ("-machine", "pc", "-vga", "none", "-device", "VGA,id=vga0",
             "-device", "qemu-xhci,id=x", "-device", "usb-kbd,bus=x.0,display=vga0")
    with boot(args, extra) as b:
        err = wait_keyboards(b, 1)
        if err:
            return False, err
        if not any(l.startswith("pci:") and "through ports 0xcf8/0xcfc" in l for l in b.lines):
            return False, "without MCFG, PCI did not fall back to the ports: " + \
                repr([l for l in b.lines if l.startswith("pci")])
        usb_keys(b, text_keys("echo legacy") + [["ret"]])
        if not wait_line(b, "legacy", 30):
            return False, "the keyboard does not type on the pc machine"
    return True, ""


@scenario("system/usb/typing_a_command_on_a_usb_keyboard_runs_it_on_screen", level="system")
def typing(args):
    with boot(args, usb_machine()) as b:
        err = wait_keyboards(b, 1)
        if err:
            return False, err
        usb_keys(b, text_keys("echo Usb xx") + [["backspace"], ["backspace"]] +
                 text_keys("ok") + [["ret"]])
        if not b.wait_for("Usb ok", 30):
            return False, "the echo command never printed; last: " + repr(b.lines[-3:])
        shown = screen_text(args, b)
        lines = list(b.lines)
    err = check_line("USB", "echo Usb ok", lines, shown)
    if err:
        return False, err
    if "Usb ok" not in shown:
        return False, "the screen does not show the command's output"
    return True, ""


@scenario("system/usb/caps_lock_and_key_repeat_on_a_usb_keyboard", level="system")
def caps_and_repeat(args):
    with boot(args, usb_machine()) as b:
        err = wait_keyboards(b, 1)
        if err:
            return False, err
        usb_keys(b, [["caps_lock"], ["a"], ["caps_lock"], ["b"]])
        ev = {"type": "key", "data": {"down": True, "key": {"type": "qcode", "data": "z"}}}
        b.qmp("input-send-event", device="vga0", events=[ev])
        time.sleep(2.5)                # 500 ms delay, then ~30/s (fewer under a loaded TCG)
        ev["data"]["down"] = False
        b.qmp("input-send-event", device="vga0", events=[ev])
        usb_keys(b, [["ret"]])
        # The shell's answer to "Abzzz...": the line was read. (Waiting for "not
        # found" first, then "unknown", spent 25 s on a word the shell never says.)
        b.wait_match(r"not found|unknown command", 25)
        lines = list(b.lines)
    typed = [l for l in lines if "Ab" in l]
    if not typed:
        return False, "Caps Lock on USB did not give 'Ab'; last: " + repr(lines[-3:])
    zs = max(l.count("z") for l in typed)
    if zs < 3:
        return False, f"a held key gave {zs} z's, expected software repeats (>= 3)"
    return True, ""


@scenario("system/usb/msix_msi_and_polling_controllers_each_deliver_keys", level="system")
def notifications(args):
    extra = ("-machine", "q35,i8042=off", "-vga", "none")
    # QEMU's nec-usb-xhci with msix=off offers MSI only (qemu-xhci never offers MSI).
    models = ("qemu-xhci", "nec-usb-xhci,msix=off", "qemu-xhci")
    for i, model in enumerate(models):
        extra += ("-device", f"VGA,id=vga{i}", "-device", f"{model},id=x{i}",
                  "-device", f"usb-kbd,bus=x{i}.0,display=vga{i}")
    loader = os.path.join(args.build, "esp", "EFI", "BOOT", "BOOTX64.EFI")
    esp = qemu.esp_with(loader, "usb.irq=msix,msix,poll")
    with qemu.Boot(args.ovmf_code, args.ovmf_vars, esp_dir=esp, extra=extra,
                   timeout=200) as b:
        err = wait_keyboards(b, 3)
        if err:
            return False, err
        log = "\n".join(b.lines)
        for i, kind in enumerate(("MSI-X", "MSI", "timer poll")):
            if not any(l.startswith(f"usb{i}: xHCI") and l.endswith(kind) for l in b.lines):
                return False, f"usb{i} should use {kind}: " + repr(
                    [l for l in b.lines if l.startswith(f"usb{i}: xHCI")])
        for i, word in enumerate(("one", "two", "three")):
            usb_keys(b, text_keys(f"echo {word}") + [["ret"]], device=f"vga{i}")
            if not wait_line(b, word, 30):
                return False, f"the keyboard on usb{i} does not type; last: {b.lines[-2:]!r}"
        b.serial_write(b"usb\r")
        if not b.wait_for("usb2: ", 20):
            return False, "usb does not list the third controller"
        time.sleep(1)
        irq = [l for l in b.lines if l.startswith("usb0: ") and "interrupts)" in l]
        if not irq or irq[-1].endswith("(0 interrupts)"):
            return False, f"MSI-X controller took no interrupts: {irq!r}"
    return True, ""


@scenario("system/usb/two_usb_keyboards_both_type", level="system")
def two_keyboards(args):
    extra = usb_machine(("k1",)) + ("-device", "VGA,id=vga1", "-device",
                                     "usb-kbd,bus=x.0,display=vga1,id=k2")
    with boot(args, extra) as b:
        err = wait_keyboards(b, 2)
        if err:
            return False, err
        usb_keys(b, text_keys("echo one"), device="vga0")
        usb_keys(b, text_keys(" two") + [["ret"]], device="vga1")
        if not b.wait_for("one two", 30):
            return False, "keys of both keyboards did not make one line; last: " + \
                repr(b.lines[-3:])
    return True, ""


@scenario("system/usb/unplugged_keyboard_types_again_when_plugged_back", level="system")
def replug(args):
    with boot(args, usb_machine()) as b:
        err = wait_keyboards(b, 1)
        if err:
            return False, err
        b.qmp("device_del", id="k1")
        if not b.wait_for("keyboard unplugged", 30):
            return False, "unplugging was not reported; last: " + repr(b.lines[-3:])
        b.qmp("device_add", driver="usb-kbd", bus="x.0", display="vga0", id="k1")
        if not b.wait_for(", keyboard", 30):
            return False, "the keyboard was not attached again; last: " + repr(b.lines[-3:])
        usb_keys(b, text_keys("echo back") + [["ret"]])
        if not wait_line(b, "back", 30):
            return False, "the replugged keyboard does not type; last: " + repr(b.lines[-3:])
    return True, ""


@scenario("system/usb/ps2_and_usb_keyboards_both_type", level="system")
def both(args):
    with boot(args, usb_machine(i8042=True)) as b:
        err = wait_keyboards(b, 1)
        if err:
            return False, err
        b.send_keys(text_keys("echo ps"))
        time.sleep(3)      # send-key returns before QEMU has released the keys
        usb_keys(b, text_keys("usb") + [["ret"]])
        if not b.wait_for("psusb", 30):
            return False, "PS/2 and USB keys did not make one line; last: " + repr(b.lines[-3:])
    return True, ""
