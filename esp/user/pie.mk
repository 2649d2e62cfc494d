# Static-PIE user programs (docs/first-program.md, "Static PIE"): position-
# independent, self-relocating at start (musl's rcrt1.o), no interpreter.
# Debian's musl-gcc specs always start programs with Scrt1.o and ask for the
# dynamic linker, so `musl-gcc -static-pie` alone gives a PT_INTERP program;
# the start files are named here, --no-dynamic-linker drops PT_INTERP and
# -Bstatic links libc.a (without it the program would need libc.so).
#   esp/user/X.c -> build/esp/ember/bin/X-pie   for X in USER_PIE_NAMES
MUSL_LIBDIR    ?= /usr/lib/x86_64-linux-musl
USER_PIE_NAMES := hello
USER_PIE_FLAGS := -static-pie -fPIE -O2 -g0 -Wall -Wextra -nostartfiles -Wl,--no-dynamic-linker \
	-Wl,-Bstatic
USER_PIE_PROGS := $(patsubst %,$(BUILD)/esp/ember/bin/%-pie,$(USER_PIE_NAMES))
USER_PROGS     += $(USER_PIE_PROGS)

$(BUILD)/esp/ember/bin/%-pie: esp/user/%.c esp/user/pie.mk | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(USER_CC) $(USER_PIE_FLAGS) $(MUSL_LIBDIR)/rcrt1.o $(MUSL_LIBDIR)/crti.o \
		$$(gcc -print-file-name=crtbeginS.o) $< $$(gcc -print-file-name=crtendS.o) \
		$(MUSL_LIBDIR)/crtn.o -o $@

all test user-programs $(IMAGE): $(USER_PIE_PROGS)

# Test-only static PIEs: test/user/X.c -> build/test/user/X-pie for X in TEST_USER_PIE_NAMES.
TEST_USER_PIE_NAMES := pieaux
TEST_USER_PIE_PROGS := $(patsubst %,$(BUILD)/test/user/%-pie,$(TEST_USER_PIE_NAMES))
TEST_USER_PROGS     += $(TEST_USER_PIE_PROGS)

$(BUILD)/test/user/%-pie: test/user/%.c esp/user/pie.mk | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(USER_CC) $(USER_PIE_FLAGS) $(MUSL_LIBDIR)/rcrt1.o $(MUSL_LIBDIR)/crti.o \
		$$(gcc -print-file-name=crtbeginS.o) $< $$(gcc -print-file-name=crtendS.o) \
		$(MUSL_LIBDIR)/crtn.o -o $@

test user-programs: $(TEST_USER_PIE_PROGS)
