"""System tests of static-PIE programs (docs/first-program.md, "Static PIE").

One boot (shared: test/scenarios_user_shared.py): /bin/hello-pie (esp/user/hello.c linked -static-pie with musl's
rcrt1.o) runs with its arguments; /test/pieaux-pie finds AT_PHDR and
AT_ENTRY where it really is, AT_BASE 0 (no interpreter, as Linux), a load
address inside Ember's PIE window that changes from one run to the next,
and working brk/mmap heaps and relocated pointers; the same source built
as ET_EXEC reports its link address; a program asking for an interpreter
is refused with ENOEXEC and the reason; every frame comes back.
"""
import re

import scenarios_user as su  # attributes used at run time: scenarios_user may be loading

PIE_BASE, PIE_SPAN = 0x5500000000, 1 << 40      # kernel/proc/uelf.h: UELF_PIE_BASE, 2^28 pages
AUX = re.compile(r"^pieaux: type=(\w+) base=(0x[0-9a-f]+) at_base=(0x[0-9a-f]+|0) "
                 r"phdr=(\w+) entry=(\w+) heap=ok relocated pointers work$")


def pieaux(con, path):
    out = con.shell(f"run {path}", r"^pieaux: |^run: ", 30)
    m = AUX.match(out[-1])
    su.check(m is not None, f"{path}: {out[-3:]!r}")
    su.check(m.group(4) == "ok" and m.group(5) == "ok", f"{path}: AT_PHDR/AT_ENTRY wrong: {out[-1]}")
    su.check(int(m.group(3), 16) == 0, f"{path}: AT_BASE is not 0: {out[-1]}")
    return m.group(1), int(m.group(2), 16)


def pie_body(con):
    su.ready(con)
    con.shell("run /bin/hello", r"^Hello from user space!$")
    before = su.frames_free(con)
    out = con.shell("run /bin/hello-pie one two", r"^argv\[2\] = two$")
    su.check(any(l == "Hello from user space!" for l in out), f"hello-pie: {out[-4:]!r}")
    bases = []
    for _ in range(2):
        kind, base = pieaux(con, "/test/pieaux-pie")
        su.check(kind == "dyn", f"pieaux-pie is {kind}")
        su.check(PIE_BASE <= base < PIE_BASE + PIE_SPAN and base % 4096 == 0,
              f"PIE loaded at {base:#x}, outside [{PIE_BASE:#x}, +1 TiB)")
        bases.append(base)
    su.check(bases[0] != bases[1], f"two runs loaded at the same address {bases[0]:#x}")
    kind, base = pieaux(con, "/test/pieaux")
    su.check(kind == "exec" and base == 0x400000, f"ET_EXEC pieaux: {kind} at {base:#x}")
    out = con.shell("run /test/bad-interp", r"cannot start \(error 8\)")
    su.check(any("dynamic programs need an interpreter" in l for l in out), f"bad-interp: {out!r}")
    after = su.frames_free(con)
    su.check(after == before, f"(frames, heap bytes in use, open files) {before} before, {after} after")
    return bases


# Booted by test/scenarios_user_shared.py, with the other one-CPU user tests.
