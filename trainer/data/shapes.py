"""Generated images of circles, squares and triangles: the CNN data set of the playground (LeNet and friends).

Each image holds one filled shape at a random position and size, in a random colour on a dark background with
Gaussian noise; 1 or 3 channels, 16–64 px. Targets: the shape's class, or (regression) its centre or its size,
so one data set teaches both "what" and "where"."""

from __future__ import annotations

from typing import Any

import numpy as np

from trainer.catalog import Param
from trainer.data.registry import DataInfo, DatasetEntry, register_dataset

CLASSES = ("circle", "square", "triangle")


def masks(kinds: np.ndarray, cx: np.ndarray, cy: np.ndarray, r: np.ndarray, size: int) -> np.ndarray:
    """(N, size, size) bool: shape `kinds[i]` (0 circle, 1 square, 2 triangle) centred at (cx, cy) px with
    radius r px (half the square's side; the triangle's circumradius), all vectorised over N."""
    grid = np.arange(size, dtype=np.float64) + 0.5
    x, y = grid[None, None, :], grid[None, :, None]  # broadcast to (N, H, W)
    cx, cy, r = cx[:, None, None], cy[:, None, None], r[:, None, None]
    dx, dy = x - cx, y - cy
    circle = dx**2 + dy**2 <= r**2
    square = (np.abs(dx) <= 0.85 * r) & (np.abs(dy) <= 0.85 * r)  # 0.85: about the circle's area
    # An upward triangle: below the two slanted sides and above the base (image y grows downwards).
    base = dy <= 0.5 * r
    left = dy >= -r + np.sqrt(3.0) * dx
    right = dy >= -r - np.sqrt(3.0) * dx
    triangle = base & left & right
    k = kinds[:, None, None]
    return np.where(k == 0, circle, np.where(k == 1, square, triangle))


def _info(p: dict[str, Any]) -> DataInfo:
    shape = (p["channels"], p["size"], p["size"])
    if p["target"] == "class":
        return DataInfo("classification", shape, (), len(CLASSES), CLASSES)
    return DataInfo("regression", shape, (2,) if p["target"] == "position" else (1,), None, None)


def _generate(p: dict[str, Any], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n, size, channels = p["n"], p["size"], p["channels"]
    kinds = np.arange(n) % len(CLASSES)  # balanced classes
    rng.shuffle(kinds)
    r = rng.uniform(p["min_scale"], p["max_scale"], n) * size / 2  # radius in px
    cx = rng.uniform(r, size - r)
    cy = rng.uniform(r, size - r)
    colour = rng.uniform(0.5, 1.0, (n, channels)) if channels == 3 else np.ones((n, 1))
    mask = masks(kinds, cx, cy, r, size)[:, None]  # (N, 1, H, W)
    x = mask * colour[:, :, None, None] + rng.normal(0.0, p["noise"], (n, channels, size, size))
    if p["target"] == "class":
        y = kinds.astype(np.int64)
    elif p["target"] == "position":
        y = np.stack([cx, cy], axis=1) / size  # centre in [0, 1] of the image side
    else:
        y = (2 * r / size)[:, None]  # diameter as a share of the side
    return x.astype(np.float32), y


register_dataset(
    DatasetEntry(
        name="shapes",
        help="Images of one circle, square or triangle each; class, centre or size targets; 1 or 3 channels.",
        task="classification",
        params=(
            Param("n", "int", 1500, "Number of images, both splits together.", min=30, max=100_000),
            Param("size", "int", 32, "Side of each image in pixels.", min=16, max=64),
            Param("channels", "int", 1, "1 (grey) or 3 (a random colour per shape).", min=1, max=3),
            Param("noise", "float", 0.1, "Standard deviation of the Gaussian pixel noise.", min=0.0, max=2.0),
            Param("min_scale", "float", 0.3, "Smallest shape, as a share of the image side.", min=0.1, max=1.0),
            Param("max_scale", "float", 0.7, "Largest shape, as a share of the image side.", min=0.1, max=1.0),
            Param(
                "target",
                "choice",
                "class",
                "class (3 classes), position (centre x, y in [0, 1]) or scale (diameter ÷ side).",
                choices=("class", "position", "scale"),
            ),
        ),
        info=_info,
        generate=_generate,
    )
)
