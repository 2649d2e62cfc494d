#!/usr/bin/env python3
"""Reject printf directives Ember's engine (lib/format.c) cannot honour.

GCC's format checking (__printf_like on every printf-like function, and
-Werror=format in the Makefile) catches arguments of the wrong type, but it
accepts directives that are valid in glibc and not here: floating point
(%f %e %g %a, any length), %n, %m, wide %lc/%ls and positional %1$d. The
kernel has no floating-point state (-mno-sse -mno-80387: GCC still passes a
double to a variadic function, on the stack, and nothing can read it), so
any of these in a string literal is a build error.

  check_formats.py FILE...     prints file:line: directive, exits 1 if any

Every string literal is checked, not only format arguments, except those of
_Static_assert and inline assembly ("%gs:8" is a segment register there, not
a directive).
"""
import re
import sys

LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
NOT_FORMAT = re.compile(r"\b(_Static_assert|static_assert|__asm__|asm)\b[^;]*;", re.S)
DIRECTIVE = re.compile(r"%(?P<pos>\d+\$)?[-+ #0]*(\*|\d+)?(\.(\*|\d*))?"
                       r"(?P<len>hh|h|ll|l|L|q|j|z|Z|t)?(?P<conv>[a-zA-Z%])")
BAD_CONV = set("fFeEgGaAnm")


def problems(text):
    """(line, directive, why) for each directive the engine does not support."""
    blank = lambda m: re.sub(r"[^\n]", " ", m.group(0))   # keeps line numbers
    text = NOT_FORMAT.sub(blank, COMMENT.sub(blank, text))
    for lit in LITERAL.finditer(text):
        line = text.count("\n", 0, lit.start()) + 1
        for d in DIRECTIVE.finditer(lit.group(1)):
            conv, length = d.group("conv"), d.group("len")
            if conv == "%":
                continue
            if conv in BAD_CONV:
                yield line, d.group(0), "no floating point, %n or %m in Ember's printf"
            elif d.group("pos"):
                yield line, d.group(0), "no positional arguments"
            elif conv in "cs" and length == "l":
                yield line, d.group(0), "no wide characters"


def main(paths):
    bad = 0
    for path in paths:
        with open(path, errors="replace") as f:
            for line, directive, why in problems(f.read()):
                print(f"{path}:{line}: '{directive}': {why}")
                bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
