"""gdb helpers for Ember (loaded by test/gdb/ember.gdb).

  ember-setup             load build/kernel.elf, connect to QEMU's gdb stub
  ember-loader-symbols    add the loader's symbols at the base the firmware
                          chose, read from the serial log's "image base" line

Settings (gdb convenience variables, set before sourcing ember.gdb):
  $ember_build   build directory (default "build")
  $ember_port    QEMU's gdb stub TCP port (default 1234, QEMU's -s)
  $ember_serial  the serial log to read the image base from
                 (default "<build>/debug/serial.log")
"""
import os
import re

import gdb

IMAGE_BASE = re.compile(r"ember loader: image base (0x[0-9a-fA-F]+)")


def setting(name, default):
    value = gdb.convenience_variable(name)
    if value is None:
        return default
    if value.type.code == gdb.TYPE_CODE_INT:
        return int(value)
    return value.string()


class EmberSetup(gdb.Command):
    """Load the kernel's symbols and connect to QEMU's gdb stub."""

    def __init__(self):
        super().__init__("ember-setup", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        build = setting("ember_build", "build")
        port = setting("ember_port", 1234)
        gdb.execute(f"file {os.path.join(build, 'kernel.elf')}")
        gdb.execute(f"target remote localhost:{port}")


class EmberLoaderSymbols(gdb.Command):
    """Add the UEFI loader's symbols at the image base it printed on serial.

    Usage: ember-loader-symbols [SERIAL_LOG]"""

    def __init__(self):
        super().__init__("ember-loader-symbols", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        build = setting("ember_build", "build")
        log = arg.strip() or setting("ember_serial", os.path.join(build, "debug", "serial.log"))
        with open(log, errors="replace") as f:
            bases = IMAGE_BASE.findall(f.read())
        if not bases:
            raise gdb.GdbError(f"no 'ember loader: image base' line in {log} yet: "
                               "continue until the loader has started")
        base = int(bases[-1], 16)
        loader = os.path.join(build, "loader-kernel.so")
        # The .so is linked at 0 and objcopy keeps its layout in the PE, so
        # every section lands at base + its link address.
        gdb.execute(f"add-symbol-file {loader} -o {base:#x}")
        print(f"ember: loader symbols from {loader} at {base:#x}")


EmberSetup()
EmberLoaderSymbols()
