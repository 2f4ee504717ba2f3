"""The 2-D toy sets: shapes, balanced classes, the geometry of each class and what noise does."""

from __future__ import annotations

import numpy as np
import pytest

from trainer.data.registry import all_datasets
from trainer.data.toy2d import XOR_PAD, class_counts

TOY = ["circle", "xor", "gaussians", "spiral"]


def generate(name: str, seed: int = 0, **params):
    entry = all_datasets().get(name)
    clean = {p.name: p.default for p in entry.params} | params
    return entry.generate(clean, np.random.default_rng(seed))


@pytest.mark.parametrize("name", TOY)
@pytest.mark.parametrize("n", [20, 501])
def test_shapes_and_balanced_classes(name, n):
    x, y = generate(name, n=n)
    assert x.shape == (n, 2) and x.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    counts = np.bincount(y, minlength=2)
    assert counts.sum() == n and counts.max() - counts.min() <= 1, counts


def test_spiral_has_one_balanced_class_per_arm():
    x, y = generate("spiral", n=100, classes=3)
    assert x.shape == (100, 2)
    assert np.bincount(y).tolist() == [34, 33, 33]


def test_class_counts_differ_by_at_most_one():
    assert class_counts(7, 3) == [3, 2, 2] and class_counts(6, 2) == [3, 3]


@pytest.mark.parametrize("name", TOY)
def test_noise_changes_the_data_but_not_the_labels(name):
    x0, y0 = generate(name, noise=0.0)
    x1, y1 = generate(name, noise=0.3)
    np.testing.assert_array_equal(y0, y1)
    jitter = x1 - x0  # same seed: same clean points, then the jitter
    assert 0.25 < jitter.std() < 0.35


@pytest.mark.parametrize("name", TOY)
def test_same_seed_same_data_other_seed_other_data(name):
    a, b, c = generate(name, seed=3), generate(name, seed=3), generate(name, seed=4)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.allclose(a[0], c[0])


def test_clean_circle_is_a_disc_inside_a_ring():
    x, y = generate("circle", noise=0.0)
    radius = np.hypot(x[:, 0], x[:, 1])
    assert radius[y == 1].max() <= 0.5 and 0.7 <= radius[y == 0].min() and radius.max() <= 1.0


def test_clean_xor_labels_follow_the_sign_of_x_times_y():
    x, y = generate("xor", noise=0.0)
    np.testing.assert_array_equal(y, (x[:, 0] * x[:, 1] > 0).astype(np.int64))
    assert np.abs(x).min() >= XOR_PAD and np.abs(x).max() <= 1.0


def test_clean_gaussians_are_separated_by_the_diagonal():
    x, y = generate("gaussians", noise=0.0, n=400)
    side = x.sum(axis=1) > 0
    assert (side == (y == 1)).mean() > 0.99
    np.testing.assert_allclose(x[y == 1].mean(axis=0), [0.5, 0.5], atol=0.05)


def test_clean_spiral_arms_wind_from_the_centre_to_radius_one():
    x, y = generate("spiral", noise=0.0, classes=2, turns=1.0)
    radius = np.hypot(x[:, 0], x[:, 1])
    angle = np.arctan2(x[:, 0], x[:, 1])  # the arms start along +y
    # One turn: a point at radius r on arm c sits at angle 2π(r + c / 2), modulo 2π.
    expected = 2 * np.pi * (radius + y / 2)
    np.testing.assert_allclose(np.cos(angle - expected), 1.0, atol=1e-9)
    assert radius.max() <= 1.0
