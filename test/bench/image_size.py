#!/usr/bin/env python3
"""BOOTX64.EFI against its size budget, where the bytes go, and what the
compressed kernel costs to unpack.

  image_size.py --efi BOOTX64.EFI --kernel strip/kernel.elf --gz gz/kernel.elf.gz
                --full kernel.elf --loader-so loader-kernel.so
                --inflate-bench bench/inflate_bench --font F16 --font F32
                [--budget-kib 256]

Prints the file's size; the embedded kernel compressed (what the file holds)
and uncompressed, and the fonts inside it; the loader's own share split into
code, data and the PE's relocation and headers; and the instructions
lib/inflate.c takes to unpack the real kernel blob (callgrind, counting only
bench_measure in inflate_bench.c). Exits 1 when the image is over budget.
"""
import argparse
import os
import subprocess
import sys
import tempfile

BUDGET_KIB = 256


def kib(n):
    return f"{n / 1024:.1f} KiB"


def sections(so):
    """Section sizes of the loader's ELF (readelf -S), by name."""
    out = subprocess.run(["readelf", "-SW", so], capture_output=True, text=True,
                         check=True).stdout
    sizes = {}
    for line in out.splitlines():
        f = line.replace("[ ", "[").split()
        if len(f) > 5 and f[0].startswith("[") and f[1].startswith("."):
            sizes[f[1]] = int(f[5], 16)
    return sizes


def inflate_instructions(bench, gz):
    """Instructions callgrind counts in bench_measure: one inflate of gz."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        run = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
                              "--toggle-collect=bench_measure", bench, gz],
                             capture_output=True, text=True, check=False)
        if run.returncode != 0 or "crc=ok" not in run.stdout:
            sys.exit(f"inflate_bench: exit {run.returncode}\n{run.stdout}{run.stderr}")
        with open(out, encoding="utf-8") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("summary:"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--efi", required=True)
    ap.add_argument("--kernel", required=True, help="the stripped kernel ELF")
    ap.add_argument("--gz", required=True, help="the compressed kernel the loader embeds")
    ap.add_argument("--full", required=True, help="the unstripped kernel kept for gdb")
    ap.add_argument("--loader-so", required=True, help="the loader's ELF before objcopy")
    ap.add_argument("--inflate-bench")
    ap.add_argument("--font", action="append", default=[])
    ap.add_argument("--budget-kib", type=int, default=BUDGET_KIB)
    args = ap.parse_args()
    efi, kernel, gz, full = (os.path.getsize(p) for p in (args.efi, args.kernel, args.gz, args.full))
    fonts = sum(os.path.getsize(f) for f in args.font)
    sec = sections(args.loader_so)
    text = sec.get(".text", 0)
    data = sec.get(".data", 0) - gz
    budget = args.budget_kib * 1024
    print(f"BOOTX64.EFI          {efi:8d} bytes  {kib(efi):>10}  budget {args.budget_kib} KiB: "
          f"{100 * efi / budget:.1f} % {'(met)' if efi <= budget else '(OVER BUDGET)'}, "
          f"{kib(budget - efi)} headroom")
    print(f"  embedded kernel    {gz:8d} bytes  {kib(gz):>10}  (gzip -9n of the stripped "
          f"kernel: {100 * gz / kernel:.1f} %)")
    print(f"    uncompressed     {kernel:8d} bytes  {kib(kernel):>10}  "
          f"(stripped; build/kernel.elf with DWARF is {kib(full)})")
    print(f"    of which fonts   {fonts:8d} bytes  {kib(fonts):>10}  ({len(args.font)} fonts, "
          f"uncompressed)")
    print(f"  loader and PE      {efi - gz:8d} bytes  {kib(efi - gz):>10}")
    print(f"    code (.text)     {text:8d} bytes  {kib(text):>10}")
    print(f"    data (.data)     {data:8d} bytes  {kib(data):>10}  (read-only and "
          f"initialised data, less the kernel blob)")
    rest = efi - gz - text - data
    print(f"    PE headers, relocations, padding  {rest:d} bytes  {kib(rest)}")
    if args.inflate_bench:
        ins = inflate_instructions(args.inflate_bench, args.gz)
        print(f"inflate the kernel   {ins:8d} instructions on the host (callgrind), "
              f"{ins / kernel:.1f} per output byte")
    return 0 if efi <= budget else 1


if __name__ == "__main__":
    sys.exit(main())
