"""System test of the console terminal between programs (kernel/proc/file.c tty_*,
kernel/shell/shell_proc.c run): input typed for one program and not read by it
must not reach the next one.

Without the flush, "abc" typed to a program that then ends (or is stopped by
Ctrl+C) stays in the terminal's line buffer, and the next program reads
"abcgo\\n" when "go" is typed: test/user/sig.c case int then waits for ever for
its "go" line. That is how system/signal/... failed when the harness typed the
next command while the previous program was still ending.
"""
import time

import scenarios_user as su  # attributes read at run time: scenarios_user imports us

GO = r"^sig: waiting for Ctrl\+C$"
INTR = r"^sig: console read=-1 Interrupted system call hits=1 sig=2$"


def sig_int(b, con):
    """sig int to its end: it must read the "go" line typed now, then take Ctrl+C."""
    con.shell("run /test/sig int", r"^sig: type go$", 30)
    b.serial_write(b"go\r")
    con.until(GO, 30)
    time.sleep(0.5)
    b.serial_write(b"\x03")
    con.until(INTR, 20)


def tty_body(b, con):
    su.ready(con)
    # Half a line, then Ctrl+C: the interrupted program's input is dropped.
    con.shell("run /test/sig int", r"^sig: type go$", 30)
    b.serial_write(b"go\r")
    con.until(GO, 30)
    b.serial_write(b"abc")
    time.sleep(0.5)
    b.serial_write(b"\x03")
    con.until(INTR, 20)
    time.sleep(1)
    sig_int(b, con)
    # Half a line to a program that then ends by itself: dropped with it.
    con.shell("run /bin/burn X 8", r"^X round 1$", 60)
    b.serial_write(b"abc")
    con.until(r"X round 8$", 120)
    time.sleep(1.5)              # the shell has the keyboard again before we type
    con.shell("echo back", r"^back$")
    sig_int(b, con)
    con.shell("echo alive at the end", r"^alive at the end$")


# Booted by test/scenarios_user_shared.py, with the other one-CPU user tests.
