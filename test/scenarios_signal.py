"""System test of signal handlers with a real static musl program (test/user/sig.c).

One boot (shared: test/scenarios_user_shared.py); each case runs through the kernel shell's `run` and is judged by
the lines it prints and by how it ends (exit status or "killed by signal").
Frames, heap and open files must be back to their values afterwards.
"""
import re
import time

import scenarios_user as su  # attributes read at run time: scenarios_user imports us

# case -> lines that must all appear (regular expressions, matched in order of the list)
EXPECT = {
    "usr1": [r"^sig: usr1 hits=1 sig=10 pid_ok=1 aligned=1 ret=0 regs_ok=1$"],
    "mask": [r"^sig: blocked hits=0$", r"^sig: kill blockable=0$", r"^sig: unblocked hits=1$"],
    "nodefer": [r"^sig: deferred hits=2 depth=1$", r"^sig: nodefer hits=2 depth=2$"],
    "ign": [r"^sig: ignored usr1 and default sigchld$", r"^sig: sigchld hits=1 sig=17 from_child=1$"],
    "eintr": [r"^sig: pipe read=-1 Interrupted system call hits=1$",
              r"^sig: nanosleep=-1 Interrupted system call hits=2 rem=9s$",
              r"^sig: wait4=-1 Interrupted system call hits=3$", r"^sig: wait4 again=1$"],
}


def run_case(con, case, want, end):
    out = con.shell(f"run /test/sig {case}", end, 60)
    text = "\n".join(out)
    for pat in want:
        su.check(re.search(pat, text, re.M), f"sig {case}: no line {pat!r} in {out[-10:]!r}")
    return out


def signal_body(b, con):
    su.ready(con)
    con.shell("run /bin/hello", r"^Hello from user space!$")
    before = su.frames_free(con)
    for case, want in EXPECT.items():
        run_case(con, case, want, want[-1])
        con.shell("echo alive", r"^alive$")
    out = run_case(con, "segv", [r"^sig: SIGSEGV handler: sig=11 addr=0$",
                                 r"^sig: back from the handler by siglongjmp$"],
                   r"^run: exit status 3$")
    su.check(sum("SIGSEGV handler: sig=11" in l for l in out) == 2, f"segv: {out[-6:]!r}")
    out = run_case(con, "reset", [r"^sig: reset hits=1$"], r"^run: killed by signal 10$")
    su.check(not any("survived" in l for l in out), "SA_RESETHAND: the second signal was caught")
    out = run_case(con, "segv2", [r"^sig: SIGSEGV handler faults again$"],
                   r"^run: killed by signal 11$")
    su.check(any(re.search(r"proc: \d+ \(sig\) killed: page fault at 0x8 ", l) for l in out),
          "a fault in the SIGSEGV handler was not reported")
    out = run_case(con, "priv", [r"^sig: priv hits=1 cs=0x33 iopl=0 tf=0$"],
                   r"^run: killed by signal 11$")
    su.check(not any("cli allowed" in l for l in out), "IOPL 3 reached ring 3 through sigreturn")
    out = run_case(con, "hostile 300", [r"^sig: hostile 300 frames, 300 killed by SIGSEGV, "
                                        r"0 otherwise$"], r"^sig: hostile 300 frames")
    con.shell("run /test/sig int", r"^sig: type go$", 30)
    b.serial_write(b"go\r")
    con.until(r"^sig: waiting for Ctrl\+C$", 30)
    time.sleep(0.5)
    b.serial_write(b"\x03")
    con.until(r"^sig: console read=-1 Interrupted system call hits=1 sig=2$", 20)
    con.shell("echo alive at the end", r"^alive at the end$")
    time.sleep(0.5)
    after = su.frames_free(con)
    su.check(after == before, f"(frames, heap bytes in use, open files) {before} before, {after} after")


# Booted by test/scenarios_user_shared.py, with the other one-CPU user tests.
