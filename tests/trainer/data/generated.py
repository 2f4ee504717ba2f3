"""Generate a catalog data set with its defaults overridden: what the generated-data tests of this package share."""

from __future__ import annotations

from typing import Any

import numpy as np

from trainer.catalog import check_params
from trainer.data.registry import DataInfo, all_datasets


def generate(name: str, seed: int = 0, **params: Any) -> tuple[DataInfo, Any, np.ndarray]:
    """(info, x or {field: x}, y) exactly as `prepare` would receive them."""
    entry = all_datasets().get(name)
    clean, issues = check_params(entry.params, params)
    assert issues == [], issues
    x, y = entry.generate(clean, np.random.default_rng(seed))
    return entry.info(clean), x, y


def same(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    return bool(np.array_equal(a, b))
