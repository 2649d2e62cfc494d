#!/usr/bin/env python3
"""Prove that the UEFI loader runs no SSE/MMX/x87 instruction on its paths.

Some firmware (U-Boot's UEFI) leaves CR4.OSFXSR clear, so any SSE instruction
in the loader faults with #UD. Our own objects are compiled with
-mgeneral-regs-only; gnu-efi's prebuilt libefi.a still has SSE in a few
helpers (its float printing, Print's varargs prologues). This walks the
direct-call graph of the linked loader from its entry points and fails if a
reachable function contains such an instruction.

  check_no_sse.py [--objdump objdump] loader.so

Indirect calls are not followed; the loader makes them only into firmware
protocols (the firmware's code, not ours). Exit status 0 = clean.
"""
import argparse
import re
import subprocess
import sys

ENTRIES = ("_start", "efi_main", "loader_handoff")
FP_INSN = re.compile(r"%xmm|%ymm|%mm\d|\bfx(save|rstor)|\b(ld|st)mxcsr|\bf(ld|st|add|mul|div|sub)")
CALL = re.compile(r"\b(call|jmp)q?\s+[0-9a-f]+ <([^>+]+)(\+0x[0-9a-f]+)?>")


def functions(objdump, path):
    out = subprocess.run([objdump, "-d", "--no-show-raw-insn", path], capture_output=True,
                         text=True, check=True).stdout
    funcs, name = {}, None
    for line in out.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
        if m:
            name = m.group(1)
            funcs[name] = {"calls": set(), "fp": []}
        elif name and "\t" in line:
            insn = line.split("\t", 1)[1]
            c = CALL.search(insn)
            if c and c.group(2) != name:
                funcs[name]["calls"].add(c.group(2))
            if FP_INSN.search(insn):
                funcs[name]["fp"].append(insn.strip())
    return funcs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--objdump", default="objdump")
    ap.add_argument("loader")
    args = ap.parse_args()
    funcs = functions(args.objdump, args.loader)
    seen, todo, bad = set(), [e for e in ENTRIES if e in funcs], []
    while todo:
        f = todo.pop()
        if f in seen or f not in funcs:
            continue
        seen.add(f)
        if funcs[f]["fp"]:
            bad.append(f"{f}: {funcs[f]['fp'][0]}")
        todo.extend(funcs[f]["calls"])
    if not seen:
        print(f"check_no_sse: no entry point found in {args.loader}")
        return 1
    for b in bad:
        print(f"check_no_sse: reachable SSE/x87 in {b}")
    print(f"check_no_sse: {len(seen)} reachable functions, {len(bad)} with SSE/x87")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
