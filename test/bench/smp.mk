# SMP benchmark: parallel speed-up of CPU-bound tasks (1 CPU vs all, one boot,
# multi-threaded TCG), cross-CPU wake-up and IPI round trip under -icount
# (test/bench/smp_bench.py, docs/smp.md). Boots the test kernel.

BENCH_TARGETS += bench-smp

.PHONY: bench-smp
bench-smp: $(TLOADER) ## every CPU: parallel speed-up, cross-CPU wake-up, IPI round trip (QEMU)
	@$(PYTHON) test/bench/smp_bench.py --loader $(TLOADER) \
		--ovmf-code $(OVMF_CODE) --ovmf-vars $(OVMF_VARS) --runs 2

# The latency boots alone (make bench-smp runs them too): two boots under
# -icount whose figures must be identical.

.PHONY: bench-smp-latency
bench-smp-latency: $(TLOADER) ## every CPU: IPI round trip and cross-CPU wake-up, two boots compared (-icount)
	@$(PYTHON) test/bench/smp_bench.py --loader $(TLOADER) \
		--ovmf-code $(OVMF_CODE) --ovmf-vars $(OVMF_VARS) --latency-only --runs 2
