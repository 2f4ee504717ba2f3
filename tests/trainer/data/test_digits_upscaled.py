"""Digits upscaled: the 8×8 digits enlarged by interpolation, labels untouched."""

from __future__ import annotations

import numpy as np

from tests.trainer.data.generated import generate
from trainer.data.digits_upscaled import upscale


def test_shape_and_labels():
    info, x, y = generate("digits_upscaled", size=16, channels=3)
    assert x.shape == (1797, 3, 16, 16) and info.input_shape == (3, 16, 16)
    assert y.shape == (1797,) and info.num_classes == 10


def test_upscaling_keeps_the_mean_ink():
    image = np.random.default_rng(0).uniform(0, 16, (1, 8, 8))
    assert abs(upscale(image, 32).mean() - image.mean()) < 0.5


def test_noise_is_seeded():
    a = generate("digits_upscaled", seed=1, size=16, noise=1.0)[1]
    b = generate("digits_upscaled", seed=1, size=16, noise=1.0)[1]
    c = generate("digits_upscaled", seed=2, size=16, noise=1.0)[1]
    assert np.array_equal(a, b) and not np.array_equal(a, c)
