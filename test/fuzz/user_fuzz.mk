# Fuzz targets of the user-space work (file-tree archive, user ELF loader):
# build/fuzz/fuzz_X from test/fuzz/fuzz_X.c with clang's libFuzzer. `make
# fuzz-user` runs each for FUZZ_SECONDS; `make test` replays the corpora
# (test/fuzz/corpus/X/) through the same binaries.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_FLAGS   := -std=gnu11 -O1 -g -I. -DEMBER_HOST -fsanitize=fuzzer,address,undefined
USER_FUZZ    := filetree user_elf

.PHONY: fuzz-user
fuzz-user: $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(USER_FUZZ)) ## run the user-space fuzz targets for FUZZ_SECONDS each
	@for f in $(USER_FUZZ); do mkdir -p $(BUILD)/fuzz/corpus-$$f; \
		$(BUILD)/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) $(BUILD)/fuzz/corpus-$$f \
			test/fuzz/corpus/$$f || exit 1; done

# Each target with the portable sources it tests (lib/string.c stays out: the host libc has its own).
$(BUILD)/fuzz/fuzz_filetree: test/fuzz/fuzz_filetree.c lib/filetree.c lib/errno.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $^ -o $@

$(BUILD)/fuzz/fuzz_user_elf: test/fuzz/fuzz_user_elf.c kernel/proc/uelf.c lib/elf.c lib/errno.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $^ -o $@
