"""The boot matrix: the real image (build/ember.img) on many machines.

Each configuration boots to the shell, answers a command (over COM1, or typed
on the keyboard and read off the screen when there is no serial port) and
shows the banner lines that prove the configuration was what it claims (no
NX, 1 GiB pages, no framebuffer, VGA text under U-Boot, ...). One line per
configuration in MATRIX below; the runner boots two at a time.

Firmware: OVMF 4 MiB (the default) and 2 MiB builds, and U-Boot's UEFI
(-bios u-boot.rom, the disk on virtio, the `pc` machine: it leaves SSE off,
offers no GOP, and passes its Linux bootargs as load options).
"""
import os
import re
import time

import qemu
import screen
from scenarios import scenario
from scenarios_shell import command

READY = "Ember shell"
ANSI = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]")
OVMF_2M = ("/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd")
UBOOT = dict(bios=qemu.UBOOT_ROM, machine="pc", drive_if="virtio")
NO_VGA = ("-vga", "none")
ONE_G = r"\+ [1-9]\d* 1G pages"
NO_ONE_G = r"\+ 0 1G pages"
NX_ON = r"W\^X holds$"
NX_OFF = "cpu: no NX"
FB = r"^framebuffer: 1280x800 BGRX"
NO_FB = r"^framebuffer: none$"


def all_cpus(n):
    """SMP is on by default: every CPU of -smp n comes online."""
    return rf"^smp: {n} of {n} CPUs online$"


# (name, Boot options, regexes the serial log must match). memory defaults to 256M.
MATRIX = [
    ("ovmf4m_q35_qemu64", dict(), [FB, NO_ONE_G, NX_ON, r"console: framebuffer text"]),
    ("ovmf4m_pc", dict(machine="pc"), [FB, NX_ON]),
    ("ovmf2m_q35", dict(firmware=OVMF_2M), [FB, NX_ON]),
    ("ovmf2m_pc_nx_off", dict(firmware=OVMF_2M, machine="pc", cpu="qemu64,-nx"), [NX_OFF]),
    ("cpu_qemu64_nx_off", dict(cpu="qemu64,-nx"),
     [NX_OFF, r"no NX: W\^X holds for writes only$"]),
    ("cpu_max_1g_pages_smp4", dict(cpu="max", smp=4), [ONE_G, NX_ON, all_cpus(4)]),
    ("cpu_max_without_1g_pages", dict(cpu="max,-pdpe1gb"), [NO_ONE_G, NX_ON]),
    ("cpu_core2duo", dict(cpu="core2duo"), [NO_ONE_G, NX_ON]),
    ("cpu_nehalem_smp2", dict(cpu="Nehalem", smp=2), [NO_ONE_G, NX_ON, all_cpus(2)]),
    ("mem_64M", dict(memory="64M"), [r"^memory: [2-6]\d MiB usable"]),
    ("mem_16G_q35_smp8", dict(memory="16G", smp=8),
     [r"^memory: 16\d\d\d MiB usable", r"highest address 0x4[0-9a-f]{8}$", all_cpus(8)]),
    ("display_none", dict(display=NO_VGA), [NO_FB, r"^console: serial only"]),
    ("display_virtio_bltonly", dict(display=NO_VGA + ("-device", "virtio-gpu-pci")),
     [NO_FB, "graphics output is BltOnly"]),
    ("display_ramfb", dict(display=NO_VGA + ("-device", "ramfb")),
     [r"^framebuffer: \d+x\d+ (BGRX|RGBX)", r"console: framebuffer text"]),
    ("no_keyboard_controller", dict(machine="q35,i8042=off"), [r"^ps2: "]),
    ("uboot_pc", dict(UBOOT), [r"^console: VGA text mode, 80x25", NO_FB, NX_ON,
                               r'^command line: "heap=block kbd=us root=']),
    ("uboot_pc_nx_off_smp2", dict(UBOOT, cpu="qemu64,-nx", smp=2), [NX_OFF]),
]

# Configurations without a serial port: the command is typed and read off the screen.
SCREEN_MATRIX = [
    ("no_serial_port", dict(serial=False)),
]


def image(args):
    return os.path.join(args.build, "ember.img")


