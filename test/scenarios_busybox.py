"""System tests of Debian's busybox-static (a static glibc program) on Ember.

One boot (the user-space ESP of scenarios_user: ember/bin/ holds /bin/busybox, copied
from the Debian package by esp/user/busybox.mk) runs every applet below through the
kernel shell's `run`; each applet is its own named result, system/busybox/NAME, so a
reader sees which applets work: a shared boot (docs/testing.md, "Shared boots").

First test/user/newcalls.c checks every call added for busybox with good and hostile
arguments (exact errno, EFAULT for kernel and NULL pointers, 36 bytes from TCGETS).
What each applet proves beyond "it prints": printf/seq/uname write through glibc stdio after
TCGETS (the 36-byte kernel termios: more smashed glibc's stack canary), sh -c gets its
script as one argument (the shell's quotes), sh runs pipelines and /tmp redirections
(fork, execve, pipes, wait4), sleep uses clock_nanosleep and date time(2), id uses
getgroups, the interactive sh edits its line with poll(2) on the console, sh runs
applets by name through execve("/proc/self/exe") (the program's own path), `wait` for
a background job sleeps in rt_sigsuspend until SIGCHLD, background jobs and 2>
redirections open /dev/null. At the end
no frame, heap byte or open file is left over, and the only numbers answered ENOSYS
are those glibc and busybox cope without (rseq, sendfile).
"""
import hashlib
import re

import qemu
from scenarios import shared_boot
import scenarios_user as su  # attributes used at run time: scenarios_user may be loading

BB = "/bin/busybox"
CMDLINE = "heap=block kbd=us"             # su.user_esp's ember/cmdline.txt
ENOSYS_ALLOWED = {334, 40}                # rseq: glibc goes on without; sendfile: cat falls back


def exact(*lines):
    """The output is exactly these lines (between the echo and the next prompt)."""
    return lambda out: (list(out[-len(lines):]) == list(lines), out[-len(lines):])


def sleep_took(out):
    """Two readings of time(2) around a 2 s clock_nanosleep: 2 to 4 s apart (the same
    guest clock drives both; the two execs of date may take a second on a loaded host)."""
    t = [int(l.lstrip("z")) for l in out[-2:] if l.lstrip("z").isdigit()]
    return len(t) == 2 and 2 <= t[1] - t[0] <= 4, out[-2:]


def ls_long(out):
    row = re.compile(r"^-r-xr-xr-x\s+1 0\s+0\s+\d+ Jan  1 00:00 (\S+)$")
    names = [m.group(1) for m in map(row.match, out) if m]
    return ("busybox" in names and "hello" in names), out[-3:]


def newcalls_ok(out):
    return re.match(r"^newcalls: ok \(\d+ checks\)$", out[-1]) is not None, out[-1:]


