# Ember: the one build. Loader (gnu-efi), kernel, test kernel, host unit tests, disk image.
#
#   make run     boot Ember in QEMU + OVMF (installs missing Debian packages first)
#   make test    run every test level and print "N passed, N failed"
#   make help    list every target
#
# Objects are mirrored under $(BUILD)/<flavour>/ with -MMD -MP dependency files.
# Source lists are wildcards: a new .c in kernel/ or one of its rooms (kernel/mm/, ...),
# arch/x86_64/, lib/ or test/kernel/ is picked up without touching this file. A host
# unit test test/host/ROOM/test_X.c may list the portable kernel sources it needs in
# test/host/ROOM/test_X.mk as test_X_SRCS; it is built as build/host/bin/test_X.

# ---- overridable settings ------------------------------------------------------------
BUILD        ?= build
CC           ?= gcc
LD           ?= ld
OBJCOPY      ?= objcopy
NM           ?= nm
PYTHON       ?= python3
QEMU         ?= qemu-system-x86_64
QEMU_MEM     ?= 512M
OVMF_CODE    ?= /usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS    ?= /usr/share/OVMF/OVMF_VARS_4M.fd
EFI_INC      ?= /usr/include/efi
EFI_LIB      ?= /usr/lib
FONT_DIR     ?= /usr/share/consolefonts
IMG_SIZE_MIB ?= 64
LOADER_OPT   ?= -Os
RELEASE      := 0.1.0
VERSION      ?= $(RELEASE)+$(shell git describe --always --dirty 2>/dev/null || echo unknown)

ifeq ($(origin CC),default)
CC := gcc
endif

# Debian packages every target may need; `make deps` installs the missing ones.
DEBIAN_PACKAGES := gcc make binutils gzip python3 gnu-efi ovmf qemu-system-x86 \
	mtools dosfstools gdisk console-setup-linux libcmocka-dev valgrind musl-tools \
	u-boot-qemu gdb
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEPS_STAMP := $(BUILD)/.deps-checked

# ---- flag sets -----------------------------------------------------------------------
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
COMMON_CFLAGS := -std=gnu11 -O2 -g $(WARN) -Werror=format -I. -I$(BUILD)/gen -MMD -MP

# The UEFI loader: position independent, MS ABI calls through gnu-efi's wrappers.
# General registers only: some firmware (U-Boot) leaves SSE off (CR4.OSFXSR clear).
# Built small (docs/performance.md, "Image size"): -Os (LOADER_OPT) and hidden
# symbols (nothing is exported: .dynsym shrinks). Not --gc-sections: it drops
# crt0's .reloc and the PE becomes "relocations stripped"; not -fdata-sections:
# gnu-efi's script would leave .bss.x out of the PE (test/check_pe_sections.py).
# -z defs: an undefined symbol is a link error, not a PLT slot that jumps into
# nothing at run time (the loader has no dynamic linker to fill the GOT).
EFI_CFLAGS := $(COMMON_CFLAGS) -ffreestanding -fpic -fshort-wchar -mno-red-zone -mgeneral-regs-only \
	-fno-stack-protector -fno-strict-aliasing -DGNU_EFI_USE_MS_ABI \
	-isystem $(EFI_INC) -isystem $(EFI_INC)/x86_64 -DEMBER_LOADER $(LOADER_OPT) -fvisibility=hidden
EFI_LDFLAGS := -nostdlib -znocombreloc -z noexecstack -z defs -shared -Bsymbolic \
	-T $(EFI_LIB)/elf_x86_64_efi.lds
EFI_SECTIONS := -j .text -j .sdata -j .data -j .rodata -j .dynamic -j .dynsym \
	-j .rel -j .rela -j .rel.* -j .rela.* -j .reloc

# The kernel: freestanding, higher half, no SSE/x87, frame pointers for backtraces.
KERNEL_CFLAGS := $(COMMON_CFLAGS) -ffreestanding -fno-pic -fno-pie -mcmodel=kernel \
	-mno-red-zone -mgeneral-regs-only -mno-sse -mno-mmx -mno-80387 \
	-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-strict-aliasing -DEMBER_KERNEL
