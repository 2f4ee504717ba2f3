"""The 1-D regression sets: the clean curves are what the help says, noise is added to y only."""

from __future__ import annotations

import numpy as np
import pytest

from trainer.data.registry import all_datasets


def generate(name: str, seed: int = 0, **params):
    entry = all_datasets().get(name)
    return entry.generate({p.name: p.default for p in entry.params} | params, np.random.default_rng(seed))


@pytest.mark.parametrize("name", ["sine", "polynomial"])
def test_shapes(name):
    x, y = generate(name, n=123)
    assert x.shape == (123, 1) and y.shape == (123, 1) and x.dtype == y.dtype == np.float64


def test_clean_sine_is_sin_x_over_the_periods():
    x, y = generate("sine", noise=0.0, periods=2.0, n=2000)
    np.testing.assert_array_equal(y, np.sin(x))
    assert -2 * np.pi <= x.min() < -1.9 * np.pi and 1.9 * np.pi < x.max() <= 2 * np.pi


@pytest.mark.parametrize("name", ["sine", "polynomial"])
def test_noise_moves_y_not_x(name):
    x0, y0 = generate(name, noise=0.0, n=2000)
    x1, y1 = generate(name, noise=0.2, n=2000)
    np.testing.assert_array_equal(x0, x1)
    assert 0.18 < (y1 - y0).std() < 0.22


@pytest.mark.parametrize("degree", [1, 3, 6])
def test_clean_polynomial_has_the_degree_and_amplitude_one(degree):
    x, y = generate("polynomial", noise=0.0, degree=degree, n=300)
    fit = np.polynomial.polynomial.Polynomial.fit(x[:, 0], y[:, 0], degree)
    np.testing.assert_allclose(fit(x[:, 0]), y[:, 0], atol=1e-9)
    lower = np.polynomial.polynomial.Polynomial.fit(x[:, 0], y[:, 0], degree - 1)
    assert np.abs(lower(x[:, 0]) - y[:, 0]).max() > 1e-3  # not of a lower degree
    assert 0.9 < np.abs(y).max() <= 1.0 + 1e-12 and np.abs(x).max() <= 1.0


def test_polynomial_coefficients_come_from_the_seed():
    a, b, c = (
        generate("polynomial", seed=1, noise=0.0),
        generate("polynomial", seed=1, noise=0.0),
        generate("polynomial", seed=2, noise=0.0),
    )
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.allclose(a[1], c[1])
