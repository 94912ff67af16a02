"""BlurHash (https://blurha.sh): a short string a client turns into a blurred placeholder.

The encoder follows the published algorithm: a few DCT components of the image in linear
light, the average colour in 4 base-83 digits and each other component quantised to 2.
It works on a small copy of the image (32 px at most), so it is cheap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"


def _base83(value: int, length: int) -> str:
    return "".join(_CHARS[(value // 83 ** (length - i)) % 83] for i in range(1, length + 1))


def _to_linear(v: int) -> float:
    c = v / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _to_srgb(v: float) -> int:
    c = min(max(v, 0.0), 1.0)
    if c <= 0.0031308:
        return int(c * 12.92 * 255 + 0.5)
    return int((1.055 * c ** (1 / 2.4) - 0.055) * 255 + 0.5)


def _sign_pow(v: float, exp: float) -> float:
    return math.copysign(abs(v) ** exp, v)


def encode(
    pixels: Sequence[tuple[int, int, int]], width: int, height: int, x_components: int = 4, y_components: int = 3
) -> str:
    """The BlurHash of `width` x `height` RGB pixels given row by row."""
    if not (1 <= x_components <= 9 and 1 <= y_components <= 9):
        raise ValueError("components must be 1-9")
    if len(pixels) != width * height or not pixels:
        raise ValueError("pixels must hold width x height values")
    linear = [(_to_linear(r), _to_linear(g), _to_linear(b)) for r, g, b in pixels]
    cos_x = [[math.cos(math.pi * i * x / width) for x in range(width)] for i in range(x_components)]
    cos_y = [[math.cos(math.pi * j * y / height) for y in range(height)] for j in range(y_components)]
    factors: list[tuple[float, float, float]] = []
    for j in range(y_components):
        for i in range(x_components):
            scale = (1 if i == 0 and j == 0 else 2) / (width * height)
            r = g = b = 0.0
            for y in range(height):
                cy = cos_y[j][y]
                row = y * width
                for x in range(width):
                    basis = cos_x[i][x] * cy
                    pr, pg, pb = linear[row + x]
                    r += basis * pr
                    g += basis * pg
                    b += basis * pb
            factors.append((r * scale, g * scale, b * scale))
    dc, ac = factors[0], factors[1:]
    out = _base83((x_components - 1) + (y_components - 1) * 9, 1)
    if ac:
        actual_max = max(abs(c) for f in ac for c in f)
        quantised = max(0, min(82, int(actual_max * 166 - 0.5)))
        maximum = (quantised + 1) / 166
        out += _base83(quantised, 1)
    else:
        maximum = 1.0
        out += _base83(0, 1)
    out += _base83((_to_srgb(dc[0]) << 16) + (_to_srgb(dc[1]) << 8) + _to_srgb(dc[2]), 4)
    for f in ac:
        q = [max(0, min(18, int(_sign_pow(c / maximum, 0.5) * 9 + 9.5))) for c in f]
        out += _base83(q[0] * 19 * 19 + q[1] * 19 + q[2], 2)
    return out


def average_colour(blurhash: str) -> tuple[int, int, int]:
    """The average colour a hash carries (its DC component): what a placeholder shows first."""
    value = 0
    for ch in blurhash[2:6]:
        value = value * 83 + _CHARS.index(ch)
    return value >> 16, (value >> 8) & 255, value & 255
