# Image size: BOOTX64.EFI (loader + stripped kernel + both fonts) against the
# 256 KiB budget of issue 9 (docs/performance.md). Fails when over budget.

BENCH_TARGETS += bench-size

.PHONY: bench-size
bench-size: $(BUILD)/esp/EFI/BOOT/BOOTX64.EFI $(BUILD)/strip/kernel.elf $(FONTS) ## BOOTX64.EFI size against its 256 KiB budget
	@$(PYTHON) test/bench/image_size.py --efi $(BUILD)/esp/EFI/BOOT/BOOTX64.EFI --kernel $(BUILD)/strip/kernel.elf \
		--full $(BUILD)/kernel.elf $(addprefix --font ,$(FONTS))
