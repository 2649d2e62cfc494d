"""Boots of the memory subsystems: frames, paging, the kernel heap.

Crash boots end in an expected panic (exit 33 through KTEST_SHOULD_PANIC) with
the message on serial; the heap design boots run test/kernel/mm/kmalloc_tests.c's
heap_design_suite (the blog's heap tests and more) once per allocator design,
chosen on the kernel command line, with and without heap.debug=1.
"""
from scenarios import scenario, ktest_boot

SCRATCH_GB7 = "0xffffd003c0000000"   # memory_tests.c: SCRATCH + 7 GiB

scenario("kernel/memory/pmm_double_free_panics")(ktest_boot(
    "pmm_double_free_panics", texts=["pmm: double free of frame 0x", "panicked as expected"]))
scenario("kernel/memory/write_to_read_only_page_faults")(ktest_boot(
    "write_to_read_only_page_faults",
    texts=[f"page fault at {SCRATCH_GB7}", "write", "protection violation",
           "panicked as expected"]))
# Two million frames take a while under TCG, longer on a busy host: these boots
# give the in-kernel watchdog (ktest.timeout, 30 s by default) and the host's
# deadline room, so only a real hang fails them.
BIG = dict(memory="8G", cmdline="ktest.timeout=300", timeout=420)
scenario("kernel/memory/every_frame_once_with_8_GiB", cost=60)(ktest_boot(
    "pmm_hands_out_every_free_frame_once_and_gets_them_all_back", **BIG))
scenario("kernel/memory/paging_verify_with_8_GiB")(ktest_boot(
    "paging_verify_finds_the_tables_sound", **BIG))
scenario("kernel/memory/every_frame_once_with_64_MiB")(ktest_boot(
    "pmm_hands_out_every_free_frame_once_and_gets_them_all_back", memory="64M"))

for _design in ("bump", "list", "block"):
    scenario(f"kernel/memory/heap_{_design}_design")(ktest_boot(
        "heap_design_suite", cmdline=f"heap={_design} heap.max=4M",
        texts=[f"heap: {_design} design at 0xffffc00000000000",
               f"heap_design_suite: {_design} design, window"]))
    scenario(f"kernel/memory/heap_{_design}_design_debug_mode")(ktest_boot(
        "heap_design_suite", cmdline=f"heap={_design} heap.max=4M heap.debug=1",
        texts=["debug mode", f"heap_design_suite: {_design} design"]))
    scenario(f"kernel/memory/heap_{_design}_debug_double_free_panics")(ktest_boot(
        "heap_double_free_panics", cmdline=f"heap={_design} heap.debug=1",
        texts=["heap: double free of 0xffffc", f"({_design} heap)", "panicked as expected"]))

scenario("kernel/memory/heap_debug_overrun_panics")(ktest_boot(
    "heap_overrun_panics", cmdline="heap.debug=1",
    texts=["heap: overrun of 0xffffc", "(block heap)", "panicked as expected"]))
scenario("kernel/memory/heap_max_from_command_line")(ktest_boot(
    "heap_limit_comes_from_the_command_line", cmdline="heap.max=1M",
    texts=["grows to 1 MiB"]))
scenario("kernel/memory/unknown_heap_design_falls_back_to_block")(ktest_boot(
    "basic_boot", cmdline="heap=buddy heap.max=12x",
    texts=['heap: unknown design "buddy", using block', "heap: ignoring heap.max=12x",
           "heap: block design", "grows to 64 MiB"]))
