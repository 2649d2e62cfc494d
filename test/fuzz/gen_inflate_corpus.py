#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_inflate: test/fuzz/corpus/inflate/<name>.

Small raw DEFLATE streams and gzip files, one per kind of block and header
field, made with Python's zlib from text and a little ELF-like binary; plus a
few broken ones (bad CRC, data after the member, reserved block type).
"""
import gzip
import io
import os
import struct
import sys
import zlib

TEXT = b"Ember, a small x86_64 operating system. " * 6 + bytes(range(64))
BINARY = b"\x7fELF\x02\x01\x01" + bytes(57) + struct.pack("<QQQ", 1, 2, 3) * 20


def raw(data, level=9, strategy=zlib.Z_DEFAULT_STRATEGY):
    c = zlib.compressobj(level, zlib.DEFLATED, -15, 8, strategy)
    return c.compress(data) + c.flush()


def gz(data, name=None):
    buf = io.BytesIO()
    with gzip.GzipFile(filename=name or "", mode="wb", fileobj=buf, mtime=0) as g:
        g.write(data)
    return buf.getvalue()


def gz_with_fields(data):
    """FEXTRA, FCOMMENT and FHCRC, which Python's gzip module never writes."""
    head = bytearray(b"\x1f\x8b\x08\x16\0\0\0\0\0\x03")   # FHCRC|FEXTRA|FCOMMENT
    head += b"\x04\x00ab\x00\x00" + b"a comment\0"
    head += struct.pack("<H", zlib.crc32(bytes(head)) & 0xffff)
    return bytes(head) + raw(data) + struct.pack("<II", zlib.crc32(data), len(data))


def seeds():
    good = gz(TEXT)
    return {
        "raw_stored": raw(TEXT, level=0),
        "raw_fixed": raw(TEXT, strategy=zlib.Z_FIXED),
        "raw_dynamic": raw(TEXT),
        "raw_rle": raw(BINARY, strategy=zlib.Z_RLE),
        "raw_huffman": raw(BINARY, strategy=zlib.Z_HUFFMAN_ONLY),
        "raw_empty": raw(b""),
        "gz_text": good,
        "gz_name": gz(BINARY, name="kernel.elf"),
        "gz_fields": gz_with_fields(TEXT),
        "gz_bad_crc": good[:-8] + bytes([good[-8] ^ 1]) + good[-7:],
        "gz_trailing": good + b"\0",
        "raw_reserved_type": b"\x07",
    }


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    for name, data in seeds().items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "test/fuzz/corpus/inflate")
