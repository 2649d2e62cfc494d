"""Secure Boot: the signed image boots, an unsigned or tampered loader is refused.

The firmware is Debian's Secure Boot OVMF (OVMF_CODE_4M.secboot.fd, SMM, the
flash marked secure), its variable store a copy of OVMF_VARS_4M.snakeoil.fd
(Secure Boot on, the snakeoil PK and KEK) with the project's own db
certificate, build/keys/db.esl from `make sign`, appended to db by
test/sb_vars.py. So the key that `make sign` made is what lets Ember boot.

Refusal: OVMF prints "BdsDxe: failed to load Boot000N ...: Access Denied"
for the disk; after that the loader must never speak. The loader's own lines
start "ember loader:", the kernel's banner says "a small x86_64 operating
system": neither may appear before the firmware has tried every boot option
and says "BdsDxe: No bootable option or device was found." (it then waits in
its menu), which is when QEMU is stopped.
The control: the signed loader is refused as well when db lacks the project
certificate, so it is the enrolled key that lets it boot.
"""
import os
import shutil
import tempfile

import qemu
import sb_vars
from scenarios import scenario

SECBOOT_CODE = "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"
SNAKEOIL_VARS = "/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd"
SECURE = ("-machine", "smm=on", "-global", "driver=cfi.pflash01,property=secure,value=on",
          "-nic", "none")
GAVE_UP = "No bootable option or device was found"
LOADER_TEXTS = ("ember loader:", "a small x86_64 operating system")


class SecureVars:
    """A variable store with Secure Boot on and the project key in db, removed after use."""
    def __init__(self, args, enroll=True):
        self.dir = tempfile.mkdtemp(prefix="ember-sb-")
        self.path = os.path.join(self.dir, "vars.fd")
        if not enroll:                       # the control: snakeoil keys only
            shutil.copyfile(SNAKEOIL_VARS, self.path)
            return
        with open(os.path.join(args.build, "keys", "db.esl"), "rb") as f:
            sb_vars.enroll_db(SNAKEOIL_VARS, f.read(), self.path)

    def __enter__(self):
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.dir, ignore_errors=True)


def loader_spoke(lines):
    return [l for l in lines if any(t in l for t in LOADER_TEXTS)]


def expect_refused(args, loader, enroll=True):
    esp = qemu.esp_with(loader)
    with SecureVars(args, enroll) as vars_path, qemu.Boot(SECBOOT_CODE, vars_path, esp_dir=esp,
                                                          extra=SECURE, timeout=150) as b:
        denied = b.wait_for("Access Denied", 120)
        gave_up = denied and b.wait_for(GAVE_UP, 60)
        lines = list(b.lines)
    spoke = loader_spoke(lines)
    if spoke:
        return False, f"the loader ran: {spoke[0]!r}"
    if not denied:
        return False, "no 'Access Denied' from the firmware; last: " + " | ".join(lines[-3:])
    if not gave_up:
        return False, f"the firmware never said {GAVE_UP!r}; last: " + " | ".join(lines[-3:])
    which = [l for l in lines if "Access Denied" in l][0]
    return True, which[which.find("failed to load"):][:40] + "... Access Denied"


@scenario("system/secureboot/signed_image_boots_with_the_project_key_in_db", level="system")
def signed_boots(args):
    image = os.path.join(args.build, "ember-signed.img")
    with SecureVars(args) as vars_path, qemu.Boot(SECBOOT_CODE, vars_path, image=image,
                                                  extra=SECURE, timeout=150) as b:
        ok = b.wait_for("Ember shell", 120)
        lines = list(b.lines)
    if not ok:
        return False, "no shell under Secure Boot; last: " + " | ".join(lines[-3:])
    if any("Access Denied" in l for l in lines if "HARDDISK" in l):
        return False, "the firmware refused the disk first"
    return True, ""


@scenario("system/secureboot/unsigned_loader_is_refused", level="system")
def unsigned_refused(args):
    return expect_refused(args, os.path.join(args.build, "esp", "EFI", "BOOT", "BOOTX64.EFI"))


@scenario("system/secureboot/signed_loader_is_refused_without_the_project_key", level="system")
def signed_needs_key(args):
    """The control: the same signed loader, db holding only the snakeoil certificate."""
    return expect_refused(args, os.path.join(args.build, "signed", "BOOTX64.EFI"), enroll=False)


@scenario("system/secureboot/tampered_loader_is_refused", level="system")
def tampered_refused(args):
    """The signed loader with one byte changed in the middle (inside the embedded kernel)."""
    with open(os.path.join(args.build, "signed", "BOOTX64.EFI"), "rb") as f:
        data = bytearray(f.read())
    data[len(data) // 2] ^= 0x01
    d = tempfile.mkdtemp(prefix="ember-tampered-")
    try:
        path = os.path.join(d, "BOOTX64.EFI")
        with open(path, "wb") as f:
            f.write(data)
        return expect_refused(args, path)
    finally:
        shutil.rmtree(d, ignore_errors=True)
