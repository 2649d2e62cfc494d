"""The loader refuses a corrupt compressed kernel: a clear line on the UEFI
console (serial) and an error back to the firmware, and the kernel never runs.

The loaders come from efi/compress.mk: the real kernel's gzip blob with one
trailer CRC bit flipped (it inflates, then fails the check), one bit flipped
in the middle of the DEFLATE stream, and an absurd ISIZE in the trailer
(refused before anything is allocated). The malformed-ELF loaders, whose ELF
is compressed too, are in test/scenarios.py.
"""
from scenarios import refused, scenario

for _variant, _msg in (("gzcrc", "does not decompress: CRC-32 differs"),
                       ("gzdata", "embedded kernel does not decompress: "),
                       ("gzsize", "does not decompress: implausible length")):
    scenario(f"system/loader_refuses_corrupt_compressed_kernel_{_variant}", level="system")(
        lambda args, v=_variant, m=_msg: refused(args, v, m))
