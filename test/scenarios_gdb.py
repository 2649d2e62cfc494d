"""The gdb workflow, driven in batch mode (docs/debugging.md).

QEMU starts paused with its gdb stub; gdb loads build/kernel.elf through
test/gdb/ember.gdb, breaks at kernel_main with a hardware breakpoint,
continues, and must show a backtrace naming kernel_main, read the boot-info
block through the kernel's types, step a line, and add the loader's symbols
at the base the loader printed on serial (checked against the .so's own
address of efi_main).
"""
import os
import re
import socket
import subprocess
import tempfile

import qemu
from scenarios import scenario

GDB_TIMEOUT = 180
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def symbol_offset(build, name):
    out = subprocess.run(["nm", os.path.join(build, "loader-kernel.so")], capture_output=True,
                         text=True, check=True).stdout
    m = re.search(rf"^([0-9a-f]+) T {name}$", out, re.M)
    return int(m.group(1), 16)


def run_gdb(args, port, log):
    """gdb in batch mode against the paused QEMU; its output, or None on timeout."""
    cmds = ["hbreak kernel_main", "continue", "bt", "print/x bi->magic", "next",
            "info registers rip", f"ember-loader-symbols {log}", "info line efi_main", "kill"]
    argv = ["gdb", "-q", "-nx", "-batch", "-ex", f"set $ember_build = \"{os.path.abspath(args.build)}\"",
            "-ex", f"set $ember_port = {port}", "-x", "test/gdb/ember.gdb"]
    for c in cmds:
        argv += ["-ex", c]
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=GDB_TIMEOUT,
                              cwd=REPO).stdout
    except subprocess.TimeoutExpired:
        return None


@scenario("system/gdb/breaks_at_kernel_main_and_names_it_in_bt", level="system")
def gdb_batch(args):
    port = free_port()
    image = os.path.join(args.build, "ember.img")
    with tempfile.TemporaryDirectory(prefix="ember-gdb-") as tmp:
        log = os.path.join(tmp, "serial.log")
        with qemu.Boot(args.ovmf_code, args.ovmf_vars, image=image, timeout=GDB_TIMEOUT + 30,
                       nic=False, serial=f"file:{log}",
                       extra=("-gdb", f"tcp:localhost:{port}", "-S")):
            out = run_gdb(args, port, log)
    if out is None:
        return False, f"gdb did not finish in {GDB_TIMEOUT} s"
    checks = [(r"Breakpoint 1, kernel_main \(bi=0xffff8", "no stop at kernel_main"),
              (r"^#0\s+kernel_main \(bi=", "backtrace does not name kernel_main"),
              (r"^\$1 = 0x52424d45$", "bi->magic not readable through the kernel's types"),
              (r"<kernel_main\+\d+>", "no step inside kernel_main"),
              (r"ember: loader symbols from .* at (0x[0-9a-f]+)", "no loader symbols")]
    for pattern, why in checks:
        if not re.search(pattern, out, re.M):
            return False, f"{why}; gdb said: {' | '.join(out.strip().splitlines()[-4:])}"
    base = int(re.search(r"ember: loader symbols from .* at (0x[0-9a-f]+)", out).group(1), 16)
    m = re.search(r"starts at address (0x[0-9a-f]+) <efi_main", out)
    want = base + symbol_offset(args.build, "efi_main")
    if not m or int(m.group(1), 16) != want:
        return False, f"efi_main not at image base + its offset ({want:#x}): {m and m.group(1)}"
    return True, ""
