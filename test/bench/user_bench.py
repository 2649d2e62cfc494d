#!/usr/bin/env python3
"""User-space benchmark under -icount shift=0 (guest TSC deltas count instructions).

Boots a temporary ESP with the user programs, runs /test/ubench from the
kernel shell and prints each figure against the plain function call measured
in the same run, with the issue's budgets: a null system call round trip at
most 100 instructions, a process switch at most 1,000.
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

RESULT = re.compile(r"ubench: call=(\d+) getpid=(\d+) switch=(\d+) fork=(\d+) exec=(\d+)")
BUDGETS = {"getpid": 100, "switch": 1000}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--ovmf-code", default="/usr/share/OVMF/OVMF_CODE_4M.fd")
    ap.add_argument("--ovmf-vars", default="/usr/share/OVMF/OVMF_VARS_4M.fd")
    args = ap.parse_args()
    esp = su.user_esp(args)
    with qemu.Boot(args.ovmf_code, args.ovmf_vars, esp_dir=esp, timeout=1200,
                   extra=("-icount", "shift=0")) as b:
        # -icount is slow on a loaded machine: the firmware alone can take minutes.
        if not b.wait_for("Ember shell", 800):
            print("bench-user: the shell never started", file=sys.stderr)
            return 1
        time.sleep(1)
        b.serial_write(b"run /test/ubench\r")
        m = b.wait_match(RESULT, 300)
    if not m:
        print("bench-user: no figures from the guest", file=sys.stderr)
        return 1
    call, getpid, switch, fork, execve = (int(x) for x in m.groups())
    print(f"user space (instructions, -icount shift=0; baseline: a plain call = {call}):")
    for name, v in (("getpid", getpid), ("switch", switch), ("fork", fork), ("exec", execve)):
        budget = BUDGETS.get(name)
        note = f"  budget {budget}: {'within' if v <= budget else 'OVER'}" if budget else ""
        print(f"  {name:8s} {v:9d}  ({v / max(call, 1):.1f}x the call){note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
