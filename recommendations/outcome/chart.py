"""Bar charts as PNG images, drawn without an imaging library.

A chart holds horizontal bars, one per row of the table it illustrates, each in its own colour
and with its count at its end. It holds no words: the rows are named in the table next to it
(whose first column shows each row's colour), in the page's language and script, which an
image could only show with fonts the server may not have. The outcome's web page shows it; the
Word document draws its bars with shaded paragraphs under labels written as text (``word``).
The same counts always give the same bytes.
"""

import struct
import zlib

#: Bars in colours after Okabe and Ito's palette, told apart with the common colour vision
#: deficiencies, each with a contrast of 3:1 at least on white (its light orange, sky blue
#: and yellow darkened or replaced): the outcome document's chart and this one use them.
PALETTE = ("0072B2", "D55E00", "009E73", "A8527F", "8A6A00", "6A3D9A", "595959", "000000")

BACKGROUND, INK, RULE = (255, 255, 255), (51, 51, 51), (191, 191, 191)

#: Digits 0 to 9, five pixels wide and seven high, one string of five bits per row.
DIGITS = {
    "0": ("01110", "10001", "10011", "10101", "11001", "10001", "01110"),
    "1": ("00100", "01100", "00100", "00100", "00100", "00100", "01110"),
    "2": ("01110", "10001", "00001", "00010", "00100", "01000", "11111"),
    "3": ("11111", "00010", "00100", "00010", "00001", "10001", "01110"),
    "4": ("00010", "00110", "01010", "10010", "11111", "00010", "00010"),
    "5": ("11111", "10000", "11110", "00001", "00001", "10001", "01110"),
    "6": ("00110", "01000", "10000", "11110", "10001", "10001", "01110"),
    "7": ("11111", "00001", "00010", "00100", "01000", "01000", "01000"),
    "8": ("01110", "10001", "10001", "01110", "10001", "10001", "01110"),
    "9": ("01110", "10001", "10001", "01111", "00001", "00010", "01100"),
}

WIDTH = 1200
BAR_HEIGHT = 44
GAP = 20
MARGIN = 24
#: Pixels per digit pixel: digits are 20 by 28 pixels.
SCALE = 4
#: Dots per inch the image declares: 1,200 pixels make 20.3 cm.
DPI = 150


def colour_of(row: int) -> str:
    """The colour of a row's bar, as RRGGBB: the table's swatches use the same."""
    return PALETTE[row % len(PALETTE)]


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (0, 2, 4))


class _Canvas:
    """Pixels as indexes into a palette: 0 background, 1 ink, 2 rule, 3 on the bars."""

    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self.pixels = bytearray(width * height)

    def fill(self, left: int, top: int, right: int, bottom: int, colour: int) -> None:
        left, right = max(0, left), min(self.width, right)
        for y in range(max(0, top), min(self.height, bottom)):
            start = y * self.width
            self.pixels[start + left:start + right] = bytes([colour]) * (right - left)

    def number(self, value: int, left: int, top: int, colour: int) -> int:
        """Write ``value`` from ``left``; return where it ends."""
        for digit in str(value):
            for row, bits in enumerate(DIGITS[digit]):
                for column, bit in enumerate(bits):
                    if bit == "1":
                        self.fill(left + column * SCALE, top + row * SCALE,
                                  left + (column + 1) * SCALE, top + (row + 1) * SCALE, colour)
            left += 6 * SCALE
        return left

    def png(self, palette: list[tuple[int, int, int]]) -> bytes:
        rows = b"".join(b"\x00" + bytes(self.pixels[y * self.width:(y + 1) * self.width])
                        for y in range(self.height))
        per_metre = round(DPI / 0.0254)
        return b"".join([
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", struct.pack(">IIBBBBB", self.width, self.height, 8, 3, 0, 0, 0)),
            _chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
            _chunk(b"PLTE", b"".join(bytes(colour) for colour in palette)),
            _chunk(b"IDAT", zlib.compress(rows, 9)),
            _chunk(b"IEND", b""),
        ])


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def _width_of(value: int) -> int:
    return len(str(value)) * 6 * SCALE - SCALE


def bar_chart(counts: list[int], *, right_to_left: bool = False) -> bytes | None:
    """Bars for ``counts`` in order, longest for the largest; None when there is nothing to
    draw. ``right_to_left`` anchors the bars on the right, for documents read that way."""
    if not counts or max(counts) <= 0:
        return None
    if any(count < 0 for count in counts):
        raise ValueError("counts cannot be negative")
    height = 2 * MARGIN + len(counts) * BAR_HEIGHT + (len(counts) - 1) * GAP
    canvas = _Canvas(WIDTH, height)
    label_room = _width_of(max(counts)) + 2 * SCALE * 3
    longest = WIDTH - 2 * MARGIN - label_room - 4
    canvas.fill(MARGIN, MARGIN - 8, MARGIN + 3, height - MARGIN + 8, 2)
    for row, count in enumerate(counts):
        top = MARGIN + row * (BAR_HEIGHT + GAP)
        length = round(longest * count / max(counts))
        left = MARGIN + 4
        canvas.fill(left, top, left + length, top + BAR_HEIGHT, 3 + row % len(PALETTE))
        canvas.number(count, left + length + 3 * SCALE, top + (BAR_HEIGHT - 7 * SCALE) // 2, 1)
    if right_to_left:
        for y in range(height):
            line = canvas.pixels[y * WIDTH:(y + 1) * WIDTH]
            line.reverse()
            canvas.pixels[y * WIDTH:(y + 1) * WIDTH] = line
        # The digits read left to right in every script: write them again, unmirrored.
        for row, count in enumerate(counts):
            top = MARGIN + row * (BAR_HEIGHT + GAP)
            length = round(longest * count / max(counts))
            right = WIDTH - (MARGIN + 4 + length + 3 * SCALE)
            canvas.fill(right - _width_of(count) - SCALE, top, right + SCALE,
                        top + BAR_HEIGHT, 0)
            canvas.number(count, right - _width_of(count),
                          top + (BAR_HEIGHT - 7 * SCALE) // 2, 1)
    palette = [BACKGROUND, INK, RULE] + [_rgb(colour) for colour in PALETTE]
    return canvas.png(palette)
