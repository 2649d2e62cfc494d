# test_inflate reads reference compressions of the fonts and the stripped
# kernel (build/inflate/, written by gen_inflate_cases.py with Python's zlib)
# and the loader's own build/gz/kernel.elf.gz (gzip -9n).
INFLATE_CASE_SRCS := $(FONTS) $(BUILD)/strip/kernel.elf

$(BUILD)/inflate/.stamp: test/host/lib/gen_inflate_cases.py $(INFLATE_CASE_SRCS)
	$(PYTHON) $< $(@D) $(INFLATE_CASE_SRCS)
	@touch $@

$(BUILD)/host/bin/test_inflate: $(BUILD)/inflate/.stamp $(BUILD)/gz/kernel.elf.gz
