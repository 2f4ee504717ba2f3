"""Transfer learning (init_from): weights load by node id where shapes match, a swapped head stays fresh, frozen
nodes stay fixed (BN included), bad freeze ids and checkpoints are validation errors — and fine-tuning pays."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from trainer.cli import main
from trainer.graph.validate import validate
from trainer.train.checkpoint import latest_checkpoint, load_checkpoint
from trainer.train.engine import fit
from trainer.train.sinks import ListSink
from trainer.train.transfer import match_state


def dense_spec(classes: int = 3, head: str = "head", **overrides: Any) -> dict[str, Any]:
    """x → hidden (dense 8) → bn → relu → head (dense classes) → softmax, on Gaussian blobs in 4-D."""
    nodes = [
        {"id": "x", "type": "input"},
        {"id": "hidden", "type": "dense", "params": {"units": 8}},
        {"id": "bn", "type": "batchnorm"},
        {"id": "relu", "type": "relu"},
        {"id": head, "type": "dense", "params": {"units": classes}},
        {"id": "p", "type": "softmax"},
    ]
    edges = [{"source": a["id"], "target": b["id"]} for a, b in zip(nodes, nodes[1:])]
    return {
        "graph": {"nodes": nodes, "edges": edges},
        "data": {"name": "blobs", "params": {"n": 120, "dims": 4, "classes": classes}},
        "optimizer": {"name": "adam", "lr": 0.05},
        "max_steps": 5,
        "probes": [],
        **overrides,
    }


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A trained 3-class base run's checkpoint directory."""
    path = tmp_path_factory.mktemp("base")
    assert fit(dense_spec(), checkpoint_dir=path).status == "finished"
    return path


def base_model(base_dir: Path) -> dict[str, torch.Tensor]:
    path = latest_checkpoint(base_dir)
    assert path is not None
    return load_checkpoint(path)["model"]


def test_loads_by_node_id_and_keeps_a_swapped_head_fresh(base_dir: Path) -> None:
    sink = ListSink()
    spec = dense_spec(classes=2, init_from={"checkpoint": str(base_dir)}, max_steps=1)
    spec["optimizer"]["lr"] = 1e-9  # one step that changes nothing measurable
    result = fit(spec, sink=sink)
    saved, state = base_model(base_dir), result.model.state_dict()
    torch.testing.assert_close(state["layers.hidden.weight"], saved["layers.hidden.weight"])
    assert state["layers.head.weight"].shape != saved["layers.head.weight"].shape
    log = next(e.message for e in sink.events if e.type == "log" and "init_from" in e.message)
    assert "loaded hidden, bn" in log and "shape changed (fresh weights): head" in log


def test_a_node_the_checkpoint_lacks_is_new(base_dir: Path) -> None:
    plan = match_state(
        {"layers.hidden.weight": torch.zeros(8, 4), "layers.head_b.weight": torch.zeros(2, 8)}, base_model(base_dir)
    )
    assert (plan.loaded, plan.changed, plan.new) == (["hidden"], [], ["head_b"])


def test_frozen_nodes_keep_their_weights_and_bn_statistics(base_dir: Path) -> None:
    spec = dense_spec(classes=2, init_from={"checkpoint": str(base_dir), "freeze": ["hidden", "bn"]}, max_steps=10)
    model = fit(spec).model
    saved, state = base_model(base_dir), model.state_dict()
    for key in ("layers.hidden.weight", "layers.bn.weight", "layers.bn.running_mean", "layers.bn.running_var"):
        torch.testing.assert_close(state[key], saved[key])
    assert not any(p.requires_grad for p in model.layers["hidden"].parameters())
    assert all(p.requires_grad for p in model.layers["head"].parameters())


def test_freezing_an_unknown_node_is_a_validation_error(base_dir: Path) -> None:
    report = validate(dense_spec(init_from={"checkpoint": str(base_dir), "freeze": ["hidden", "conv9"]}))
    assert [(i.field, i.type) for i in report.issues] == [("init_from.freeze[1]", "unknown_node")]


def test_freezing_a_node_that_was_not_loaded_is_a_validation_error(base_dir: Path) -> None:
    spec = dense_spec(classes=2, head="head_b", init_from={"checkpoint": str(base_dir), "freeze": ["head_b"]})
    issues = validate(spec).issues
    assert [(i.field, i.type) for i in issues] == [("init_from.freeze[0]", "not_loaded")]
    assert "head_b" in issues[0].message


def test_a_missing_checkpoint_is_a_validation_error(tmp_path: Path) -> None:
    issues = validate(dense_spec(init_from={"checkpoint": str(tmp_path / "nothing")})).issues
    assert [i.field for i in issues] == ["init_from.checkpoint"]


def test_a_run_reference_is_left_to_the_web_app(base_dir: Path) -> None:
    assert validate(dense_spec(init_from={"checkpoint": "run:7"})).ok
    result = fit(dense_spec(init_from={"checkpoint": "run:7"}))
    assert result.status == "failed" and "web app" in (result.message or "")


def test_cli_init_from_and_freeze_override_the_spec(base_dir: Path, tmp_path: Path) -> None:
    import json

    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps(dense_spec(classes=2)))
    events = tmp_path / "events.jsonl"
    argv = ["train", str(spec_path), "--init-from", str(base_dir), "--freeze", "hidden", "--events", str(events)]
    assert main([*argv, "--quiet"]) == 0
    text = events.read_text()
    assert "loaded hidden" in text and "frozen: hidden" in text


@pytest.mark.slow
def test_fine_tuning_beats_training_from_scratch_at_the_same_budget(tmp_path: Path) -> None:
    """Task B: shapes (1 200 images); task A: other sizes and more noise, 60 training images, a new head.
    Same 30 steps for both; the fine-tuned net keeps B's convolutions frozen."""
    torch.set_num_threads(2)

    def cnn(data: dict[str, Any], head: str, steps: int, **extra: Any) -> dict[str, Any]:
        nodes = [
            {"id": "x", "type": "input"},
            {"id": "conv1", "type": "conv2d", "params": {"filters": 8, "kernel_size": 3, "padding": "1"}},
            {"id": "relu1", "type": "relu"},
            {"id": "pool1", "type": "max_pool2d"},
            {"id": "conv2", "type": "conv2d", "params": {"filters": 16, "kernel_size": 3, "padding": "1"}},
            {"id": "relu2", "type": "relu"},
            {"id": "gap", "type": "global_avg_pool"},
            {"id": head, "type": "dense", "params": {"units": 3}},
            {"id": "p", "type": "softmax"},
        ]
        edges = [{"source": a["id"], "target": b["id"]} for a, b in zip(nodes, nodes[1:])]
        return {
            "graph": {"nodes": nodes, "edges": edges},
            "data": data,
            "optimizer": {"name": "adam", "lr": 0.01},
            "max_steps": steps,
            "probes": [],
            **extra,
        }

    base = fit(cnn({"name": "shapes", "params": {"n": 900, "size": 16}}, "head", 250), checkpoint_dir=tmp_path)
    assert base.status == "finished"
    task_a = {
        "name": "shapes",
        "params": {"n": 120, "size": 16, "noise": 0.3, "min_scale": 0.25, "max_scale": 0.5},
        "val_fraction": 0.5,
    }
    scratch = fit(cnn(task_a, "head_a", 30))
    tuned = fit(cnn(task_a, "head_a", 30, init_from={"checkpoint": str(tmp_path), "freeze": ["conv1", "conv2"]}))
    assert tuned.metrics["val/accuracy"] > scratch.metrics["val/accuracy"], (tuned.metrics, scratch.metrics)
