"""Synthetic calorimeter events in the lecture's layout: `DIR/<class>/<class>_<i>.h5`, ~1 000 events per file.

Each file holds `ECAL` (n, 25, 25, 25) and `HCAL` (n, 5, 5, 60) energy deposits in GeV, laid out (x, y, depth),
plus the per-event truth: `energy` (n,) GeV, `particle` (n,) PDG id, `direction` (n, 3) unit vector and `entry`
(n, 2) the impact point in ECAL cells. The physics (docs/calorimeter.md) is a parametrised shower model, not a
simulation: longitudinal Gamma-distribution profiles, a two-component transverse profile in Molière radii,
sampling noise and a readout threshold. Everything is numpy arithmetic on whole files of events: no Python loop
runs per event, so a 1 000-event file takes well under a second.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np
from scipy.special import erf, gammainc

CLASSES = ("Ele", "Gamma", "Pi0", "ChPi")
PDG = {"Ele": 11, "Gamma": 22, "Pi0": 111, "ChPi": 211}
ECAL_SHAPE = (25, 25, 25)  # (x, y, depth) cells
HCAL_SHAPE = (5, 5, 60)  # (x, y, depth) cells; one HCAL cell spans 5 × 5 ECAL cells transversally

# Geometry and material, in the units the shower model uses.
ECAL_LAYER_X0 = 1.0  # radiation lengths per ECAL layer (25 X0 in all, a PbWO4-like crystal depth)
MOLIERE_CELLS = 2.0  # Molière radius in ECAL cells
CRITICAL_GEV = 0.009  # critical energy E_c of the ECAL material
LAMBDA_X0 = 22.0  # nuclear interaction length λ_I in X0 of the ECAL material (ECAL ≈ 1.1 λ_I deep)
HCAL_LAYER_LAMBDA = 0.1  # interaction lengths per HCAL layer (6 λ_I in all)
DISTANCE_CELLS = 300.0  # vertex → ECAL front, in ECAL cells (sets the π0 photons' separation)
PI0_MASS = 0.135  # GeV
THRESHOLD_GEV = 1e-4  # readout threshold: smaller deposits read 0 (the data are sparse, they compress)
SAMPLING = 0.02  # stochastic term: a deposit d fluctuates by ≈ sqrt(SAMPLING² · d · 1 GeV)


@dataclass(frozen=True)
class CaloConfig:
    """What `make_calo` writes. Energies are drawn uniformly in [e_min, e_max] GeV."""

    files_per_class: int = 2
    events_per_file: int = 1000
    classes: tuple[str, ...] = CLASSES
    seed: int = 0
    chunk_events: int = 100  # events per HDF5 chunk: the unit the loader reads
    compression: str = "lzf"  # gzip | lzf | none
    e_min: float = 10.0
    e_max: float = 100.0


def _depth_edges() -> tuple[np.ndarray, np.ndarray]:
    """Layer boundaries along the shower axis in X0: ECAL (26,) and HCAL (61,) edges, HCAL behind ECAL."""
    ecal = np.arange(ECAL_SHAPE[2] + 1) * ECAL_LAYER_X0
    hcal = ecal[-1] + np.arange(HCAL_SHAPE[2] + 1) * HCAL_LAYER_LAMBDA * LAMBDA_X0
    return ecal, hcal


def _gamma_fractions(edges: np.ndarray, start: np.ndarray, t_max: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Share of the energy in each layer, (n, layers), for a profile dE/dt ∝ (b t)^(a−1) e^(−b t) beginning at
    `start` (n,), with a = b·t_max + 1 so its maximum lies t_max (n,) after the start. Units of `edges`."""
    a = b * t_max + 1.0
    t = np.clip(edges[None, :] - start[:, None], 0.0, None)  # (n, layers + 1)
    cdf = gammainc(a[:, None], b[:, None] * t)
    return np.diff(cdf, axis=1)


