"""Boots of the platform chapter: ACPI tables, the APICs, calibrated timers
(test/kernel/apic_tests.c, test/kernel/irq_tests.c; docs/apic-and-time.md).

- q35 and pc: the I/O APIC routes the PIT through the MADT's override of
  ISA IRQ 0 (GSI 2 on both).
- irq=pic keeps the blog's 8259 path: the tick comes from the PIT.
- -cpu max: IPIs arrive (QEMU 7.2 TCG offers no x2APIC, so that mode is unbooted).
- The LAPIC timer's rate is within 5 % of its reference clock under
  -icount, against the HPET, the ACPI PM timer and the PIT.
- Machines without legacy devices: no HPET (PM timer used), no PIT and no
  8042 and no 8259 (PM timer, and the tick still right), no ACPI at all
  (falls back to the 8259 path by itself).
"""
from scenarios import scenario, ktest_boot

# shift=auto as in scenarios_irq.py: every emulated clock still follows the
# instruction count, and boots finish within their timeout on a loaded host.
ICOUNT = ("-icount", "shift=auto")
# The tick-rate boots too: without -icount a loaded host makes ticks late.
RATE = "lapic_timer_rate_matches_its_reference"
TICKS = "timer_ticks_advance_at_the_programmed_rate"

scenario("kernel/platform/q35_ioapic_routes_the_pit_on_gsi_2")(ktest_boot(
    "ioapic_routes_the_pit_through_its_override",
    texts=["irq: I/O APIC", "ISA IRQ 0 arrives on GSI 2"]))
scenario("kernel/platform/pc_ioapic_routes_the_pit_on_gsi_2")(ktest_boot(
    "ioapic_routes_the_pit_through_its_override", extra=("-machine", "pc"),
    texts=["irq: I/O APIC", "ISA IRQ 0 arrives on GSI 2"]))
scenario("kernel/platform/pc_ioapic_routes_the_keyboard")(ktest_boot(
    "ioapic_routes_the_keyboard", extra=("-machine", "pc"), texts=["irq: I/O APIC"]))
scenario("kernel/platform/irq_pic_keeps_the_8259_path")(ktest_boot(
    TICKS, cmdline="irq=pic", extra=ICOUNT, timeout=300, texts=["irq: 8259 PIC (irq=pic", "from the PIT"]))
# QEMU 7.2's TCG does not offer x2APIC even with -cpu max (checked: CPUID.1
# ECX bit 21 clear), so the x2APIC path cannot be booted here; -cpu max still
# checks the IPI path on a richer CPU model.
scenario("kernel/platform/cpu_max_self_ipi_arrives")(ktest_boot(
    "ipi_to_self_arrives", extra=("-cpu", "max"), texts=["local APIC 0 in"]))
scenario("kernel/platform/xapic_forced_with_cpu_max")(ktest_boot(
    "ipi_to_self_arrives", cmdline="apic=xapic", extra=("-cpu", "max"), texts=["xAPIC mode"]))

for _ref, _name in (("hpet", "HPET"), ("pmtimer", "PM timer"), ("pit", "PIT")):
    scenario(f"kernel/platform/lapic_timer_within_5_percent_of_the_{_ref}_under_icount")(
        ktest_boot(RATE, cmdline=f"clock.ref={_ref}", extra=ICOUNT, timeout=300,
                   texts=[f"against the {_name}"]))

scenario("kernel/platform/no_hpet_calibrates_against_the_pm_timer")(ktest_boot(
    TICKS, extra=("-machine", "q35,hpet=off", *ICOUNT), timeout=300, texts=["against the PM timer", "from the LAPIC"]))
scenario("kernel/platform/no_pit_no_8042_no_8259_tick_is_right")(ktest_boot(
    TICKS, extra=("-machine", "q35,pit=off,i8042=off,pic=off,hpet=off", *ICOUNT), timeout=300,
    texts=["against the PM timer", "from the LAPIC timer"]))
scenario("kernel/platform/no_acpi_falls_back_to_the_8259")(ktest_boot(
    TICKS, extra=("-machine", "q35,acpi=off", *ICOUNT), timeout=300,
    texts=["irq: 8259 PIC (no usable MADT)", "from the PIT"]))
