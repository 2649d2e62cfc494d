"""User space on every CPU (docs/proc.md, docs/smp.md).

The real image with its programs (the same ESP as test/scenarios_user.py)
under -smp 4 (and 2), with spin.debug=1 so that any lock-order slip or
double acquisition of the process lock panics instead of passing:

- two CPU burners started in the background (`run ... &`) are seen by
  `procs` both in state "run" at the same moment, on different CPUs: two
  processes really run at once;
- the user tests that matter most still hold with several CPUs: hello,
  an exit code, a fault kills only its process, fork/exec/wait and a pipe
  (esh running `echo | cat`), Ctrl+C, and every frame, heap byte and open
  file is back once the programs are gone;
- system calls from several CPUs at once (two sysfuzz programs in the
  background, 50,000 random calls each, 100,001 in all): the kernel survives
  and leaks nothing.
"""
import re
import time

import qemu
from scenarios import scenario
# The module, not its names: scenarios_user may be the one importing scenarios
# (and so this file) and still be half-initialised here.
import scenarios_user as su

PROC_ROW = re.compile(r"^\s*(\d+)\s+(-?\d+)\s+(\w+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)$")


def procs_rows(con):
    """The rows of one `procs`: (pid, ppid, state, cpu, name)."""
    lines = con.shell("procs", r"^frames free: \d+")
    rows = []
    for line in lines:
        m = PROC_ROW.match(line)
        if m:
            rows.append((int(m.group(1)), int(m.group(2)), m.group(3), int(m.group(4)),
                         m.group(7)))
    return rows


def burners_at_once(con, tries=20):
    """Both burners running at the same moment, on two CPUs: their CPUs, or None."""
    for _ in range(tries):
        rows = procs_rows(con)
        running = [r for r in rows if r[4] == "burn" and r[2] == "run"]
        if len(running) == 2 and running[0][3] != running[1][3]:
            return sorted(r[3] for r in running)
        time.sleep(0.3)
    return None


def smp_user_body(b, con, ncpu):
    con.until(su.SHELL, 120)
    boot = "\n".join(su.ANSI.sub("", l) for l in b.lines)
    su.check(f"smp: {ncpu} of {ncpu} CPUs online" in boot, "not every CPU came online")
    con.shell("run /bin/hello", r"^Hello from user space!$")
    before = su.frames_free(con)
    con.shell("run /test/exitcode 3", r"^run: exit status 3$")
    con.shell("run /test/fault null", r"^proc: \d+ \(fault\) killed: ")
    con.shell("echo alive", r"^alive$")
    if ncpu >= 3:
        con.shell("run /bin/burn A 400 &", r"started in the background as pid \d+")
        con.shell("run /bin/burn B 400 &", r"started in the background as pid \d+")
        cpus = burners_at_once(con)
        su.check(cpus is not None, "procs never showed both burners running on two CPUs")
        con.until(r"A round 400$|B round 400$", 180)
        con.until(r"A round 400$|B round 400$", 180)
        # The burners' lines followed the last prompt: a harmless command
        # (typed again until its echo shows) puts a fresh prompt first.
        con.shell("echo burners done", r"^burners done$")
    # fork/exec/wait and a pipe: esh runs `echo | cat`, then leaves
    b.serial_write(b"run /bin/esh\r")
    con.until(r"ember> run /bin/esh$", 10)
    time.sleep(3)    # esh's prompt ends no line; typed keys would be read anyway
    con.run("echo piped through cat | cat", r"(?<!echo )piped through cat$")
    con.run("/test/exitcode 5", r"esh: exit status 5$")
    b.serial_write(b"exit 0\r")
    time.sleep(1)
    con.shell("echo back in the kernel shell", r"^back in the kernel shell$")
    # system calls from several CPUs at once
    b.serial_write(b"run /test/sysfuzz 50000 &\r")
    time.sleep(0.5)
    b.serial_write(b"run /test/sysfuzz 50001 &\r")
    got = set()
    while len(got) < 2:
        lines = con.until(r"sysfuzz: 5000[01] calls returned, \d+ errors$", 300)
        got.add(re.search(r"sysfuzz: (5000[01])", lines[-1]).group(1))
    con.shell("echo fuzz done", r"^fuzz done$")
    # Ctrl+C stops a foreground program running on another CPU
    b.serial_write(b"run /bin/burn C 100000\r")
    con.until(r"C round 1$", 60)
    b.serial_write(b"\x03")
    con.until(r"^run: killed by signal 2$", 20)
    con.shell("echo alive after ctrl-c", r"^alive after ctrl-c$")
    time.sleep(1)
    after = su.frames_free(con)
    su.check(after == before, f"(frames, heap bytes in use, open files) {before} before the "
          f"programs, {after} after")
    rows = procs_rows(con)
    su.check(not rows, f"processes left over: {rows!r}")
    return f"burners ran at once on CPUs {cpus}" if ncpu >= 3 else "user tests pass"


def smp_user(ncpu):
    def fn(args):
        esp = su.user_esp(args, "heap=block kbd=us spin.debug=1")
        with qemu.Boot(args.ovmf_code, args.ovmf_vars, esp_dir=esp, timeout=600,
                       extra=("-smp", str(ncpu))) as b:
            try:
                detail = smp_user_body(b, su.Console(b), ncpu)
            except AssertionError as e:
                return False, str(e)
        return True, detail
    return fn


scenario("system/user/smp_burners_run_at_once_and_user_tests_hold_with_4_cpus",
         level="system", cost=40)(smp_user(4))
scenario("system/user/smp_user_tests_hold_with_2_cpus", level="system", cost=25)(
    smp_user(2))
