"""`time_distributed`: applies a block to every frame of a sequence, (N, T, *frame) → (N, T, *out), by folding
time into the batch. The CNN → RNN of the lecture: a small CNN block per video frame, then an LSTM over time."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from trainer.catalog import Issue, Param, check_params
from trainer.graph.registry import Inference, LayerEntry, Shape, fmt_shape, register_layer


class TimeDistributed(nn.Module):
    """Runs `block` on (N·T, *frame) and restores (N, T, *out): one set of weights for every frame."""

    def __init__(self, block: nn.Module):
        super().__init__()
        self.block = block

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, t = x.shape[0], x.shape[1]
        y = self.block(x.flatten(0, 1))  # (N·T, *out)
        return y.unflatten(0, (n, t))  # (N, T, *out)


def _block(node_id: str, params: dict[str, Any]) -> tuple[LayerEntry | None, dict[str, Any], Issue | None]:
    from trainer.graph.blocks import block_names, find_block

    entry = find_block(params["block"])
    if entry is None:
        known = ", ".join(block_names()) or "none"
        issue = Issue(
            type="unknown_block",
            node_id=node_id,
            field="params.block",
            message=f'node "{node_id}": {params["block"]!r} is not a block (blocks: {known})',
        )
        return None, {}, issue
    if len(entry.inputs) != 1:
        issue = Issue(
            type="invalid_block",
            node_id=node_id,
            field="params.block",
            message=f'node "{node_id}": block {entry.type} has {len(entry.inputs)} inputs; a frame is one tensor',
        )
        return None, {}, issue
    block_params, _ = check_params(entry.params, {"repeat": params["repeat"]})
    return entry, block_params, None


def _infer(node_id: str, params: dict[str, Any], shapes: list[Shape]) -> Inference:
    shape = shapes[0]
    if len(shape) < 2:
        message = f'node "{node_id}": expected (N, T, *frame) — a sequence of frames — got {fmt_shape(shape)}'
        return Inference(None, issues=[Issue(type="shape_mismatch", node_id=node_id, field="inputs", message=message)])
    entry, block_params, issue = _block(node_id, params)
    if issue is not None or entry is None or entry.infer is None:
        return Inference(None, issues=[issue] if issue else [])
    inner = entry.infer(node_id, block_params, [shape[1:]])
    out = inner.out_shapes["out"] if inner.out_shapes else None
    return Inference(
        None if out is None else {"out": (shape[0], *out)},
        param_count=inner.param_count,
        issues=inner.issues,
        inner=inner.inner,
    )


def _build(params: dict[str, Any], shapes: list[Shape]) -> nn.Module:
    entry, block_params, issue = _block("time_distributed", params)
    assert entry is not None and entry.build is not None, issue.message if issue else "not a block"
    return TimeDistributed(entry.build(block_params, [shapes[0][1:]]))


register_layer(
    LayerEntry(
        type="time_distributed",
        category="recurrent",
        help="Applies a block (built-in or your own, with its default parameters) to every frame: (N, T, *frame) "
        "→ (N, T, *out), the same weights for each frame. CNN → RNN: a CNN block per frame, then an LSTM.",
        params=(
            Param("block", "str", "frame_cnn", "The block applied to each frame."),
            Param("repeat", "int", 1, "How many copies of the block, one after the other.", min=1, max=64),
        ),
        build=_build,
        infer=_infer,
    )
)
