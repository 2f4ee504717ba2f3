"""Videos of one shape moving in a straight line (N, T, C, H, W): classify the direction of motion.

A single frame says nothing about the direction, so a network must compare frames: the CNN→RNN data set (a
per-frame CNN, then a recurrent layer over time)."""

from __future__ import annotations

from typing import Any

import numpy as np

from trainer.catalog import Param
from trainer.data.registry import DataInfo, DatasetEntry, register_dataset
from trainer.data.shapes import masks

DIRECTIONS = ("right", "left", "down", "up")
_STEP = np.array([[1, 0], [-1, 0], [0, 1], [0, -1]], dtype=np.float64)  # (dx, dy) per direction, image y down


def _info(p: dict[str, Any]) -> DataInfo:
    return DataInfo("classification", (p["frames"], 1, p["size"], p["size"]), (), len(DIRECTIONS), DIRECTIONS)


def _generate(p: dict[str, Any], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A random shape (circle, square, triangle) of radius ≈ size/6 starts where its whole path stays inside the
    frame and moves `speed` px per frame in its class's direction; Gaussian noise on every pixel."""
    n, t, size, speed = p["n"], p["frames"], p["size"], p["speed"]
    y = np.arange(n) % len(DIRECTIONS)
    rng.shuffle(y)
    kinds = rng.integers(0, 3, n)
    r = rng.uniform(0.12, 0.2, n) * size
    step = _STEP[y] * speed  # (N, 2)
    # Start so that start + step·(t − 1) stays within [r, size − r] on both axes (when the path is longer than
    # the frame allows, the shape leaves it: still a valid video).
    lo = r[:, None] + np.maximum(0.0, -step * (t - 1))
    hi = size - r[:, None] - np.maximum(0.0, step * (t - 1))
    start = lo + rng.uniform(0.0, 1.0, (n, 2)) * np.maximum(hi - lo, 0.0)
    frames = np.empty((n, t, 1, size, size), dtype=np.float32)
    for f in range(t):
        centre = start + step * f
        frames[:, f, 0] = masks(kinds, centre[:, 0], centre[:, 1], r, size)
    frames += rng.normal(0.0, p["noise"], frames.shape).astype(np.float32)
    return frames, y.astype(np.int64)


register_dataset(
    DatasetEntry(
        name="moving_shapes",
        help="Videos (N, T, 1, H, W) of a shape moving right, left, down or up; classify the direction.",
        task="classification",
        params=(
            Param("n", "int", 800, "Number of videos, both splits together.", min=20, max=50_000),
            Param("frames", "int", 6, "Frames T per video.", min=2, max=32),
            Param("size", "int", 16, "Side of each frame in pixels.", min=12, max=64),
            Param("speed", "float", 1.0, "Pixels moved per frame.", min=0.25, max=4.0),
            Param("noise", "float", 0.1, "Standard deviation of the pixel noise.", min=0.0, max=2.0),
        ),
        info=_info,
        generate=_generate,
    )
)
