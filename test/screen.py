"""Read text back from a QMP screendump, using the console's own font.

The framebuffer console draws glyphs from a PSF2 font on a cell grid starting
at the top-left pixel. Here each cell of the screenshot becomes a bit mask
(pixel differs from the cell's most common colour) and is looked up among the
font's glyph masks, which turns the screen back into lines of text. A test can
then assert that a string is really drawn, not only sent to serial.
"""
import collections
import struct


def _psf1(data):
    """(width, height, glyphs, first code point of each glyph) of a PSF1 font."""
    mode, height = data[2], data[3]
    count = 512 if mode & 1 else 256
    glyphs = [data[4 + i * height: 4 + (i + 1) * height] for i in range(count)]
    chars = [None] * count
    if mode & 6:                            # Unicode table: u16 entries, 0xFFFF ends a glyph
        pos, glyph = 4 + count * height, 0
        while glyph < count and pos + 2 <= len(data):
            cp, = struct.unpack_from("<H", data, pos)
            pos += 2
            if cp == 0xFFFF:
                glyph += 1
            elif cp != 0xFFFE and chars[glyph] is None:
                chars[glyph] = chr(cp)
    return 8, height, glyphs, chars


def _psf2(data):
    """(width, height, glyphs, first code point of each glyph) of a PSF2 font."""
    _, _, hdr, flags, count, gsize, height, width = struct.unpack_from("<8I", data)
    glyphs = [data[hdr + i * gsize: hdr + (i + 1) * gsize] for i in range(count)]
    chars = [None] * count
    if flags & 1:                           # Unicode table: UTF-8 sequences, 0xFF ends a glyph
        table = data[hdr + count * gsize:]
        for glyph, entry in enumerate(table.split(b"\xff")[:count]):
            text = entry.split(b"\xfe")[0].decode("utf-8", "replace")
            if text:
                chars[glyph] = text[0]
    return width, height, glyphs, chars


class Font:
    def __init__(self, path):
        data = open(path, "rb").read()
        if data[:2] == b"\x36\x04":
            width, height, glyphs, chars = _psf1(data)
        elif struct.unpack_from("<I", data)[0] == 0x864AB572:
            width, height, glyphs, chars = _psf2(data)
        else:
            raise ValueError(f"{path}: not a PSF font")
        self.width, self.height = width, height
        self.row_bytes = (width + 7) // 8
        gsize = self.row_bytes * height
        self.by_mask = {}
        for i, g in enumerate(glyphs):
            ch = chars[i] or "?"
            key = bytes(g)
            if key not in self.by_mask or ch == " ":
                self.by_mask[key] = ch
        self.by_mask[bytes(gsize)] = " "


def read_ppm(path):
    data = open(path, "rb").read()
    parts, pos = [], 0
    while len(parts) < 4:                   # magic, width, height, maxval
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        parts.append(data[start:pos])
    if parts[0] != b"P6" or parts[3] != b"255":
        raise ValueError(f"{path}: not an 8-bit P6 PPM")
    return int(parts[1]), int(parts[2]), data[pos + 1:]


def screen_lines(ppm_path, font, max_rows=None):
    width, height, pix = read_ppm(ppm_path)
    cols, rows = width // font.width, height // font.height
    if max_rows is not None:
        rows = min(rows, max_rows)
    lines = []
    for r in range(rows):
        out = []
        for c in range(cols):
            out.append(_cell_char(pix, width, c * font.width, r * font.height, font))
        lines.append("".join(out).rstrip())
    return lines


def _cell_char(pix, width, x0, y0, font):
    colours = []
    for y in range(font.height):
        row = (y0 + y) * width + x0
        colours.append([pix[(row + x) * 3:(row + x) * 3 + 3] for x in range(font.width)])
    bg = collections.Counter(c for row in colours for c in row).most_common(1)[0][0]
    mask = bytearray()
    for row in colours:
        bits = 0
        for x, c in enumerate(row):
            if c != bg:
                bits |= 0x80 >> (x % 8) << (8 * (font.row_bytes - 1 - x // 8))
        mask += bits.to_bytes(font.row_bytes, "big")
    return font.by_mask.get(bytes(mask), "\ufffd")
