# Fuzz targets (libFuzzer, clang): test/fuzz/fuzz_X.c with the kernel sources
# listed in fuzz_X_SRCS, seed corpus test/fuzz/corpus/X/. `make fuzz` runs
# each for FUZZ_SECONDS; `make fuzz-replay` only replays the corpora.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_FLAGS   := -std=gnu11 -g -O1 -I. -DEMBER_HOST -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined

fuzz_usb_desc_SRCS := kernel/drivers/usb_desc.c lib/errno.c
fuzz_hid_kbd_SRCS  := kernel/input/hid_kbd.c

FUZZ_TARGETS := usb_desc hid_kbd

define fuzz_rule
$(BUILD)/fuzz/fuzz_$(1): test/fuzz/fuzz_$(1).c $$(fuzz_$(1)_SRCS)
	@mkdir -p $$(@D)
	$$(FUZZ_CC) $$(FUZZ_FLAGS) $$^ -o $$@
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))

.PHONY: fuzz fuzz-replay
fuzz: $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS)) ## run every fuzz target for FUZZ_SECONDS
	@for t in $(FUZZ_TARGETS); do mkdir -p $(BUILD)/fuzz/corpus-$$t; \
		$(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=512 \
			$(BUILD)/fuzz/corpus-$$t test/fuzz/corpus/$$t || exit 1; done

fuzz-replay: $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS)) ## replay the seed corpora
	@for t in $(FUZZ_TARGETS); do $(BUILD)/fuzz/fuzz_$$t -runs=0 test/fuzz/corpus/$$t || exit 1; done
