"""System tests of per-process FPU/SSE state and SMAP inside interrupts
(docs/proc.md), with test/user/fpu.c. Two boots:

- one CPU (QEMU's default qemu64; this boot is shared with the other one-CPU
  user tests, test/scenarios_user_shared.py): two processes spin on SSE arithmetic
  with their own XMM0-15, MXCSR and x87 control word, switching directly
  on sched_yield and on the tick; signal handlers that clobber the
  registers, edit the frame's fpregs, hand back a hostile MXCSR or a NULL
  fpregs; an unmasked x87 divide by zero ends the program with SIGFPE;
- two CPUs with -cpu max (SMAP on): the same spinners, which must move between
  CPUs at least once (`procs` counts loads onto another CPU); the hostile MXCSR against this CPU's MXCSR_MASK; a program running
  with RFLAGS.AC set while ticks and system calls enter the kernel, after
  which `procs` must say that no handler ran with AC set.

Every frame, heap byte and open file must be back at the end of each boot.
"""
import re

import qemu
from scenarios import scenario
import scenarios_user as su  # attributes read at run time

SIGNAL_CASES = ("sig", "edit", "badmxcsr", "nullfp")


def cpu_moves(con):
    out = con.shell("procs", r"^switches: ")
    return int(re.search(r"(\d+) onto another CPU", out[-1]).group(1))


def spin(con, rounds):
    out = con.shell(f"run /test/fpu spin {rounds}", r"^fpu: spin \w+ rounds", 300)
    out += con.until(r"^fpu: spin \w+ rounds", 300)
    out += con.shell("echo spun", r"^spun$")
    for who in ("parent", "child"):
        su.check(any(re.search(rf"^fpu: spin {who} rounds={rounds} corrupted=0$", l) for l in out),
                 f"spin {who}: {[l for l in out if 'fpu:' in l]!r}")
    su.check(not any(l.startswith("run: ") for l in out), f"spin ended badly: {out[-6:]!r}")


def signal_cases(con):
    for case in SIGNAL_CASES:
        out = con.shell(f"run /test/fpu {case}", rf"^fpu: {case} ", 60)
        line = out[-1]
        su.check(line.endswith(" ok=1"), f"fpu {case}: {line!r}")
        out = con.shell("echo alive", r"^alive$")
        su.check(not any(l.startswith("run: ") for l in out), f"fpu {case}: {out!r}")


def x87_exception(con):
    """An unmasked x87 divide by zero: #MF (CR0.NE), SIGFPE as on Linux. (The SSE twin,
    `fpu xm`, is not run: QEMU 7.2's TCG sets MXCSR.ZE but never raises #XM.)"""
    out = con.shell("run /test/fpu mf", r"^run: (killed by signal|exit status) \d+$", 60)
    su.check(out[-1] == "run: killed by signal 8", f"fpu mf: {out[-4:]!r}")
    su.check(any("killed: x87 floating-point error" in l for l in out), f"fpu mf: {out[-4:]!r}")


def smap_counts(con):
    out = con.shell("procs", r"^smap: \d+ returns")
    m = re.search(r"smap: (\d+) returns to ring 3 with AC set, (\d+) handlers ran", out[-1])
    return int(m.group(1)), int(m.group(2))


def ac_case(con):
    seen0, leaked0 = smap_counts(con)
    con.shell("run /test/fpu ac 20000", r"^fpu: ac loops done, AC was set at the end$", 120)
    seen, leaked = smap_counts(con)
    su.check(seen > seen0, f"no return to ring 3 with AC set was seen ({seen0} -> {seen})")
    su.check(leaked == 0, f"{leaked} handlers ran with AC set (SMAP off inside them)")
    return seen - seen0


def fpu_body(b, con, smp):
    su.ready(con, 120)
    log = "\n".join(su.ANSI.sub("", l) for l in b.lines)
    out = con.shell("cpu", r"^fpu: ")
    fpu_line = re.search(r"^fpu: FXSAVE, 512 bytes per process, MXCSR_MASK 0x[0-9a-f]+.*$", out[-1])
    su.check(fpu_line, f"no fpu line from cpu: {out[-2:]!r}")
    su.check("CR4.OSXSAVE off" in fpu_line.group(0), f"AVX state: {fpu_line.group(0)!r}")
    con.shell("run /bin/hello", r"^Hello from user space!$")
    before = su.frames_free(con)
    moves = cpu_moves(con)
    spin(con, 12)
    moves = cpu_moves(con) - moves
    signal_cases(con)
    x87_exception(con)
    detail = f"spinners and signal cases; cpu says {fpu_line.group(0)[5:]!r}"
    if smp:
        su.check("SMAP on" in log, "SMAP not on with -cpu max")
        su.check(moves > 0, "the spinners never moved between CPUs")
        detail += f"; spinners moved CPU {moves} times; {ac_case(con)} returns with AC set, none leaked"
    after = su.frames_free(con)
    su.check(after == before, f"(frames, heap bytes in use, open files) {before} before, {after} after")
    return detail


def fpu_boot(smp):
    def fn(args):
        extra = ("-smp", "2", "-cpu", "max") if smp else ()
        with qemu.Boot(args.ovmf_code, args.ovmf_vars, esp_dir=su.user_esp(args), timeout=600,
                       extra=extra) as b:
            try:
                detail = fpu_body(b, su.Console(b), smp)
            except AssertionError as e:
                return False, str(e)
        return True, detail
    return fn


# The one-CPU boot is shared with the other one-CPU user tests: test/scenarios_user_shared.py.
scenario("system/fpu/sse_state_across_two_cpus_and_smap_in_interrupts",
         level="system", cost=40)(fpu_boot(True))
