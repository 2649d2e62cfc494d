# Fuzz targets: test/fuzz/fuzz_X.c defines libFuzzer's LLVMFuzzerTestOneInput
# and is built with clang, libFuzzer, AddressSanitizer and UBSan into
# build/fuzz/bin/fuzz_X, linked with lib/ and the sources fuzz_X_SRCS names below.
# Adding a target is one file and one line here. Seed corpora live in
# test/fuzz/corpus/X/ (written by gen_corpus.py); `make test` replays each
# one (test/run.py, level fuzz), `make fuzz` searches for new inputs.

FUZZ_CC      ?= clang-14
FUZZ_SECONDS ?= 30
FUZZ         ?=
FUZZ_CFLAGS  := -std=gnu11 -O1 -g $(WARN) -I. -MMD -MP -DEMBER_HOST \
	-fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined
FUZZ_LDFLAGS := -fsanitize=fuzzer,address,undefined
FLAG_SETS    += fuzz-c
flags_fuzz-c  = $(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_LDFLAGS)

# Every target links all of lib/ (as the host tests do) and the kernel sources
# fuzz_X_SRCS names: one line per target that needs any (and fuzz_X_LDLIBS, for a
# reference library linked into that target only).
fuzz_console_SRCS  := kernel/console/console.c kernel/console/fbcon.c
fuzz_ansi_in_SRCS  := kernel/input/ansi_in.c kernel/input/kbd.c kernel/input/kbd_layouts.c
fuzz_kbd_SRCS      := kernel/input/kbd.c kernel/input/kbd_layouts.c
fuzz_lineedit_SRCS := kernel/input/lineedit.c kernel/console/console.c kernel/console/fbcon.c
fuzz_heap_SRCS     := kernel/mm/heap.c kernel/mm/heap_bump.c kernel/mm/heap_tree.c \
	kernel/mm/heap_list.c kernel/mm/heap_block.c
fuzz_acpi_SRCS     := kernel/acpi/acpi_parse.c kernel/acpi/acpi_s5.c
fuzz_usb_desc_SRCS := kernel/drivers/usb_desc.c
fuzz_hid_kbd_SRCS  := kernel/input/hid_kbd.c
fuzz_user_elf_SRCS := kernel/proc/uelf.c
fuzz_sigframe_SRCS := kernel/proc/sigframe.c

FUZZ_TARGET_SRCS := $(wildcard test/fuzz/fuzz_*.c)
FUZZ_NAMES := $(patsubst test/fuzz/fuzz_%.c,%,$(FUZZ_TARGET_SRCS))
FUZZ_BINS  := $(patsubst %,$(BUILD)/fuzz/bin/fuzz_%,$(FUZZ_NAMES))

# Clang from Debian brings libFuzzer (libclang-rt-14-dev); the key tools are for make sign.
DEBIAN_PACKAGES += clang-14 libclang-rt-14-dev libfuzzer-14-dev
$(DEPS_STAMP): test/fuzz/fuzz.mk

.PHONY: fuzz fuzz-build fuzz-corpus
fuzz-build: $(FUZZ_BINS) # build every fuzz target

# The replay in make test needs the binaries.
test test-host: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS) ## run each fuzz target FUZZ_SECONDS (30) s; FUZZ=name for one; finds go to build/fuzz/
	@for n in $(or $(FUZZ),$(FUZZ_NAMES)); do \
		mkdir -p $(BUILD)/fuzz/corpus/$$n $(BUILD)/fuzz/crashes/$$n; \
		echo "fuzz: $$n for $(FUZZ_SECONDS) s"; \
		$(BUILD)/fuzz/bin/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
			-print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/crashes/$$n/ \
			$(BUILD)/fuzz/corpus/$$n test/fuzz/corpus/$$n 2>$(BUILD)/fuzz/$$n.log \
			|| { tail -40 $(BUILD)/fuzz/$$n.log; echo "fuzz: $$n FAILED, input in $(BUILD)/fuzz/crashes/$$n/"; exit 1; }; \
		awk -v n=$$n '/^stat::number_of_executed_units/ {r=$$2} /^stat::new_units_added/ {u=$$2} \
			END {print "fuzz: " n ": " r " runs, " u " new inputs, no failure"}' $(BUILD)/fuzz/$$n.log; \
	done

fuzz-corpus: # rewrite the seed corpora in test/fuzz/corpus/
	$(PYTHON) test/fuzz/gen_corpus.py test/fuzz/corpus

$(BUILD)/fuzz/%.o: %.c $(call FLAGS,fuzz-c) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

define fuzz_rule
$(BUILD)/fuzz/bin/fuzz_$(1): $(call obj,fuzz,test/fuzz/fuzz_$(1).c $(LIB_HOST_SRCS) $(fuzz_$(1)_SRCS)) \
		$(call FLAGS,fuzz-c)
	@mkdir -p $$(@D)
	$$(FUZZ_CC) $$(filter %.o,$$^) -o $$@ $$(FUZZ_LDFLAGS) $$(fuzz_$(1)_LDLIBS)
endef
$(foreach n,$(FUZZ_NAMES),$(eval $(call fuzz_rule,$(n))))
