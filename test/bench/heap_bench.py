#!/usr/bin/env python3
"""Heap benchmark: replays the standard allocation traces through each heap
design and through glibc malloc under callgrind, and prints instructions per
alloc and per free (inclusive cost of the replay's noinline entry points
divided by their call counts, read from the callgrind.out file), the peak
span / peak live ratio and each figure's ratio to glibc measured in the same
run. Python 3 standard library only.

    heap_bench.py --replay build/bench/heap_replay --traces test/bench/traces
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

DESIGNS = ["bump", "list", "block"]
TRACES = ["alloc-steady", "alloc-small"]

# Budgets from the heap issue, for the "budget" column: (alloc, free, ratio).
BUDGETS = {
    ("list", "alloc-steady"): (1128, 1158, 1.12),
    ("block", "alloc-steady"): (90, 80, 1.25),
    ("block", "alloc-small"): (45, 40, None),
}


def parse_callgrind(path):
    """Returns {function: (inclusive Ir, calls)} from a callgrind.out file.

    Inclusive cost of F = F's own cost lines plus the cost lines that follow
    each calls= line inside F; calls to F are summed over every caller.
    """
    names, self_cost, callee_cost, calls = {}, {}, {}, {}
    positions, ir_index = 1, 0
    fn = cfn = None
    pending = None

    def name(spec):
        m = re.match(r"\((\d+)\)(?:\s+(.*))?$", spec.strip())
        if not m:
            return spec.strip()
        if m.group(2):
            names[m.group(1)] = m.group(2)
        return names.get(m.group(1), spec.strip())

    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("positions:"):
                positions = len(line.split()[1:])
            elif line.startswith("events:"):
                ir_index = line.split()[1:].index("Ir")
            elif line.startswith("fn="):
                fn = name(line[3:])
            elif line.startswith("cfn="):
                cfn = name(line[4:])
            elif line.startswith("calls="):
                pending = (int(line[6:].split()[0]), cfn)
            elif line and (line[0].isdigit() or line[0] in "+-*"):
                fields = line.split()
                costs = fields[positions:]
                cost = int(costs[ir_index]) if len(costs) > ir_index else 0
                if pending:
                    count, callee = pending
                    callee_cost[fn] = callee_cost.get(fn, 0) + cost
                    calls[callee] = calls.get(callee, 0) + count
                    pending = None
                else:
                    self_cost[fn] = self_cost.get(fn, 0) + cost
    return {f: (self_cost.get(f, 0) + callee_cost.get(f, 0), calls.get(f, 0))
            for f in set(self_cost) | set(calls)}


def run_one(replay, design, trace_path, workdir):
    """Runs one replay under callgrind; returns the figures as a dict."""
    out = os.path.join(workdir, "callgrind.%s.%s" % (design, os.path.basename(trace_path)))
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
           replay, design, trace_path]
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         universal_newlines=True, check=False)
    if res.returncode != 0:
        sys.exit("heap_bench: %s failed:\n%s" % (" ".join(cmd), res.stderr))
    line = [l for l in res.stdout.splitlines() if l.startswith("design=")][-1]
    fig = dict(kv.split("=", 1) for kv in line.split())
    costs = parse_callgrind(out)
    prefix = "glibc" if design == "glibc" else "heap"
    for op in ("alloc", "free"):
        incl, count = costs.get("%s_replay_%s" % (prefix, op), (0, 0))
        fig[op] = incl / count if count else float("nan")
    return fig


def ratio_text(fig):
    allocs, failed = int(fig["allocs"]), int(fig["failed"])
    if fig["design"] == "glibc":
        return "n/a"
    if failed:
        return "%.1f %% of allocations fail" % (100.0 * failed / allocs)
    return "%.3f" % (int(fig["peak_span"]) / int(fig["peak_live"]))


def budget_text(design, trace, fig):
    budget = BUDGETS.get((design, trace))
    if not budget:
        return ""
    ratio = int(fig["peak_span"]) / max(int(fig["peak_live"]), 1)
    checks = [("alloc", fig["alloc"], budget[0]), ("free", fig["free"], budget[1])]
    if budget[2] is not None:
        checks.append(("ratio", round(ratio, 2), budget[2]))
    text = "<= %d / %d" % budget[:2] + (", span <= %.2f" % budget[2] if budget[2] else "")
    over = [what for what, got, limit in checks if got > limit]
    return text + (": OVER (" + ", ".join(over) + ")" if over else ": PASS")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replay", required=True, help="the heap_replay binary")
    ap.add_argument("--traces", required=True, help="directory of alloc-*.txt")
    ap.add_argument("--designs", default=",".join(DESIGNS))
    args = ap.parse_args()

    rows = []
    with tempfile.TemporaryDirectory(prefix="heap_bench.") as workdir:
        for trace in TRACES:
            path = os.path.join(args.traces, trace + ".txt")
            if not os.path.exists(path):
                sys.exit("heap_bench: no trace %s" % path)
            base = run_one(args.replay, "glibc", path, workdir)
            rows.append((trace, base, base))
            for design in args.designs.split(","):
                rows.append((trace, run_one(args.replay, design, path, workdir), base))

    print("| allocator | trace | instructions per alloc | per free | "
          "peak span / peak live | alloc vs glibc | free vs glibc | budget |")
    print("|---|---|---|---|---|---|---|---|")
    for trace, fig, base in rows:
        name = "glibc malloc" if fig["design"] == "glibc" else "ember " + fig["design"]
        print("| %s | %s | %.0f | %.0f | %s | %.2fx | %.2fx | %s |" % (
            name, trace.replace("alloc-", ""), fig["alloc"], fig["free"],
            ratio_text(fig), fig["alloc"] / base["alloc"],
            fig["free"] / base["free"], budget_text(fig["design"], trace, fig)))
        if fig.get("check", "0") != "0":
            sys.exit("heap_bench: %s failed its heap check" % fig["design"])


if __name__ == "__main__":
    main()
