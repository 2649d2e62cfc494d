#!/usr/bin/env python3
"""Pack a fixture directory of ACPI tables (test/acpi_dump.py) into one seed
for fuzz_acpi: memory based at 0x1000, RSDP first, then every table, with the
XSDT's and the FADT's pointers rewritten and all checksums fixed.

    python3 test/fuzz/pack_acpi_seed.py FIXTURE_DIR OUT_FILE
"""
import os
import struct
import sys

BASE = 0x1000


def fix(buf, start, length, at):
    buf[at] = 0
    buf[at] = (-sum(buf[start:start + length])) & 0xff


def main():
    src, out = sys.argv[1], sys.argv[2]
    tables = {}
    for name in os.listdir(src):
        tables[int(name[:-4], 16)] = bytearray(open(os.path.join(src, name), "rb").read())
    rsdp_phys = next(p for p, t in tables.items() if t[:8] == b"RSD PTR ")
    image, where = bytearray(tables.pop(rsdp_phys)), {}
    for phys in sorted(tables):
        where[phys] = BASE + len(image)
        image += tables[phys] + bytes(-len(tables[phys]) % 16)
    xsdt_old = struct.unpack_from("<Q", image, 24)[0]
    struct.pack_into("<I", image, 16, 0)                      # no RSDT in the seed
    struct.pack_into("<Q", image, 24, where[xsdt_old])
    fix(image, 0, 20, 8)
    fix(image, 0, 36, 32)
    x = where[xsdt_old] - BASE
    for i in range((struct.unpack_from("<I", image, x + 4)[0] - 36) // 8):
        old = struct.unpack_from("<Q", image, x + 36 + 8 * i)[0]
        struct.pack_into("<Q", image, x + 36 + 8 * i, where[old])
        t = where[old] - BASE
        if image[t:t + 4] == b"FACP":
            flen = struct.unpack_from("<I", image, t + 4)[0]
            dsdt = struct.unpack_from("<I", image, t + 40)[0]
            struct.pack_into("<I", image, t + 40, where[dsdt])
            if flen >= 148:
                struct.pack_into("<Q", image, t + 140, 0)
            fix(image, t, flen, t + 9)
    fix(image, x, struct.unpack_from("<I", image, x + 4)[0], x + 9)
    open(out, "wb").write(image)


if __name__ == "__main__":
    main()
