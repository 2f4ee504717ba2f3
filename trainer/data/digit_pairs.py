"""Pairs of handwritten digits (scikit-learn's 8×8): are both the same digit? Two input fields, `left` and
`right`, for a Siamese network whose two branches share their weights."""

from __future__ import annotations

from typing import Any

import numpy as np

from trainer.catalog import Param
from trainer.data.digits import SIDE, _load
from trainer.data.registry import DataInfo, DatasetEntry, register_dataset

FIELDS = ("left", "right")


def _info(p: dict[str, Any]) -> DataInfo:
    shape = (1, SIDE, SIDE) if p["image"] else (SIDE * SIDE,)
    return DataInfo(
        task="classification",
        input_shape=shape,
        target_shape=(),
        num_classes=2,
        class_names=("different", "same"),
        fields=FIELDS,
        field_shapes=(shape, shape),
    )


def _generate(p: dict[str, Any], rng: np.random.Generator) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Half the pairs show the same digit (two different images of it), half two different digits."""
    x, labels = _load()
    n = p["n"]
    by_digit = [np.flatnonzero(labels == d) for d in range(10)]
    same = np.arange(n) % 2 == 1
    rng.shuffle(same)
    first_digit = rng.integers(0, 10, n)
    other_digit = (first_digit + rng.integers(1, 10, n)) % 10  # never the first
    second_digit = np.where(same, first_digit, other_digit)
    left = np.array([rng.choice(by_digit[d]) for d in first_digit])
    right = np.array([rng.choice(by_digit[d]) for d in second_digit])
    shape = _info(p).input_shape
    return (
        {"left": x[left].reshape(n, *shape), "right": x[right].reshape(n, *shape)},
        same.astype(np.int64),
    )


register_dataset(
    DatasetEntry(
        name="digit_pairs",
        help="Pairs of handwritten digits in fields left and right: label same (1) or different (0) digit.",
        task="classification",
        params=(
            Param(
                "n",
                "int",
                3000,
                "Number of pairs, both splits together (half of them the same digit).",
                min=20,
                max=100_000,
            ),
            Param("image", "bool", False, "Each side as a (1, 8, 8) image for convolutions instead of 64 pixels."),
        ),
        info=_info,
        generate=_generate,
    )
)
