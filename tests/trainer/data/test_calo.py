"""make-calo: the file layout, the fields, determinism per seed, and the showers' physics in broad strokes."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest

from trainer.cli import main
from trainer.data.calo import CLASSES, PDG, CaloConfig, generate_events, make_calo


@pytest.fixture(scope="module")
def showers() -> dict[str, dict[str, np.ndarray]]:
    """200 events per class, one seed."""
    return {name: generate_events(name, 200, np.random.default_rng(1)) for name in CLASSES}


def test_layout_is_one_directory_per_class_with_numbered_files(tmp_path: Path) -> None:
    paths = make_calo(tmp_path, CaloConfig(files_per_class=2, events_per_file=10, classes=("Ele", "Pi0")))
    assert sorted(p.relative_to(tmp_path).as_posix() for p in paths) == [
        "Ele/Ele_0.h5",
        "Ele/Ele_1.h5",
        "Pi0/Pi0_0.h5",
        "Pi0/Pi0_1.h5",
    ]


def test_files_hold_ecal_hcal_energy_and_truth(tmp_path: Path) -> None:
    [path] = make_calo(tmp_path, CaloConfig(files_per_class=1, events_per_file=12, classes=("ChPi",), chunk_events=5))
    with h5py.File(path) as f:
        assert f["ECAL"].shape == (12, 25, 25, 25) and f["ECAL"].dtype == np.float32
        assert f["HCAL"].shape == (12, 5, 5, 60) and f["HCAL"].dtype == np.float32
        assert f["energy"].shape == (12,) and f["direction"].shape == (12, 3)
        assert set(f["particle"][:]) == {PDG["ChPi"]}
        assert f["ECAL"].chunks[0] == 5
        np.testing.assert_allclose(np.linalg.norm(f["direction"][:], axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("compression", ["gzip", "lzf", "none"])
def test_compression_option_is_applied(tmp_path: Path, compression: str) -> None:
    [path] = make_calo(tmp_path, CaloConfig(1, 4, ("Gamma",), compression=compression))
    with h5py.File(path) as f:
        assert (f["ECAL"].compression or "none") == compression


def test_same_seed_same_events_other_seed_other_events(tmp_path: Path) -> None:
    def ecal(seed: int, where: str) -> np.ndarray:
        [path] = make_calo(tmp_path / where, CaloConfig(1, 5, ("Gamma",), seed=seed))
        with h5py.File(path) as f:
            return f["ECAL"][:]

    np.testing.assert_array_equal(ecal(3, "a"), ecal(3, "b"))
    assert not np.array_equal(ecal(3, "a"), ecal(4, "c"))


def test_deposits_add_up_to_about_the_particle_energy_for_em_showers(showers: dict) -> None:
    for name in ("Ele", "Gamma", "Pi0"):
        ev = showers[name]
        total = ev["ECAL"].sum(axis=(1, 2, 3)) + ev["HCAL"].sum(axis=(1, 2, 3))
        assert 0.9 < float(np.median(total / ev["energy"])) < 1.05, name


def _shower_max(ecal: np.ndarray) -> float:
    profile = ecal.sum(axis=(0, 1, 2))  # (depth,)
    return float((profile * np.arange(len(profile))).sum() / profile.sum())


def test_electrons_shower_earlier_than_photons(showers: dict) -> None:
    assert _shower_max(showers["Ele"]["ECAL"]) < _shower_max(showers["Gamma"]["ECAL"])


def test_charged_pions_are_deeper_and_leak_into_hcal(showers: dict) -> None:
    def hcal_share(ev: dict) -> float:
        return float(np.mean(ev["HCAL"].sum(axis=(1, 2, 3)) / ev["energy"]))

    assert hcal_share(showers["ChPi"]) > 10 * hcal_share(showers["Gamma"])
    assert _shower_max(showers["ChPi"]["ECAL"]) > _shower_max(showers["Gamma"]["ECAL"])


def _width(ecal: np.ndarray) -> float:
    """Mean transverse RMS (cells) of the energy-weighted x distribution around its own centroid."""
    x = ecal.sum(axis=(2, 3))  # (n, x)
    pos = np.arange(x.shape[1])
    centre = (x * pos).sum(1) / x.sum(1)
    return float(np.mean(np.sqrt((x * (pos[None] - centre[:, None]) ** 2).sum(1) / x.sum(1))))


def test_pi0_two_photon_showers_are_wider_than_one_photon(showers: dict) -> None:
    assert _width(showers["Pi0"]["ECAL"]) > _width(showers["Gamma"]["ECAL"])


def test_generating_a_thousand_events_is_vectorised() -> None:
    import time

    started = time.perf_counter()
    generate_events("Pi0", 1000, np.random.default_rng(0))
    assert time.perf_counter() - started < 10  # ~1 s on 2 busy cores; a per-event Python loop takes minutes


def test_cli_make_calo_writes_the_layout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["make-calo", str(tmp_path), "--files-per-class", "1", "--events-per-file", "3", "--quiet"]
    assert main([*argv, "--classes", "Ele,ChPi", "--compression", "none", "--chunk-events", "2"]) == 0
    assert sorted(p.name for p in tmp_path.glob("*/*.h5")) == ["ChPi_0.h5", "Ele_0.h5"]
    assert "wrote 2 file(s), 6 events" in capsys.readouterr().out


def test_cli_make_calo_refuses_an_unknown_class(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["make-calo", str(tmp_path), "--classes", "Ele,Muon", "--quiet"]) == 2
    assert "Muon" in capsys.readouterr().err
