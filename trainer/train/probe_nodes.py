"""How probes see a model's nodes — the same at validation (from the graph plan) and in a run (from the built
model) — so that a probe's checks and its run pick the same nodes by one rule; and the eval-mode guard probes
run the model under."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

if TYPE_CHECKING:
    from trainer.graph.analysis import GraphPlan
    from trainer.train.probes import ProbeContext


@dataclass(frozen=True)
class NodeFacts:
    """One node of the model as a probe sees it — the same at validation (from the plan) and in a run (from the
    built model), so that a probe picks its nodes by one rule in both places."""

    id: str
    type: str
    shape: tuple[int, ...] | None  # one example's output, without the batch dimension; None when unknown
    module: Callable[[], nn.Module | None]  # its module (the owner's when it shares weights); None for inputs

    @property
    def unknown(self) -> bool:
        """A layer whose module could not be built here (at validation: one that needs context the plan lacks,
        such as a block defined in the graph): checks must not claim what it is not."""
        return self.type != "input" and self.module() is None


def parse_node_ids(text: str) -> list[str]:
    """A probe's `nodes` parameter: comma-separated node ids, in the order given, blanks and repeats dropped."""
    return list(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


def facts_from_plan(plan: GraphPlan) -> list[NodeFacts]:
    """The model network's nodes in graph order, with their inferred shapes; modules are built on the meta
    device only when a check asks for one (no memory)."""

    @cache  # several checks may ask for one node
    def meta_module(nid: str) -> nn.Module | None:
        owner = plan.nodes[plan.nodes[nid].owner]
        shapes = [plan.shape(src, port) for src, port in owner.inputs]
        if owner.entry is None or owner.entry.build is None or any(s is None for s in shapes):
            return None
        try:
            with torch.device("meta"):
                return owner.entry.build(owner.params, shapes)  # type: ignore[arg-type]
        except Exception:  # noqa: BLE001 — the graph's own checks report a layer that cannot be built
            return None

    return [
        NodeFacts(id=nid, type=plan.nodes[nid].spec.type, shape=plan.shape(nid), module=partial(meta_module, nid))
        for nid in plan.networks["model"].order
    ]


def facts_from_model(ctx: ProbeContext) -> list[NodeFacts]:
    """The run's model's nodes in graph order, with their output shapes from one probe example (computed once
    per run and kept in `ctx.cache`)."""
    if "facts" not in ctx.cache:
        model: Any = ctx.model
        with torch.no_grad(), EvalMode(model):
            outputs = model.forward_all(*(x[:1] for x in ctx.batch))
        layers, shares = model.layers, getattr(model, "shares", {})

        def module(nid: str) -> nn.Module | None:
            key = shares.get(nid, nid)
            return layers[key] if key in layers else None

        ctx.cache["facts"] = [
            NodeFacts(
                id=nid,
                type=model.node_types[nid],
                shape=tuple(out.shape[1:]) if isinstance(out, torch.Tensor) else None,
                module=partial(module, nid),
            )
            for nid, out in outputs.items()
        ]
    return ctx.cache["facts"]


def example_label(ctx: ProbeContext, index: int) -> str:
    """The probe example's class name (or target value) for captions."""
    t = ctx.targets[index]
    if ctx.info.task == "classification" and ctx.info.class_names:
        c = int(t.argmax()) if t.ndim and t.numel() > 1 else int(round(float(t.reshape(-1)[0])))
        return ctx.info.class_names[c]
    return ", ".join(f"{float(v):.3g}" for v in t.reshape(-1)[:4])


class EvalMode:
    """Runs the model in eval mode (dropout off, batch norm's running statistics untouched), then restores."""

    def __init__(self, model: torch.nn.Module):
        self.model = model

    def __enter__(self) -> None:
        self.was_training = self.model.training
        self.model.eval()

    def __exit__(self, *exc: object) -> None:
        self.model.train(self.was_training)