def boot(args, opts, timeout):
    opts = dict(opts)
    code, vars_ = opts.pop("firmware", (args.ovmf_code, args.ovmf_vars))
    return qemu.Boot(code, vars_, image=image(args), timeout=timeout, nic=False, **opts)



def serial_config(args, opts, patterns):
    with boot(args, opts, timeout=240) as b:
        if not b.wait_for(READY, 180):
            return False, "no shell; last: " + " | ".join(b.lines[-3:])
        return serial_after_shell(b, patterns)


def serial_after_shell(b, patterns):
    """b has just shown the shell's start-up line: the start-up lines match
    patterns and `version` answers over serial."""
    log = [ANSI.sub("", l) for l in b.lines]
    if not command(b, "version", r"^Ember \S+ \(x86_64, UEFI\)$", timeout=30):
        return False, "'version' got no answer over serial"
    missing = [p for p in patterns if not any(re.search(p, l) for l in log)]
    if missing:
        return False, f"serial lacks {missing!r}"
    return True, ""


def screen_text(b, font):
    return [l.rstrip() for l in screen.screen_lines(
        b.screendump(os.path.join(b.tmp, "screen.ppm")), font)]


def screen_config(args, opts):
    font = screen.Font(os.path.join(args.build, "font", "terminus16.psf"))
    keys = [[k] for k in "echo"] + [["spc"]] + [[k] for k in "onscreen"] + [["ret"]]
    with boot(args, opts, timeout=240) as b:
        end = time.monotonic() + 180
        while not any(READY in l for l in screen_text(b, font)):
            if time.monotonic() > end or b.proc.poll() is not None:
                return False, "the screen never showed the shell"
            time.sleep(2)
        b.send_keys(keys)
        for _ in range(20):
            time.sleep(1)
            shown = screen_text(b, font)
            if "onscreen" in shown:
                return True, ""
    return False, f"no 'onscreen' line; bottom: {[l for l in shown if l][-3:]!r}"


# Configurations whose boot is shared with a power test on the same machine
# (test/scenarios_power.py): the matrix check first, then the power-off.
SHARED_WITH_POWER = ("ovmf4m_q35_qemu64", "ovmf2m_q35")

for _name, _opts, _patterns in MATRIX:
    if _name in SHARED_WITH_POWER:
        continue
    scenario(f"matrix/{_name}", level="system")(
        lambda args, o=_opts, p=_patterns: serial_config(args, o, p))
for _name, _opts in SCREEN_MATRIX:
    scenario(f"matrix/{_name}", level="system")(
        lambda args, o=_opts: screen_config(args, o))


# ---- CPU features the loader checks (docs/boot.md) -----------------------------
# Without NX the test kernel's hand-off and W^X checks adapt instead of failing.
from scenarios import ktest_boot, refused_cpu  # noqa: E402

for _test in ("cpu_state_at_handoff_has_wp_nxe_and_interrupts_off",
              "kernel_sections_have_their_elf_permissions"):
    scenario(f"kernel/boot/without_nx/{_test}")(ktest_boot(
        _test, extra=("-cpu", "qemu64,-nx"), texts=["cpu: no NX"]))

# A CPU Ember cannot use is refused on the UEFI console, never a silent hang.
scenario("system/loader_refuses_a_cpu_without_pat", level="system")(
    lambda args: refused_cpu(args, "qemu64,-pat", "this CPU has no PAT"))


# ---- the image: one file, and how big (issue 9; make bench-size details it) ----
# The budget is 256 KiB with both fonts. The kernel is embedded gzip-compressed
# and inflated by the loader (docs/boot.md), and the loader links no libefi;
# docs/performance.md "Image size" has the figures and the headroom left.
IMAGE_BUDGET = 256 * 1024


@scenario("system/bootx64_size_is_guarded", level="system")
def image_budget(args):
    path = os.path.join(args.build, "esp", "EFI", "BOOT", "BOOTX64.EFI")
    size = os.path.getsize(path)
    if size > IMAGE_BUDGET:
        return False, f"BOOTX64.EFI is {size} bytes, over the {IMAGE_BUDGET}-byte (256 KiB) budget"
    return True, f"{size} bytes, {IMAGE_BUDGET - size} under the 256 KiB budget"
