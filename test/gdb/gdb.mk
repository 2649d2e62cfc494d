# make debug: boot the image paused under QEMU's gdb stub and attach gdb with
# the kernel's symbols (test/gdb/ember.gdb). The serial console goes to
# build/debug/serial.log (ember-loader-symbols reads the loader's base there);
# QEMU stops when gdb exits.

GDB        ?= gdb
DEBUG_PORT ?= 1234

.PHONY: debug
debug: all ## boot paused with QEMU's gdb stub and attach gdb (docs/debugging.md)
	@mkdir -p $(BUILD)/debug
	@cp $(OVMF_VARS) $(BUILD)/debug/OVMF_VARS.fd
	@: > $(BUILD)/debug/serial.log
	$(QEMU) -machine q35 -accel tcg -m $(QEMU_MEM) -no-reboot -display none \
		-drive if=pflash,format=raw,readonly=on,file=$(OVMF_CODE) \
		-drive if=pflash,format=raw,file=$(BUILD)/debug/OVMF_VARS.fd \
		-drive format=raw,file=$(IMAGE),snapshot=on -nic none \
		-serial file:$(BUILD)/debug/serial.log -monitor none \
		-gdb tcp:localhost:$(DEBUG_PORT) -S & \
	qemu=$$!; \
	$(GDB) -q -ex 'set $$ember_build = "$(BUILD)"' -ex 'set $$ember_port = $(DEBUG_PORT)' \
		-x test/gdb/ember.gdb; \
	kill $$qemu 2>/dev/null; wait $$qemu 2>/dev/null; true
