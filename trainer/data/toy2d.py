"""The 2-D toy classification sets of the TensorFlow Playground kind: circle, xor, gaussians and spiral.

Every set lies within about [-1, 1]² (radius 1). Each generator draws clean points per class, in equal numbers
(±1), and then jitters every coordinate with Gaussian noise of standard deviation `noise` (a fraction of that
radius); the label stays the class a point was drawn for, so noise makes the classes overlap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from trainer.catalog import Param
from trainer.data.registry import DataInfo, DatasetEntry, register_dataset

N = Param("n", "int", 500, "Number of examples, both splits together.", min=20, max=100_000)
XOR_PAD = 0.05  # xor points keep this far from the axes, so clean quadrants never touch
GAUSS_CENTRE, GAUSS_SPREAD = 0.5, 0.2  # the two blobs sit at ±(0.5, 0.5) with this standard deviation each


def noise_param(default: float) -> Param:
    return Param(
        "noise",
        "float",
        default,
        "Standard deviation of the Gaussian jitter on each coordinate, as a "
        "fraction of the data's radius (1); 0 for clean classes.",
        min=0.0,
        max=1.0,
    )


Points = tuple[np.ndarray, np.ndarray]  # x (N, 2) float64, y (N,) int64


def class_counts(n: int, classes: int) -> list[int]:
    """Examples per class, as equal as n allows: the first n % classes classes get one more."""
    return [n // classes + (c < n % classes) for c in range(classes)]


def _labels(counts: list[int]) -> np.ndarray:
    return np.repeat(np.arange(len(counts), dtype=np.int64), counts)  # (N,) class by class


def _circle(p: dict[str, Any], rng: np.random.Generator) -> Points:
    """Class 1 fills the disc of radius 0.5; class 0 the ring between radii 0.7 and 1."""
    n_ring, n_disc = class_counts(p["n"], 2)
    radius = np.concatenate([rng.uniform(0.7, 1.0, n_ring), rng.uniform(0.0, 0.5, n_disc)])
    angle = rng.uniform(0.0, 2 * np.pi, p["n"])
    return np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1), _labels([n_ring, n_disc])


def _xor(p: dict[str, Any], rng: np.random.Generator) -> Points:
    """Class 1 in the quadrants where x·y > 0, class 0 where x·y < 0."""
    y = _labels(class_counts(p["n"], 2))
    sign_x = rng.choice([-1.0, 1.0], size=p["n"])
    sign_y = np.where(y == 1, sign_x, -sign_x)
    size = rng.uniform(XOR_PAD, 1.0, (p["n"], 2))  # (N, 2): distance from each axis
    return size * np.stack([sign_x, sign_y], axis=1), y


def _gaussians(p: dict[str, Any], rng: np.random.Generator) -> Points:
    """Class 1 a Gaussian blob around (0.5, 0.5), class 0 around (−0.5, −0.5)."""
    y = _labels(class_counts(p["n"], 2))
    centre = np.where(y[:, None] == 1, GAUSS_CENTRE, -GAUSS_CENTRE)  # (N, 1), broadcast over both coordinates
    return centre + rng.normal(0.0, GAUSS_SPREAD, (p["n"], 2)), y


def _spiral(p: dict[str, Any], rng: np.random.Generator) -> Points:
    """`classes` interleaved arms from the centre to radius 1, each winding `turns` times."""
    k = p["classes"]
    y = _labels(class_counts(p["n"], k))
    along = rng.uniform(0.0, 1.0, p["n"])  # position along the arm: radius and angle grow together
    angle = 2 * np.pi * (p["turns"] * along + y / k)
    return np.stack([along * np.sin(angle), along * np.cos(angle)], axis=1), y


def _jittered(clean: Callable[[dict[str, Any], np.random.Generator], Points]):
    def generate(p: dict[str, Any], rng: np.random.Generator) -> Points:
        x, y = clean(p, rng)
        return x + rng.normal(0.0, p["noise"], x.shape), y

    return generate


def _info(classes: int) -> DataInfo:
    return DataInfo(
        task="classification",
        input_shape=(2,),
        target_shape=(),
        num_classes=classes,
        class_names=tuple(str(c) for c in range(classes)),
    )


def _register(
    name: str,
    help_: str,
    clean: Callable[[dict[str, Any], np.random.Generator], Points],
    extra: tuple[Param, ...] = (),
    noise: float = 0.1,
) -> None:
    register_dataset(
        DatasetEntry(
            name=name,
            help=help_,
            task="classification",
            params=(N, noise_param(noise), *extra),
            info=lambda p: _info(p.get("classes", 2)),
            generate=_jittered(clean),
        )
    )


_register("circle", "2-D, 2 classes: a disc (1) inside a ring (0); needs a curved boundary.", _circle)
_register("xor", "2-D, 2 classes: opposite quadrants share a class (1 where x·y > 0); not linearly separable.", _xor)
_register("gaussians", "2-D, 2 classes: two Gaussian blobs; linearly separable unless noisy.", _gaussians)
_register(
    "spiral",
    "2-D: interleaved spiral arms, one class per arm; the hardest toy set.",
    _spiral,
    extra=(
        Param("classes", "int", 2, "Number of arms, one class each.", min=2, max=6),
        Param("turns", "float", 1.75, "Turns each arm makes around the centre.", min=0.25, max=5.0),
    ),
    noise=0.05,
)  # arms lie 1 / (turns · classes) apart: the other sets' 0.1 would blur them together
