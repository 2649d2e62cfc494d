"""Boot scenarios: one QEMU run each, with the exit code and serial text it must
produce. Kernel-level scenarios boot the test kernel with a chosen
`ktest.only=` test (integration boots like the blog's basic_boot and
should_panic, crash boots); system scenarios boot the real disk image.

This file holds the framework and the start-up scenarios; each subsystem adds
its own in a file test/scenarios_<subsystem>.py, imported at the end.
"""
import glob
import importlib
import os
import time

import qemu
import screen

SCENARIOS = []


class Scenario:
    """One QEMU boot (or one host-side check) the runner schedules as a job.

    A plain scenario reports one result, under its name: fn(args) returns
    (ok, detail). A shared boot (checks= a list of names) checks several things
    in one QEMU run and reports one result per name: fn(args, checks) calls
    checks.run(name, body, ...) for each; a name never reported fails.
    cost is the expected wall time in seconds, used to start long jobs first
    when no measured time is known (test/run.py)."""
    def __init__(self, name, level, fn, checks=None, cost=None):
        self.name, self.level, self.fn = name, level, fn
        self.checks, self.cost = checks, cost

    def names(self):
        return list(self.checks) if self.checks else [self.name]

    def run(self, args):
        """[(name, ok, detail, seconds or None)], one per name."""
        if self.checks:
            got = Checks(self.checks)
            try:
                self.fn(args, got)
                got.finish("the boot ended before it")
            except Exception as e:  # noqa: BLE001 - a broken boot fails what it did not report
                got.finish(f"{type(e).__name__}: {e}")
            return got.results()
        try:
            ok, detail = self.fn(args)
        except Exception as e:  # a broken scenario is a failed test, not a crashed runner
            ok, detail = False, f"{type(e).__name__}: {e}"
        return [(self.name, ok, detail, None)]


class Checks:
    """The named results of one shared boot. A body returns (ok, detail), or
    passes by returning (a string it returns is the detail) and fails by raising
    AssertionError. Each result's time runs from the previous result (the first
    also pays for the boot)."""
    def __init__(self, names):
        self.names, self._results = list(names), {}
        self._t = time.monotonic()

    def record(self, name, ok, detail="", took=None):
        if name not in self.names or name in self._results:
            raise ValueError(f"check {name!r} is not expected here or was reported twice")
        now = time.monotonic()
        self._results[name] = (ok, detail or "", now - self._t if took is None else took)
        self._t = now

    def run(self, name, body, *a, **kw):
        """body(*a, **kw): True when it passed. After a failure the caller decides
        whether the boot can go on."""
        try:
            out = body(*a, **kw)
        except AssertionError as e:
            out = (False, str(e))
        ok, detail = out if isinstance(out, tuple) else (True, out if isinstance(out, str) else "")
        self.record(name, ok, detail)
        return ok

    def finish(self, why):
        for name in self.names:
            if name not in self._results:
                self.record(name, False, f"not reached: {why}", took=0.0)

    def results(self):
        return [(n, *self._results[n]) for n in self.names]


def scenario(name, level="kernel", cost=None):
    def register(fn):
        SCENARIOS.append(Scenario(name, level, fn, cost=cost or getattr(fn, "cost", None)))
        return fn
    return register


def shared_boot(name, checks, level="system", cost=None):
    """One QEMU run reporting one result per name in checks (see Scenario)."""
    def register(fn):
        SCENARIOS.append(Scenario(name, level, fn, checks=checks, cost=cost))
        return fn
    return register


def test_loader(args):
    return os.path.join(args.build, "test", "esp", "EFI", "BOOT", "BOOTX64.EFI")


def expect_boot(args, cmdline, code, texts, loader=None, extra=(), memory="256M", timeout=120):
    """Boot, wait for exit; ok when the exit code and every text match."""
    esp = qemu.esp_with(loader or test_loader(args), cmdline)
    with qemu.Boot(args.ovmf_code, args.ovmf_vars, esp_dir=esp, extra=extra, memory=memory,
                   timeout=timeout) as b:
        got = b.wait_exit(timeout)
        log = "\n".join(b.lines)
    if got != code:
        return False, (f"QEMU exit {qemu.qemu_exit_name(got)}, expected {code}\n" +
                       qemu.failure_report(log.splitlines()))
    missing = [t for t in texts if t not in log]
    if missing:
        return False, f"serial lacks {missing!r}\n" + qemu.failure_report(log.splitlines())
    return True, ""


def ktest_boot(test, code=33, texts=(), cmdline="", **kw):
    def fn(args):
        return expect_boot(args, f"ktest.only={test} {cmdline}".strip(), code,
                           [f"ktest: pass {test}", *texts] if code == 33 else list(texts), **kw)
    fn.cost = 25 if "-icount" in kw.get("extra", ()) else None   # -icount boots run slower
    return fn


