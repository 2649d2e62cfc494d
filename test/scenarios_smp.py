"""Boots of every CPU (docs/smp.md; test/kernel/smp/smp_tests.c).

- The real image under -smp 1, 2, 4 and 8: start-up says how many CPUs came
  online, and the shell's cpus command over serial lists each one online
  with its APIC id; tasks shows which CPU ran each task.
- The in-kernel SMP tests, each in its own boot under -smp 4 (and the
  executor ones under -smp 2 as well): tasks run on every CPU, a cross-CPU
  wake-up is never lost, a TLB shootdown makes a page unmapped on the BSP
  fault on the AP that had it cached (the report names that CPU and the
  address), and spinlock debug mode catches a double acquisition.
"""
import os
import re
import time

import qemu
from scenarios import scenario, ktest_boot
from scenarios_shell import READY, command, plain


CPU_ROW = re.compile(r"^\s*(\d+)\s+(\d+)\s+(\w+)\s+(\d+)\s+(\d+)\s+\d+\s+\d+\s+\d+\.\d%")


def read_cpus(b):
    """Type cpus; ({index: (apic, state, ticks, hz)}, summary match or None)."""
    b.serial_write(b"cpus\r")
    rows, summary = {}, None
    end = time.monotonic() + 30
    while time.monotonic() < end and summary is None:
        try:
            line = plain(b.next_line(end - time.monotonic()) or "")
        except TimeoutError:
            break
        m = CPU_ROW.match(line)
        if m:
            rows[int(m.group(1))] = (int(m.group(2)), m.group(3), int(m.group(4)), int(m.group(5)))
        summary = summary or re.match(r"^(\d+) online; the MADT lists (\d+)", line)
    return rows, summary


def cpus_over_serial(n, off=False):
    def fn(args):
        # SMP is on by default; smp=off (off=True) must keep one CPU online.
        extra = ("-smp", str(n))
        loader = os.path.join(args.build, "esp", "EFI", "BOOT", "BOOTX64.EFI")
        with open("esp/ember/cmdline.txt") as f:
            words = [l.strip() for l in f if l.strip() and not l.startswith("#")]
        cmdline = (words[0] + " " if words else "") + ("smp=off" if off else "")
        esp = qemu.esp_with(loader, cmdline.strip())
        with qemu.Boot(args.ovmf_code, args.ovmf_vars, esp_dir=esp, extra=extra,
                       timeout=240) as b:
            if not b.wait_for(READY, 150):
                return False, "no shell; last: " + " | ".join(b.lines[-3:])
            boot = "\n".join(plain(l) for l in b.lines)
            if off and "smp: other CPUs left halted (smp=off)" not in boot:
                return False, "smp=off did not say it kept the other CPUs halted"
            want = 1 if off else n
            if not off and n > 1 and f"smp: {n} of {n} CPUs online" not in boot:
                return False, "start-up did not bring every CPU online"
            rows, summary = read_cpus(b)
            if not summary or int(summary.group(1)) != want:
                return False, f"cpus summary: {summary and summary.group(0)!r}"
            if sorted(rows) != list(range(want)) or any(r[1] != "online" for r in rows.values()):
                return False, f"cpus rows: {rows}"
            if len({r[0] for r in rows.values()}) != want:
                return False, f"APIC ids not distinct: {rows}"
            # Every CPU's timer runs (the BSP at the tick rate, APs at 100 Hz):
            # after 300 ms of the kernel's sleep every count has grown. The
            # shell comes up within tens of ms of the kernel's start, so the
            # first counts may still be 0.
            if not command(b, "sleep 300", r"^slept \d+ ms"):
                return False, "sleep 300 did not answer"
            later, _ = read_cpus(b)
            grown = {i: (rows[i][2], later[i][2] if i in later else None, rows[i][3]) for i in rows}
            if any(hz == 0 or after is None or after <= before
                   for before, after, hz in grown.values()):
                return False, f"cpus ticks (before, after 300 ms, Hz): {grown}"
            if not command(b, "tasks", r"^\s+\d+ shell\s+\d+\s+\d+"):
                return False, "tasks lists no shell row"
        return True, f"{want} CPUs online, every timer counting"
    return fn


for n in (1, 2, 4, 8):
    scenario(f"system/smp/cpus_over_serial_with_{n}_cpus", level="system")(cpus_over_serial(n))
scenario("system/smp/smp_off_keeps_one_cpu_of_2", level="system")(cpus_over_serial(2, off=True))

SMP4 = ("-smp", "4")
scenario("kernel/smp/every_cpu_runs_tasks")(ktest_boot(
    "every_cpu_runs_tasks", extra=SMP4, texts=["on CPUs mask 0xf (4 online)"]))
scenario("kernel/smp/every_cpu_runs_tasks_with_2_cpus")(ktest_boot(
    "every_cpu_runs_tasks", extra=("-smp", "2"), texts=["on CPUs mask 0x3 (2 online)"]))
scenario("kernel/smp/a_cross_cpu_wake_up_is_never_lost")(ktest_boot(
    "a_cross_cpu_wake_up_is_never_lost", extra=SMP4, texts=["6000 exchanges"]))
scenario("kernel/smp/tlb_shootdown_makes_an_unmapped_page_fault_on_another_cpu")(ktest_boot(
    "tlb_shootdown_makes_an_unmapped_page_fault_on_another_cpu", code=33, extra=SMP4,
    texts=["unmapped 0xffffd00000000000", "page fault", "on cpu",
           "CR2 0xffffd00000000000", "panicked as expected"]))
scenario("kernel/smp/a_panic_stops_a_cpu_spinning_with_interrupts_off")(ktest_boot(
    "a_panic_stops_a_cpu_spinning_with_interrupts_off", code=33, extra=SMP4,
    texts=["(spinning with interrupts off) is stopped; its loop stopped",
           "ktest: every other CPU stopped", "panic: cpu 0 stopped the other CPUs (0 did not confirm)",
           "panicked as expected"]))
scenario("kernel/smp/spinlock_debug_catches_a_double_acquisition")(ktest_boot(
    "spinlock_debug_catches_a_double_acquisition", code=33, extra=SMP4,
    texts=["spin: double acquisition of ktest-twice on cpu 0", "panicked as expected"]))
