#!/usr/bin/env python3
"""Instructions per wake-and-poll cycle: Ember's executor against a
blog-style baseline, counted by callgrind in the same run.

Each run of executor_bench spawns TASKS tasks that wake themselves ROUNDS
times; callgrind counts only the instructions inside the design's noinline
entry point (--toggle-collect), which the program's own count of cycles
divides. Instruction counts do not depend on the machine's load, so the
figures are the same on every run; the ratio is against the baseline
measured alongside.

  executor_bench.py --bench build/bench/executor_bench [--budget 60]

Exits 1 when a design misbehaves or Ember goes over the budget.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

TASKS = (1, 10, 100, 1000, 10000)
CYCLES = 100_000  # per measurement, spread over the tasks...
ROUNDS = 100      # ...but each task lives this long at least, so that its
                  # spawn and end weigh 1% of the cycles, as in a kernel
DESIGNS = ("blog", "ember")


def measure(bench, design, tasks):
    """Instructions per cycle of one design with this many tasks."""
    rounds = max(ROUNDS, CYCLES // tasks)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
             "--toggle-collect=bench_run_" + design,
             bench, design, str(tasks), str(rounds)],
            capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"executor_bench {design} {tasks}: exit {run.returncode}\n"
                     f"{run.stdout}{run.stderr}")
        with open(out) as f:
            total = next(int(line.split()[1]) for line in f
                         if line.startswith("summary:"))
    cycles = int(re.search(r"cycles (\d+)", run.stdout).group(1))
    return total / cycles


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", required=True, help="the executor_bench binary")
    ap.add_argument("--budget", type=float, default=60.0,
                    help="most instructions per cycle Ember may take")
    args = ap.parse_args()

    print("executor: instructions per wake-and-poll cycle (callgrind)")
    print(f"{'design':<8} {'tasks':>6} {'instr/cycle':>12} {'vs blog':>8}")
    worst = 0.0
    for tasks in TASKS:
        base = measure(args.bench, "blog", tasks)
        for design in DESIGNS:
            ipc = base if design == "blog" else measure(args.bench, design, tasks)
            print(f"{design:<8} {tasks:>6} {ipc:>12.1f} {ipc / base:>8.2f}")
            if design == "ember":
                worst = max(worst, ipc)
    verdict = "ok" if worst <= args.budget else "OVER BUDGET"
    print(f"ember worst {worst:.1f} instr/cycle, budget {args.budget:.0f}: {verdict}")
    return 0 if worst <= args.budget else 1


if __name__ == "__main__":
    sys.exit(main())
