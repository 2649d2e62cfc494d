#!/usr/bin/env python3
"""Dump the ACPI tables QEMU really produces, as fixtures for the host tests.

Boots the image, asks the shell's `acpi` command where the RSDP and each
table are, and saves their bytes with QMP pmemsave into DIR/PHYS.bin (one
file per table, named by its physical address in hex; the RSDP as well).
test/host/acpi/ loads such a directory as sparse physical memory.

    python3 test/acpi_dump.py DIR [qemu arguments...]
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
import qemu  # noqa: E402

OVMF = ("/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd")
RSDP = re.compile(r"RSDP at (0x[0-9a-f]+)")
TABLE = re.compile(r"^(\S{4}) .* (\d+)  (0x[0-9a-f]+)$")


def main():
    out, extra = sys.argv[1], tuple(sys.argv[2:])
    os.makedirs(out, exist_ok=True)
    with qemu.Boot(*OVMF, image="build/ember.img", extra=extra, timeout=120) as b:
        if not b.wait_for("Ember shell", 90):
            sys.exit("no shell")
        b.serial_write(b"acpi\r")
        try:
            while b.next_line(4) is not None:
                pass
        except TimeoutError:
            pass
        regions = []
        for line in b.lines:
            m = RSDP.search(line)
            if m:
                regions.append(("RSDP", int(m.group(1), 16), 36))
            m = TABLE.match(line.strip())
            if m:
                regions.append((m.group(1), int(m.group(3), 16), int(m.group(2))))
        for sig, phys, length in regions:
            path = os.path.abspath(os.path.join(out, f"{phys:x}.bin"))
            b.qmp("pmemsave", val=phys, size=length, filename=path)
            print(f"{sig} {phys:#x} {length} -> {path}")


if __name__ == "__main__":
    main()