KERNEL_ASFLAGS := -I. -I$(BUILD)/font -MMD -MP -DEMBER_KERNEL
KERNEL_LDFLAGS := -nostdlib -static -z max-page-size=4096 -z noexecstack \
	-T arch/x86_64/kernel.ld

# Host unit tests: the same portable sources under AddressSanitizer and UBSan.
HOST_CFLAGS := -std=gnu11 -O1 -g $(WARN) -Werror=format -I. -MMD -MP -DEMBER_HOST \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
HOST_LDLIBS := -fsanitize=address,undefined -lcmocka

# Each flag set is written to $(BUILD)/flags/NAME when it changes, and every object or
# link made with it depends on that file: changing a flag here rebuilds what it affects.
FLAG_SETS := efi-c efi-ld kernel-c kernel-as kernel-ld host-c
flags_efi-c     = $(EFI_CFLAGS)
flags_efi-ld    = $(EFI_LDFLAGS)
flags_kernel-c  = $(KERNEL_CFLAGS)
flags_kernel-as = $(KERNEL_ASFLAGS)
flags_kernel-ld = $(KERNEL_LDFLAGS)
flags_host-c    = $(HOST_CFLAGS) $(HOST_LDLIBS)
FLAGS = $(BUILD)/flags/$(1)

# ---- sources -------------------------------------------------------------------------
LIB_SRCS      := $(wildcard lib/*.c)
LIB_HOST_SRCS := $(filter-out lib/string.c,$(LIB_SRCS))
EFI_SRCS      := $(wildcard efi/*.c) efi/handoff.S arch/x86_64/string.c lib/string.c lib/errno.c lib/elf.c lib/memmap.c \
	lib/format.c lib/cmdline.c lib/filetree.c lib/inflate.c lib/efirt.c
KERNEL_SRCS   := $(wildcard kernel/*.c kernel/*/*.c kernel/*/*.S arch/x86_64/*.c arch/x86_64/*.S) \
	$(LIB_SRCS)
KTEST_SRCS    := $(wildcard test/kernel/*.c test/kernel/*/*.c)
HOST_TEST_SRCS := $(wildcard test/host/*/test_*.c)
HOST_TESTS    := $(foreach s,$(HOST_TEST_SRCS),$(BUILD)/host/bin/$(basename $(notdir $(s))))

# Console fonts (Terminus with Unicode tables), decompressed at build time and
# embedded into the kernel by kernel/console/font_data.S.
FONTS := $(BUILD)/font/terminus16.psf $(BUILD)/font/terminus32.psf

obj = $(patsubst %.S,$(BUILD)/$(1)/%.o,$(patsubst %.c,$(BUILD)/$(1)/%.o,$(2)))
EFI_OBJS    := $(call obj,efi,$(EFI_SRCS))
KERNEL_OBJS := $(call obj,kernel,$(KERNEL_SRCS))
KTEST_OBJS  := $(call obj,kernel,$(KTEST_SRCS))
LIB_HOST_OBJS := $(call obj,host,$(LIB_HOST_SRCS))

-include test/host/*/*.mk
BENCH_TARGETS :=
-include test/bench/*.mk
-include test/fuzz/*.mk
-include test/*.mk test/gdb/*.mk

ESP_FILES := $(shell find esp/ember -type f 2>/dev/null)
LOADER    := $(BUILD)/esp/EFI/BOOT/BOOTX64.EFI
TLOADER   := $(BUILD)/test/esp/EFI/BOOT/BOOTX64.EFI
IMAGE     := $(BUILD)/ember.img
BAD_VARIANTS := magic wx lowhalf truncated
BAD_LOADERS  := $(patsubst %,$(BUILD)/test/bad-%.efi,$(BAD_VARIANTS))
-include efi/*.mk
include esp/user/user.mk

# ---- user-facing targets ---------------------------------------------------------------
.DEFAULT_GOAL := all
.PHONY: all help deps deps-gui run test test-host test-kernel docs bench image clean

all: $(LOADER) $(IMAGE) ## build BOOTX64.EFI (kernel embedded) and the disk image

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  \1\t\2/' | expand -t 16

# $(call install_missing,PACKAGES): apt-get install those not installed yet.
define install_missing
	@missing=""; for p in $(1); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "deps: installing$$missing"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi
endef

deps: ## install the Debian packages the build and tests need (apt-get, sudo if not root)
	$(call install_missing,$(DEBIAN_PACKAGES))
	@mkdir -p $(BUILD) && touch $(DEPS_STAMP)

deps-gui: # QEMU's window (GTK) for make run, only when there is a display
	$(if $(DISPLAY)$(WAYLAND_DISPLAY),$(call install_missing,qemu-system-gui),@:)

$(DEPS_STAMP): Makefile
	@$(MAKE) --no-print-directory deps

image: $(IMAGE) ## build only the GPT disk image build/ember.img

run: all deps-gui ## boot the image in QEMU + OVMF (window if there is a display, else serial here)
	@cp $(OVMF_VARS) $(BUILD)/OVMF_VARS.fd
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then disp=""; else \
		disp="-display none"; echo "run: no display: serial console below, Ctrl-A X quits"; fi; \
	$(QEMU) -machine q35 -accel tcg -m $(QEMU_MEM) -no-reboot $$disp \
		-drive if=pflash,format=raw,readonly=on,file=$(OVMF_CODE) \
		-drive if=pflash,format=raw,file=$(BUILD)/OVMF_VARS.fd \
		-drive format=raw,file=$(IMAGE) -serial mon:stdio -nic none

# TEST_ARGS passes options to test/run.py, e.g. make test TEST_ARGS="--filter signal".
test: $(HOST_TESTS) $(TLOADER) $(IMAGE) $(BAD_LOADERS) ## run host, in-kernel, crash and system tests
	@$(PYTHON) test/run.py --build $(BUILD) --ovmf-code $(OVMF_CODE) --ovmf-vars $(OVMF_VARS) $(TEST_ARGS)

test-host: $(HOST_TESTS) $(BUILD)/kernel.elf $(BUILD)/test-kernel.elf ## run only the host unit tests (and the docs figures check)
	@$(PYTHON) test/run.py --build $(BUILD) --only host

test-kernel: $(TLOADER) ## run only the in-kernel and crash tests in QEMU
	@$(PYTHON) test/run.py --build $(BUILD) --only kernel --ovmf-code $(OVMF_CODE) --ovmf-vars $(OVMF_VARS)

docs: $(BUILD)/kernel.elf $(BUILD)/test-kernel.elf ## rewrite the figures in docs/ that the build produces
	$(PYTHON) test/docs_figures.py --build $(BUILD) --write

bench: $(BENCH_TARGETS) ## benchmarks: callgrind instruction counts and in-guest TSC figures

clean: ## remove build/
	rm -rf $(BUILD)

# ---- the kernel -------------------------------------------------------------------------
# version.h is rewritten only when the version string changes, so a new commit
# rebuilds the banner and nothing else.
$(BUILD)/gen/version.h: FORCE
	@mkdir -p $(@D)
	@echo '#define EMBER_VERSION "$(VERSION)"' > $@.tmp
	@cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@

$(BUILD)/kernel/kernel/console/banner.o: $(BUILD)/gen/version.h
$(BUILD)/kernel/kernel/shell/shell_cmds.o: $(BUILD)/gen/version.h

.PHONY: FORCE
FORCE:

$(addprefix $(BUILD)/flags/,$(FLAG_SETS)): $(BUILD)/flags/%: FORCE
	@mkdir -p $(@D)
	@printf '%s\n' '$(flags_$*)' > $@.tmp
	@cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@

# Each kernel embeds its own symbol table (kernel/ksyms.h), in two links: first
# with an empty table (build/ksyms/X.pre.elf), then with the table generated
# from that link's text symbols. The table is .rodata, after .text, so no
# function moves between the links; gen_ksyms.py --check proves it.
KSYMS_GEN := kernel/gen_ksyms.py

$(BUILD)/ksyms/empty.c: $(KSYMS_GEN)
	@mkdir -p $(@D)
	$(PYTHON) $(KSYMS_GEN) --empty -o $@

$(BUILD)/ksyms/%.c: $(BUILD)/ksyms/%.pre.elf $(KSYMS_GEN)
	$(PYTHON) $(KSYMS_GEN) --nm $(NM) -o $@ $<

$(BUILD)/ksyms/%.o: $(BUILD)/ksyms/%.c $(call FLAGS,kernel-c)
	$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/ksyms/kernel.pre.elf: $(KERNEL_OBJS) $(BUILD)/ksyms/empty.o arch/x86_64/kernel.ld \
		$(call FLAGS,kernel-ld)
	$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/ksyms/empty.o

$(BUILD)/ksyms/test-kernel.pre.elf: $(KERNEL_OBJS) $(KTEST_OBJS) $(BUILD)/ksyms/empty.o arch/x86_64/kernel.ld \
		$(call FLAGS,kernel-ld)
	$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(KTEST_OBJS) $(BUILD)/ksyms/empty.o

$(BUILD)/kernel.elf: $(KERNEL_OBJS) $(BUILD)/ksyms/kernel.o arch/x86_64/kernel.ld \
		$(call FLAGS,kernel-ld)
	$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/ksyms/kernel.o
	$(PYTHON) $(KSYMS_GEN) --nm $(NM) --check $(BUILD)/ksyms/kernel.pre.elf $@

$(BUILD)/test-kernel.elf: $(KERNEL_OBJS) $(KTEST_OBJS) $(BUILD)/ksyms/test-kernel.o arch/x86_64/kernel.ld \
		$(call FLAGS,kernel-ld)
	$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(KTEST_OBJS) $(BUILD)/ksyms/test-kernel.o
	$(PYTHON) $(KSYMS_GEN) --nm $(NM) --check $(BUILD)/ksyms/test-kernel.pre.elf $@

$(BUILD)/kernel/%.o: %.c $(call FLAGS,kernel-c) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/kernel/%.o: %.S $(call FLAGS,kernel-as) | $(DEPS_STAMP) $(FONTS)
	@mkdir -p $(@D)
	$(CC) $(KERNEL_ASFLAGS) -c $< -o $@

$(BUILD)/font/terminus16.psf: | $(DEPS_STAMP)
	@mkdir -p $(@D)
	gzip -dc $(FONT_DIR)/Uni2-Terminus16.psf.gz > $@

$(BUILD)/font/terminus32.psf: | $(DEPS_STAMP)
	@mkdir -p $(@D)
	gzip -dc $(FONT_DIR)/Uni2-Terminus32x16.psf.gz > $@

# ---- the loader: one BOOTX64.EFI per kernel, the kernel ELF embedded by .incbin ----------
$(BUILD)/efi/%.o: %.c $(call FLAGS,efi-c) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(EFI_CFLAGS) -c $< -o $@

# The loader links no libefi (efi/uefi.c has what it used); memcpy/memset are
# the kernel's (arch/x86_64/string.c). lib/string.o stays weakened, as when
# libefi brought its own.
$(BUILD)/efi/lib/string.o: lib/string.c $(call FLAGS,efi-c) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(EFI_CFLAGS) -c $< -o $@
	$(OBJCOPY) --weaken $@

$(BUILD)/efi/%.o: %.S | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) -c -MMD -MP $< -o $@

# One loader per kernel ELF: build/X.elf is compressed (gzip -9n: deterministic,
# no name or time stamp) into build/gz/X.elf.gz, which build/efi/blob-X.o embeds
# into build/loader-X.so; the loader inflates it (lib/inflate.c, docs/boot.md).
# X is kernel, test-kernel, or bad-VARIANT (a deliberately malformed kernel, or a
# corrupt compressed one, for the loader's refusal tests: efi/compress.mk).
# The loader embeds a stripped copy (no DWARF, no ELF symbol table: backtraces
# use the kernel's own table in .rodata); build/X.elf keeps them for gdb.
$(BUILD)/strip/%.elf: $(BUILD)/%.elf
	@mkdir -p $(@D)
	$(OBJCOPY) --strip-all $< $@

$(BUILD)/bad-%.elf: $(BUILD)/strip/kernel.elf test/corrupt_elf.py
	$(PYTHON) test/corrupt_elf.py $* $< $@

$(BUILD)/gz/bad-%.elf.gz: $(BUILD)/bad-%.elf
	@mkdir -p $(@D)
	gzip -9nc $< > $@

$(BUILD)/gz/%.elf.gz: $(BUILD)/strip/%.elf
	@mkdir -p $(@D)
	gzip -9nc $< > $@

$(BUILD)/efi/blob-%.o: efi/kernel_blob.S $(BUILD)/gz/%.elf.gz
	@mkdir -p $(@D)
	$(CC) -c -DKERNEL_GZ='"$(BUILD)/gz/$*.elf.gz"' $< -o $@

$(BUILD)/loader-%.so: $(EFI_OBJS) $(BUILD)/efi/blob-%.o $(call FLAGS,efi-ld)
	$(LD) $(EFI_LDFLAGS) $(EFI_LIB)/crt0-efi-x86_64.o $(filter %.o,$^) -o $@ \
		-L$(EFI_LIB) -lgnuefi

# The loader's ELF becomes a PE32+ EFI application (subsystem 10): one recipe for
# the real loader, the test loader and the malformed-kernel loaders. --strip-all
# leaves out the COFF symbol table (3 KiB nothing reads; gdb uses the .so).
define efi_app
	@mkdir -p $(@D)
	$(OBJCOPY) $(EFI_SECTIONS) --strip-all --target efi-app-x86_64 --subsystem=10 $< $@
endef

$(LOADER): $(BUILD)/loader-kernel.so
	$(efi_app)

$(TLOADER): $(BUILD)/loader-test-kernel.so
	$(efi_app)

$(BUILD)/test/bad-%.efi: $(BUILD)/loader-bad-%.so
	$(efi_app)

# ---- the disk image: GPT, one FAT32 EFI System Partition, built without root -----------
$(IMAGE): $(LOADER) $(ESP_FILES)
	@rm -f $@.tmp
	truncate -s $(IMG_SIZE_MIB)M $@.tmp
	sgdisk -n 1:2048:0 -t 1:ef00 -c 1:"Ember ESP" $@.tmp >/dev/null
	sectors=$$(sgdisk -i 1 $@.tmp | sed -nE 's/^Partition size: ([0-9]+) sectors.*/\1/p'); \
	mformat -i $@.tmp@@1M -T $$sectors -h 16 -s 32 -F -v EMBER ::
	mmd -i $@.tmp@@1M ::/EFI ::/EFI/BOOT
	mcopy -i $@.tmp@@1M $(LOADER) ::/EFI/BOOT/BOOTX64.EFI
	if [ -d esp/ember ]; then mcopy -s -i $@.tmp@@1M esp/ember ::/; fi
	if [ -n "$(USER_PROGS)" ]; then mmd -D s -i $@.tmp@@1M ::/ember/bin 2>/dev/null || true; \
		mcopy -o -i $@.tmp@@1M $(USER_PROGS) ::/ember/bin/; fi
	mv $@.tmp $@

# ---- host unit tests ----------------------------------------------------------------------
$(BUILD)/host/%.o: %.c $(call FLAGS,host-c) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

# Keep intermediate objects and loaders so incremental builds stay incremental.
.SECONDARY:

# One rule per host test: build/host/bin/test_X from test/host/ROOM/test_X.c, the
# portable lib/ objects and the kernel sources its .mk names.
define host_test_rule
$(BUILD)/host/bin/$(basename $(notdir $(1))): $(call obj,host,$(1)) $(LIB_HOST_OBJS) \
		$$(call obj,host,$$($(basename $(notdir $(1)))_SRCS)) | $(FONTS)
	@mkdir -p $$(@D)
	$$(CC) $$(HOST_CFLAGS) $$(filter %.o,$$^) -o $$@ $$(HOST_LDLIBS)
endef
$(foreach s,$(HOST_TEST_SRCS),$(eval $(call host_test_rule,$(s))))

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
