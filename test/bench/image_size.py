#!/usr/bin/env python3
"""BOOTX64.EFI against its size budget, and where the bytes go.

  image_size.py --efi BOOTX64.EFI --kernel strip/kernel.elf --full kernel.elf
                --font F16 --font F32 [--budget-kib 256]

Prints the file's size, the embedded (stripped) kernel's and the fonts' shares,
and what stripping saved; exits 1 when the image is over budget.
"""
import argparse
import os
import sys

BUDGET_KIB = 256


def kib(n):
    return f"{n / 1024:.1f} KiB"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--efi", required=True)
    ap.add_argument("--kernel", required=True, help="the stripped kernel the loader embeds")
    ap.add_argument("--full", required=True, help="the unstripped kernel kept for gdb")
    ap.add_argument("--font", action="append", default=[])
    ap.add_argument("--budget-kib", type=int, default=BUDGET_KIB)
    args = ap.parse_args()
    efi, kernel, full = (os.path.getsize(p) for p in (args.efi, args.kernel, args.full))
    fonts = sum(os.path.getsize(f) for f in args.font)
    budget = args.budget_kib * 1024
    print(f"BOOTX64.EFI          {efi:8d} bytes  {kib(efi):>10}  budget {args.budget_kib} KiB: "
          f"{100 * efi / budget:.1f} % {'(met)' if efi <= budget else '(OVER BUDGET)'}")
    print(f"  embedded kernel    {kernel:8d} bytes  {kib(kernel):>10}  "
          f"(stripped; build/kernel.elf with DWARF is {kib(full)})")
    print(f"    of which fonts   {fonts:8d} bytes  {kib(fonts):>10}  ({len(args.font)} fonts)")
    print(f"  loader and PE      {efi - kernel:8d} bytes  {kib(efi - kernel):>10}")
    return 0 if efi <= budget else 1


if __name__ == "__main__":
    sys.exit(main())
