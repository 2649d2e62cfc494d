# User-space benchmark: null system call, process switch, fork, execve, in
# guest instructions under -icount shift=0 (test/bench/user_bench.py, docs/proc.md).

BENCH_TARGETS += bench-user

.PHONY: bench-user
bench-user: $(LOADER) $(USER_PROGS) $(TEST_USER_PROGS) ## user-space figures in the guest: syscall, switch, fork, exec
	@$(PYTHON) test/bench/user_bench.py --build $(BUILD)
