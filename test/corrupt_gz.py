#!/usr/bin/env python3
"""Write a corrupt copy of a gzip-compressed kernel, for the loader's refusal tests.

  corrupt_gz.py VARIANT IN OUT
    gzcrc   flip one bit of the trailer's CRC-32: inflates, then fails the check
    gzdata  flip one bit in the middle of the DEFLATE stream
    gzsize  set the trailer's ISIZE to 0xffffffff: refused before any allocation
"""
import struct
import sys


def main(variant, src, dst):
    data = bytearray(open(src, "rb").read())
    if variant == "gzcrc":
        data[-8] ^= 0x01
    elif variant == "gzdata":
        data[len(data) // 2] ^= 0x10
    elif variant == "gzsize":
        struct.pack_into("<I", data, len(data) - 4, 0xffffffff)
    else:
        sys.exit(f"corrupt_gz: unknown variant {variant!r}")
    open(dst, "wb").write(data)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
