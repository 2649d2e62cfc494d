#!/usr/bin/env python3
"""Instructions per uncontended spinlock acquire + release, counted by
callgrind: the lock loop's instructions minus the same loop without the
lock, per iteration. Each is a slope (the count at 2N minus the count at N,
over N), so the function's entry and exit, paid once, drop out.
Instruction counts do not depend on the machine's load.

  spinlock_bench.py --bench build/bench/spinlock_bench [--budget 20]

Exits 1 over the budget (issue 10: at most 20 instructions).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

N = 100_000


def count_at(bench, mode, n):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
             "--toggle-collect=bench_" + mode, bench, mode, str(n)],
            capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"spinlock_bench {mode}: exit {run.returncode}\n{run.stdout}{run.stderr}")
        with open(out) as f:
            total = next(int(line.split()[1]) for line in f if line.startswith("summary:"))
    if int(re.search(r"iterations (\d+)", run.stdout).group(1)) != n:
        sys.exit(f"spinlock_bench {mode}: wrong iteration count")
    return total


def count(bench, mode):
    return (count_at(bench, mode, 2 * N) - count_at(bench, mode, N)) / N


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True)
    ap.add_argument("--budget", type=float, default=20.0)
    args = ap.parse_args()
    lock, empty = count(args.bench, "lock"), count(args.bench, "empty")
    per = lock - empty
    verdict = "ok" if per <= args.budget else "OVER BUDGET"
    print(f"spinlock: loop with lock {lock:.1f}, empty loop {empty:.1f} instr/iteration")
    print(f"spinlock acquire+release: {per:.1f} instructions, budget {args.budget:.0f}: {verdict}")
    return 0 if per <= args.budget else 1


if __name__ == "__main__":
    sys.exit(main())
