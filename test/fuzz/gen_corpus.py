#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets: test/fuzz/corpus/<target>/<name>.

Every seed is made here, small, and named after what it exercises. Run it
again (make fuzz-corpus) after changing a target's input format; files it
does not write (crash reproducers kept as regressions) are left alone.
"""
import os
import struct
import sys

HIGH = 0xffffffff80000000


def elf(segments, entry, phnum=None, size=None, machine=62):
    """A little ELF64 executable: segments are (vaddr, offset, filesz, memsz, flags)."""
    phoff = 64
    eh = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    eh += struct.pack("<HHIQQQIHHHHHH", 2, machine, 1, entry, phoff, 0, 0, 64, 56,
                      len(segments) if phnum is None else phnum, 64, 0, 0)
    ph = b"".join(struct.pack("<IIQQQQQQ", 1, fl, off, va, va, fs, ms, 4096)
                  for va, off, fs, ms, fl in segments)
    data = eh + ph
    data += bytes(max(0, (size or 512) - len(data)))
    return data[:size] if size else data


def elf_seeds():
    text = (HIGH, 0, 0x100, 0x100, 5)
    data = (HIGH + 0x1100, 0x100, 0x80, 0x2000, 6)   # vaddr = offset mod 4096
    return {
        "valid": elf([text, data], HIGH + 0x40),
        "valid_low": elf([(0x400000, 0, 0x100, 0x100, 5)], 0x400010),
        "wx": elf([(HIGH, 0, 0x100, 0x100, 7)], HIGH),
        "overlap": elf([text, (HIGH + 0x180, 0x180, 0x10, 0x10, 6)], HIGH),
        "entry_outside": elf([text, data], HIGH + 0x1100),
        "truncated_segment": elf([(HIGH, 0, 0x1000, 0x1000, 5)], HIGH),
        "phdrs_outside": elf([text], HIGH, phnum=40),
        "too_many": elf([(HIGH + i * 0x1000, 0, 0x10, 0x10, 4) for i in range(17)], HIGH,
                        size=64 + 17 * 56 + 16),
        "wrong_machine": elf([text], HIGH, machine=3),
        "bss_only": elf([text, (HIGH + 0x1000, 0, 0, 0x10000, 6)], HIGH + 1),
    }


def memmap_seeds():
    def desc(t, start, pages, stride=48):
        d = struct.pack("<IIQQQQ", t, 0, start, 0, pages, 0xf)
        return d + bytes(stride - 40)
    ovmf = [(3, 0, 160), (7, 0x100000, 0x700), (2, 0x800000, 0x10), (7, 0x810000, 0x7000),
            (4, 0x7800000, 0x300), (9, 0x7b00000, 0x10), (10, 0x7b10000, 0x40),
            (5, 0x7b50000, 0x80), (6, 0x7bd0000, 0x30), (0, 0x7c00000, 0x400),
            (11, 0xffc00000, 0x400), (0x80000001, 0x1000000, 0x200)]
    return {
        "ovmf_like": b"\x01\xff" + b"".join(desc(*d) for d in ovmf),
        "stride40": b"\x00\x05" + b"".join(desc(*d, stride=40) for d in ovmf[:5]),
        "overlapping": b"\x01\x03" + desc(7, 0, 100) + desc(0, 0x10000, 4) + desc(8, 0x8000, 20)
                       + desc(7, 0x20000, 100),
        "unaligned": b"\x01\x02" + desc(7, 0x1234, 3) + desc(11, 0x5678, 1),
        "wraps": b"\x01\x00" + desc(7, 0xfffffffffffff000, 2),
        "empty": b"\x01\x00",
        "ragged": b"\x01\x07" + desc(7, 0, 10) + b"\x01\x02\x03",
    }


def efirt_seeds():
    def desc(t, start, pages, attr, stride=48):
        return struct.pack("<IIQQQQ", t, 0, start, 0, pages, attr) + bytes(stride - 40)
    rt, wb, uc = 1 << 63, 0x8, 0x1
    ovmf = [(7, 0, 0x9f, wb), (5, 0xf5e0000, 0x20, wb | rt), (6, 0xf600000, 0x40, wb | rt),
            (4, 0xf640000, 0x100, wb), (6, 0xf740000, 3, wb | rt), (11, 0xffc00000, 0x400, uc | rt)]
    return {
        "ovmf_like": b"\x01\xff" + b"".join(desc(*d) for d in ovmf),
        "small_window": b"\x01\x10" + b"".join(desc(*d) for d in ovmf),
        "stride40": b"\x00\xff" + b"".join(desc(*d, stride=40) for d in ovmf),
        "misaligned": b"\x01\xff" + desc(6, 0x1234, 1, wb | rt),
        "wraps": b"\x01\xff" + desc(6, 0xfffffffffff00000, 0x1000, wb | rt),
        "many": b"\x01\xff" + b"".join(desc(6, 0x100000 * i, 1, wb | rt) for i in range(20)),
    }


def psf1(glyphs512=False, table=None, height=2):
    mode = (1 if glyphs512 else 0) | (2 if table is not None else 0)
    n = 512 if glyphs512 else 256
    data = bytes([0x36, 0x04, mode, height]) + bytes((i * 7) & 0xff for i in range(n * height))
    if table is not None:
        for g in range(n):
            for cp in table.get(g, []):
                data += struct.pack("<H", cp)
            data += b"\xff\xff"
    return data


def psf2(count, width, height, table=None):
    rb = (width + 7) // 8
    flags = 1 if table is not None else 0
    data = struct.pack("<IIIIIIII", 0x864ab572, 0, 32, flags, count, rb * height, height, width)
    data += bytes((i * 13) & 0xff for i in range(count * rb * height))
    if table is not None:
        for g in range(count):
            data += table.get(g, b"") + b"\xff"
    return data


def psf_seeds():
    return {
        "psf1_plain": psf1(),
        "psf1_table": psf1(table={0: [0x41, 0x391], 1: [0xfffd], 2: [0xfffe, 0x41, 0x300], 3: [0x263a]}),
        "psf1_512": psf1(True, table={5: [0x2500, 0x2501], 6: [0x2500]}),
        "psf2_table": psf2(4, 8, 8, {0: "?".encode(), 1: "é€".encode(), 2: b"\xfe" + "e\u0301".encode(),
                                     3: "😀\ufffd".encode()}),
        "psf2_plain": psf2(3, 12, 4),
        "psf2_bad_table": psf2(2, 8, 2, {0: b"\xc3"}),
        "psf2_short": psf2(5, 16, 16)[:100],
    }


def cmdline_seeds():
    return {
        "get": bytes([4, 8]) + b"heapheap=list quiet ktest.only=a",
        "has": bytes([5, 0]) + b"quietquiet  console=vga",
        "last_wins": bytes([3, 3]) + b"keykey=1 key=longer key= key",
        "empty_key": bytes([0, 5]) + b"=x a==b",
        "nul_inside": bytes([2, 4]) + b"abab=1\x00ab=2",
    }


def words_seeds():
    return {
        "plain": b"run /bin/busybox echo hi",
        "single": b"run /bin/busybox sh -c 'echo a; echo b'",
        "double": b'echo "a \\" \\\\ \'b\'" x\\ y',
        "joined": b"a'b c'd\"e\"f '' \"\"",
        "open": b"echo 'abc",
        "trailing_backslash": b"echo abc\\",
        "many": b"a b c d e f g h i j",
        "tabs": b"\ta\t\tb ",
    }


def utf8_seeds():
    return {
        "ascii": b"Hello, Ember!",
        "multibyte": "é€😀\u07ff\u0800\U0010ffff".encode(),
        "overlong": b"\xc0\xaf\xe0\x80\xaf\xf0\x80\x80\xaf",
        "surrogate": b"\xed\xa0\x80\xed\xbf\xbf",
        "too_big": b"\xf4\x90\x80\x80\xf5\x80",
        "truncated": b"\xe2\x82\xf0\x9f\x98",
        "stray": b"\x80\xbf\xfe\xff a",
    }


def console_seeds():
    return {
        "text": bytes([79, 24, 0, 40]) + b"Ember 0.1\r\nline two\ttab\x08\x08X",
        "colours": bytes([40, 10, 1, 30]) + b"\x1b[1;31mred\x1b[0m \x1b[44;97mblue\x1b[m ok",
        "moves": bytes([20, 5, 2 | 8 << 2, 30]) + b"\x1b[3;4Hx\x1b[2Ay\x1b[10Cz\x1b[K\x1b[J",
        "scroll": bytes([10, 3, 2 | 20 << 2]) + b"\x3f" + b"1\n2\n3\n4\n5\n6\n7\n8\n9\n0\n" * 6
                  + b"\xc0\x05\xc0\xfb\xc2\xc3",
        "utf8_wrap": bytes([5, 2, 0, 20]) + "éééééé€€€€😀😀".encode(),
        "private": bytes([30, 5, 1, 20]) + b"\x1b[?25l\x1b[>1;2m\x1b]0;t\x07\x1b[2J",
    }


def ansi_seeds():
    return {
        "arrows": b"\x1b[A\x1b[B\x1b[C\x1b[D\x1bOA\x1b[H\x1b[F",
        "tilde_keys": b"\x1b[2~\x1b[3~\x1b[5~\x1b[6~\x1b[15~\x1b[24~\x1b[1~\x1b[4~",
        "modifiers": b"\x1b[1;5C\x1b[1;2A\x1b[3;3~\x1b[Z\x1b[;5D",
        "text": "ls -l é€😀\r\n\x7f\x08\t".encode(),
        "ctrl_alt": b"\x01\x03\x1a\x1bx\x1b\x1b[A\x1b",
        "broken": b"\x1b[12;\x1b[99999999~\x1b[1;2;3;4A\x1b[?1h\xc3\x1b",
        "ss3": b"\x1bOP\x1bOS\x1bOx\x1bO\x01",
    }


def kbd_seeds():
    set1 = bytes([0x2a, 0x1e, 0x9e, 0xaa, 0x1e, 0x9e, 0x3a, 0xba, 0x45, 0xc5, 0x47, 0xc7,
                  0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0x38, 0x10, 0x90, 0xe0, 0xb8,
                  0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5, 0xe0, 0x2a, 0xe0, 0x37, 0xe0, 0xb7, 0xe0, 0xaa])
    set2 = bytes([0x12, 0x1c, 0xf0, 0x1c, 0xf0, 0x12, 0x58, 0xf0, 0x58, 0x77, 0xf0, 0x77,
                  0xe0, 0x75, 0xe0, 0xf0, 0x75, 0xe0, 0x11, 0x15, 0xf0, 0x15, 0xe0, 0xf0, 0x11,
                  0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77, 0xfa, 0xaa, 0x1c])
    return {
        "set1_us": bytes([0x00]) + set1,
        "set1_de": bytes([0x02]) + set1,
        "set2_us": bytes([0x01]) + set2,
        "set2_forget": bytes([0x83]) + set2,
        "set1_repeat": bytes([0x04]) + bytes([0x1e] * 5 + [0x9e, 0x2a, 0x2a, 0xaa]),
    }


def lineedit_seeds():
    def chars(s):
        return s.encode("ascii")
    # One event per byte (see make_event): 0xe0 + i is navigation key i.
    left, right, home, end, up, down, dele, bs, tab, enter = range(0xe0, 0xea)
    return {
        "type_submit": bytes([40]) + chars("hello") + bytes([enter]) + chars("world") + bytes([enter, up, up, down]),
        "narrow_long": bytes([12]) + chars("abcdefghijklmnopqrstuvwxyz") + bytes([home, right, dele, end, bs]),
        "unicode": bytes([20, 0x80, 0x81, 0x82]) + bytes([left, left, bs, 0x83, 0xc5, enter]),
        "tab_complete": bytes([60]) + chars("he") + bytes([tab]) + chars("l") + bytes([tab, enter]) + chars("h") + bytes([tab]),
        "ctrl_keys": bytes([30]) + chars("abc def\x01\x0b\x05\x15\x0c\x03\x10\x0e\x02\x06\x04"),
        "unlimited": bytes([0]) + chars("x" * 300) + bytes([enter, 0xf0]),
    }


def heap_seeds():
    def alloc(slot, align_i, size):
        return bytes([slot << 2 | 0, align_i]) + struct.pack("<H", size)

    def realloc(slot, size):
        return bytes([slot << 2 | 3]) + struct.pack("<H", size)

    def calloc(slot, n, size):
        return bytes([slot << 2 | 2, n]) + struct.pack("<H", size)

    ops = b"".join(alloc(i, i % 7, 0x4000 | (i * 37)) for i in range(12))
    ops += b"".join(bytes([i << 2]) for i in range(0, 12, 2))      # frees (slot taken)
    ops += realloc(1, 0x8000 | 300) + realloc(3, 5) + calloc(20, 7, 0x4000 | 100)
    ops += alloc(21, 7, 16) + alloc(22, 8, 16) + alloc(23, 0, 0xffff)
    return {
        "list": bytes([1]) + ops,
        "block": bytes([2]) + ops,
        "bump": bytes([0]) + ops,
        "list_debug": bytes([0x81]) + ops,
        "block_debug": bytes([0x82]) + ops,
    }


def sigframe_seeds():
    """rt_sigframes as rt_sigreturn finds them: sane, hostile selectors and flags, bad RIP/RSP."""
    def frame(rip, rsp, eflags, cs=0x33, mask=0):
        regs = [0x1000 * (i + 1) for i in range(15)] + [rsp, rip, eflags]
        sc = struct.pack("<18Q", *regs) + struct.pack("<4H", cs, 0, 0, 0x2b) + bytes(256 - 152)
        uc = struct.pack("<QQQiiQ", 0, 0, 0, 0, 0, 0) + sc + struct.pack("<Q", mask)
        return struct.pack("<Q", 0x401000) + uc + bytes(128)
    def with_fpu(fpstate, mxcsr):
        """A sane frame whose fpstate points at va with an FXSAVE image after the siginfo."""
        f = bytearray(frame(0x401000, 0x7ffffffde100, 0x246)) + bytearray(512)
        struct.pack_into("<Q", f, 0, 0x7ffffffde008)
        struct.pack_into("<Q", f, 48 + 24 * 8, fpstate)
        struct.pack_into("<H", f, 440, 0x37f)
        struct.pack_into("<II", f, 440 + 24, mxcsr, 0xffff)
        return bytes(f)
    return {
        "sane": frame(0x401234, 0x7ffffffde000, 0x246),
        "kernel_cs_iopl3_tf": frame(0x401234, 0x7ffffffde000, 0x3346, cs=0x08),
        "all_flags_full_mask": frame(0x401234, 0x7ffffffde000, (1 << 64) - 1, mask=(1 << 64) - 1),
        "rip_kernel": frame(0xffffffff80001000, 0x7ffffffde000, 0x246),
        "rip_noncanonical": frame(0x0000800000000000, 0x7ffffffde000, 0x246),
        "rsp_noncanonical": frame(0x401234, 0x8000000000000000, 0x246),
        "short": b"\x08" * 40,
        "fpstate_hostile_mxcsr": with_fpu(0x7ffffffde008 + 440, 0xffffffff),
        "fpstate_past_the_user_half": with_fpu(0x7ffffffffe01, 0x1f80),
    }


SEEDS = {
    "elf": elf_seeds, "memmap": memmap_seeds, "psf": psf_seeds, "cmdline": cmdline_seeds,
    "utf8": utf8_seeds, "console": console_seeds, "ansi_in": ansi_seeds, "kbd": kbd_seeds,
    "lineedit": lineedit_seeds, "heap": heap_seeds, "efirt": efirt_seeds,
    "sigframe": sigframe_seeds, "words": words_seeds,
}


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
    for target, make in SEEDS.items():
        d = os.path.join(root, target)
        os.makedirs(d, exist_ok=True)
        for name, data in make().items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
