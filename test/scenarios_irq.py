"""Boots of hardware interrupts, the timer and input (test/kernel/irq_tests.c,
test/kernel/input/input_tests.c).

- Lines printed by a timer callback in interrupt context never split the lines
  the main flow prints: every serial line between the markers is one whole
  line of either kind, all (at least 200) main lines arrive in order, tick
  lines too; once with the framebuffer console, once on serial alone.
- The tick rate is right at 100, 250, 1000 and 4000 Hz (timer.hz=), measured
  under -icount, where the host's load cannot delay a tick.
- The kernel's own TSC calibration against the PIT (clock.calibrate).
- Bytes typed into COM1 faster than anyone drains them: the serial ring keeps
  its size and counts every other byte as dropped.
- No keyboard controller (-machine q35,i8042=off): one clear log line, and
  start-up completes.
"""
import re

import qemu
from scenarios import scenario, ktest_boot, test_loader

MAIN_LINE = re.compile(r"^main-line (\d{3,}): printed from the main flow, "
                       r"abcdefghijklmnopqrstuvwxyz0123456789$")
TICK_LINE = re.compile(r"^tick-line (\d+): printed from the timer interrupt$")


def interleaving(args, extra=()):
    test = "timer_lines_never_split_main_lines"
    esp = qemu.esp_with(test_loader(args), f"ktest.only={test}")
    with qemu.Boot(args.ovmf_code, args.ovmf_vars, esp_dir=esp, extra=extra, timeout=150) as b:
        code = b.wait_exit(140)
        lines = list(b.lines)
    if code != 33:
        return False, f"QEMU exit {qemu.qemu_exit_name(code)}; last: {' | '.join(lines[-3:])}"
    try:
        start = lines.index("interleave: begin")
        end = next(i for i, l in enumerate(lines) if l.startswith("interleave: end"))
    except (ValueError, StopIteration):
        return False, "markers missing on serial"
    mains, ticks = [], []
    for line in lines[start + 1:end]:
        m, t = MAIN_LINE.match(line), TICK_LINE.match(line)
        if m:
            mains.append(int(m.group(1)))
        elif t:
            ticks.append(int(t.group(1)))
        else:
            return False, f"split or foreign line on serial: {line!r}"
    if len(mains) < 200 or mains != list(range(len(mains))):
        return False, f"main lines out of order or missing: got {len(mains)}"
    if len(ticks) < 10 or ticks != list(range(ticks[0], ticks[0] + len(ticks))):
        return False, f"tick lines missing or out of order: {ticks[:10]}"
    interleaved = sum(1 for i in range(start + 1, end - 1)
                      if TICK_LINE.match(lines[i]) and MAIN_LINE.match(lines[i + 1]))
    if interleaved < 3:
        return False, f"tick lines did not fall between main lines ({interleaved})"
    return True, f"{len(ticks)} tick lines among {len(mains)} main lines"


scenario("kernel/irq/timer_lines_never_split_main_lines")(interleaving)
scenario("kernel/irq/timer_lines_never_split_main_lines_on_serial_only")(
    lambda args: interleaving(args, extra=("-vga", "none")))

# Under -icount the guest's clocks advance with the instructions it executes,
# so a loaded host cannot make a tick late: the rate is measured exactly.
ICOUNT = ("-icount", "shift=auto")

for _hz in (100, 250, 1000, 4000):
    scenario(f"kernel/irq/timer_rate_at_{_hz}_hz_under_icount")(ktest_boot(
        "timer_ticks_advance_at_the_programmed_rate", cmdline=f"timer.hz={_hz}",
        extra=ICOUNT, texts=[f"clock: tick {_hz} Hz", "(sample 1)"]))

scenario("kernel/irq/timer_hz_out_of_range_falls_back_to_1000")(ktest_boot(
    "timer_ticks_advance_at_the_programmed_rate", cmdline="timer.hz=5", extra=ICOUNT,
    texts=["timer.hz=5 is out of range, using 1000", "clock: tick 1000 Hz"]))

scenario("kernel/irq/tsc_calibrated_against_the_pit")(ktest_boot(
    "clock_calibrates_the_tsc_against_the_pit", cmdline="clock.calibrate clock.ref=pit",
    texts=["(PIT)"]))


@scenario("kernel/irq/serial_ring_overflow_counts_drops")
def serial_overflow(args):
    test = "serial_ring_overflow_counts_drops"
    sent = 600
    esp = qemu.esp_with(test_loader(args), f"ktest.only={test}")
    with qemu.Boot(args.ovmf_code, args.ovmf_vars, esp_dir=esp, timeout=120) as b:
        if not b.wait_for("serial-overflow: ready", 90):
            return False, "the test never got ready; last: " + " | ".join(b.lines[-3:])
        b.serial_write(bytes(ord("a") + i % 26 for i in range(sent)))
        code = b.wait_exit(60)
        log = "\n".join(b.lines)
    want = f"serial-overflow: received {sent}, waiting 256, dropped {sent - 256}"
    if want not in log:
        got = [l for l in log.splitlines() if l.startswith("serial-overflow: received")]
        return False, f"expected {want!r}, got {got!r}"
    if code != 33:
        return False, f"QEMU exit {qemu.qemu_exit_name(code)}"
    return True, ""


scenario("kernel/irq/boots_without_keyboard_controller")(ktest_boot(
    "boots_without_keyboard_controller", extra=("-machine", "q35,i8042=off"),
    texts=["ps2: no keyboard controller", "input: keyboard layout us"]))
