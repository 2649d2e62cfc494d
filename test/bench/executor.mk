# Executor benchmark: instructions per wake-and-poll cycle of Ember's executor
# and of a blog-style baseline, under callgrind (test/bench/executor_bench.py,
# docs/async.md). Host -O2 build of the pure executor, no sanitizers. Budget 100:
# the executor every CPU runs (docs/smp.md) pays for its atomics (it was 60 on one CPU).

BENCH_EXECUTOR_SRCS := test/bench/executor_bench.c kernel/async/task.c kernel/async/taskq.c \
	kernel/smp/spinlock.c
BENCH_EXECUTOR_CFLAGS := -std=gnu11 -O2 -g $(WARN) -I. -DEMBER_HOST

BENCH_TARGETS += bench-executor

$(BUILD)/bench/executor_bench: $(BENCH_EXECUTOR_SRCS) $(wildcard kernel/async/task.h kernel/async/taskq.h lib/*.h) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(BENCH_EXECUTOR_CFLAGS) $(BENCH_EXECUTOR_SRCS) -o $@

.PHONY: bench-executor
bench-executor: $(BUILD)/bench/executor_bench ## executor: instructions per wake+poll vs a blog-style baseline (callgrind)
	@$(PYTHON) test/bench/executor_bench.py --bench $(BUILD)/bench/executor_bench --budget 100
