"""Gaussian blobs in any dimension: a synthetic classification set whose size and width are parameters
(for wide networks and benchmarks: 784 dimensions and 10 classes is MNIST-sized)."""

from __future__ import annotations

from typing import Any

import numpy as np

from trainer.catalog import Param
from trainer.data.registry import DataInfo, DatasetEntry, register_dataset


def _info(p: dict[str, Any]) -> DataInfo:
    classes = p["classes"]
    return DataInfo(
        task="classification",
        input_shape=(p["dims"],),
        target_shape=(),
        num_classes=classes,
        class_names=tuple(str(c) for c in range(classes)),
    )


def _generate(p: dict[str, Any], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Class centres drawn from N(0, 1) per dimension; each example is its centre + N(0, spread²) noise."""
    n, dims, classes = p["n"], p["dims"], p["classes"]
    centres = rng.normal(0.0, 1.0, (classes, dims))
    y = np.arange(n) % classes
    rng.shuffle(y)
    x = centres[y] + rng.normal(0.0, p["spread"], (n, dims))
    return x.astype(np.float32), y.astype(np.int64)


register_dataset(
    DatasetEntry(
        name="blobs",
        help="Gaussian clusters, one per class, in any number of dimensions.",
        task="classification",
        params=(
            Param("n", "int", 1000, "Number of examples, both splits together.", min=20, max=200_000),
            Param("dims", "int", 16, "Input dimensions.", min=1, max=100_000),
            Param("classes", "int", 3, "Number of classes (clusters).", min=2, max=100),
            Param("spread", "float", 1.0, "Standard deviation of each cluster around its centre.", min=0.0, max=100.0),
        ),
        info=_info,
        generate=_generate,
    )
)
