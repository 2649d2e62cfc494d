# Console benchmark: Ember's framebuffer console against a naive full-redraw
# console on a 1920x1080 32-bpp memory framebuffer with the Terminus fonts,
# under callgrind (test/bench/console_bench.py, docs/console.md).
# The console's sources are built -O2 with the kernel's code generation
# (general registers only: no SSE), the harness as an ordinary host program.

BENCH_CONSOLE_KSRCS := kernel/console/console.c kernel/console/fbcon.c lib/psf.c \
	lib/utf8.c lib/cmdline.c lib/errno.c
BENCH_CONSOLE_KFLAGS := -std=gnu11 -O2 -g $(WARN) -I. -DEMBER_HOST -mgeneral-regs-only
BENCH_CONSOLE_OBJS := $(patsubst %.c,$(BUILD)/bench/console/%.o,$(BENCH_CONSOLE_KSRCS))

BENCH_TARGETS += bench-console

$(BUILD)/bench/console/%.o: %.c $(wildcard kernel/console/*.h lib/*.h) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CONSOLE_KFLAGS) -c $< -o $@

$(BUILD)/bench/console_bench: test/bench/console_bench.c $(BENCH_CONSOLE_OBJS)
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g $(WARN) -I. -DEMBER_HOST $^ -o $@

.PHONY: bench-console
bench-console: $(BUILD)/bench/console_bench $(FONTS) ## console: instructions per scrolled line and bulk bytes/s vs a naive full redraw (callgrind)
	@$(PYTHON) test/bench/console_bench.py --bench $(BUILD)/bench/console_bench \
		--fonts $(BUILD)/font
