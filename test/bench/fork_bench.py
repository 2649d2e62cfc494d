#!/usr/bin/env python3
"""Copy-on-write fork against the full copy, under -icount shift=0.

Boots the user programs twice in one run: with copy-on-write fork (the
default) and with fork.cow=0 on the kernel command line (every page copied
at fork, the baseline). Each boot runs /test/forkbench (test/user/forkbench.c):
fork + exit + wait4 of a process with 8 MiB touched, the same with the child
writing every page, and the frames fork took. Prints the figures and the
ratios copy-on-write / full copy.
"""
import argparse
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import qemu  # noqa: E402
import scenarios_user as su  # noqa: E402

RESULT = re.compile(r"forkbench: fork=(\d+) fork_write=(\d+) frames_kib=(-?\d+)")


def measure(args, cmdline):
    esp = su.user_esp(args, cmdline)
    with qemu.Boot(args.ovmf_code, args.ovmf_vars, esp_dir=esp, timeout=400,
                   extra=("-icount", "shift=0")) as b:
        if not b.wait_for("Ember shell", 200):
            return None
        time.sleep(1)
        b.serial_write(b"run /test/forkbench\r")
        m = b.wait_match(RESULT, 300)
    return [int(x) for x in m.groups()] if m else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--ovmf-code", default="/usr/share/OVMF/OVMF_CODE_4M.fd")
    ap.add_argument("--ovmf-vars", default="/usr/share/OVMF/OVMF_VARS_4M.fd")
    args = ap.parse_args()
    cow = measure(args, "heap=block kbd=us")
    copy = measure(args, "heap=block kbd=us fork.cow=0")
    if not cow or not copy:
        print("bench-fork: no figures from the guest", file=sys.stderr)
        return 1
    print("fork of a process with 8 MiB touched (instructions, -icount shift=0; "
          "baseline: fork.cow=0, the full copy, same run):")
    for i, name in enumerate(("fork+exit+wait", "fork+child writes 8 MiB+exit+wait")):
        print(f"  {name:36s} cow {cow[i]:10d}  copy {copy[i]:10d}  "
              f"({cow[i] / max(copy[i], 1):.3f}x the copy)")
    print(f"  {'frames fork took (KiB)':36s} cow {cow[2]:10d}  copy {copy[2]:10d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
