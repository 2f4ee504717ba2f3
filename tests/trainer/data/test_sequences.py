"""Generated sequences: sine continuation, waveform classification and the adding problem."""

from __future__ import annotations

import numpy as np

from tests.trainer.data.generated import generate, same


def test_sine_continuation_shapes_and_continuity():
    info, x, y = generate("sine_continuation", n=50, length=30, horizon=3, noise=0.0, min_period=8.0)
    assert x.shape == (50, 30, 1) and y.shape == (50, 3) and info.target_shape == (3,)
    # Without noise the next value continues the curve: a step of a sine moves at most 2π·amplitude/period.
    assert np.all(np.abs(y[:, 0] - x[:, -1, 0]) <= 2 * np.pi * 1.5 / 8.0)
    assert np.all(np.abs(y) <= 1.5)


def test_sequence_classification_classes_and_names():
    info, x, y = generate("sequence_classification", n=40, length=16, classes=4)
    assert x.shape == (40, 16, 1) and np.bincount(y).tolist() == [10] * 4
    assert info.class_names == ("sine", "square", "sawtooth", "triangle")


def test_square_waves_take_two_levels():
    _, x, y = generate("sequence_classification", n=40, noise=0.0)
    square = x[y == 1, :, 0]
    levels = square / np.abs(square).max(axis=1, keepdims=True)
    assert np.allclose(np.abs(levels), 1.0)


def test_adding_problem_target_is_the_sum_of_the_marked_values():
    info, x, y = generate("adding_problem", n=20, length=10)
    assert x.shape == (20, 10, 2) and y.shape == (20, 1)
    assert np.all(x[:, :, 1].sum(axis=1) == 2)
    np.testing.assert_allclose((x[:, :, 0] * x[:, :, 1]).sum(axis=1), y[:, 0], rtol=1e-6)


def test_one_seed_one_data_set():
    for name in ("sine_continuation", "sequence_classification", "adding_problem"):
        assert same(generate(name, seed=5, n=20)[1], generate(name, seed=5, n=20)[1])
        assert not same(generate(name, seed=5, n=20)[1], generate(name, seed=6, n=20)[1])
