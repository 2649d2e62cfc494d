# User programs, built with Debian's musl toolchain (musl-tools: musl-gcc
# -static) into static x86_64 Linux executables:
#   esp/user/X.c   -> build/esp/ember/bin/X   (shipped: copied into the image's ember/bin/)
#   test/user/X.c  -> build/test/user/X       (test-only: the scenarios put them on a temporary ESP)
USER_CC     ?= musl-gcc
USER_CFLAGS := -static -O2 -g0 -Wall -Wextra -fno-pie -no-pie
USER_PROGS  := $(patsubst esp/user/%.c,$(BUILD)/esp/ember/bin/%,$(wildcard esp/user/*.c))
TEST_USER_PROGS := $(patsubst test/user/%.c,$(BUILD)/test/user/%,$(wildcard test/user/*.c))

.PHONY: user-programs
user-programs: $(USER_PROGS) $(TEST_USER_PROGS) ## build the musl user programs

$(BUILD)/esp/ember/bin/%: esp/user/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(USER_CC) $(USER_CFLAGS) $< -o $@

$(BUILD)/test/user/%: test/user/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(USER_CC) $(USER_CFLAGS) $< -o $@

all: $(USER_PROGS)
test: $(USER_PROGS) $(TEST_USER_PROGS)
$(IMAGE): $(USER_PROGS)
include esp/user/pie.mk
include esp/user/busybox.mk