# name: (command typed, regex of its last output line, check of the output lines).
# A command stays under 73 characters: with the prompt, the line editor's 80 columns
# hold it without scrolling, so its echo is one serial line.
CASES = [
    ("new_calls_good_and_hostile_args", "run /test/newcalls", r"^newcalls: ", newcalls_ok),
    ("echo", f"run {BB} echo hi there", r"^hi there$", exact("hi there")),
    ("false_exit_status", f"run {BB} false", r"^run: exit status", exact("run: exit status 1")),
    ("ls", f"run {BB} ls /", r"test$", exact("bin          cmdline.txt  test")),
    ("ls_long", f"run {BB} ls -l /bin", r" hello-pie$", ls_long),
    ("cat", f"run {BB} cat /cmdline.txt", r"kbd", exact(CMDLINE)),
    ("uname", f"run {BB} uname -a", r"^Linux ", exact("Linux ember 6.1.0-ember #1 Ember x86_64 GNU/Linux")),
    ("printf", f"run {BB} printf '%s-%d\\n' ab 5", r"^ab-5$", exact("ab-5")),
    ("seq", f"run {BB} seq 3", r"^3$", exact("1", "2", "3")),
    ("expr", f"run {BB} expr 6 \\* 7", r"^\d+$|error", exact("42")),
    ("id", f"run {BB} id", r"^uid=", exact("uid=0 gid=0")),
    ("sha256sum", f"run {BB} sha256sum /cmdline.txt", r"/cmdline.txt$",
     exact(hashlib.sha256((CMDLINE + "\n").encode()).hexdigest() + "  /cmdline.txt")),
    ("awk", f"run {BB} awk '{{print $2}}' /cmdline.txt", r"=", exact("kbd=us")),
    ("sed", f"run {BB} sed s/kbd/KEY/ /cmdline.txt", r"=", exact("heap=block KEY=us")),
    ("sh_c", f"run {BB} sh -c 'echo a; echo b'", r"^b$|error", exact("a", "b")),
    ("sh_pipe", f"run {BB} sh -c 'echo hello | busybox wc -c'", r"^\s*\d+$|not found", exact("6")),
    ("sh_tmp_redirect", f"run {BB} sh -c 'cd /tmp;echo x>b;busybox cat b;busybox rm b'",
     r"^x$|rm:", exact("x")),
    ("touch_tmp", f"run {BB} sh -c 'cd /tmp;touch t;ls t;rm t;touch /bin/ls'", r"touch:",
     exact("t", "touch: /bin/ls: Read-only file system")),
    ("mv_tmp", f"run {BB} sh -c 'cd /tmp;echo m>a;mv a b;cat b;ls;rm b'", r"^b$|mv:",
     exact("m", "b")),
    ("sh_loop_subst", f"run {BB} sh -c 'for i in 1 2;do echo n$i $(echo s);done'",
     r"^n2 ", exact("n1 s", "n2 s")),
    ("sh_applets_by_name", f"run {BB} sh -c 'echo abc | tr a-c x-z'", r"^\w+$|not found",
     exact("xyz")),
    ("readlink_self_exe", f"run {BB} readlink /proc/self/exe", r"^/", exact(BB)),
    ("sh_background_wait", f"run {BB} sh -c 'sleep 1 & echo bg; wait; echo done'",
     r"^done$", exact("bg", "done")),
    ("sh_trap_kill", f"run {BB} sh -c 'trap \"echo got\" USR1;kill -USR1 $$;echo on'",
     r"^on$", exact("got", "on")),
    ("dev_null", f"run {BB} sh -c 'cd /dev;cat null;ls /no 2>null||echo q'",
     r"^q$", exact("q")),
    ("sh_exit_status", f"run {BB} sh -c 'busybox false || exit 7'", r"^run: exit status",
     exact("run: exit status 7")),
    ("sleep_and_date", f"run {BB} sh -c 'b=busybox;$b date +%s;$b sleep 2;$b date +z%s'",
     r"^z\d+$", sleep_took),
]


def interactive_sh(con):
    """busybox sh reading the terminal: its line editor polls fd 0 for each key."""
    con.shell(f"run {BB} sh", r"built-in shell \(ash\)", 30)
    out = con.run("echo interactive $((6*7))", r"^interactive \d+$", 30)
    ok = out[-1] == "interactive 42"
    out += con.run("exit 5", r"^run: exit status \d+$", 30)
    return ok and out[-1] == "run: exit status 5", out[-2:]


def run_all(con, report):
    """Every case, each reported as report(name, ok, detail) when it ends."""
    con.until(su.SHELL, 90)
    before = su.frames_free(con)
    for name, cmd, last, check in CASES:
        try:
            out = con.shell(cmd, last, 60)
            echo = max(i for i, l in enumerate(out) if l.endswith("ember> " + cmd))
            ok, shown = check(out[echo + 1:])
            report(name, ok, "" if ok else f"{cmd}: got {shown!r}")
        except AssertionError as e:
            report(name, False, f"{cmd}: {e}")
    try:
        ok, shown = interactive_sh(con)
        report("interactive_sh_poll", ok, "" if ok else f"got {shown!r}")
    except AssertionError as e:
        report("interactive_sh_poll", False, str(e))
    after = su.frames_free(con)
    report("nothing_left_over", after == before, f"(frames, heap bytes, open files) {before} "
           f"before, {after} after")
    lines = con.shell("syscalls", r"^system calls: \d+ made")
    lines += con.shell("echo syscalls listed", r"^syscalls listed$")
    refused = {int(m.group(1)) for m in (re.match(r"^\s+ENOSYS\s+(\d+):", l) for l in lines) if m}
    report("enosys_only_rseq_sendfile", refused <= ENOSYS_ALLOWED,
           f"ENOSYS numbers: {sorted(refused)}")


assert all(len(c[1]) <= 72 for c in CASES), [c[1] for c in CASES if len(c[1]) > 72]
NAMES = [c[0] for c in CASES] + ["interactive_sh_poll", "nothing_left_over",
                                 "enosys_only_rseq_sendfile"]


def busybox_boot(args, checks):
    """One boot; a check it never reached fails with the reason (scenarios.Checks)."""
    with qemu.Boot(args.ovmf_code, args.ovmf_vars, esp_dir=su.user_esp(args), timeout=600) as b:
        run_all(su.Console(b), lambda name, ok, detail: checks.record(f"system/busybox/{name}",
                                                                      ok, detail))


shared_boot("system/busybox/shared_boot", [f"system/busybox/{n}" for n in NAMES],
            cost=70)(busybox_boot)
