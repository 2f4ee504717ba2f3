"""Generated shapes: images of the declared shape, one seed one data set, class and regression targets."""

from __future__ import annotations

import numpy as np

from tests.trainer.data.generated import generate, same
from trainer.data.shapes import masks


def test_images_and_balanced_classes():
    info, x, y = generate("shapes", n=90, size=16)
    assert x.shape == (90, 1, 16, 16) == (90, *info.input_shape) and x.dtype == np.float32
    assert np.bincount(y).tolist() == [30, 30, 30]
    assert info.class_names == ("circle", "square", "triangle")


def test_one_seed_one_data_set():
    assert same(generate("shapes", seed=3, n=30)[1], generate("shapes", seed=3, n=30)[1])
    assert not same(generate("shapes", seed=3, n=30)[1], generate("shapes", seed=4, n=30)[1])


def test_three_channels_and_64_pixels():
    info, x, _ = generate("shapes", n=30, size=64, channels=3)
    assert x.shape == (30, 3, 64, 64) and info.input_shape == (3, 64, 64)


def test_position_targets_are_the_centre_of_the_ink():
    info, x, y = generate("shapes", n=30, size=32, target="position", noise=0.0)
    assert info.task == "regression" and y.shape == (30, 2)
    rows, cols = np.nonzero(x[0, 0] > 0.5)
    assert abs((cols.mean() + 0.5) / 32 - y[0, 0]) < 0.06 and abs((rows.mean() + 0.5) / 32 - y[0, 1]) < 0.06


def test_scale_targets_grow_with_the_ink():
    _, x, y = generate("shapes", n=60, target="scale", noise=0.0)
    side = np.sqrt((x > 0.5).sum(axis=(1, 2, 3)))  # ∝ the radius within each class
    assert y.shape == (60, 1) and np.corrcoef(side, y[:, 0])[0, 1] > 0.7


def test_the_three_masks_differ_in_area():
    kinds = np.array([0, 1, 2])
    centre, r = np.full(3, 16.0), np.full(3, 10.0)
    area = masks(kinds, centre, centre, r, 32).sum(axis=(1, 2))
    assert area[2] < area[0] and area[2] < area[1]  # a triangle covers less than a circle or the square
