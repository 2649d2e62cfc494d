# Debian's busybox-static (a static glibc x86_64 program, not built here): apt installs
# /bin/busybox (listed below in DEBIAN_PACKAGES, so `make deps` installs it) and the build copies it
# into the ESP's ember/bin/, so Ember sees /bin/busybox (docs/proc.md, "Debian's busybox").
# Nothing of it is committed; the kernel's image (BOOTX64.EFI) does not grow.
BUSYBOX_SRC  ?= /bin/busybox
BUSYBOX_PROG := $(BUILD)/esp/ember/bin/busybox
USER_PROGS   += $(BUSYBOX_PROG)
DEBIAN_PACKAGES += busybox-static
$(DEPS_STAMP): esp/user/busybox.mk

# A tree whose deps were checked before the package was listed: `make deps` installs it
# (after the deps stamp, so two apt-get never run at once under -j).
$(BUSYBOX_SRC): | $(DEPS_STAMP)
	@$(MAKE) --no-print-directory deps

$(BUSYBOX_PROG): $(BUSYBOX_SRC)
	@mkdir -p $(@D)
	cp $< $@

all test user-programs $(IMAGE): $(BUSYBOX_PROG)
