"""Training on streamed calorimeter files: the engine streams batches from h5stream, validates on held-out files,
and reports one-vs-rest AUCs for all four particle classes; skipped files show in the run's events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from trainer.data.calo import CaloConfig, make_calo
from trainer.train.engine import fit
from trainer.train.sinks import ListSink

CLASSES = ("Ele", "Gamma", "Pi0", "ChPi")


@pytest.fixture(scope="module")
def calo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four classes × 3 files × 60 events: one file per class is held out for validation."""
    root = tmp_path_factory.mktemp("calo")
    make_calo(root, CaloConfig(files_per_class=3, events_per_file=60, chunk_events=20))
    return root


def dense_spec(data_dir: Path, **overrides: Any) -> dict[str, Any]:
    """ECAL and HCAL summed over the transverse plane (longitudinal profiles) → dense → softmax over 4 classes."""
    nodes = [
        {"id": "ecal", "type": "input", "params": {"field": "ECAL"}},
        {"id": "ecal_pool", "type": "avg_pool3d", "params": {"kernel_size": 5}},
        {"id": "ecal_flat", "type": "flatten"},
        {"id": "hcal", "type": "input", "params": {"field": "HCAL"}},
        {"id": "hcal_flat", "type": "flatten"},
        {"id": "merged", "type": "concat"},
        {"id": "hidden", "type": "dense", "params": {"units": 32}},
        {"id": "act", "type": "relu"},
        {"id": "scores", "type": "dense", "params": {"units": 4}},
        {"id": "probs", "type": "softmax"},
    ]
    chain = ["merged", "hidden", "act", "scores", "probs"]
    edges = [
        {"source": "ecal", "target": "ecal_pool"},
        {"source": "ecal_pool", "target": "ecal_flat"},
        {"source": "ecal_flat", "target": "merged"},
        {"source": "hcal", "target": "hcal_flat"},
        {"source": "hcal_flat", "target": "merged"},
        *({"source": a, "target": b} for a, b in zip(chain, chain[1:])),
    ]
    spec: dict[str, Any] = {
        "graph": {"version": 1, "nodes": nodes, "edges": edges},
        "data": {
            "name": "calo",
            "params": {"workers": 0, "val_events": 240, "shuffle_buffer": 64},
            "val_fraction": 0.3,
            "data_dir": str(data_dir),
        },
        "optimizer": {"name": "adam", "lr": 0.003},
        "batch_size": 32,
        "max_steps": 100,
        "epochs": 1000,
        "eval_every_steps": 50,
        "probes": [],
        "seed": 1,
    }
    spec.update(overrides)
    return spec


@pytest.mark.slow
def test_streamed_training_reports_auc_for_all_four_classes(calo_dir: Path) -> None:
    sink = ListSink()
    result = fit(dense_spec(calo_dir), sink=sink)
    assert result.status == "finished", result.message
    aucs = {name: result.metrics[f"val/auc/{name}"] for name in CLASSES}
    assert aucs["ChPi"] > 0.95  # hadrons leak into the HCAL: the easy class
    assert sum(aucs.values()) / 4 > 0.72, aucs  # e and γ differ only by half a radiation length
    streamed = [e for e in sink.events if e.type == "metrics" and "val/auc/Ele" in e.values]
    assert len(streamed) >= 2  # every 50 steps, not only at the end


def test_validation_needs_no_data_dir_and_reads_no_file() -> None:
    from trainer.graph.validate import validate

    report = validate(dense_spec(Path("/nonexistent")))
    assert report.ok, report.issues
    shape = report.nodes[0].output_shape
    assert shape is not None and list(shape[1:]) == [1, 25, 25, 25]


def test_bad_class_list_is_an_issue_naming_the_field() -> None:
    from trainer.graph.validate import validate

    spec = dense_spec(Path("/x"))
    spec["data"]["params"]["fractions"] = "1,2"
    issues = validate(spec).issues
    assert [i.field for i in issues] == ["data.params.fractions"]


def test_skipped_files_show_in_the_run(calo_dir: Path, tmp_path: Path) -> None:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(calo_dir, data)
    (data / "Gamma" / "Gamma_9.h5").write_bytes(b"not an hdf5 file")
    sink = ListSink()
    result = fit(dense_spec(data, max_steps=2, eval_every_steps=None), sink=sink)
    assert result.status == "finished", result.message
    warnings = [e.message for e in sink.events if e.type == "log" and e.level == "warning"]
    assert any("Gamma_9.h5" in w for w in warnings)
    skipped = [
        e.values["data/skipped_files"] for e in sink.events if e.type == "metrics" and "data/skipped_files" in e.values
    ]
    assert skipped == [1.0]


def test_no_usable_files_fails_the_run_with_a_clear_message(tmp_path: Path) -> None:
    for name in CLASSES:
        (tmp_path / name).mkdir()
        (tmp_path / name / "broken.h5").write_bytes(b"junk")
    result = fit(dense_spec(tmp_path, max_steps=2))
    assert result.status == "failed" and "none of the 1 file(s)" in (result.message or "")


def test_a_missing_data_dir_fails_the_run_saying_so() -> None:
    spec = dense_spec(Path("/x"))
    del spec["data"]["data_dir"]
    result = fit(spec)
    assert result.status == "failed" and "data.data_dir" in (result.message or "")


def test_a_streamed_run_resumed_mid_epoch_matches_an_uninterrupted_one(calo_dir: Path, tmp_path: Path) -> None:
    import torch

    spec = dense_spec(calo_dir, eval_every_steps=None)
    whole = fit(spec, max_steps=10)
    fit(spec, max_steps=5, checkpoint_dir=tmp_path)  # 5 of the epoch's 15 batches
    resumed = fit(spec, max_steps=10, resume_from=tmp_path)
    assert resumed.status == "finished" and resumed.step == 10
    for (name, a), b in zip(whole.model.state_dict().items(), resumed.model.state_dict().values()):
        torch.testing.assert_close(a, b, msg=name)
