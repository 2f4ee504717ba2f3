"""1-D regression sets: a noisy sine and a noisy polynomial, each y (N, 1) against x (N, 1)."""

from __future__ import annotations

from typing import Any

import numpy as np

from trainer.catalog import Param
from trainer.data.registry import DataInfo, DatasetEntry, register_dataset

N = Param("n", "int", 500, "Number of examples, both splits together.", min=20, max=100_000)
NOISE = Param(
    "noise",
    "float",
    0.1,
    "Standard deviation of the Gaussian noise added to y, as a fraction of the "
    "clean curve's amplitude (1); 0 for the exact curve.",
    min=0.0,
    max=1.0,
)
GRID = np.linspace(-1.0, 1.0, 1001)  # where a drawn polynomial is measured to scale it to amplitude 1

Points = tuple[np.ndarray, np.ndarray]  # x (N, 1) float64, y (N, 1) float64


def _info(p: dict[str, Any]) -> DataInfo:
    return DataInfo(task="regression", input_shape=(1,), target_shape=(1,), num_classes=None, class_names=None)


def _sine(p: dict[str, Any], rng: np.random.Generator) -> Points:
    """x uniform in [−π·periods, π·periods], y = sin(x) + noise."""
    half = np.pi * p["periods"]
    x = rng.uniform(-half, half, (p["n"], 1))
    return x, np.sin(x) + rng.normal(0.0, p["noise"], x.shape)


def polynomial_coefficients(degree: int, rng: np.random.Generator) -> np.ndarray:
    """(degree + 1,) coefficients c_0 … c_degree, standard normal, scaled so that max |f(x)| on [−1, 1] is 1."""
    coefficients = rng.normal(0.0, 1.0, degree + 1)
    coefficients[-1] = coefficients[-1] or 1.0  # keep the declared degree (a zero has probability 0, but still)
    return coefficients / np.abs(np.polynomial.polynomial.polyval(GRID, coefficients)).max()


def _polynomial(p: dict[str, Any], rng: np.random.Generator) -> Points:
    """x uniform in [−1, 1], y = Σ c_k x^k + noise, with the c_k drawn from the same seed."""
    coefficients = polynomial_coefficients(p["degree"], rng)
    x = rng.uniform(-1.0, 1.0, (p["n"], 1))
    return x, np.polynomial.polynomial.polyval(x, coefficients) + rng.normal(0.0, p["noise"], x.shape)


register_dataset(
    DatasetEntry(
        name="sine",
        help="1-D regression: y = sin(x) + Gaussian noise, x uniform over `periods` periods centred on 0.",
        task="regression",
        params=(N, NOISE, Param("periods", "float", 1.0, "How many periods of the sine x spans.", min=0.25, max=10.0)),
        info=_info,
        generate=_sine,
    )
)
register_dataset(
    DatasetEntry(
        name="polynomial",
        help="1-D regression: y = a random polynomial of x in [−1, 1] (coefficients drawn from the seed, scaled to "
        "amplitude 1) + Gaussian noise.",
        task="regression",
        params=(N, NOISE, Param("degree", "int", 3, "Degree of the polynomial.", min=1, max=6)),
        info=_info,
        generate=_polynomial,
    )
)
