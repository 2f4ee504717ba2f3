"""Moving shapes: videos (N, T, 1, H, W) whose class is the direction the ink moves."""

from __future__ import annotations

import numpy as np

from tests.trainer.data.generated import generate, same


def centre_of_ink(frame: np.ndarray) -> np.ndarray:
    rows, cols = np.nonzero(frame > 0.5)
    return np.array([cols.mean(), rows.mean()])


def test_shape_and_classes():
    info, x, y = generate("moving_shapes", n=40, frames=5, size=20)
    assert x.shape == (40, 5, 1, 20, 20) == (40, *info.input_shape)
    assert info.class_names == ("right", "left", "down", "up") and np.bincount(y).tolist() == [10] * 4


def test_the_ink_moves_in_the_class_direction():
    _, x, y = generate("moving_shapes", n=40, noise=0.0, speed=2.0)
    expected = {0: (1, 0), 1: (-1, 0), 2: (0, 1), 3: (0, -1)}
    for video, label in zip(x, y):
        motion = centre_of_ink(video[-1, 0]) - centre_of_ink(video[0, 0])
        assert tuple(np.sign(np.round(motion)).astype(int)) == expected[int(label)]


def test_one_seed_one_data_set():
    assert same(generate("moving_shapes", seed=1, n=20)[1], generate("moving_shapes", seed=1, n=20)[1])
