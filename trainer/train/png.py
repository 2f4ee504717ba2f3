"""A tiny dependency-free PNG encoder (zlib + struct, per the PNG specification) and the colour maps and drawing
helpers that the probes use to turn tensors into pictures. Pixels are numpy uint8 arrays, row 0 at the top."""

from __future__ import annotations

import struct
import zlib

import numpy as np

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLOUR_TYPE = {1: 0, 3: 2, 4: 6}  # channels -> PNG colour type (grey, RGB, RGBA)
_CHANNELS = {v: k for k, v in _COLOUR_TYPE.items()}

# TensorFlow Playground's colours: orange for negative, a near-white for zero, blue for positive.
NEGATIVE = np.array([245, 147, 34], dtype=np.float32)
ZERO = np.array([232, 234, 235], dtype=np.float32)
POSITIVE = np.array([8, 119, 189], dtype=np.float32)
# Tableau 20: ten strong colours, then their light partners for classes 10..19 (then the palette repeats).
PALETTE = np.array(
    [
        [31, 119, 180],
        [255, 127, 14],
        [44, 160, 44],
        [214, 39, 40],
        [148, 103, 189],
        [140, 86, 75],
        [227, 119, 194],
        [127, 127, 127],
        [188, 189, 34],
        [23, 190, 207],
        [174, 199, 232],
        [255, 187, 120],
        [152, 223, 138],
        [255, 152, 150],
        [197, 176, 213],
        [196, 156, 148],
        [247, 182, 210],
        [199, 199, 199],
        [219, 219, 141],
        [158, 218, 229],
    ],
    dtype=np.uint8,
)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(pixels: np.ndarray, *, level: int = 6) -> bytes:
    """(H, W) grey, (H, W, 3) RGB or (H, W, 4) RGBA uint8 → PNG bytes (8 bits per channel, no filtering)."""
    if pixels.dtype != np.uint8:
        raise ValueError(f"encode_png wants uint8 pixels, got {pixels.dtype}")
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    if pixels.ndim != 3 or pixels.shape[2] not in _COLOUR_TYPE or 0 in pixels.shape[:2]:
        raise ValueError(f"encode_png wants (H, W), (H, W, 3) or (H, W, 4) with H, W ≥ 1; got {pixels.shape}")
    height, width, channels = pixels.shape
    rows = np.zeros((height, 1 + width * channels), dtype=np.uint8)  # each row starts with filter type 0 (none)
    rows[:, 1:] = pixels.reshape(height, width * channels)
    header = struct.pack(">IIBBBBB", width, height, 8, _COLOUR_TYPE[channels], 0, 0, 0)
    return b"".join(
        [
            PNG_SIGNATURE,
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(rows.tobytes(), level)),
            _chunk(b"IEND", b""),
        ]
    )


def decode_png(data: bytes) -> np.ndarray:
    """PNG bytes → pixels, for what `encode_png` writes (8-bit grey/RGB/RGBA, filter type 0); checks every CRC."""
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG: bad signature")
    pos, header, idat = len(PNG_SIGNATURE), None, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        if zlib.crc32(kind + body) != crc:
            raise ValueError(f"PNG chunk {kind!r}: bad CRC")
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    if header is None:
        raise ValueError("PNG without IHDR")
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in _CHANNELS or interlace:
        raise ValueError(
            f"decode_png reads 8-bit grey/RGB/RGBA without interlacing; got depth {depth}, "
            f"colour type {colour}, interlace {interlace}"
        )
    channels = _CHANNELS[colour]
    rows = np.frombuffer(zlib.decompress(b"".join(idat)), dtype=np.uint8).reshape(height, 1 + width * channels)
    if rows[:, 0].any():
        raise ValueError(f"decode_png reads filter type 0 only; got {sorted(set(rows[:, 0].tolist()))}")
    pixels = rows[:, 1:].reshape(height, width, channels)
    return pixels[:, :, 0].copy() if channels == 1 else pixels.copy()


def diverging(values: np.ndarray, vmin: float = -1, vmax: float = 1) -> np.ndarray:
    """(H, W) float → (H, W, 3) uint8 (any leading shape works): orange at vmin, near-white midway, blue at vmax
    (clipped); NaN is grey."""
    values = np.asarray(values, dtype=np.float32)
    mid, half = (vmin + vmax) / 2, (vmax - vmin) / 2
    x = np.clip((values - mid) / (half if half > 0 else 1.0), -1.0, 1.0)
    x = np.nan_to_num(x, nan=0.0)[..., None]  # (H, W, 1) in [-1, 1]
    rgb = np.where(x < 0, ZERO + (NEGATIVE - ZERO) * -x, ZERO + (POSITIVE - ZERO) * x)
    rgb[np.isnan(values)] = 128
    return np.rint(rgb).astype(np.uint8)


# Viridis sampled at nine even stops (from its published table): a sequential map that stays readable in grey and
# to colour-blind eyes; values between stops are interpolated linearly.
VIRIDIS = np.array(
    [
        [68, 1, 84],
        [71, 44, 122],
        [59, 81, 139],
        [44, 113, 142],
        [33, 144, 141],
        [39, 173, 129],
        [92, 200, 99],
        [170, 220, 50],
        [253, 231, 37],
    ],
    dtype=np.float32,
)


