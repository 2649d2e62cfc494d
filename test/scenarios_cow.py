"""System tests of copy-on-write fork (docs/proc.md, "Copy-on-write fork").

One boot with the user programs (shared with the other one-CPU user tests,
test/scenarios_user_shared.py): /test/cow checks that parent and child
each see only their own writes (globals, heap, stack, mmap, kernel writes
through copy_to_user, mprotect on a shared page), that forking a process
with 8 MiB touched takes few frames, and exec right after fork; the fork
bomb still stops at EAGAIN; /test/cowoom runs the frame pool dry through
copy-on-write faults and exactly the process that could not get a frame is
killed with SIGKILL; every frame is back in the pool afterwards.
"""
import re
import time

import scenarios_user as su  # attributes used at run time: scenarios_user may be loading

FORK_BUDGET_KIB = 256    # page tables + a kernel stack; a full copy takes over 8192


def cow_body(con):
    su.ready(con)
    con.shell("run /bin/hello", r"^Hello from user space!$")
    before = su.frames_free(con)
    out = con.shell("run /test/cow", r"^cow: (ok a child exec'd right after fork|FAIL .*)$", 120)
    su.check(not any("cow: FAIL" in l for l in out), f"cow: {out[-3:]!r}")
    m = next((re.search(r"took (-?\d+) KiB of frames", l) for l in out if "took" in l), None)
    su.check(m is not None, f"cow: no fork figure in {out!r}")
    su.check(int(m.group(1)) <= FORK_BUDGET_KIB,
          f"fork of 8 MiB took {m.group(1)} KiB of frames (budget {FORK_BUDGET_KIB})")
    su.check(any("cow: ok parent and child each see only their own writes" in l for l in out),
          "isolation line missing")
    su.check(any(l.startswith("Hello from user space!") for l in out), "exec'd child printed nothing")
    con.shell("run /test/forkbomb", r"^forkbomb: fork failed with EAGAIN after \d+ children$", 90)
    out = con.shell("run /test/cowoom", r"^(cowoom: .*|run: exit status \d+)$", 240)
    su.check(re.search(r"^cowoom: generation \d+ was killed by signal 9$", out[-1]),
          f"cowoom: {out[-4:]!r}")
    kills = [l for l in out if re.search(r"^proc: \d+ \(cowoom\) killed: out of memory for a "
                                         r"copy-on-write page at 0x[0-9a-f]+$", l)]
    su.check(len(kills) == 1, f"cowoom: want one out-of-memory kill report, got {kills!r}")
    con.shell("echo shell answers", r"^shell answers$")
    con.shell("run /test/cow", r"^cow: (ok a child exec'd right after fork|FAIL .*)$", 120)
    time.sleep(0.5)
    after = su.frames_free(con)
    su.check(after == before, f"(frames, heap bytes in use, open files) {before} before, {after} after")
    return m.group(1)


# Booted by test/scenarios_user_shared.py, with the other one-CPU user tests.
