"""Generated sequences (N, T, F) for recurrent networks: continuing a noisy sine, telling waveforms apart, and
Hochreiter & Schmidhuber's adding problem (a long-range memory test)."""

from __future__ import annotations

from typing import Any

import numpy as np

from trainer.catalog import Param
from trainer.data.registry import DataInfo, DatasetEntry, register_dataset

_N = Param("n", "int", 1000, "Number of sequences, both splits together.", min=20, max=200_000)
_LENGTH = Param("length", "int", 24, "Steps T per sequence.", min=2, max=2000)


# ----- sine continuation ------------------------------------------------------------------------------------
def _sine_info(p: dict[str, Any]) -> DataInfo:
    return DataInfo("regression", (p["length"], 1), (p["horizon"],), None, None)


def _sine_generate(p: dict[str, Any], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A sine of random frequency, phase and amplitude; x the first T noisy steps, y the next `horizon` clean ones."""
    n, t, h = p["n"], p["length"], p["horizon"]
    freq = rng.uniform(p["min_period"], p["max_period"], (n, 1)) ** -1  # cycles per step
    phase = rng.uniform(0.0, 2 * np.pi, (n, 1))
    amp = rng.uniform(0.5, 1.5, (n, 1))
    steps = np.arange(t + h)[None, :]
    wave = amp * np.sin(2 * np.pi * freq * steps + phase)  # (N, T + H)
    x = wave[:, :t] + rng.normal(0.0, p["noise"], (n, t))
    return x[:, :, None].astype(np.float32), wave[:, t:].astype(np.float32)


register_dataset(
    DatasetEntry(
        name="sine_continuation",
        help="Noisy sine waves (N, T, 1) of random period and phase; predict the next value(s) (N, horizon).",
        task="regression",
        params=(
            _N,
            _LENGTH,
            Param("horizon", "int", 1, "How many following values to predict.", min=1, max=200),
            Param("noise", "float", 0.05, "Standard deviation of the noise on the inputs.", min=0.0, max=5.0),
            Param("min_period", "float", 8.0, "Shortest period in steps.", min=2.0, max=1000.0),
            Param("max_period", "float", 30.0, "Longest period in steps.", min=2.0, max=1000.0),
        ),
        info=_sine_info,
        generate=_sine_generate,
    )
)


# ----- sequence classification ------------------------------------------------------------------------------
WAVEFORMS = ("sine", "square", "sawtooth", "triangle")  # triangle last: it is the one most like a sine


def waveform(kind: np.ndarray, cycles: np.ndarray) -> np.ndarray:
    """Unit-amplitude waveforms of `kind` (N, 1) indices into WAVEFORMS at phase `cycles` (N, T), in cycles."""
    frac = cycles % 1.0
    shapes = np.stack(
        [
            np.sin(2 * np.pi * cycles),
            np.where(frac < 0.5, 1.0, -1.0),
            2 * frac - 1,
            1 - 4 * np.abs(frac - 0.5),
        ]
    )  # (K, N, T)
    return np.take_along_axis(shapes, kind[None, :, :].repeat(cycles.shape[1], axis=2), axis=0)[0]


def _cls_info(p: dict[str, Any]) -> DataInfo:
    k = p["classes"]
    return DataInfo("classification", (p["length"], 1), (), k, WAVEFORMS[:k])


def _cls_generate(p: dict[str, Any], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Class c is WAVEFORMS[c] with a random period, phase and amplitude, plus Gaussian noise."""
    n, t, k = p["n"], p["length"], p["classes"]
    y = np.arange(n) % k
    rng.shuffle(y)
    period = rng.uniform(p["min_period"], p["max_period"], (n, 1))
    cycles = np.arange(t)[None, :] / period + rng.uniform(0.0, 1.0, (n, 1))
    amp = rng.uniform(0.6, 1.4, (n, 1))
    x = amp * waveform(y[:, None], cycles) + rng.normal(0.0, p["noise"], (n, t))
    return x[:, :, None].astype(np.float32), y.astype(np.int64)


register_dataset(
    DatasetEntry(
        name="sequence_classification",
        help="Noisy waveforms (N, T, 1): sine, square, sawtooth or triangle, at any period and phase?",
        task="classification",
        params=(
            _N,
            _LENGTH,
            Param(
                "classes",
                "int",
                3,
                "How many waveforms (2–4, in the order sine, square, sawtooth, triangle; 4 is hard).",
                min=2,
                max=4,
            ),
            Param("noise", "float", 0.1, "Standard deviation of the noise.", min=0.0, max=5.0),
            Param("min_period", "float", 6.0, "Shortest period in steps.", min=2.0, max=1000.0),
            Param("max_period", "float", 16.0, "Longest period in steps.", min=2.0, max=1000.0),
        ),
        info=_cls_info,
        generate=_cls_generate,
    )
)


# ----- the adding problem -----------------------------------------------------------------------------------
def _adding_info(p: dict[str, Any]) -> DataInfo:
    return DataInfo("regression", (p["length"], 2), (1,), None, None)


def _adding_generate(p: dict[str, Any], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Channel 0: uniform values in [0, 1]; channel 1: a marker, 1 at two steps (one in each half), else 0.
    Target: the sum of the two marked values. Always answering 1 scores MSE ≈ 1/6; memory is needed to beat it."""
    n, t = p["n"], p["length"]
    values = rng.uniform(0.0, 1.0, (n, t))
    first = rng.integers(0, t // 2, n)
    second = rng.integers(t // 2, t, n)
    marker = np.zeros((n, t))
    rows = np.arange(n)
    marker[rows, first] = marker[rows, second] = 1.0
    y = values[rows, first] + values[rows, second]
    return np.stack([values, marker], axis=2).astype(np.float32), y[:, None].astype(np.float32)


register_dataset(
    DatasetEntry(
        name="adding_problem",
        help="The adding problem (Hochreiter & Schmidhuber): sum the two marked values of a long sequence (N, T, 2).",
        task="regression",
        params=(_N, Param("length", "int", 30, "Steps T per sequence (longer is harder).", min=4, max=2000)),
        info=_adding_info,
        generate=_adding_generate,
    )
)