# ---- integration boots (the blog's tests/ directory) ---------------------------------
scenario("kernel/boot/basic_boot")(ktest_boot("basic_boot", texts=["Ember", "memory:"]))
scenario("kernel/boot/should_panic")(ktest_boot(
    "should_panic", texts=["KERNEL PANIC", "panicked as expected"]))
scenario("kernel/boot/assert_reports_expression_file_line_function")(ktest_boot(
    "assert_failure_panics", texts=["assertion failed: 1 + 1 == 3", "boot_tests.c:",
                                    "ktest_fn_assert_failure_panics"]))
scenario("kernel/boot/exit_boot_services_retry_succeeds")(ktest_boot(
    "exit_boot_services_was_retried", cmdline="loader.stale_map_key=1",
    texts=["ExitBootServices took 2 attempts"]))
scenario("kernel/boot/no_gop_boots_on_serial_only")(ktest_boot(
    "boots_without_framebuffer", extra=("-vga", "none"),
    texts=["framebuffer: none", "console: serial only"]))
scenario("kernel/boot/bltonly_gop_boots_on_serial_only")(ktest_boot(
    "boots_without_framebuffer", extra=("-vga", "none", "-device", "virtio-gpu-pci"),
    texts=["framebuffer: none", "console: serial only"]))
scenario("kernel/boot/memory_map_with_8_GiB_is_well_formed")(ktest_boot(
    "memory_map_is_well_formed", memory="8G", texts=["memory:"]))
scenario("kernel/boot/watchdog_fails_a_hung_test")(ktest_boot(
    "hangs_until_the_watchdog_fires", code=35, cmdline="ktest.timeout=2",
    texts=["ktest: FAIL hangs_until_the_watchdog_fires (watchdog: still running after 2 s)"]))
scenario("kernel/boot/unknown_test_name_fails")(ktest_boot(
    "no_such_test_exists", code=35, texts=["ktest: FAIL no_such_test_exists (no such test)"]))


# ---- system tests: the real image ----------------------------------------------------
def banner_after_shell(args, b):
    """The start-up lines on serial, then drawn at the top of the screen; b has
    just shown the shell's start-up line (test/scenarios_shell.py boots it)."""
    font = screen.Font(os.path.join(args.build, "font", "terminus16.psf"))
    serial = "\n".join(b.lines)
    for text in ("Ember", "memory:", "framebuffer: 1280x800 BGRX", "boot (ms):",
                 "console: framebuffer text, 160x50 cells"):
        if text not in serial:
            return False, f"serial lacks {text!r}"
    shot = os.path.join(b.tmp, "screen.ppm")
    b.screendump(shot)
    lines = screen.screen_lines(shot, font, max_rows=12)
    drawn = "\n".join(lines)
    for text in ("Ember", "a small x86_64 operating system", "memory:", "framebuffer: 1280x800"):
        if text not in drawn:
            return False, f"screen lacks {text!r}; top of screen: {lines[:4]!r}"
    return True, ""


def refused(args, variant, message):
    loader = os.path.join(args.build, "test", f"bad-{variant}.efi")
    esp = qemu.esp_with(loader)
    with qemu.Boot(args.ovmf_code, args.ovmf_vars, esp_dir=esp, timeout=90) as b:
        seen = b.wait_for(message, 60)
        kernel_ran = any("Ember" in l and "operating system" in l for l in b.lines)
    if not seen:
        return False, f"no {message!r} on the UEFI console (serial)"
    if kernel_ran:
        return False, "the malformed kernel was started"
    return True, ""


def refused_cpu(args, cpu, message):
    """The real loader on a CPU it cannot use: a clear line, the kernel never runs."""
    loader = os.path.join(args.build, "esp", "EFI", "BOOT", "BOOTX64.EFI")
    with qemu.Boot(args.ovmf_code, args.ovmf_vars, esp_dir=qemu.esp_with(loader), cpu=cpu,
                   timeout=90) as b:
        seen = b.wait_for(message, 60)
        kernel_ran = any("Ember" in l and "operating system" in l for l in b.lines)
    if not seen:
        return False, f"no {message!r} on the UEFI console (serial)"
    if kernel_ran:
        return False, "the kernel was started anyway"
    return True, ""


for _variant, _msg in (("magic", "bad ELF magic"),
                       ("wx", "both writable and executable"),
                       ("lowhalf", "below the higher half"),
                       ("truncated", "outside the file")):
    scenario(f"system/loader_refuses_kernel_{_variant}", level="system")(
        lambda args, v=_variant, m=_msg: refused(args, v, m))


def _load_subsystem_scenarios():
    here = os.path.dirname(os.path.abspath(__file__))
    for path in sorted(glob.glob(os.path.join(here, "scenarios_*.py"))):
        importlib.import_module(os.path.basename(path)[:-3])


_load_subsystem_scenarios()
