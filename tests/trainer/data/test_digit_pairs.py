"""Digit pairs: two fields, left and right, labelled same (1) or different (0) digit."""

from __future__ import annotations

import numpy as np

from tests.trainer.data.generated import generate, same
from trainer.data.digits import _load


def digit_of(image: np.ndarray) -> int:
    x, labels = _load()
    return int(labels[np.flatnonzero((x == image.reshape(1, -1)).all(axis=1))[0]])


def test_two_fields_and_balanced_labels():
    info, x, y = generate("digit_pairs", n=100, image=True)
    assert info.fields == ("left", "right") and info.shapes() == {"left": (1, 8, 8), "right": (1, 8, 8)}
    assert x["left"].shape == x["right"].shape == (100, 1, 8, 8)
    assert np.bincount(y).tolist() == [50, 50]


def test_labels_say_whether_the_digits_match():
    _, x, y = generate("digit_pairs", n=40)
    for left, right, label in zip(x["left"], x["right"], y):
        assert (digit_of(left) == digit_of(right)) == bool(label)


def test_one_seed_one_data_set():
    assert same(generate("digit_pairs", seed=2, n=30)[1], generate("digit_pairs", seed=2, n=30)[1])
