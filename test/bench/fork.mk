# Copy-on-write fork against the eager full copy (fork.cow=0), both measured
# in this run: fork + exit + wait4 of a process with 8 MiB touched, in guest
# instructions under -icount shift=0 (test/bench/fork_bench.py, docs/proc.md).

BENCH_TARGETS += bench-fork

.PHONY: bench-fork
bench-fork: $(LOADER) user-programs ## fork of an 8 MiB process: copy-on-write vs full copy, in the guest
	@$(PYTHON) test/bench/fork_bench.py --build $(BUILD)