def _cell_integrals(centre: np.ndarray, sigma: np.ndarray, cells: int, size: float) -> np.ndarray:
    """Share of a 1-D Gaussian (centre, sigma: (n, L)) in each of `cells` cells of width `size`: (n, L, cells).
    Coordinates are in ECAL cells, 0 at the grid's edge."""
    edges = np.arange(cells + 1) * size  # (cells + 1,)
    z = (edges[None, None, :] - centre[..., None]) / (math.sqrt(2.0) * sigma[..., None])
    return np.diff(0.5 * erf(z), axis=-1)


def _deposit(
    energy: np.ndarray,
    long_frac: np.ndarray,
    depth: np.ndarray,
    x0: np.ndarray,
    slope: np.ndarray,
    core: np.ndarray,
    halo: np.ndarray,
    core_weight: float,
    cells: int,
    size: float,
) -> np.ndarray:
    """Energy per cell (n, cells, cells, L) for showers of `energy` (n,) GeV with layer shares `long_frac` (n, L)
    at layer depths `depth` (L,) in ECAL cells: a core and a halo Gaussian (widths (n, L) in ECAL cells), the
    centre at `x0` (n, 2) moving along `slope` (n, 2) cells per cell of depth."""
    out = np.zeros((len(energy), long_frac.shape[1], cells, cells), dtype=np.float32)
    scale = (long_frac * energy[:, None]).astype(np.float32)  # (n, L) GeV per layer
    cx = x0[:, 0:1] + slope[:, 0:1] * depth[None, :]  # (n, L)
    cy = x0[:, 1:2] + slope[:, 1:2] * depth[None, :]
    for weight, width in ((core_weight, core), (1.0 - core_weight, halo)):
        px = _cell_integrals(cx, width, cells, size).astype(np.float32)  # (n, L, cells)
        py = _cell_integrals(cy, width, cells, size).astype(np.float32)
        out += (weight * scale)[:, :, None, None] * px[:, :, :, None] * py[:, :, None, :]  # (n, L, x, y)
    return out.transpose(0, 2, 3, 1)  # (n, x, y, L)


def _em_showers(
    rng: np.random.Generator, energy: np.ndarray, x0: np.ndarray, slope: np.ndarray, offset: float
) -> tuple[np.ndarray, np.ndarray]:
    """Electromagnetic showers, ECAL (n, 25, 25, 25) and HCAL (n, 5, 5, 60): t_max = ln(E/E_c) + offset X0
    (−1 electrons, −0.5 photons) with ±10 % shower-to-shower spread; 90 % of the energy within one Molière
    radius (a core of 0.25 R_M growing with depth, a halo of 1 R_M)."""
    n = len(energy)
    ecal_edges, hcal_edges = _depth_edges()
    t_max = np.clip((np.log(energy / CRITICAL_GEV) + offset) * rng.normal(1.0, 0.1, n), 1.0, None)
    b = rng.normal(0.5, 0.03, n)
    start = np.zeros(n)
    ecal_long = _gamma_fractions(ecal_edges, start, t_max, b)
    hcal_long = _gamma_fractions(hcal_edges, start, t_max, b)
    mid = 0.5 * (ecal_edges[:-1] + ecal_edges[1:])  # (25,) X0 = cells of depth here
    core = 0.25 * MOLIERE_CELLS * (1.0 + mid[None, :] / (2.0 * t_max[:, None]))
    halo = np.broadcast_to(MOLIERE_CELLS * np.ones_like(mid)[None, :], core.shape)
    ecal = _deposit(energy, ecal_long, mid, x0, slope, core, halo, 0.8, ECAL_SHAPE[0], 1.0)
    hmid = 0.5 * (hcal_edges[:-1] + hcal_edges[1:])
    hwide = np.full((n, len(hmid)), 2.0 * MOLIERE_CELLS)
    hcal = _deposit(energy, hcal_long, hmid, x0, slope, hwide, hwide, 0.5, HCAL_SHAPE[0], 5.0)
    return ecal, hcal


