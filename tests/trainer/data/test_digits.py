"""scikit-learn's digits: all 1,797 examples, flat or as images, loaded once per process."""

from __future__ import annotations

import numpy as np

from trainer.data import digits
from trainer.data.registry import all_datasets


def generate(**params):
    return all_datasets().get("digits").generate({"image": False} | params, np.random.default_rng(0))


def test_flat_digits():
    x, y = generate()
    assert x.shape == (1797, 64) and y.shape == (1797,) and y.dtype == np.int64
    assert x.min() == 0 and x.max() == 16
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_image_digits_are_the_same_pixels_as_8x8_images():
    flat, y_flat = generate()
    image, y_image = generate(image=True)
    assert image.shape == (1797, 1, 8, 8)
    np.testing.assert_array_equal(image.reshape(1797, 64), flat)
    np.testing.assert_array_equal(y_image, y_flat)


def test_loaded_once_and_callers_cannot_spoil_the_cache():
    generate()
    before = digits._load.cache_info()
    x, _ = generate()
    x[:] = -1  # a caller scribbling on its copy
    after = digits._load.cache_info()
    assert after.misses == before.misses and after.hits == before.hits + 1
    assert generate()[0].min() == 0
