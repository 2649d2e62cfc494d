"""User-space system tests that share a boot (docs/testing.md, "Shared boots").

The one-CPU user tests of scenarios_user.py, _cow, _pie, _signal, _tty and
_fpu all boot the same machine (QEMU's defaults, the real loader, the user
ESP with "heap=block kbd=us"), and reaching the shell costs a whole OVMF
start-up each time. Here they run one after another in the boots below, each
still reported under its own name with its own PASS or FAIL. Every body
leaves the machine as it found it (no program left running, every frame,
heap byte and open file back: each checks that itself), so a body after
another sees the same kernel shell a fresh boot would give it.

After a failed check the runner types Ctrl+C (for a program still in the
foreground) and the shell must answer `echo` again; when it does not, the
checks not yet run fail with "not reached" and the failed one's name.
"""
import time

import qemu
from scenarios import shared_boot
import scenarios_cow
import scenarios_fpu
import scenarios_pie
import scenarios_signal
import scenarios_tty
import scenarios_user as su


def recover(b, con):
    """After a failed check: True when the shell answers again."""
    b.serial_write(b"\x03")
    time.sleep(1)
    try:
        con.shell("echo recovered", r"^recovered$", 30)
        return True
    except AssertionError:
        return False


# name -> (body(b, con) returning a detail or None, seconds its own boot allowed)
PARTS = {
    "system/user/static_pie_hello_auxv_bias_interp_refused": (
        lambda b, con: "loaded at " + ", ".join(f"{x:#x}" for x in scenarios_pie.pie_body(con)),
        300),
    "system/signal/handlers_mask_eintr_faults_and_hostile_frames": (
        scenarios_signal.signal_body, 500),
    "system/tty/unread_input_ends_with_its_program": (scenarios_tty.tty_body, 400),
    "system/fpu/sse_state_per_process_and_signals_one_cpu": (
        lambda b, con: scenarios_fpu.fpu_body(b, con, False), 600),
    "system/user/cow_fork_isolation_frames_oom": (
        lambda b, con: f"fork of 8 MiB touched: {scenarios_cow.cow_body(con)} KiB of new frames",
        600),
    "system/user/programs_faults_limits_fuzz_and_frames": (
        lambda b, con: su.programs_body(con), 600),
}


def user_boot(names):
    """One boot running the PARTS named, in that order; its deadline is the sum
    of the deadlines their own boots had."""
    def fn(args, checks):
        timeout = sum(PARTS[n][1] for n in names)
        with qemu.Boot(args.ovmf_code, args.ovmf_vars, esp_dir=su.user_esp(args),
                       timeout=timeout) as b:
            con = su.Console(b)
            for name in names:
                if not checks.run(name, PARTS[name][0], b, con) and not recover(b, con):
                    checks.finish(f"the shell stopped answering after {name} failed")
                    return
    return fn


# One boot for all of them. In boots of their own the six took 14-26 s each,
# 129 s in all, on a busy machine; about 10 s of each was OVMF reaching the
# loader. The riskiest (the fork bomb, copy-on-write out of memory, 100,000
# random system calls) come last, so that a kernel they break leaves the
# others already reported.
shared_boot("system/user/shared_boot_one_cpu", list(PARTS), cost=110)(user_boot(list(PARTS)))
