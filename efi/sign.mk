# Secure Boot: `make sign` signs BOOTX64.EFI and the disk image with the
# project's own db key, generated on first use in build/keys/ (never
# committed), and leaves there what a user enrolls in the firmware's db:
#   build/keys/db.cer   the certificate, DER (what firmware setup menus take)
#   build/keys/db.esl   the same as an EFI signature list
#   build/keys/db.auth  the list as a time-based authenticated append to db,
#                       signed with the db key itself: accepted by firmware in
#                       setup mode and by tools such as efi-updatevar/KeyTool
# Signed outputs: build/signed/BOOTX64.EFI and build/ember-signed.img.

KEYS_DIR      := $(BUILD)/keys
SB_KEY        := $(KEYS_DIR)/db.key
SB_CRT        := $(KEYS_DIR)/db.crt
SB_CER        := $(KEYS_DIR)/db.cer
SB_ESL        := $(KEYS_DIR)/db.esl
SB_AUTH       := $(KEYS_DIR)/db.auth
SB_GUID       := $(KEYS_DIR)/owner.guid
SIGNED_LOADER := $(BUILD)/signed/BOOTX64.EFI
SIGNED_IMAGE  := $(BUILD)/ember-signed.img
SB_SUBJECT    ?= /CN=Ember Secure Boot db key/

DEBIAN_PACKAGES += openssl sbsigntool efitools
$(DEPS_STAMP): efi/sign.mk

.PHONY: sign keys
sign: $(SIGNED_LOADER) $(SIGNED_IMAGE) $(SB_CER) $(SB_ESL) $(SB_AUTH) ## sign BOOTX64.EFI and the image with build/keys/ (made on first use)
	@echo "sign: $(SIGNED_LOADER) and $(SIGNED_IMAGE) signed by $$(openssl x509 -in $(SB_CRT) -noout -subject)"
	@echo "sign: enroll $(SB_CER) (or $(SB_ESL) / $(SB_AUTH)) in your firmware's db; see docs/secure-boot.md"

keys: $(SB_CER) $(SB_ESL) $(SB_AUTH) # the project key and what a user enrolls

# The key is made once and kept: order-only, so nothing ever regenerates it.
$(SB_KEY) $(SB_CRT): | $(DEPS_STAMP)
	@mkdir -p $(KEYS_DIR) && chmod 700 $(KEYS_DIR)
	openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
		-subj "$(SB_SUBJECT)" -keyout $(SB_KEY) -out $(SB_CRT) 2>/dev/null
	chmod 600 $(SB_KEY)

$(SB_GUID): | $(DEPS_STAMP)
	@mkdir -p $(KEYS_DIR)
	$(PYTHON) -c 'import uuid; print(uuid.uuid4())' > $@

$(SB_CER): $(SB_CRT)
	openssl x509 -in $< -outform DER -out $@

$(SB_ESL): $(SB_CRT) $(SB_GUID)
	cert-to-efi-sig-list -g $$(cat $(SB_GUID)) $(SB_CRT) $@

$(SB_AUTH): $(SB_ESL) $(SB_KEY)
	sign-efi-sig-list -a -g $$(cat $(SB_GUID)) -k $(SB_KEY) -c $(SB_CRT) db $(SB_ESL) $@

$(SIGNED_LOADER): $(LOADER) $(SB_KEY) $(SB_CRT)
	@mkdir -p $(@D)
	sbsign --key $(SB_KEY) --cert $(SB_CRT) --output $@ $(LOADER)
	sbverify --cert $(SB_CRT) $@

# The image with the signed loader in place of the unsigned one.
$(SIGNED_IMAGE): $(IMAGE) $(SIGNED_LOADER)
	cp $(IMAGE) $@.tmp
	mcopy -o -i $@.tmp@@1M $(SIGNED_LOADER) ::/EFI/BOOT/BOOTX64.EFI
	mv $@.tmp $@

# make test boots the signed loader under Secure Boot.
test: $(SIGNED_IMAGE) $(SIGNED_LOADER) $(SB_ESL)
