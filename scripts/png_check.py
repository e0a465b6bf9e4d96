#!/usr/bin/env python3
"""Decodes an 8-bit PNG with nothing but zlib and says whether it shows something.

Usage: png_check.py FILE.png  -> prints "WIDTHxHEIGHT colours=N ink=F" and exits 0 when the
image has more than one distinct colour and some non-white "ink"; 1 when blank; 2 when it is
not a PNG this decoder understands. Used by plot-render-test.sh (no pip packages needed).
"""
import struct
import sys
import zlib


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        elif kind == b"IEND":
            break
    width, height, depth, colour_type, _, _, interlace = header
    channels = {2: 3, 6: 4, 0: 1, 4: 2}.get(colour_type)
    if depth != 8 or channels is None or interlace != 0:
        raise ValueError(f"unsupported PNG (depth {depth}, colour type {colour_type}, interlace {interlace})")
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous, offset = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[offset], bytearray(raw[offset + 1:offset + 1 + stride])
        offset += 1 + stride
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            upper_left = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - upper_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - upper_left)
                predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else upper_left)
                line[i] = (line[i] + predictor) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, channels, rows


def main():
    try:
        width, height, channels, rows = decode(sys.argv[1])
    except (ValueError, OSError, zlib.error, struct.error, TypeError) as error:
        print(f"unreadable: {error}")
        return 2
    colours, ink = set(), 0
    for row in rows:
        for x in range(0, len(row), channels):
            pixel = row[x:x + min(channels, 3)]
            colours.add(pixel)
            if min(pixel) < 200:
                ink += 1
    fraction = ink / float(width * height)
    print(f"{width}x{height} colours={len(colours)} ink={fraction:.4f}")
    return 0 if len(colours) > 1 and fraction > 0.002 else 1


if __name__ == "__main__":
    sys.exit(main())
