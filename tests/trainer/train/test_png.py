"""The PNG encoder and the colour maps and drawing helpers the probes use."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest

from trainer.train.png import (
    NEGATIVE,
    PNG_SIGNATURE,
    POSITIVE,
    categorical,
    decode_png,
    diverging,
    draw_points,
    encode_png,
    mosaic,
    upscale,
)


def chunks(data: bytes) -> list[tuple[bytes, bytes, int]]:
    out, pos = [], len(PNG_SIGNATURE)
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        out.append((kind, body, crc))
        pos += 12 + length
    return out


@pytest.mark.parametrize("shape", [(5, 7), (5, 7, 3), (5, 7, 4)])
def test_encode_decode_round_trip(shape):
    pixels = np.random.default_rng(0).integers(0, 256, size=shape, dtype=np.uint8)
    data = encode_png(pixels)
    assert data.startswith(PNG_SIGNATURE)
    assert np.array_equal(decode_png(data), pixels)


def test_chunks_have_valid_crcs_and_header():
    data = encode_png(np.zeros((3, 9, 3), dtype=np.uint8))
    found = chunks(data)
    assert [k for k, _, _ in found] == [b"IHDR", b"IDAT", b"IEND"]
    assert all(zlib.crc32(kind + body) == crc for kind, body, crc in found)
    width, height, depth, colour = struct.unpack(">IIBB", found[0][1][:10])
    assert (width, height, depth, colour) == (9, 3, 8, 2)


def test_decode_refuses_a_corrupt_chunk():
    data = bytearray(encode_png(np.zeros((2, 2), dtype=np.uint8)))
    data[20] ^= 0xFF  # inside IHDR's body
    with pytest.raises(ValueError, match="CRC"):
        decode_png(bytes(data))


def test_encode_refuses_floats_and_odd_shapes():
    with pytest.raises(ValueError, match="uint8"):
        encode_png(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="got"):
        encode_png(np.zeros((2, 2, 2), dtype=np.uint8))


def test_diverging_runs_orange_white_blue():
    rgb = diverging(np.array([[-1.0, 0.0, 1.0, 5.0, np.nan]]))
    assert rgb.shape == (1, 5, 3) and rgb.dtype == np.uint8
    assert np.array_equal(rgb[0, 0], NEGATIVE.astype(np.uint8))
    assert rgb[0, 1].min() > 225  # near white
    assert np.array_equal(rgb[0, 2], POSITIVE.astype(np.uint8)) and np.array_equal(rgb[0, 3], rgb[0, 2])  # clipped
    assert np.array_equal(rgb[0, 4], [128, 128, 128])
    assert np.array_equal(diverging(np.array([[0.0]]), vmin=0, vmax=10)[0, 0], NEGATIVE.astype(np.uint8))


def test_categorical_has_ten_distinct_colours_faded_by_low_confidence():
    classes = np.arange(10)[None, :]
    sure = categorical(classes, np.ones((1, 10)))
    assert len({tuple(c) for c in sure[0]}) == 10
    unsure = categorical(classes, np.zeros((1, 10)))
    assert (unsure.astype(int).sum(-1) > sure.astype(int).sum(-1)).all()  # lighter, nearer white
    assert (unsure < 255).any(-1).all()  # but never quite white


def test_mosaic_places_tiles_row_by_row():
    tiles = np.stack([np.full((2, 3), k, dtype=np.uint8) for k in range(5)])
    grid = mosaic(tiles, columns=2, pad=1, fill=255)
    assert grid.shape == (3 * 3 - 1, 2 * 4 - 1)
    assert grid[0, 0] == 0 and grid[0, 4] == 1 and grid[3, 0] == 2 and grid[6, 0] == 4
    assert grid[2, 0] == 255 and grid[6, 4] == 255  # padding and the empty sixth cell
    assert mosaic(np.zeros((9, 4, 4, 3), dtype=np.uint8)).shape == (3 * 5 - 1, 3 * 5 - 1, 3)


def test_upscale_repeats_pixels():
    img = np.array([[1, 2], [3, 4]], dtype=np.uint8)
    big = upscale(img, 3)
    assert big.shape == (6, 6) and big[2, 2] == 1 and big[3, 3] == 4 and big[0, 5] == 2


def test_draw_points_fills_discs_with_an_outline():
    rgb = np.zeros((20, 20, 3), dtype=np.uint8)
    out = draw_points(rgb, np.array([[5, 10], [19, 0]]), np.array([[255, 0, 0], [0, 255, 0]]), radius=2)
    assert rgb.sum() == 0  # a copy
    assert np.array_equal(out[10, 5], [255, 0, 0]) and np.array_equal(out[10, 7], [255, 0, 0])
    assert np.array_equal(out[10, 8], [255, 255, 255])  # outline
    assert np.array_equal(out[0, 19], [0, 255, 0])  # clipped at the corner, no error
    assert out[0, 0].sum() == 0