def _hadron_showers(
    rng: np.random.Generator, energy: np.ndarray, x0: np.ndarray, slope: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Charged pions: a minimum-ionising track (~10 MeV per X0) until the first interaction at an exponentially
    distributed depth (mean λ_I), then a hadronic Gamma profile (t_max ≈ 0.2 ln E + 0.7 λ_I after the start)
    about 3 Molière radii wide of which 60–90 % is visible (e/h ≠ 1); much of it leaks into the HCAL."""
    n = len(energy)
    ecal_edges, hcal_edges = _depth_edges()
    start = rng.exponential(LAMBDA_X0, n)  # X0
    t_max = (0.2 * np.log(energy) + 0.7) * LAMBDA_X0 * rng.normal(1.0, 0.15, n)
    b = np.full(n, 0.5 / (0.5 * LAMBDA_X0))  # a wide profile: the hadronic scale is λ_I, not X0
    visible = energy * rng.uniform(0.6, 0.9, n)
    mid = 0.5 * (ecal_edges[:-1] + ecal_edges[1:])
    hmid = 0.5 * (hcal_edges[:-1] + hcal_edges[1:])
    ecal_long = _gamma_fractions(ecal_edges, start, np.clip(t_max, 1.0, None), b)
    hcal_long = _gamma_fractions(hcal_edges, start, np.clip(t_max, 1.0, None), b)
    core = np.broadcast_to(1.5 * MOLIERE_CELLS * np.ones_like(mid)[None, :], (n, len(mid)))
    halo = 3.0 * core
    ecal = _deposit(visible, ecal_long, mid, x0, slope, core, halo, 0.6, ECAL_SHAPE[0], 1.0)
    hwide = np.full((n, len(hmid)), 3.0 * MOLIERE_CELLS)
    hcal = _deposit(visible, hcal_long, hmid, x0, slope, hwide, 3.0 * hwide, 0.6, HCAL_SHAPE[0], 5.0)
    # the track before the first interaction: a MIP in the cell it crosses
    before = np.clip(np.minimum(ecal_edges[1:][None, :], start[:, None]) - ecal_edges[:-1][None, :], 0.0, None)
    track = 0.01 * before  # (n, 25) GeV
    cx = np.clip((x0[:, 0:1] + slope[:, 0:1] * mid[None, :]).astype(int), 0, ECAL_SHAPE[0] - 1)
    cy = np.clip((x0[:, 1:2] + slope[:, 1:2] * mid[None, :]).astype(int), 0, ECAL_SHAPE[1] - 1)
    rows = np.repeat(np.arange(n), len(mid))
    np.add.at(ecal, (rows, cx.ravel(), cy.ravel(), np.tile(np.arange(len(mid)), n)), track.ravel())
    return ecal, hcal


def _readout(rng: np.random.Generator, deposits: np.ndarray) -> np.ndarray:
    """Sampling fluctuations (σ² = SAMPLING² · d · 1 GeV) and the readout threshold, as float32."""
    deposits = np.ascontiguousarray(deposits, dtype=np.float32)
    noisy = deposits + np.float32(SAMPLING) * np.sqrt(deposits) * rng.standard_normal(deposits.shape, np.float32)
    noisy[noisy < THRESHOLD_GEV] = 0.0
    return noisy


def generate_events(name: str, n: int, rng: np.random.Generator, e_min: float = 10.0, e_max: float = 100.0) -> dict:
    """`n` events of class `name` (one of CLASSES) as the arrays a file holds, by dataset name."""
    energy = rng.uniform(e_min, e_max, n)
    centre = np.array([ECAL_SHAPE[0] / 2.0, ECAL_SHAPE[1] / 2.0])
    x0 = centre + rng.uniform(-1.0, 1.0, (n, 2))  # impact point, cells
    theta = rng.uniform(-0.03, 0.03, (n, 2))  # small angles to the calorimeter axis, rad
    slope = np.tan(theta)  # cells of transverse move per cell of depth (cells are cubes)
    if name == "Ele":
        ecal, hcal = _em_showers(rng, energy, x0, slope, -1.0)
    elif name == "Gamma":
        ecal, hcal = _em_showers(rng, energy, x0, slope, -0.5)
    elif name == "Pi0":
        # π0 → γγ: energy shared uniformly, opening angle θ ≈ m / sqrt(E1 E2), random azimuth
        z = rng.uniform(0.05, 0.95, n)
        e1, e2 = z * energy, (1.0 - z) * energy
        opening = PI0_MASS / np.sqrt(e1 * e2)
        phi = rng.uniform(0.0, 2.0 * np.pi, n)
        axis = np.stack([np.cos(phi), np.sin(phi)], axis=1)
        sep = (DISTANCE_CELLS * opening)[:, None] * axis  # (n, 2) cells between the two impact points
        ecal, hcal = _em_showers(rng, e1, x0 + (1.0 - z)[:, None] * sep, slope, -0.5)
        ecal2, hcal2 = _em_showers(rng, e2, x0 - z[:, None] * sep, slope, -0.5)
        ecal, hcal = ecal + ecal2, hcal + hcal2
    elif name == "ChPi":
        ecal, hcal = _hadron_showers(rng, energy, x0, slope)
    else:
        raise ValueError(f"unknown particle class {name!r} (known: {', '.join(CLASSES)})")
    direction = np.concatenate([slope, np.ones((n, 1))], axis=1)
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    return {
        "ECAL": _readout(rng, ecal),
        "HCAL": _readout(rng, hcal),
        "energy": energy.astype(np.float32),
        "particle": np.full(n, PDG[name], dtype=np.int32),
        "direction": direction.astype(np.float32),
        "entry": x0.astype(np.float32),
    }


def write_file(path: Path, events: dict, *, chunk_events: int, compression: str) -> None:
    """One HDF5 file, each dataset chunked by `chunk_events` events along its first axis."""
    options: dict = {}
    if compression == "gzip":
        options = {"compression": "gzip", "compression_opts": 4, "shuffle": True}
    elif compression == "lzf":
        options = {"compression": "lzf", "shuffle": True}
    tmp = path.with_suffix(".h5.tmp")
    with h5py.File(tmp, "w") as f:
        for key, value in events.items():
            chunks = (min(chunk_events, len(value)), *value.shape[1:]) if len(value) else None
            f.create_dataset(key, data=value, chunks=chunks, **options)
        f.attrs["units"] = "GeV"
        f.attrs["layout"] = "ECAL/HCAL: (event, x, y, depth)"
    tmp.replace(path)  # a reader never sees a half-written file under the final name


def make_calo(out_dir: str | Path, config: CaloConfig, *, on_file: Callable[[Path], None] | None = None) -> list[Path]:
    """Write `files_per_class` files per class. File i of class c draws from SeedSequence([seed, c, i]), so one
    seed gives the same files whatever the order or number of files written. Returns the paths."""
    out = Path(out_dir)
    paths = []
    for name in config.classes:
        if name not in PDG:
            raise ValueError(f"unknown particle class {name!r} (known: {', '.join(CLASSES)})")
        (out / name).mkdir(parents=True, exist_ok=True)
        for i in range(config.files_per_class):
            rng = np.random.default_rng(np.random.SeedSequence([config.seed, CLASSES.index(name), i]))
            events = generate_events(name, config.events_per_file, rng, config.e_min, config.e_max)
            path = out / name / f"{name}_{i}.h5"
            write_file(path, events, chunk_events=config.chunk_events, compression=config.compression)
            paths.append(path)
            if on_file:
                on_file(path)
    return paths
