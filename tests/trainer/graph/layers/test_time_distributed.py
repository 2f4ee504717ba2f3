"""time_distributed: a block applied to every frame, (N, T, *frame) → (N, T, *out), one set of weights."""

from __future__ import annotations

from typing import Any

import torch

from trainer.graph.compile import build_networks
from trainer.graph.spec import load_spec
from trainer.graph.validate import validate


def frame_cnn() -> dict[str, Any]:
    """A user block: conv → relu → global average pool, (C, H, W) → (filters,)."""
    return {
        "name": "frame_cnn",
        "params": [{"name": "filters", "kind": "int", "default": 4, "min": 1}],
        "nodes": [
            {"id": "frame", "type": "input"},
            {"id": "conv", "type": "conv2d", "params": {"filters": "$filters", "kernel_size": 3}},
            {"id": "relu", "type": "relu"},
            {"id": "pool", "type": "global_avg_pool"},
        ],
        "edges": [
            {"source": "frame", "target": "conv"},
            {"source": "conv", "target": "relu"},
            {"source": "relu", "target": "pool"},
        ],
        "output": "pool",
    }


def video_spec(block: str = "frame_cnn", **data_params: Any) -> dict[str, Any]:
    nodes = [
        {"id": "video", "type": "input"},
        {"id": "per_frame", "type": "time_distributed", "params": {"block": block}},
        {"id": "flat", "type": "flatten"},
        {"id": "head", "type": "dense", "params": {"units": 4}},
        {"id": "p", "type": "softmax"},
    ]
    edges = [{"source": a["id"], "target": b["id"]} for a, b in zip(nodes, nodes[1:])]
    return {
        "graph": {"nodes": nodes, "edges": edges, "blocks": [frame_cnn()]},
        "data": {"name": "moving_shapes", "params": {"n": 40, "frames": 5, "size": 12, **data_params}},
        "probes": [],
    }


def test_applies_the_block_to_every_frame() -> None:
    report = validate(video_spec())
    assert report.ok, report.issues
    shapes = {n.id: n.output_shape for n in report.nodes}
    assert shapes["per_frame"] == [None, 5, 4]  # (N, T, filters)
    per_frame = next(n for n in report.nodes if n.id == "per_frame")
    assert per_frame.params == 4 * 1 * 9 + 4  # one conv, shared by all frames


def test_frames_are_independent_and_share_weights() -> None:
    model = build_networks(load_spec(video_spec()))["model"]
    td = model.layers["per_frame"]
    x = torch.randn(2, 5, 1, 12, 12)
    y = td(x)
    assert y.shape == (2, 5, 4)
    torch.testing.assert_close(y[:, 3], td.block(x[:, 3]))  # frame 3 alone gives the same features


def test_an_unknown_block_names_the_field() -> None:
    report = validate(video_spec(block="nope"))
    issue = next(i for i in report.issues if i.node_id == "per_frame")
    assert issue.field == "params.block" and "frame_cnn" in issue.message


def test_a_builtin_block_works_too() -> None:
    spec = video_spec(block="residual_basic")
    report = validate(spec)
    assert report.ok, report.issues
    assert next(n for n in report.nodes if n.id == "per_frame").output_shape == [None, 5, 16, 12, 12]


def test_a_single_image_is_not_a_sequence() -> None:
    spec = video_spec()
    spec["data"] = {"name": "digits", "params": {"image": True}}
    issue = next(i for i in validate(spec).issues if i.node_id == "per_frame")
    assert issue.field.endswith("inputs") and "conv" in issue.message
