"""System tests of user space with real static musl programs.

Each boot gets a temporary ESP: the normal loader, ember/bin/ as `make`
builds it (hello, esh, cat, ls, echo, burn), and ember/test/ with the
test-only programs (test/user/*.c) and malformed executables
(test/user/bad_elves.py). Programs run through the kernel shell's `run`,
or as init (pid 1); the serial line is both keyboard and screen.
"""
import os
import re
import shutil
import sys
import time

import qemu
from scenarios import scenario

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "user"))
import bad_elves  # noqa: E402

ANSI = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]")
SHELL = "Ember shell"


def user_esp(args, cmdline="heap=block kbd=us"):
    esp = qemu.esp_with(os.path.join(args.build, "esp", "EFI", "BOOT", "BOOTX64.EFI"), cmdline)
    shutil.copytree(os.path.join(args.build, "esp", "ember", "bin"), os.path.join(esp, "ember", "bin"))
    tests = os.path.join(esp, "ember", "test")
    shutil.copytree(os.path.join(args.build, "test", "user"), tests)
    bad_elves.make_all(os.path.join(args.build, "esp", "ember", "bin", "hello"), tests)
    return esp


class Console:
    """Types lines on COM1 and collects output until a pattern shows up."""

    def __init__(self, boot):
        self.b = boot

    def until(self, pattern, timeout=30):
        want = re.compile(pattern)
        end = time.monotonic() + timeout
        seen = []
        while time.monotonic() < end:
            try:
                line = self.b.next_line(max(0.0, end - time.monotonic()))
            except TimeoutError:
                break
            if line is None:
                break
            text = ANSI.sub("", line)
            seen.append(text)
            if want.search(text):
                return seen
        raise AssertionError(f"no {pattern!r} within {timeout}s; last: {seen[-4:]!r}")

    def run(self, cmd, pattern, timeout=30):
        self.b.serial_write((cmd + "\r").encode())
        return self.until(pattern, timeout)

    def shell(self, cmd, pattern, timeout=30):
        """A kernel shell command: typed again if a program that was still
        ending swallowed the first copy (the echo "ember> cmd" proves the
        shell read it). Each try waits 10 s for the echo: with 5 s, `procs`
        typed while two burners ran went unseen three times in a row on a
        host with load 5 (twice; the cause is not proven). The
        answer alone is no proof: output of the command before may still be
        unread and match it."""
        echo = r"ember> " + re.escape(cmd) + "$"
        for _ in range(3):
            self.b.serial_write((cmd + "\r").encode())
            try:
                seen = self.until(echo, 10)
            except AssertionError:
                continue
            return seen + self.until(pattern, timeout)
        raise AssertionError(f"the shell never read {cmd!r}")


def ready(con, timeout=90):
    """Wait for the shell's start-up line, once per boot (a shared boot runs
    several bodies that each begin with this)."""
    if not getattr(con, "at_shell", False):
        con.until(SHELL, timeout)
        con.at_shell = True


def frames_free(con):
    """(free frames + heap window frames, heap bytes in use, open files): all
    three must come back to their values once the programs are gone."""
    lines = con.shell("procs", r"^frames free: \d+")
    m = re.search(r"frames free: (\d+); heap frames: (\d+); heap bytes in use: (\d+); "
                  r"open files: (\d+)", lines[-1])
    return int(m.group(1)) + int(m.group(2)), int(m.group(3)), int(m.group(4))


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


FAULTS = ["null", "text", "exec", "kernel", "priv", "div"]


