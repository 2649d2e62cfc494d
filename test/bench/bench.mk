# Heap benchmark: the three designs and glibc replay the standard allocation
# traces under callgrind (see test/bench/heap_bench.py and docs/memory.md).
# Host -O2 build of the pure heap sources, no sanitizers, symbols kept.

BENCH_TRACES ?= test/bench/traces
BENCH_HEAP_SRCS := test/bench/heap_replay.c kernel/mm/heap.c kernel/mm/heap_bump.c \
	kernel/mm/heap_tree.c kernel/mm/heap_list.c kernel/mm/heap_block.c
BENCH_HEAP_CFLAGS := -std=gnu11 -O2 -g $(WARN) -I. -DEMBER_HOST

BENCH_TARGETS += bench-heap

$(BUILD)/bench/heap_replay: $(BENCH_HEAP_SRCS) $(wildcard kernel/mm/heap.h lib/*.h) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(BENCH_HEAP_CFLAGS) $(BENCH_HEAP_SRCS) -o $@

.PHONY: bench-heap
bench-heap: $(BUILD)/bench/heap_replay ## heap designs vs glibc on the allocation traces (callgrind)
	@$(PYTHON) test/bench/heap_bench.py --replay $(BUILD)/bench/heap_replay \
		--traces $(BENCH_TRACES)
