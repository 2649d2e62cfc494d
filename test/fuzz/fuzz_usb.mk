# Fuzz targets (libFuzzer, clang): test/fuzz/fuzz_X.c with the kernel sources
# listed in fuzz_X_SRCS, seed corpus test/fuzz/corpus/X/. `make fuzz-usb`
# (part of `make fuzz`) runs each for FUZZ_SECONDS; `make fuzz-usb-replay` replays
# the seed corpora only.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_USB_FLAGS := -std=gnu11 -g -O1 -I. -DEMBER_HOST -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined

fuzz_usb_desc_SRCS := kernel/drivers/usb_desc.c lib/errno.c
fuzz_hid_kbd_SRCS  := kernel/input/hid_kbd.c

FUZZ_USB_TARGETS := usb_desc hid_kbd

define fuzz_usb_rule
$(BUILD)/fuzz/fuzz_$(1): test/fuzz/fuzz_$(1).c $$(fuzz_$(1)_SRCS)
	@mkdir -p $$(@D)
	$$(FUZZ_CC) $$(FUZZ_USB_FLAGS) $$^ -o $$@
endef
$(foreach t,$(FUZZ_USB_TARGETS),$(eval $(call fuzz_usb_rule,$(t))))

.PHONY: fuzz fuzz-usb fuzz-usb-replay
fuzz: fuzz-usb

fuzz-usb: $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_USB_TARGETS)) ## run every fuzz target for FUZZ_SECONDS
	@for t in $(FUZZ_USB_TARGETS); do mkdir -p $(BUILD)/fuzz/corpus-$$t; \
		$(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=512 \
			$(BUILD)/fuzz/corpus-$$t test/fuzz/corpus/$$t || exit 1; done

fuzz-usb-replay: $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_USB_TARGETS)) ## replay the seed corpora
	@for t in $(FUZZ_USB_TARGETS); do $(BUILD)/fuzz/fuzz_$$t -runs=0 test/fuzz/corpus/$$t || exit 1; done
