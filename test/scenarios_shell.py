"""System tests of the shell on the real image (build/ember.img).

The kernel ends start-up in its executor running the shell task
(kernel/shell/shell.c). These boots drive it the way a user would:

- over COM1 (the serial line is a terminal): every information command,
  Tab completion, a sleep that must last as long as asked, int3 (report,
  then the prompt comes back);
- on the PS/2 keyboard through QMP send-key, reading the screen back with
  the console font (test/screen.py);
- poweroff, which must end QEMU by itself (see below for its exit code);
- pagefault and overflow, the blog's crashes: report and panic.
"""
import os
import re
import time

import qemu
import screen
from scenarios import banner_after_shell, scenario, shared_boot

ANSI = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]")
READY = "Ember shell"


def image(args):
    return os.path.join(args.build, "ember.img")


def plain(line):
    return ANSI.sub("", line)


def command(b, cmd, pattern, timeout=20):
    """Type cmd + Enter on COM1; the first output line matching pattern (a
    regex searched in each line without escapes, prompt lines skipped), or None."""
    b.serial_write((cmd + "\r").encode())
    want = re.compile(pattern)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            line = b.next_line(max(0.0, end - time.monotonic()))
        except TimeoutError:
            return None
        if line is None:
            return None
        text = plain(line)
        if "ember> " in text:
            continue
        m = want.search(text)
        if m:
            return m
    return None


# (command, pattern its output must contain)
SERIAL_COMMANDS = [
    ("help", r"^\s+poweroff\s+switch off"),
    ("echo hello   from the shell", r"^hello from the shell$"),
    ("version", r"^Ember \S+ \(x86_64, UEFI\)$"),
    ("uptime", r"^up \d+\.\d{3} s \(\d+ ms of timer ticks\)$"),
    ("mem", r"^frames: \d+ total, \d+ free, \d+ used"),
    ("heap", r"^heap: (block|list|bump) design"),
    ("tasks", r"^\s+\d+ shell\s+\d+\s+\d+\s+\d+\s+\d+$"),   # slot, name, cpu, polls, wakes, time
    ("kbd", r"^layout us; layouts: us uk de"),
    ("fb", r"^framebuffer: 1280x800 BGRX"),
    ("cpu", r"^features:.* sse2 .*\bnx\b"),
    ("translate 0xffffffff80000000",
     r"^0xffffffff80000000 -> phys 0x[0-9a-f]+, 4 KiB page, read-only, executable"),
    ("translate 0x1000", r"^0x1000: not mapped$"),
    ("nosuchcmd", r"^nosuchcmd: unknown command"),
    ("vers\t", r"^Ember \S+ \(x86_64, UEFI\)$"),       # Tab completes the name
]


@scenario("system/shell/commands_over_serial", level="system", cost=25)
def commands_over_serial(args):
    # Under -icount the ticks that end `sleep 300` and the TSC that measures it run
    # on one virtual clock: a busy host cannot end the sleep early by the TSC
    # (without it, late PIT ticks arrive in a burst and 300 ticks took 134 ms).
    with qemu.Boot(args.ovmf_code, args.ovmf_vars, image=image(args), timeout=240,
                   extra=("-icount", "shift=auto")) as b:
        if not b.wait_for(READY, 90):
            return False, "no shell; last: " + " | ".join(b.lines[-3:])
        for cmd, pattern in SERIAL_COMMANDS:
            if not command(b, cmd, pattern):
                return False, f"{cmd!r}: no line matching {pattern!r}; last: {b.lines[-3:]!r}"
        t0 = time.monotonic()
        m = command(b, "sleep 300", r"^slept 300 ms \((\d+)\.\d+ ms measured\)$")
        if not m:
            return False, "sleep 300 never came back"
        if not 290 <= int(m.group(1)) < 400 or time.monotonic() - t0 < 0.2:
            return False, f"sleep 300 took {m.group(1)} ms in the guest"
        if not command(b, "ticks", r"^ticks: \d+ at 1000 Hz; timer task woken [1-9]"):
            return False, "ticks: the timer task was never woken by the tick"
        if not command(b, "int3", r"^int3: back from the breakpoint handler$"):
            return False, "int3 did not come back"
        log = "\n".join(plain(l) for l in b.lines)
        if "breakpoint (#BP, vector 3)" not in log:
            return False, "int3 printed no breakpoint report"
        if not command(b, "echo still alive", r"^still alive$"):
            return False, "no prompt after int3"
    return True, ""


