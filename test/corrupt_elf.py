#!/usr/bin/env python3
"""Write a deliberately malformed copy of a kernel ELF, for the loader's refusal tests.

  corrupt_elf.py VARIANT IN OUT
    magic      break the ELF magic
    wx         make the first PT_LOAD segment writable and executable
    lowhalf    move the first PT_LOAD segment to a lower-half address
    truncated  cut the file in the middle of the last segment's data
"""
import struct
import sys

PT_LOAD, PF_X, PF_W = 1, 1, 2


def phdrs(data):
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    return [phoff + i * phentsize for i in range(phnum)]


def loads(data):
    return [o for o in phdrs(data) if struct.unpack_from("<I", data, o)[0] == PT_LOAD]


def main(variant, src, dst):
    data = bytearray(open(src, "rb").read())
    first = loads(data)[0]
    if variant == "magic":
        data[1:4] = b"ELV"
    elif variant == "wx":
        flags, = struct.unpack_from("<I", data, first + 4)
        struct.pack_into("<I", data, first + 4, flags | PF_W | PF_X)
    elif variant == "lowhalf":
        struct.pack_into("<QQ", data, first + 16, 0x100000, 0x100000)  # p_vaddr, p_paddr
    elif variant == "truncated":
        last = loads(data)[-1]
        offset, = struct.unpack_from("<Q", data, last + 8)
        filesz, = struct.unpack_from("<Q", data, last + 32)
        if filesz == 0:
            last = loads(data)[-2]
            offset, = struct.unpack_from("<Q", data, last + 8)
            filesz, = struct.unpack_from("<Q", data, last + 32)
        del data[offset + filesz // 2:]
    else:
        sys.exit(f"unknown variant {variant}")
    open(dst, "wb").write(data)


if __name__ == "__main__":
    main(*sys.argv[1:4])
