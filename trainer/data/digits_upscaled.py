"""scikit-learn's 8×8 digits enlarged to 16–64 px by bilinear interpolation: a bundled image set big enough for
LeNet-, AlexNet- and VGG-style networks (several poolings) without any download."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from trainer.catalog import Param
from trainer.data.digits import SIDE, _load
from trainer.data.registry import DataInfo, DatasetEntry, register_dataset


def upscale(images: np.ndarray, size: int) -> np.ndarray:
    """(N, 8, 8) → (N, size, size) float32 by bilinear interpolation (ink 0–16 kept as it is)."""
    x = torch.tensor(images, dtype=torch.float32).reshape(-1, 1, SIDE, SIDE)  # a copy: the cache is read-only
    out = torch.nn.functional.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
    return out[:, 0].numpy()


def _info(p: dict[str, Any]) -> DataInfo:
    return DataInfo(
        task="classification",
        input_shape=(p["channels"], p["size"], p["size"]),
        target_shape=(),
        num_classes=10,
        class_names=tuple(str(d) for d in range(10)),
    )


def _generate(p: dict[str, Any], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """All 1797 digits, enlarged, repeated over `channels`, with optional Gaussian pixel noise from `rng`."""
    x, y = _load()
    images = upscale(x, p["size"])[:, None]  # (N, 1, size, size)
    images = np.repeat(images, p["channels"], axis=1)
    if p["noise"] > 0:
        images = images + rng.normal(0.0, p["noise"], images.shape).astype(np.float32)
    return images, y.copy()


register_dataset(
    DatasetEntry(
        name="digits_upscaled",
        help="Handwritten digits 0–9 (scikit-learn) enlarged from 8×8 to 16–64 px images; 10 classes.",
        task="classification",
        params=(
            Param("size", "int", 32, "Side of each image in pixels.", min=8, max=64),
            Param(
                "channels", "int", 1, "Copies of the grey image as channels (3 for RGB-shaped networks).", min=1, max=3
            ),
            Param(
                "noise", "float", 0.0, "Standard deviation of added pixel noise (ink units 0–16).", min=0.0, max=16.0
            ),
        ),
        info=_info,
        generate=_generate,
    )
)
