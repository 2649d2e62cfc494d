#!/usr/bin/env python3
"""Reference compressions for test_inflate: real data (the fonts, the stripped
kernel) compressed by Python's zlib in each kind of DEFLATE block.

  gen_inflate_cases.py OUTDIR FILE...

writes OUTDIR/NAME.KIND.deflate (raw DEFLATE, RFC 1951) for KIND in
stored (level 0), fixed (Z_FIXED: fixed Huffman blocks only), dynamic
(level 9), huffman (Z_HUFFMAN_ONLY: literals only), rle (Z_RLE: distance 1)
and small (memLevel 1: many short dynamic blocks), and OUTDIR/NAME.gz, a gzip
member with a file name in its header (FNAME).
"""
import gzip
import io
import os
import sys
import zlib

KINDS = {
    "stored": dict(level=0),
    "fixed": dict(level=9, strategy=zlib.Z_FIXED),
    "dynamic": dict(level=9),
    "huffman": dict(level=9, strategy=zlib.Z_HUFFMAN_ONLY),
    "rle": dict(level=9, strategy=zlib.Z_RLE),
    "small": dict(level=6, memLevel=1),
}


def raw_deflate(data, level, strategy=zlib.Z_DEFAULT_STRATEGY, memLevel=8):
    c = zlib.compressobj(level, zlib.DEFLATED, -15, memLevel, strategy)
    return c.compress(data) + c.flush()


def main(outdir, files):
    os.makedirs(outdir, exist_ok=True)
    for path in files:
        data = open(path, "rb").read()
        name = os.path.basename(path)
        for kind, kw in KINDS.items():
            with open(os.path.join(outdir, f"{name}.{kind}.deflate"), "wb") as f:
                f.write(raw_deflate(data, **kw))
        buf = io.BytesIO()
        with gzip.GzipFile(filename=name, mode="wb", fileobj=buf, mtime=0) as g:
            g.write(data)
        with open(os.path.join(outdir, f"{name}.gz"), "wb") as f:
            f.write(buf.getvalue())


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
