#!/usr/bin/env python3
"""Every CPU's figures (docs/smp.md), from the test kernel's smp_bench boot
(test/kernel/smp/smp_tests.c: smp_bench_throughput, smp_bench_latency):

- parallel speed-up: the same CPU-bound tasks run on 1 CPU, then on every
  CPU, in one boot (a warm-up, then fifteen rounds of about 0.3 s; the
  median of the rounds' ratios counts), with throughput in task polls per
  second, under QEMU's
  multi-threaded TCG (-accel tcg,thread=multi), each vCPU on its own host
  thread, with -smp 2 and -smp 4. The host has as many cores as it has:
  more vCPUs than cores cannot speed up, and other load on the host shows.
- cross-CPU latencies under -icount shift=0 with -smp 2, where TSC deltas
  count the instructions both vCPUs executed (one virtual clock), so they
  repeat from boot to boot: the IPI round trip (ping to halted CPU 1, its
  handler's write seen back), and the wake-up of a task that only halted
  CPU 1 can run (wake to the poll's first TSC read on CPU 1; and wake to
  that poll seen on the BSP); medians of 64 rounds each. Then a ping-pong of
  two tasks free to run anywhere, for the same-CPU wake-up cost. icount runs
  the vCPUs in turn on one thread, so these are emulator figures, not
  hardware ones.

  smp_bench.py --loader build/test/esp/EFI/BOOT/BOOTX64.EFI --ovmf-code ... --ovmf-vars ...
  smp_bench.py ... --latency-only --runs 2   (make bench-smp-latency: the
      latency boot twice; exits 1 unless both gave the same figures)

Exits 1 when the 2-CPU speed-up is under the budget (1.7) or two latency
boots disagree.
"""
import argparse
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import qemu  # noqa: E402

ROUND = re.compile(r"bench: round \d+: .* 1 cpu (\d+) cycles, (\d+) cpus (\d+) cycles, "
                   r"speed-up [\d.]+; (\d+) and (\d+) polls/s")
LAT = re.compile(r"bench: (ipi round trip|cross-cpu wake-up \(wake to poll\)|"
                 r"cross-cpu wake-up round trip \(wake to poll seen\)) median (\d+) cycles "
                 r"\(min (\d+), max (\d+), (\d+) rounds\)")
WAKE = re.compile(r"smp: \d+ exchanges, (\d+) wake-ups crossed CPUs, (\d+) cycles per wake-up")
LAT_NAMES = {"ipi round trip": "IPI round trip",
             "cross-cpu wake-up (wake to poll)": "cross-CPU wake-up, wake to poll",
             "cross-cpu wake-up round trip (wake to poll seen)": "cross-CPU wake-up, wake to poll seen"}


def boot(args, test, smp, accel, extra=()):
    esp = qemu.esp_with(args.loader, f"ktest.only={test} ktest.timeout=300")
    try:
        with qemu.Boot(args.ovmf_code, args.ovmf_vars, esp_dir=esp, accel=accel,
                       extra=("-smp", str(smp), *extra), timeout=400) as b:
            code = b.wait_exit(390)
            log = "\n".join(b.lines)
    finally:
        qemu.remove_esp(esp)
    if code != 33:
        sys.exit(f"smp_bench -smp {smp}: QEMU exit {qemu.qemu_exit_name(code)}\n{log[-800:]}")
    return log


def speedup(args, smp):
    """The median of the per-round ratios: each round runs its two halves back
    to back, so a drift in the host's speed between rounds cancels out, and
    the median drops the rounds a burst of other work landed in."""
    log = boot(args, "smp_bench_throughput", smp, "tcg,thread=multi")
    rounds = [tuple(map(int, m)) for m in ROUND.findall(log)]
    if len(rounds) < 3:
        sys.exit(f"smp_bench -smp {smp}: {len(rounds)} rounds reported\n{log[-800:]}")
    ratios = sorted(one / all_ for one, _, all_, _, _ in rounds)
    med = statistics.median(ratios)
    print(f"-smp {smp}: throughput (median round) 1 CPU {statistics.median(r[3] for r in rounds):,.0f} "
          f"polls/s, {smp} CPUs {statistics.median(r[4] for r in rounds):,.0f} polls/s; speed-up "
          f"median {med:.2f} of {len(ratios)} rounds (range {ratios[0]:.2f}-{ratios[-1]:.2f})")
    cores = os.cpu_count() or 1
    if med > min(smp, cores) * 1.05:
        print(f"  above the CPU count ({smp}) or the host's cores ({cores}): the host's speed "
              f"moved under the measurement; not a trustworthy figure")
    return med


def latencies(args, run=1):
    """One latency boot; returns its figures (a tuple, to compare runs)."""
    log = boot(args, "smp_bench_latency", 2, "tcg", ("-icount", "shift=0"))
    lat, wake = LAT.findall(log), WAKE.search(log)
    if len(lat) != 3 or not wake:
        sys.exit(f"smp_bench latency run {run}: figures missing\n{log[-800:]}")
    print(f"-icount shift=0, -smp 2, run {run}:")
    for name, med, lo, hi, n in lat:
        print(f"  {LAT_NAMES[name]}: {med} cycles (median of {n}; min {lo}, max {hi})")
    print(f"  ping-pong, tasks free to move: {wake.group(2)} cycles per wake-up "
          f"({wake.group(1)} of 6000 crossed CPUs)")
    return tuple(lat) + wake.groups()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--loader", required=True)
    ap.add_argument("--ovmf-code", required=True)
    ap.add_argument("--ovmf-vars", required=True)
    ap.add_argument("--budget", type=float, default=1.7)
    ap.add_argument("--latency-only", action="store_true")
    ap.add_argument("--speedup-only", action="store_true")
    ap.add_argument("--runs", type=int, default=1, help="latency boots (compared)")
    args = ap.parse_args()
    print(f"host: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    met = same = True
    if not args.latency_only:
        two = speedup(args, 2)
        speedup(args, 4)
        met = two >= args.budget
    if not args.speedup_only:
        runs = [latencies(args, r + 1) for r in range(args.runs)]
        same = all(r == runs[0] for r in runs)
        if len(runs) > 1:
            print(f"latency figures of {len(runs)} boots: {'identical' if same else 'DIFFERENT'}")
    if not args.latency_only:
        print(f"speed-up on 2 CPUs {two:.2f}, budget {args.budget}: "
              f"{'ok' if met else 'UNDER BUDGET'}")
    return 0 if met and same else 1


if __name__ == "__main__":
    sys.exit(main())
