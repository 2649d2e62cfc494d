"""Crash boots and integration boots of CPU exception handling.

Each crash boot runs one KTEST_SHOULD_PANIC test of test/kernel/exception_tests.c:
QEMU must exit with 33 (the expected panic), and the serial log must hold the
exception's report (name, decoded error code, registers, a backtrace naming the
function that faulted) before the panic, whose message starts with the name.
Addresses the report must contain (CR2 of a write to kernel text, ...) are taken
from the test kernel's own symbols with nm.
"""
import os
import re
import subprocess

import qemu
from scenarios import scenario, test_loader

KERNEL_STACK_TOP = 0xffffff0000000000
KERNEL_STACK_SIZE = 64 * 1024
PAGE = 4096
IST_STACK_SIZE = 16 * 1024
HEX = r"0x([0-9a-f]+)"
ANSI = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]")


def nm_address(args, symbol):
    out = subprocess.run(["nm", os.path.join(args.build, "test-kernel.elf")],
                         check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[2] == symbol:
            return int(f[0], 16)
    raise RuntimeError(f"{symbol} not in test-kernel.elf")


def boot(args, test, on_line=None, timeout=120):
    esp = qemu.esp_with(test_loader(args), f"ktest.only={test}")
    with qemu.Boot(args.ovmf_code, args.ovmf_vars, esp_dir=esp, timeout=timeout) as b:
        if on_line:
            on_line(b)
        code = b.wait_exit(timeout)
        return code, ANSI.sub("", "\n".join(b.lines))


def backtrace_names(log):
    """Function names of the first report's backtrace, in order."""
    names, inside = [], False
    for line in log.splitlines():
        if line.strip() == "backtrace:":
            inside = True
        elif inside and "frames skipped" in line:
            names.append("...")
        elif inside:
            m = re.match(r"^\s+#\d+\s+0x[0-9a-f]{16}\s+(\S+?)(\+0x[0-9a-f]+)?$", line)
            if not m:
                break
            names.append(m.group(1))
    return names


def check_crash(log, code, test, texts, first_frame, extra=None):
    """(ok, detail) of one crash boot's outcome."""
    if code != 33:
        last = [l for l in log.splitlines() if l.strip()][-3:]
        return False, f"QEMU exit {qemu.qemu_exit_name(code)}, expected 33; last: {' | '.join(last)}"
    for t in [*texts, f"ktest: pass {test} (panicked as expected)"]:
        if t not in log:
            return False, f"serial lacks {t!r}"
    report, panic = log.find("EXCEPTION: "), log.find("KERNEL PANIC")
    if not 0 <= report < panic:
        return False, "no exception report before the panic"
    names = backtrace_names(log)
    if not names or names[0] != first_frame:
        return False, f"backtrace starts {names[:3]!r}, expected {first_frame!r} first"
    caller = f"ktest_fn_{test}"
    if caller not in names:
        return False, f"backtrace {names[:6]!r} lacks {caller!r}"
    if extra:
        return extra(log)
    return True, ""


def crash(test, texts, first_frame=None, extra=None):
    def fn(args):
        code, log = boot(args, test)
        more = (lambda l: extra(args, l)) if extra else None
        return check_crash(log, code, test, texts, first_frame or f"ktest_fn_{test}", more)
    return fn


def value(log, pattern):
    m = re.search(pattern, log, re.M)
    if not m:
        raise RuntimeError(f"serial lacks /{pattern}/")
    return [int(g, 16) for g in m.groups()]


def ist1_and_overflow(args, log):
    here, lo, hi = value(log, rf"double fault handler: frame {HEX} is on its IST1 stack \[{HEX}, {HEX}\)")
    want_hi = KERNEL_STACK_TOP - KERNEL_STACK_SIZE - PAGE
    if not (lo <= here < hi and hi == want_hi and hi - lo == IST_STACK_SIZE):
        return False, f"handler frame {here:#x} / IST1 [{lo:#x}, {hi:#x}) not as laid out"
    (rsp,) = value(log, rf"^\s+CS .* RSP {HEX} ")
    bottom = KERNEL_STACK_TOP - KERNEL_STACK_SIZE
    if not bottom - PAGE <= rsp <= bottom + 512:
        return False, f"interrupted RSP {rsp:#x} is not at the boot stack's guard page"
    return True, ""


def cr2_is(symbol):
    def check(args, log):
        (cr2,) = value(log, rf"^\s+CR2 {HEX} ")
        want = nm_address(args, symbol)
        return (cr2 == want, "" if cr2 == want else f"CR2 {cr2:#x}, expected {symbol} at {want:#x}")
    return check


def cr2_on_boot_stack(args, log):
    (cr2,) = value(log, rf"^\s+CR2 {HEX} ")
    (rip,) = value(log, rf"^\s+RIP {HEX} ")
    ok = KERNEL_STACK_TOP - KERNEL_STACK_SIZE <= cr2 < KERNEL_STACK_TOP and cr2 == rip
    return ok, "" if ok else f"CR2 {cr2:#x} / RIP {rip:#x} not the same boot-stack address"


scenario("kernel/exceptions/stack_overflow_double_faults_on_ist1")(crash(
    "exception_stack_overflow_ends_in_double_fault",
    ["EXCEPTION: double fault (#DF, vector 8)", "error code 0",
     "kernel stack overflow: CR2 0x", "is in the guard page below the boot stack",
     "double fault after a kernel stack overflow in stack_overflow_recurse+0x"],
    first_frame="stack_overflow_recurse", extra=ist1_and_overflow))

scenario("kernel/exceptions/null_read_page_faults_not_present")(crash(
    "exception_null_read_page_faults",
    ["EXCEPTION: page fault (#PF, vector 14)",
     "error code 0: not present, read, kernel mode", "CR2 0x0000000000000000",
     "    page fault at 0x0 (read, not present) in ktest_fn_exception_null_read_page_faults+0x"]))

scenario("kernel/exceptions/write_to_kernel_text_is_a_protection_violation")(crash(
    "exception_write_to_kernel_text_page_faults",
    ["EXCEPTION: page fault (#PF, vector 14)",
     "error code 0x3: protection violation, write, kernel mode",
     "(write, protection violation) in ktest_fn_exception_write_to_kernel_text_page_faults+0x"],
    extra=cr2_is("text_write_target")))

scenario("kernel/exceptions/execute_from_stack_is_an_instruction_fetch_fault")(crash(
    "exception_execute_from_stack_page_faults",
    ["EXCEPTION: page fault (#PF, vector 14)",
     "error code 0x11: protection violation, instruction fetch, kernel mode",
     "code at RIP: (not mapped executable)",
     "(instruction fetch, protection violation) in ??"],
    first_frame="??", extra=cr2_on_boot_stack))

scenario("kernel/exceptions/execute_from_data_is_an_instruction_fetch_fault")(crash(
    "exception_execute_from_data_page_faults",
    ["EXCEPTION: page fault (#PF, vector 14)",
     "error code 0x11: protection violation, instruction fetch, kernel mode",
     "(instruction fetch, protection violation) in ??"],
    first_frame="??", extra=cr2_is("data_page_code")))

scenario("kernel/exceptions/divide_by_zero_is_a_divide_error")(crash(
    "exception_divide_error",
    ["EXCEPTION: divide error (#DE, vector 0)",
     "    divide error in ktest_fn_exception_divide_error+0x"]))

scenario("kernel/exceptions/ud2_is_an_invalid_opcode")(crash(
    "exception_invalid_opcode",
    ["EXCEPTION: invalid opcode (#UD, vector 6)", "code at RIP: 0f 0b",
     "    invalid opcode in ktest_fn_exception_invalid_opcode+0x"]))

scenario("kernel/exceptions/non_canonical_read_is_a_general_protection_fault")(crash(
    "exception_non_canonical_access_general_protection",
    ["EXCEPTION: general protection fault (#GP, vector 13)",
     "error code 0: no selector involved",
     "    general protection fault (error code 0: no selector involved) in "
     "ktest_fn_exception_non_canonical_access_general_protection+0x"]))


@scenario("kernel/exceptions/nmi_runs_on_ist2_and_resumes")
def nmi_resumes(args):
    def inject(b):
        if not b.wait_for("nmi: waiting", 90):
            raise RuntimeError("the test never got ready for the NMI")
        b.qmp("inject-nmi")
    code, log = boot(args, "nmi_is_reported_on_its_ist_stack_and_resumes", on_line=inject)
    if code != 33:
        last = [l for l in log.splitlines() if l.strip()][-3:]
        return False, f"QEMU exit {qemu.qemu_exit_name(code)}, expected 33; last: {' | '.join(last)}"
    for t in ("EXCEPTION: non-maskable interrupt (vector 2)", "NMI: port 0x61 = 0x",
              "nmi: handled on IST2, resumed",
              "ktest: pass nmi_is_reported_on_its_ist_stack_and_resumes"):
        if t not in log:
            return False, f"serial lacks {t!r}"
    return True, ""
