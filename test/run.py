#!/usr/bin/env python3
"""Ember's test runner: every level, one line per test, then "N passed, N failed".

  host    build/host/bin/test_* (cmocka, AddressSanitizer + UBSan), TAP output parsed
  kernel  the test kernel's suite in QEMU (per-test watchdog, resume after a hang),
          then one boot per integration or crash scenario, each with its expected
          QEMU exit code and serial text
  system  the real disk image: banner on serial and on the screen (QMP screendump),
          a loader with a malformed kernel refusing to boot
  fuzz    build/fuzz/bin/fuzz_* replay their seed corpus test/fuzz/corpus/X/
          (libFuzzer, AddressSanitizer + UBSan); runs with the host level

Any QEMU exit other than the expected one is a failure: a triple fault under
-no-reboot exits 0, so 0 never counts as success.
"""
import argparse
import concurrent.futures
import glob
import json
import os
import re
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402
import scenarios  # noqa: E402

TEST_TIMEOUT = 60        # seconds one in-kernel test may run before it is declared hung
BOOT_TIMEOUT = 120       # seconds for any whole QEMU run


class Results:
    """Counts and one line per result; boots run in parallel, so record is locked."""
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []
        self.lock = threading.Lock()

    def record(self, name, ok, detail=""):
        with self.lock:
            if ok:
                self.passed += 1
            else:
                self.failed += 1
                self.failures.append(name)
            first, *more = (detail or "").split("\n")
            print(f"{'PASS' if ok else 'FAIL'} {name}{(' - ' + first) if first else ''}",
                  flush=True)
            for line in more:
                print(f"    {line}", flush=True)



def run_host(args, res):
    tests = sorted(glob.glob(os.path.join(args.build, "host", "bin", "test_*")))
    tests = [t for t in tests if os.access(t, os.X_OK) and not t.endswith((".o", ".d"))]
    if not tests:
        res.record("host (no test binaries found)", False)
    for exe in tests:
        suite = os.path.basename(exe)[len("test_"):]
        env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP")
        proc = subprocess.run([exe], capture_output=True, text=True, env=env, timeout=600)
        seen = 0
        for line in proc.stdout.splitlines():
            m = re.match(r"^(not ok|ok) \d+ - (\S+)", line)
            if m:
                seen += 1
                res.record(f"host/{suite}/{m.group(2)}", m.group(1) == "ok")
        if proc.returncode != 0 and seen == 0 or seen == 0:
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
            res.record(f"host/{suite}", False, f"exit {proc.returncode}: {' | '.join(tail)}")
        elif proc.returncode != 0 and "not ok" not in proc.stdout:
            res.record(f"host/{suite} (exit status)", False, f"exit {proc.returncode}")


def run_docs_check(args, res):
    """Every figure marked in docs/ is the one the build produces (test/docs_figures.py)."""
    proc = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "docs_figures.py"),
                           "--build", args.build], capture_output=True, text=True, timeout=120)
    detail = "\n".join((proc.stdout + proc.stderr).strip().splitlines() +
                       (["run `make docs` to rewrite them"] if proc.returncode else []))
    res.record("docs/figures_match_the_build", proc.returncode == 0, detail)


def run_fuzz(args, res):
    """Each fuzz target runs every file of its seed corpus once: one line per target."""
    here = os.path.dirname(os.path.abspath(__file__))
    bins = sorted(glob.glob(os.path.join(args.build, "fuzz", "bin", "fuzz_*")))
    if not bins:
        res.record("fuzz (no fuzz targets built)", False)
    for exe in bins:
        name = os.path.basename(exe)[len("fuzz_"):]
        corpus = os.path.join(here, "fuzz", "corpus", name)
        files = sorted(glob.glob(os.path.join(corpus, "*")))
        if not files:
            res.record(f"fuzz/{name}", False, f"no seed corpus in {corpus}")
            continue
        try:
            proc = subprocess.run([exe, "-timeout=20", *files], capture_output=True,
                                  text=True, timeout=300)
        except subprocess.TimeoutExpired:
            res.record(f"fuzz/{name}", False, "replay took over 300 s")
            continue
        ran = proc.stderr.count("Executed ")
        if proc.returncode == 0 and ran == len(files):
            res.record(f"fuzz/{name}", True, f"{ran} inputs")
        else:
            tail = [ln for ln in proc.stderr.splitlines()
                    if "invariant" in ln or "ERROR" in ln or "Running:" in ln][-3:]
            res.record(f"fuzz/{name}", False,
                       f"exit {proc.returncode}, {ran}/{len(files)} ran: {' | '.join(tail)}")