def keyboard_after_shell(args, b):
    """echo typed on the PS/2 keyboard (QMP send-key): its output on serial,
    the command and its output on the screen."""
    keys = [[k] for k in "echo"] + [["spc"]] + [[k] for k in "typed"] + [["spc"]] + \
        [["shift", "o"], ["k"], ["ret"]]
    font = screen.Font(os.path.join(args.build, "font", "terminus16.psf"))
    b.send_keys(keys)
    found = False
    for _ in range(60):
        try:
            line = b.next_line(20)
        except TimeoutError:
            break
        if line is None:
            break
        if plain(line) == "typed Ok":
            found = True
            break
    if not found:
        return False, "serial never showed 'typed Ok'; last: " + repr(b.lines[-2:])
    time.sleep(0.5)
    shown = [l.rstrip() for l in screen.screen_lines(
        b.screendump(os.path.join(b.tmp, "screen.ppm")), font)]
    if "ember> echo typed Ok" not in shown or "typed Ok" not in shown:
        return False, f"screen lacks the command or its output; bottom: {[l for l in shown if l][-4:]!r}"
    return True, ""


# QEMU exits 0 for a triple fault under -no-reboot and for QMP quit, so 0 is
# no proof of success elsewhere. Here it is the one legitimate 0: QEMU must
# exit by itself, soon after the kernel said it powers off, with the ACPI S5
# write (a reset would show the firmware again instead: -no-reboot turns it
# into an exit too, so the serial text is checked as well).
@scenario("system/shell/poweroff_ends_qemu", level="system")
def poweroff(args):
    with qemu.Boot(args.ovmf_code, args.ovmf_vars, image=image(args), timeout=150) as b:
        if not b.wait_for(READY, 90):
            return False, "no shell; last: " + " | ".join(b.lines[-3:])
        b.serial_write(b"poweroff\r")
        t0 = time.monotonic()
        code = b.wait_exit(30)
        took = time.monotonic() - t0
        log = [plain(l) for l in b.lines]
    if code != 0:
        return False, f"QEMU exit {qemu.qemu_exit_name(code)} after poweroff, expected 0"
    if "poweroff: powering off" not in log:
        return False, "serial lacks the poweroff message"
    if any("EXCEPTION" in l or "PANIC" in l for l in log):
        return False, "the kernel faulted on the way out"
    return True, f"exited in {took:.1f} s"


def crash_after_shell(b, cmd, texts):
    """cmd typed at the shell; texts are looked for in what followed it."""
    start = len(b.lines)
    b.serial_write((cmd + "\r").encode())
    b.wait_for("PANIC", 30)
    log = "\n".join(plain(l) for l in b.lines[start:])
    missing = [t for t in texts if t not in log]
    if missing:
        return False, f"serial lacks {missing!r}"
    return True, ""


def crash(args, cmd, texts):
    with qemu.Boot(args.ovmf_code, args.ovmf_vars, image=image(args), timeout=150) as b:
        if not b.wait_for(READY, 90):
            return False, "no shell; last: " + " | ".join(b.lines[-3:])
        return crash_after_shell(b, cmd, texts)


# The banner, the keyboard and the page fault share a boot of the image: each
# needs the shell on the everyday machine, and the panic comes last.
IMAGE_BOOT = [
    ("system/banner_on_serial_and_screen", banner_after_shell),
    ("system/shell/keyboard_command_shows_on_screen", keyboard_after_shell),
    ("system/shell/pagefault_reports_and_panics",
     lambda args, b: crash_after_shell(b, "pagefault", ["pagefault: writing to 0xdeadbeef000",
                                                         "page fault", "0xdeadbeef000", "PANIC"])),
]


@shared_boot("system/shell/shared_boot_banner_keyboard_pagefault", [n for n, _ in IMAGE_BOOT],
             cost=25)
def image_boot(args, checks):
    # deadline: the sum of the three boots' own (120 + 180 + 150 s)
    with qemu.Boot(args.ovmf_code, args.ovmf_vars, image=image(args), timeout=450) as b:
        if not b.wait_for(READY, 90):
            checks.finish("no shell; last: " + " | ".join(b.lines[-3:]))
            return
        for name, body in IMAGE_BOOT:
            checks.run(name, body, args, b)


@scenario("system/shell/overflow_ends_in_a_double_fault", level="system")
def overflow(args):
    return crash(args, "overflow", ["overflow: recursing", "double fault", "PANIC"])
