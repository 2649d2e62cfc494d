#!/usr/bin/env python3
"""Keyboard interrupt to shell echo latency, measured inside the guest.

Boots build/ember.img, asks the shell for `bench-input N` over COM1, types
N keys through QMP send-key (the real PS/2 path), and reads back the
shell's figures: TSC cycles from the IRQ 1 handler's stamp to the moment
the line editor's echo has been written to the serial line and the
console. Prints median and p90 in cycles and microseconds.
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import qemu  # noqa: E402

RESULT = re.compile(r"bench-input: n=(\d+) median=(\d+) p90=(\d+) cycles; "
                    r"median=(\d+) p90=(\d+) ns; tsc (\d+) Hz")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--image", default="build/ember.img")
    ap.add_argument("--ovmf-code", default="/usr/share/OVMF/OVMF_CODE_4M.fd")
    ap.add_argument("--ovmf-vars", default="/usr/share/OVMF/OVMF_VARS_4M.fd")
    ap.add_argument("--keys", type=int, default=50)
    args = ap.parse_args()
    with qemu.Boot(args.ovmf_code, args.ovmf_vars, image=args.image, timeout=300) as b:
        if not b.wait_for("Ember shell", 120):
            print("bench-input: the shell never started", file=sys.stderr)
            return 1
        b.serial_write(f"bench-input {args.keys}\r".encode())
        if not b.wait_for("type", 30):
            print("bench-input: the command did not start", file=sys.stderr)
            return 1
        b.send_keys([["a"]] * args.keys)
        m = None
        while m is None:
            try:
                line = b.next_line(60)
            except TimeoutError:
                break
            if line is None:
                break
            m = RESULT.search(line)
    if not m:
        print("bench-input: no figures from the guest", file=sys.stderr)
        return 1
    n, med, p90, med_ns, p90_ns, hz = (int(x) for x in m.groups())
    print(f"keyboard IRQ -> shell echo, {n} keys (TSC {hz / 1e6:.0f} MHz):")
    print(f"  median {med:>10} cycles  {med_ns / 1000:8.1f} us")
    print(f"  p90    {p90:>10} cycles  {p90_ns / 1000:8.1f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