def kernel_suite(args, res):
    """The suite in one boot; a hung or crashed test is failed and the rest resumed."""
    loader = os.path.join(args.build, "test", "esp", "EFI", "BOOT", "BOOTX64.EFI")
    start = 0
    while True:
        esp = qemu.esp_with(loader, f"ktest.from={start}")
        index, running, finished, test_lines = start, None, False, []
        with qemu.Boot(args.ovmf_code, args.ovmf_vars, esp_dir=esp, timeout=BOOT_TIMEOUT * 4) as b:
            while True:
                try:
                    line = b.next_line(TEST_TIMEOUT if running else BOOT_TIMEOUT)
                except TimeoutError:
                    line = "__timeout__"
                if line is None or line == "__timeout__":
                    code = b.wait_exit(5) if line is None else None
                    what = "hung (watchdog)" if line == "__timeout__" else f"QEMU exit {qemu.qemu_exit_name(code)}"
                    if running:
                        res.record(f"kernel/{running}", False,
                                   what + "\n" + qemu.failure_report(test_lines))
                        start = index + 1
                    else:
                        res.record("kernel/suite", False, f"{what} outside any test")
                        finished = True
                    break
                test_lines.append(line)
                m = re.match(r"^ktest: (run|pass|FAIL) (\S+)", line)
                if m and m.group(1) == "run":
                    running, test_lines = m.group(2), [line]
                elif m:
                    ok = m.group(1) == "pass"
                    res.record(f"kernel/{m.group(2)}", ok,
                               "" if ok else qemu.failure_report(test_lines))
                    running, index = None, index + 1
                elif line.startswith("ktest: done:"):
                    code = b.wait_exit(30)
                    expect = 35 if "0 failed" not in line else 33
                    if code != expect:
                        res.record("kernel/suite exit code", False,
                                   f"expected {expect}, QEMU exit {qemu.qemu_exit_name(code)}")
                    finished = True
                    break
        if finished:
            return


def run_scenario(args, res, sc):
    t0 = time.monotonic()
    results = sc.run(args)
    shared = f"; shared boot {sc.name}" if sc.checks else ""
    for name, ok, detail, took in results:
        took = f"{time.monotonic() - t0 if took is None else took:.0f} s{shared}"
        res.record(name, ok, f"{detail} ({took})" if detail else took)


# Jobs start longest first, so that the two slots end together instead of one
# long boot starting last. The estimate is the job's time in the last run
# (build/test-times.json, rewritten after every run), else the scenario's cost=
# hint, else DEFAULT_COST.
SUITE = "kernel/suite"
DEFAULT_COST = 15
SUITE_COST = 30


def load_times(args):
    try:
        with open(os.path.join(args.build, "test-times.json")) as f:
            return {k: float(v) for k, v in json.load(f).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def save_times(args, times):
    path = os.path.join(args.build, "test-times.json")
    try:
        with open(path + ".tmp", "w") as f:
            json.dump(dict(sorted(times.items())), f, indent=0)
        os.replace(path + ".tmp", path)
    except OSError:
        pass             # ordering only: a read-only build directory costs nothing else


def timed(times, name, job):
    def run():
        t0 = time.monotonic()
        job()
        times[name] = round(time.monotonic() - t0, 1)
        if name == SUITE:
            print(f"# {SUITE} boots took {times[name]:.0f} s", flush=True)
    return run


def run_boots(args, res, levels):
    """Every QEMU boot of the chosen levels, --jobs at a time, the longest expected first."""
    known, times = load_times(args), {}
    jobs = []          # (expected seconds, order of registration, name, job)
    if "kernel" in levels and not args.filter:
        jobs.append((known.get(SUITE, SUITE_COST), -1, SUITE, lambda: kernel_suite(args, res)))
    for i, sc in enumerate(scenarios.SCENARIOS):
        if sc.level in levels and any(re.search(args.filter, n) for n in {sc.name, *sc.names()}):
            cost = known.get(sc.name, sc.cost or DEFAULT_COST)
            jobs.append((cost, i, sc.name, lambda sc=sc: run_scenario(args, res, sc)))
    jobs.sort(key=lambda j: (-j[0], j[1]))
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for f in [pool.submit(timed(times, name, job)) for _, _, name, job in jobs]:
            f.result()
    current = {SUITE, *(sc.name for sc in scenarios.SCENARIOS)}
    save_times(args, {k: v for k, v in {**known, **times}.items() if k in current})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--ovmf-code", default="/usr/share/OVMF/OVMF_CODE_4M.fd")
    ap.add_argument("--ovmf-vars", default="/usr/share/OVMF/OVMF_VARS_4M.fd")
    ap.add_argument("--only", choices=["host", "fuzz", "kernel", "system"])
    ap.add_argument("--filter", default="", help="run only scenarios whose name matches this regular expression")
    ap.add_argument("--jobs", type=int, default=2, help="QEMU boots run at once (default 2)")
    args = ap.parse_args()
    res = Results()
    t0 = time.monotonic()
    if args.only in (None, "host"):
        run_host(args, res)
        run_docs_check(args, res)
    if args.only in (None, "host", "fuzz"):
        run_fuzz(args, res)
    levels = [lv for lv in ("kernel", "system") if args.only in (None, lv)]
    if levels:
        run_boots(args, res, levels)
    print(f"# {time.monotonic() - t0:.0f} s; failed: {', '.join(res.failures) or 'none'}")
    print(f"{res.passed} passed, {res.failed} failed")
    return 1 if res.failed or not res.passed else 0


if __name__ == "__main__":
    sys.exit(main())
