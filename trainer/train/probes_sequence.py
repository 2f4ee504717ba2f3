"""Probes of recurrent networks: how each hidden unit of a recurrent layer moves over the time steps of one fixed
validation sequence, as a heatmap (x = time step, y = hidden unit, orange below 0, blue above).

A node is recurrent when its module contains a torch recurrent core (`nn.RNNBase`: RNN, LSTM, GRU), whatever its
layer type is called. The per-step states are read with a forward hook on that core, so they are there even when
the node itself returns only the last state: (N, T, H) batch first, or (T, N, H) otherwise; a bidirectional
layer gives both directions' units, forward first."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from trainer.catalog import Param
from trainer.train import png
from trainer.train.events import EventStream
from trainer.train.probe_nodes import EvalMode, NodeFacts, example_label, facts_from_model, parse_node_ids
from trainer.train.probes import PROBES, ProbeContext, ProbeEntry

HEATMAP_WIDTH_PX = 256  # time steps are widened to about this many pixels…
HEATMAP_HEIGHT_PX = 128  # …and hidden units heightened to about this many


def recurrent_cores(module: nn.Module | None) -> list[nn.RNNBase]:
    return [m for m in module.modules() if isinstance(m, nn.RNNBase)] if module is not None else []


def is_recurrent(module: nn.Module | None) -> bool:
    return bool(recurrent_cores(module))


def _recurrent_nodes(facts: list[NodeFacts]) -> list[str]:
    return [f.id for f in facts if f.type != "input" and is_recurrent(f.module())]


def _check_hidden(params: dict[str, Any], facts: list[NodeFacts]) -> list[tuple[str, str]]:
    ids = parse_node_ids(params["nodes"])
    recurrent = _recurrent_nodes(facts)
    known = {f.id for f in facts}
    unknown = {f.id for f in facts if f.unknown}
    problems = []
    for nid in ids:
        if nid not in known:
            problems.append(("params.nodes", f"node {nid!r} is not in the model (nodes: {', '.join(known)})"))
        elif nid not in recurrent and nid not in unknown:
            listed = ", ".join(recurrent) or "there are none"
            problems.append(("params.nodes", f'node "{nid}" is not a recurrent layer (recurrent layers: {listed})'))
    if not ids and not recurrent and not unknown:
        problems.append(("name", "needs a recurrent layer (rnn, lstm or gru) in the model; there is none"))
    return problems


class HiddenStatesProbe:
    """Per watched recurrent node, its hidden states over the probe batch's first sequence ("hidden/<node_id>")."""

    def __init__(self, params: dict[str, Any], ctx: ProbeContext, nodes: list[NodeFacts]):
        self.ctx, self.nodes = ctx, {f.id: recurrent_cores(f.module()) for f in nodes}
        self.example = tuple(x[:1] for x in ctx.batch)  # (1, T, F) each
        self.meta = {"example": 0, "label": example_label(ctx, 0)}

    @classmethod
    def make(cls, params: dict[str, Any], ctx: ProbeContext) -> HiddenStatesProbe | None:
        facts = facts_from_model(ctx)
        recurrent = _recurrent_nodes(facts)
        wanted = [nid for nid in parse_node_ids(params["nodes"]) if nid in recurrent] or recurrent
        nodes = [f for f in facts if f.id in wanted]
        return cls(params, ctx, nodes) if nodes else None

    @torch.no_grad()
    def run(self, stream: EventStream, *, step: int, epoch: float) -> None:
        due = [nid for nid in self.nodes if stream.image_due(f"hidden/{nid}")]
        if not due:
            return
        seen: dict[str, list[torch.Tensor]] = {nid: [] for nid in due}
        hooks = []
        for nid in due:
            core = self.nodes[nid][-1]  # a node stacking several cores: the last one's states feed what follows

            def keep(module: nn.Module, args: Any, out: Any, nid: str = nid) -> None:
                seq = out[0] if isinstance(out, tuple) else out
                if isinstance(seq, torch.Tensor):  # not a PackedSequence
                    seen[nid].append(seq if module.batch_first else seq.transpose(0, 1))  # type: ignore[union-attr]

            hooks.append(core.register_forward_hook(keep))
        model: Any = self.ctx.model
        try:
            with EvalMode(model):
                model.forward_all(*self.example)
        finally:
            for hook in hooks:
                hook.remove()
        for nid in due:
            if seen[nid]:
                self._heatmap(stream, nid, seen[nid][0][0], step)  # (T, U): the first call, the one example

    def _heatmap(self, stream: EventStream, nid: str, states: torch.Tensor, step: int) -> None:
        values = states.float().cpu().numpy().T  # (U, T): a row per hidden unit, a column per time step
        units, steps = values.shape
        scale = float(np.abs(values).max()) or 1.0
        cell_w, cell_h = max(1, HEATMAP_WIDTH_PX // steps), max(1, HEATMAP_HEIGHT_PX // units)
        rgb = np.repeat(np.repeat(png.diverging(values, -scale, scale), cell_h, axis=0), cell_w, axis=1)
        meta = {"node": nid, "steps": steps, "units": units, "scale": scale, "cell_width": cell_w}
        meta |= {"cell_height": cell_h, **self.meta}
        stream.image(
            step=step, key=f"hidden/{nid}", png=png.encode_png(rgb), width=rgb.shape[1], height=rgb.shape[0], meta=meta
        )


PROBES.register(
    "hidden_states",
    ProbeEntry(
        name="hidden_states",
        help="Hidden states of recurrent layers over the time steps of one validation sequence, as heatmaps "
        "(x: time step, y: hidden unit).",
        params=(
            Param(
                "nodes",
                "str",
                "",
                "Recurrent node ids to watch, comma-separated; empty: every rnn, lstm and gru node.",
            ),
        ),
        applies=lambda info: True,
        default=True,
        make=HiddenStatesProbe.make,
        check=_check_hidden,
    ),
)
