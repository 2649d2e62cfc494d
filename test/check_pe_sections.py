#!/usr/bin/env python3
"""The loader's ELF has no writable section that BOOTX64.EFI would lose.

  check_pe_sections.py --readelf readelf build/loader-X.so

The PE is made by objcopy from the sections named in the Makefile's
EFI_SECTIONS; gnu-efi's linker script gathers .data, .bss and their kin into
.data, but a section it does not name (.bss.x from -fdata-sections, say)
becomes an orphan that objcopy drops. Code writing such a variable would
write past the loaded image. Exits 1, naming the sections, when any
allocated, writable section outside .data and .dynamic has a size, or when
crt0's .reloc is missing (--gc-sections drops it): without it objcopy marks
the PE "relocations stripped" and firmware may refuse to load it anywhere but
at address 0.
"""
import argparse
import subprocess
import sys

KEPT_WRITABLE = {".data", ".dynamic"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--readelf", default="readelf")
    ap.add_argument("so")
    args = ap.parse_args()
    out = subprocess.run([args.readelf, "-SW", args.so], capture_output=True, text=True,
                         check=True).stdout
    bad, names = [], set()
    for line in out.splitlines():
        f = line.replace("[ ", "[").split()
        if len(f) < 8 or not f[0].startswith("[") or not f[1].startswith("."):
            continue
        name, size, flags = f[1], int(f[5], 16), f[7]
        names.add(name)
        if "A" in flags and "W" in flags and size and name not in KEPT_WRITABLE:
            bad.append(f"{name} ({size} bytes)")
    if ".reloc" not in names:
        bad.append("no .reloc section at all (the PE would say relocations stripped)")
    if bad:
        print(f"check_pe_sections: {args.so}: sections the PE would lose: "
              + ", ".join(bad), file=sys.stderr)
        return 1
    print(f"check_pe_sections: {args.so}: every writable section is in the PE")
    return 0


if __name__ == "__main__":
    sys.exit(main())
