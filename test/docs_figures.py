#!/usr/bin/env python3
"""Figures in docs/ that the build can produce come from the build.

A figure in a chapter is written between markers, invisible when rendered:

    normal kernel <!--fig:ksyms.kernel-->451 symbols (7.0 KiB table + 6.4 KiB names)<!--/fig-->

`make docs` (this script with --write) recomputes every marked figure from the build
(the kernels' symbol tables, the host tests' sources) and rewrites it; `make test`
runs it with --check, which fails when a chapter shows a figure the build no longer
produces, so a figure cannot go stale unnoticed. Add a figure by adding a function
to FIGURES and a marker to the chapter.
"""
import argparse
import glob
import os
import re
import subprocess
import sys

MARKER = re.compile(r"<!--fig:([\w.\-/]+)-->(.*?)<!--/fig-->")


def kib(n):
    return f"{n / 1024:.1f} KiB"


def symbol_sizes(build, elf):
    out = subprocess.run(["nm", "-S", os.path.join(build, elf)], capture_output=True,
                         text=True, check=True).stdout
    sizes = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4:
            sizes[f[3]] = int(f[1], 16)
    return sizes


def ksyms(build, kernel):
    """Entries, table and name bytes of the symbol table embedded in a kernel."""
    src = open(os.path.join(build, "ksyms", f"{kernel}.c")).read()
    count = int(re.search(r"ksyms_table_count = (\d+);", src).group(1))
    sizes = symbol_sizes(build, f"{kernel}.elf")
    return count, sizes["ksyms_table"], sizes["ksyms_names"]


def fig_ksyms(build, kernel):
    count, table, names = ksyms(build, kernel)
    return f"{count} symbols ({kib(table)} table + {kib(names)} names)"


def host_test_count(build, path):
    """Unit tests a cmocka file registers."""
    tests = re.findall(r"cmocka_unit_test\w*\(", open(path).read())
    return f"{len(tests)} tests"


def figure(build, name):
    kind, _, arg = name.partition(".")
    if kind == "ksyms":
        return fig_ksyms(build, arg)
    if kind == "hosttests":
        return host_test_count(build, arg)
    raise KeyError(f"unknown figure {name!r}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--write", action="store_true", help="rewrite stale figures in place")
    args = ap.parse_args()
    stale = []
    for path in sorted(glob.glob("docs/*.md")) + ["README.md"]:
        text = open(path).read()

        def update(m):
            want = figure(args.build, m.group(1))
            if want != m.group(2):
                stale.append(f"{path}: {m.group(1)}: says {m.group(2)!r}, the build gives {want!r}")
            return f"<!--fig:{m.group(1)}-->{want}<!--/fig-->"
        new = MARKER.sub(update, text)
        if args.write and new != text:
            open(path, "w").write(new)
    for s in stale:
        print(("updated " if args.write else "stale: ") + s)
    return 0 if args.write or not stale else 1


if __name__ == "__main__":
    sys.exit(main())
