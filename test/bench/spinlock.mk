# Spinlock benchmark: instructions of an uncontended acquire + release under
# callgrind (test/bench/spinlock_bench.py, docs/smp.md). Host -O2 build of
# kernel/smp/spinlock.c with interrupt-flag stand-ins of the kernel's size.

BENCH_SPINLOCK_SRCS := test/bench/spinlock_bench.c kernel/smp/spinlock.c
BENCH_SPINLOCK_CFLAGS := -std=gnu11 -O2 -g $(WARN) -I. -DEMBER_HOST

BENCH_TARGETS += bench-spinlock

$(BUILD)/bench/spinlock_bench: $(BENCH_SPINLOCK_SRCS) $(wildcard kernel/smp/*.h lib/*.h) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(BENCH_SPINLOCK_CFLAGS) $(BENCH_SPINLOCK_SRCS) -o $@

.PHONY: bench-spinlock
bench-spinlock: $(BUILD)/bench/spinlock_bench ## spinlock: instructions per uncontended acquire+release (callgrind)
	@$(PYTHON) test/bench/spinlock_bench.py --bench $(BUILD)/bench/spinlock_bench