def sequential(values: np.ndarray, vmin: float = 0.0, vmax: float = 1.0) -> np.ndarray:
    """(…) float → (…, 3) uint8 in viridis: dark purple at vmin, yellow at vmax (clipped); NaN is grey.
    For magnitudes (feature maps), where diverging colours would suggest a meaningful zero."""
    values = np.asarray(values, dtype=np.float32)
    span = vmax - vmin if vmax > vmin else 1.0
    x = np.clip(np.nan_to_num((values - vmin) / span, nan=0.0), 0.0, 1.0) * (len(VIRIDIS) - 1)
    lo = np.minimum(x.astype(np.int64), len(VIRIDIS) - 2)
    frac = (x - lo)[..., None]
    rgb = VIRIDIS[lo] * (1 - frac) + VIRIDIS[lo + 1] * frac
    rgb[np.isnan(values)] = 128
    return np.rint(rgb).astype(np.uint8)


def unit_range(values: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """Each slice over `axes` rescaled to [0, 1] by its own min and max (a constant slice becomes 0.5), so every
    map of a grid uses the whole colour range; non-finite values count as the slice's minimum."""
    values = np.nan_to_num(np.asarray(values, dtype=np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    lo, hi = values.min(axis=axes, keepdims=True), values.max(axis=axes, keepdims=True)
    span = hi - lo
    return np.where(span > 0, (values - lo) / np.where(span > 0, span, 1.0), 0.5).astype(np.float32)


def categorical(classes: np.ndarray, confidence: np.ndarray) -> np.ndarray:
    """(H, W) class index and [0, 1] confidence → (H, W, 3) uint8: each class its palette colour, faded toward
    white where the confidence is low (never quite white, so the class still shows)."""
    colour = PALETTE[np.asarray(classes, dtype=np.int64) % len(PALETTE)].astype(np.float32)
    alpha = 0.15 + 0.85 * np.clip(np.nan_to_num(np.asarray(confidence, dtype=np.float32)), 0.0, 1.0)[..., None]
    return np.rint(255 + (colour - 255) * alpha).astype(np.uint8)


def mosaic(tiles: np.ndarray, *, columns: int | None = None, pad: int = 1, fill: int = 255) -> np.ndarray:
    """(K, H, W[, C]) tiles → one grid image, `columns` wide (default ⌈√K⌉), tiles `pad` pixels apart on `fill`.
    Tile k sits at row k // columns, column k % columns, its top-left at ((H + pad)·row, (W + pad)·column)."""
    k, h, w = tiles.shape[:3]
    if k == 0:
        raise ValueError("mosaic of no tiles")
    columns = columns or int(np.ceil(np.sqrt(k)))
    rows = int(np.ceil(k / columns))
    out = np.full((rows * (h + pad) - pad, columns * (w + pad) - pad, *tiles.shape[3:]), fill, dtype=tiles.dtype)
    for i in range(k):
        r, c = divmod(i, columns)
        out[r * (h + pad) : r * (h + pad) + h, c * (w + pad) : c * (w + pad) + w] = tiles[i]
    return out


def grid(
    tiles: np.ndarray, *, min_tile_px: int = 32, max_width_px: int = 768, pad: int = 1
) -> tuple[np.ndarray, dict[str, int]]:
    """(K, H, W[, 3]) uint8 tiles → (one image, its layout): each tile enlarged by a whole factor to about
    `min_tile_px` on its longer side, laid out about square but no wider than `max_width_px`. The layout
    {"tiles", "columns", "tile_width", "tile_height", "pad"} lets a client caption tile k at row k // columns."""
    k, h, w = tiles.shape[:3]
    factor = max(1, -(-min_tile_px // max(h, w)))
    tw, th = w * factor, h * factor
    columns = max(1, min(int(np.ceil(np.sqrt(k))), (max_width_px + pad) // (tw + pad)))
    big = np.stack([upscale(t, factor) for t in tiles])
    layout = {"tiles": int(k), "columns": columns, "tile_width": tw, "tile_height": th, "pad": pad}
    return mosaic(big, columns=columns, pad=pad), layout


def upscale(pixels: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour enlargement of an (H, W[, C]) image by an integer factor, for tiny images."""
    if factor <= 1:
        return pixels
    return np.repeat(np.repeat(pixels, factor, axis=0), factor, axis=1)


def draw_points(
    rgb: np.ndarray,
    xy_pixels: np.ndarray,
    colours: np.ndarray,
    radius: int = 1,
    *,
    outline: tuple[int, int, int] | None = (255, 255, 255),
) -> np.ndarray:
    """A copy of an (H, W, 3) image with a filled disc at each (x = column, y = row) of `xy_pixels` (N, 2), in
    `colours` (N, 3) uint8, ringed by `outline` one pixel wide so dots stay visible on a same-coloured region."""
    out = rgb.copy()
    h, w = out.shape[:2]
    centres = np.rint(np.asarray(xy_pixels, dtype=np.float64)).astype(np.int64)  # (N, 2)
    colours = np.asarray(colours, dtype=np.uint8)
    reach = radius + (1 if outline is not None else 0)
    offsets = [
        (dx, dy)
        for dy in range(-reach, reach + 1)
        for dx in range(-reach, reach + 1)
        if dx * dx + dy * dy <= reach * reach + reach
    ]  # `+ reach` rounds the disc's edge
    for dx, dy in sorted(offsets, key=lambda o: -(o[0] ** 2 + o[1] ** 2)):  # ring first, fill on top
        x, y = centres[:, 0] + dx, centres[:, 1] + dy
        inside = (x >= 0) & (x < w) & (y >= 0) & (y < h)
        ring = dx * dx + dy * dy > radius * radius + radius
        out[y[inside], x[inside]] = outline if ring else colours[inside]
    return out
