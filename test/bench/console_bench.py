#!/usr/bin/env python3
"""Console benchmark: Ember's framebuffer console against a naive
full-redraw console, both drawing on a 1920x1080 32-bpp memory framebuffer
with the Terminus fonts, counted by callgrind in the same run.

Figures (callgrind counts only bench_measure, see console_bench.c):
  - instructions per scrolled line: 80 characters and a newline per write,
    the screen full so that every line scrolls;
  - bulk bytes per second of one long write, from instructions at a nominal
    NOMINAL_IPS instructions per second, and from the wall clock of the
    same program run natively (best of five; moves with the machine's load);
  - the same bytes in 4 KiB writes (each write ends with the screen up to
    date), for information.
Budgets from the console issue: <= 6 million instructions per scrolled
line, >= 5 MB/s bulk (judged on the instruction figure). Exits 1 when the
two consoles draw different pictures or a budget is missed.

  console_bench.py --bench build/bench/console_bench --fonts build/font
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

NOMINAL_IPS = 1e9          # one instruction per nanosecond: a modest core
LINE_BUDGET = 6e6          # instructions per scrolled line
BULK_BUDGET = 5e6          # bytes per second
FONTS = (("16x32", "terminus32.psf"), ("8x16", "terminus16.psf"))
# (design, scenario, count): count is lines for "line", KiB otherwise; the
# naive console redraws the whole screen per newline, so it gets less text.
RUNS = {
    "ember": {"line": 50, "bulk": 1024, "chunk": 256},
    "naive": {"line": 3, "bulk": 1},
}


def measure(bench, design, scenario, font, count):
    """(instructions, figures dict) of one run under callgrind."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
             "--toggle-collect=bench_measure", bench, design, scenario, font,
             str(count)], capture_output=True, text=True, check=False)
        if run.returncode != 0:
            sys.exit(f"console_bench {design} {scenario}: exit {run.returncode}\n"
                     f"{run.stdout}{run.stderr}")
        with open(out, encoding="utf-8") as f:
            total = next(int(line.split()[1]) for line in f
                         if line.startswith("summary:"))
    fig = dict(kv.split("=", 1) for kv in run.stdout.split())
    if fig.get("check") != "0":
        sys.exit(f"console_bench: {design} and the other console drew different "
                 f"pictures ({scenario}, {os.path.basename(font)})")
    return total, fig


def wall(bench, design, font, kib):
    run = subprocess.run([bench, design, "wall", font, str(kib)],
                         capture_output=True, text=True, check=True)
    fig = dict(kv.split("=", 1) for kv in run.stdout.split())
    return int(fig["bytes"]) / float(fig["seconds"])


def verdict(ok):
    return "PASS" if ok else "OVER"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", required=True, help="the console_bench binary")
    ap.add_argument("--fonts", required=True, help="directory of terminus*.psf")
    args = ap.parse_args()

    failed = False
    print("console: 1920x1080, 32 bpp, Terminus; instructions counted by callgrind")
    print("| font | figure | naive full redraw | Ember | Ember / naive | budget | |")
    print("|---|---|---:|---:|---:|---|---|")
    for name, file in FONTS:
        font = os.path.join(args.fonts, file)
        per_line, per_byte = {}, {}
        for design, counts in RUNS.items():
            total, fig = measure(args.bench, design, "line", font, counts["line"])
            per_line[design] = total / int(fig["lines"])
            total, fig = measure(args.bench, design, "bulk", font, counts["bulk"])
            per_byte[design] = total / int(fig["bytes"])
        ok = per_line["ember"] <= LINE_BUDGET
        failed |= not ok
        print("| %s | instructions per scrolled 80-character line | %.2f M | %.2f M | %.3f "
              "| <= 6 M | %s |" % (name, per_line["naive"] / 1e6, per_line["ember"] / 1e6,
                                   per_line["ember"] / per_line["naive"], verdict(ok)))
        rate = {d: NOMINAL_IPS / per_byte[d] for d in per_byte}
        ok = rate["ember"] >= BULK_BUDGET
        failed |= not ok
        print("| %s | bulk MB/s, one write (instructions at 1e9/s) | %.3f | %.1f | %.0fx "
              "| >= 5 MB/s | %s |" % (name, rate["naive"] / 1e6, rate["ember"] / 1e6,
                                      rate["ember"] / rate["naive"], verdict(ok)))
        total, fig = measure(args.bench, "ember", "chunk", font, RUNS["ember"]["chunk"])
        chunk = NOMINAL_IPS * int(fig["bytes"]) / total
        print("| %s | bulk MB/s, 4 KiB writes (instructions at 1e9/s) | as one write | %.2f "
              "| %.0fx | | |" % (name, chunk / 1e6, chunk / rate["naive"]))
        walls = {"naive": wall(args.bench, "naive", font, 2),
                 "ember": wall(args.bench, "ember", font, 1024)}
        print("| %s | bulk MB/s, one write (wall clock, this machine) | %.3f | %.1f | %.0fx "
              "| >= 5 MB/s | %s |" % (name, walls["naive"] / 1e6, walls["ember"] / 1e6,
                                      walls["ember"] / walls["naive"],
                                      verdict(walls["ember"] >= BULK_BUDGET)))
    if failed:
        sys.exit("console_bench: over budget")


if __name__ == "__main__":
    main()
