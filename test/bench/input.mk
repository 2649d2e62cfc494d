# Input latency benchmark: keyboard interrupt to shell echo, in TSC cycles
# measured inside the guest (test/bench/input_latency.py, docs/shell.md).

BENCH_TARGETS += bench-input

.PHONY: bench-input
bench-input: $(BUILD)/ember.img ## keyboard IRQ to shell echo latency in the guest (median, p90)
	@$(PYTHON) test/bench/input_latency.py --image $(BUILD)/ember.img