def programs_body(con):
    ready(con)
    con.shell("run /bin/hello", r"^Hello from user space!$")
    before = frames_free(con)
    con.shell("run /test/exitcode 3", r"^run: exit status 3$")
    out = con.shell("run /test/args one two", r"^stack aligned=")
    for want in ["argc=3", "argv[0]=/test/args", "argv[1]=one", "argv[2]=two", "env PATH=/bin",
                 "auxv pagesz=4096 entry=set phdr=set random=set", "stack aligned=1"]:
        check(want in out, f"args: missing {want!r} in {out[-8:]!r}")
    for kind in FAULTS:
        con.shell(f"run /test/fault {kind}", r"^proc: \d+ \(fault\) killed: ")
        con.shell("echo alive", r"^alive$")
    for kind in bad_elves.KINDS:
        out = con.shell(f"run /test/bad-{kind}", r"cannot start \(error 8\)")
        check(any("not a program Ember runs" in l for l in out), f"bad-{kind}: no reason given")
    con.shell("run /test/tmpfile", r"^tmpfile: ok$")
    out = con.shell("run /test/mem", r"^mem: W\+X mapping")
    check(any(re.search(r"brk grew by \d+ KiB, then ENOMEM", l) for l in out), "brk limit")
    check(any(re.search(r"mmap gave \d+ MiB, then ENOMEM", l) for l in out), "mmap limit")
    check("mem: W+X mapping refused" in out, "W+X mapping granted")
    con.shell("run /test/forkbomb", r"^forkbomb: fork failed with EAGAIN after \d+ children$", 90)
    con.shell("echo shell answers", r"^shell answers$")
    con.shell("run /test/sysfuzz 100000", r"^sysfuzz: 100000 calls returned, \d+ errors$", 240)
    con.shell("echo after fuzz", r"^after fuzz$")
    time.sleep(0.5)
    after = frames_free(con)
    check(after == before, f"(frames, heap bytes in use, open files) {before} before the "
          f"programs, {after} after")
    lines = con.shell("procs", r"^frames free:")
    check(not any(re.match(r"^\s+\d+\s+-?\d+ ", l) for l in lines[1:-1]),
          f"processes left over: {lines!r}")
    con.shell("syscalls", r"^system calls: \d+ made")


# programs_body runs in test/scenarios_user_shared.py, in a boot shared with
# the other one-CPU user tests.


def init_body(b, con):
    con.until(r"^init: /bin/esh started as pid 1$", 90)
    time.sleep(3)    # esh's first prompt; typed keys would be read anyway
    # Typed keys echo at once while esh may still be printing: no ^ anchors here.
    con.run("echo piped through cat | cat", r"(?<!echo )piped through cat$")
    con.run("ls /bin", r"hello\s+\d+$")
    con.run("/test/exitcode 5", r"esh: exit status 5$")
    con.run("/test/fault null", r"esh: killed by signal 11$")
    con.run("burn A 4 | burn B 4", r"[AB] round 4$", 120)
    out = con.until(r"[AB] round 4$", 120)
    b.serial_write(b"burn C 100000\r")
    con.until(r"C round 1$", 60)
    b.serial_write(b"\x03")
    con.until(r"\^C$", 20)
    con.until(r"esh: killed by signal 2$", 20)
    con.run("exit 7", r"^init: /bin/esh \(pid 1\) ended with wait status 0x700", 20)
    con.run("echo kernel shell back", r"^kernel shell back$", 20)
    return out


@scenario("system/user/init_esh_pipes_preemption_ctrl_c_smap", level="system")
def init_esh(args):
    esp = user_esp(args, "heap=block kbd=us init=/bin/esh")
    with qemu.Boot(args.ovmf_code, args.ovmf_vars, esp_dir=esp, timeout=400,
                   extra=("-cpu", "max")) as b:
        con = Console(b)
        try:
            init_body(b, con)
            log = [ANSI.sub("", l) for l in b.lines]
            check(any("SMEP on, SMAP on" in l for l in log), "SMEP/SMAP not on with -cpu max")
            rounds = [re.search(r"[AB] round \d+$", l).group(0) for l in log
                      if re.search(r"[AB] round \d+$", l)]
            first_done = min(i for i, l in enumerate(rounds) if l.endswith("round 4"))
            check({l[0] for l in rounds[:first_done]} == {"A", "B"},
                  f"burners did not share the CPU: {rounds!r}")
        except AssertionError as e:
            return False, str(e)
    return True, ""
