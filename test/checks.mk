# Build-time checks that GCC cannot do (each a stamp the artefacts wait for):
#  - test/check_formats.py: no printf directive lib/format.c cannot honour
#    (floating point, %n, %m, wide, positional) in the loader, kernel or
#    in-kernel tests; GCC's -Werror=format checks the argument types.
#  - test/check_no_sse.py: no SSE/x87 instruction reachable in the loader
#    (U-Boot's UEFI leaves SSE off).
#  - test/check_pe_sections.py: no writable loader section that objcopy would
#    leave out of the PE (an orphan .bss.x would be written past the image).
# (LOADER and TLOADER are defined after this file is included: paths spelled out.)

FORMAT_CHECK_SRCS := $(filter %.c,$(KERNEL_SRCS) $(KTEST_SRCS) $(EFI_SRCS)) \
	$(wildcard kernel/*.h kernel/*/*.h arch/x86_64/*.h lib/*.h efi/*.h)

$(BUILD)/check/formats.ok: $(FORMAT_CHECK_SRCS) test/check_formats.py
	$(PYTHON) test/check_formats.py $(FORMAT_CHECK_SRCS)
	@mkdir -p $(@D) && touch $@

$(BUILD)/check/no-sse-%.ok: $(BUILD)/loader-%.so test/check_no_sse.py
	$(PYTHON) test/check_no_sse.py --objdump $(subst objcopy,objdump,$(OBJCOPY)) $<
	@mkdir -p $(@D) && touch $@

$(BUILD)/check/pe-%.ok: $(BUILD)/loader-%.so test/check_pe_sections.py
	$(PYTHON) test/check_pe_sections.py --readelf $(subst objcopy,readelf,$(OBJCOPY)) $<
	@mkdir -p $(@D) && touch $@

$(BUILD)/kernel.elf $(BUILD)/test-kernel.elf: | $(BUILD)/check/formats.ok
$(BUILD)/loader-kernel.so $(BUILD)/loader-test-kernel.so: | $(BUILD)/check/formats.ok
$(BUILD)/esp/EFI/BOOT/BOOTX64.EFI: | $(BUILD)/check/no-sse-kernel.ok $(BUILD)/check/pe-kernel.ok
$(BUILD)/test/esp/EFI/BOOT/BOOTX64.EFI: | $(BUILD)/check/no-sse-test-kernel.ok $(BUILD)/check/pe-test-kernel.ok
