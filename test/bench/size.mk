# Image size: BOOTX64.EFI (loader + gzip-compressed stripped kernel + both fonts)
# against the 256 KiB budget of issue 9 (docs/performance.md), and what the
# compression costs: callgrind's instruction count for inflating the real
# kernel blob with lib/inflate.c built as the loader builds it. Fails when over
# budget.

BENCH_TARGETS += bench-size

# The loader's code generation (EFI_CFLAGS less the UEFI headers), as a host program.
BENCH_INFLATE_CFLAGS := -std=gnu11 $(LOADER_OPT) -g $(WARN) -I. -DEMBER_HOST -mgeneral-regs-only \
	-fno-strict-aliasing

$(BUILD)/bench/inflate_bench: test/bench/inflate_bench.c lib/inflate.c lib/inflate.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(BENCH_INFLATE_CFLAGS) test/bench/inflate_bench.c lib/inflate.c -o $@

.PHONY: bench-size
bench-size: $(BUILD)/esp/EFI/BOOT/BOOTX64.EFI $(BUILD)/strip/kernel.elf $(BUILD)/gz/kernel.elf.gz \
		$(BUILD)/loader-kernel.so $(BUILD)/bench/inflate_bench $(FONTS) ## BOOTX64.EFI size against its 256 KiB budget; inflate cost (callgrind)
	@$(PYTHON) test/bench/image_size.py --efi $(BUILD)/esp/EFI/BOOT/BOOTX64.EFI \
		--kernel $(BUILD)/strip/kernel.elf --gz $(BUILD)/gz/kernel.elf.gz \
		--full $(BUILD)/kernel.elf --loader-so $(BUILD)/loader-kernel.so \
		--inflate-bench $(BUILD)/bench/inflate_bench $(addprefix --font ,$(FONTS))
