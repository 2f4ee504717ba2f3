"""scikit-learn's handwritten digits: 1,797 grey 8×8 images of 0–9, shipped inside scikit-learn (no download)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from trainer.catalog import Param
from trainer.data.registry import DataInfo, DatasetEntry, register_dataset

SIDE = 8  # pixels per image side; values are ink counts 0–16


@lru_cache(maxsize=1)
def _load() -> tuple[np.ndarray, np.ndarray]:
    """(1797, 64) float64 pixels and (1797,) int64 labels; load_digits reads and parses a file on every call."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    x, y = bunch.data.astype(np.float64), bunch.target.astype(np.int64)
    x.flags.writeable = y.flags.writeable = False  # shared by every caller of this cache
    return x, y


def _info(p: dict[str, Any]) -> DataInfo:
    return DataInfo(
        task="classification",
        input_shape=(1, SIDE, SIDE) if p["image"] else (SIDE * SIDE,),
        target_shape=(),
        num_classes=10,
        class_names=tuple(str(d) for d in range(10)),
    )


def _generate(p: dict[str, Any], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """All 1797 examples in the file's order (prepare shuffles); `rng` is unused: the data are fixed."""
    x, y = _load()
    return x.reshape(len(x), *_info(p).input_shape).copy(), y.copy()


register_dataset(
    DatasetEntry(
        name="digits",
        help="Handwritten digits 0–9 (scikit-learn): 1,797 grey 8×8 images, 10 classes; flat (64,) or image (1, 8, 8).",
        task="classification",
        params=(
            Param(
                "image",
                "bool",
                False,
                "Give each example as a (1, 8, 8) image for convolutions instead of 64 flat pixels.",
            ),
        ),
        info=_info,
        generate=_generate,
    )
)
