"""Malformed user executables for the loader's refusal tests.

make_all(good, outdir) writes one variant of the good static program per
malformation the kernel must refuse with ENOEXEC and a clear reason:
truncated, overlapping segments, a segment in the kernel half, a W+X
segment, an absurd p_memsz, an entry point outside every segment, and a
dynamically linked program (ET_DYN with PT_INTERP: needs an interpreter).
"""
import struct
import sys
import os

PT_LOAD = 1
PT_INTERP = 3
ET_DYN = 3
PF_X, PF_W = 1, 2


def phdrs(data):
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    out = []
    for i in range(phnum):
        off = phoff + i * phentsize
        out.append((off, list(struct.unpack_from("<IIQQQQQQ", data, off))))
    return out


def loads(data):
    return [(off, p) for off, p in phdrs(data) if p[0] == PT_LOAD]


def put(data, off, p):
    struct.pack_into("<IIQQQQQQ", data, off, *p)


def variant(data, kind):
    d = bytearray(data)
    segs = loads(d)
    if kind == "truncated":
        return bytes(d[: len(d) // 3])
    if kind == "overlap":           # second segment moved onto the first one's page
        off, p = segs[1]
        first = segs[0][1]
        p[3] = first[3] + (p[2] % 4096)
        p[4] = p[3]
        put(d, off, p)
    elif kind == "kernelhalf":
        off, p = segs[-1]
        p[3] = 0xffffffff80000000 + (p[2] % 4096)
        p[4] = p[3]
        put(d, off, p)
    elif kind == "wx":
        off, p = segs[-1]
        p[1] |= PF_W | PF_X
        put(d, off, p)
    elif kind == "memsz":
        off, p = segs[-1]
        p[6] = 1 << 46
        put(d, off, p)
    elif kind == "entry":
        struct.pack_into("<Q", d, 24, 0x7000)
    elif kind == "interp":          # a PIE asking for a dynamic linker (a path in the file)
        struct.pack_into("<H", d, 16, ET_DYN)
        off, p = next((o, q) for o, q in phdrs(d) if q[0] != PT_LOAD)
        p[0], p[1], p[2], p[5], p[6] = PT_INTERP, 4, 0, 16, 16
        put(d, off, p)
    return bytes(d)


KINDS = ["truncated", "overlap", "kernelhalf", "wx", "memsz", "entry", "interp"]


def make_all(good, outdir):
    with open(good, "rb") as f:
        data = f.read()
    os.makedirs(outdir, exist_ok=True)
    for k in KINDS:
        with open(os.path.join(outdir, "bad-" + k), "wb") as f:
            f.write(variant(data, k))
    return KINDS


if __name__ == "__main__":
    make_all(sys.argv[1], sys.argv[2])
