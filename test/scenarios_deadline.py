"""The tick's TSC-deadline mode (docs/apic-and-time.md).

QEMU 7.2's TCG does not offer TSC-deadline (CPUID.1:ECX bit 24; `-cpu
max,+tsc-deadline` is refused with a warning), so no boot here runs the mode
itself. What is checked: timer=deadline on a CPU without it says so and the
tick falls back to the LAPIC timer at the right rate (under -icount, as the
other rate tests). On a CPU that offers it (KVM, hardware) the same in-kernel
rate test, timer_ticks_advance_at_the_programmed_rate, judges the deadline
tick, and `clock:` names "LAPIC TSC-deadline".
"""
from scenarios import ktest_boot, scenario

ICOUNT = ("-icount", "shift=auto")

scenario("kernel/irq/timer_deadline_without_cpuid_support_falls_back_to_the_lapic_timer")(
    ktest_boot("timer_ticks_advance_at_the_programmed_rate",
               cmdline="timer=deadline timer.hz=1000", extra=ICOUNT,
               texts=["CPUID offers no TSC-deadline mode",
                      "clock: tick 1000 Hz from the LAPIC timer,"]))
