# The compressed kernel (docs/boot.md): the loader embeds build/gz/X.elf.gz and
# inflates it with lib/inflate.c, which only the loader, the host test and the
# fuzz target link; the kernel itself does not carry the inflater.
KERNEL_OBJS := $(filter-out $(BUILD)/kernel/lib/inflate.o,$(KERNEL_OBJS))

# Loaders whose embedded blob is a corrupt gzip file (test/corrupt_gz.py), for
# the refusal scenarios next to the malformed-ELF ones.
GZ_BAD_VARIANTS := gzcrc gzdata gzsize
BAD_LOADERS += $(patsubst %,$(BUILD)/test/bad-%.efi,$(GZ_BAD_VARIANTS))

$(patsubst %,$(BUILD)/gz/bad-%.elf.gz,$(GZ_BAD_VARIANTS)): $(BUILD)/gz/bad-%.elf.gz: \
		$(BUILD)/gz/kernel.elf.gz test/corrupt_gz.py
	@mkdir -p $(@D)
	$(PYTHON) test/corrupt_gz.py $* $< $@
