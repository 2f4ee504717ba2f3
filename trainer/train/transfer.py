"""Transfer learning (`RunSpec.init_from`): start from another run's checkpoint. Weights load node by node where
every tensor's shape matches (a new head with another number of classes keeps its fresh weights), and frozen
nodes keep them fixed: no gradients, BatchNorm in eval mode (its running statistics stay those of task B)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from trainer.catalog import Issue
from trainer.graph.spec import InitFromSpec, RunSpec
from trainer.train.checkpoint import latest_checkpoint, load_checkpoint

WEB_FORM = "run:"  # "run:<id>": resolved to a path by the web app before training


@dataclass
class TransferPlan:
    """Node ids by what happens to them: `loaded` (every tensor matched), `changed` (a tensor's shape differs:
    kept fresh), `new` (not in the checkpoint: kept fresh). `tensors` are the state_dict entries to load."""

    loaded: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    new: list[str] = field(default_factory=list)
    tensors: dict[str, torch.Tensor] = field(default_factory=dict)

    def summary(self) -> str:
        parts = [f"loaded {', '.join(self.loaded) or 'nothing'}"]
        if self.changed:
            parts.append(f"shape changed (fresh weights): {', '.join(self.changed)}")
        if self.new:
            parts.append(f"new (fresh weights): {', '.join(self.new)}")
        return "; ".join(parts)


def node_of(key: str) -> str:
    """`layers.stage2.0.conv_a.weight` → `stage2`: state_dict keys of a GraphModule start with the node id."""
    parts = key.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "layers" else parts[0]


def match_state(model_state: dict[str, Any], saved: dict[str, Any]) -> TransferPlan:
    """Group both state_dicts by node id and decide, per node, whether its saved tensors can be loaded."""
    plan = TransferPlan()
    by_node: dict[str, list[str]] = defaultdict(list)
    for key in model_state:
        by_node[node_of(key)].append(key)
    for nid, keys in by_node.items():
        present = [k for k in keys if k in saved]
        if not present:
            plan.new.append(nid)
        elif len(present) == len(keys) and all(tuple(saved[k].shape) == tuple(model_state[k].shape) for k in keys):
            plan.loaded.append(nid)
            plan.tensors.update({k: saved[k] for k in keys})
        else:
            plan.changed.append(nid)
    return plan


def checkpoint_path(checkpoint: str) -> tuple[Path | None, str | None]:
    """The checkpoint file `init_from.checkpoint` names (a file, or a directory's latest), or why there is none."""
    if not checkpoint.strip():
        return None, "no checkpoint given"
    if checkpoint.startswith(WEB_FORM):
        return None, f"{checkpoint!r} names a run of the web app, which resolves it; here give a checkpoint path"
    path = Path(checkpoint).expanduser()
    if not path.exists():
        return None, f"{checkpoint} does not exist"
    found = latest_checkpoint(path)
    if found is None:
        return None, f"no checkpoint in {checkpoint}"
    return found, None


def _saved_model(checkpoint: str) -> tuple[dict[str, Any] | None, Issue | None]:
    path, problem = checkpoint_path(checkpoint)
    if path is None:
        return None, Issue(type="bad_checkpoint", field="init_from.checkpoint", message=f"init_from: {problem}")
    try:
        return load_checkpoint(path)["model"], None
    except (OSError, ValueError) as exc:
        return None, Issue(type="bad_checkpoint", field="init_from.checkpoint", message=f"init_from: {exc}")


def check_init_from(spec: RunSpec, node_ids: set[str], model_state: dict[str, Any] | None) -> list[Issue]:
    """Validation: the checkpoint can be read; every frozen id is a node of the graph that the checkpoint
    supplies. `model_state` is the model's state_dict (on the meta device is fine), None when it is unknown.
    A `run:<id>` checkpoint is only checked for the freeze ids (the web app resolves and checks the run)."""
    init = spec.init_from
    if init is None:
        return []
    issues = [
        Issue(
            type="unknown_node",
            field=f"init_from.freeze[{i}]",
            message=f"init_from.freeze: there is no node {nid!r} to freeze",
        )
        for i, nid in enumerate(init.freeze)
        if nid not in node_ids
    ]
    if init.checkpoint.startswith(WEB_FORM) or model_state is None:
        return issues
    saved, problem = _saved_model(init.checkpoint)
    if problem is not None:
        return [*issues, problem]
    assert saved is not None
    plan = match_state(model_state, saved)
    with_weights = {node_of(k) for k in model_state}
    for i, nid in enumerate(init.freeze):
        if nid in node_ids and nid in with_weights and nid not in plan.loaded:
            why = "its weights have other shapes there" if nid in plan.changed else "the checkpoint has no such node"
            issues.append(
                Issue(
                    type="not_loaded",
                    field=f"init_from.freeze[{i}]",
                    message=f"init_from.freeze: node {nid!r} is not loaded from the checkpoint ({why}), so freezing "
                    "it would fix random weights",
                )
            )
    return issues


def _keep_eval(module: nn.Module, args: Any) -> None:
    module.training = False  # a frozen BatchNorm uses (and keeps) the running statistics it was loaded with


def freeze(model: nn.Module, node_ids: list[str], shares: dict[str, str] | None = None) -> list[str]:
    """Stop gradients into these nodes' parameters and keep their BatchNorm layers in eval mode; returns the
    module keys frozen. `shares` maps a node to the owner of its weights."""
    layers = getattr(model, "layers", None)
    frozen = []
    for nid in node_ids:
        key = (shares or {}).get(nid, nid)
        if layers is None or key not in layers:
            continue  # a node without weights (relu…): nothing to freeze
        module = layers[key]
        for p in module.parameters():
            p.requires_grad_(False)
        for m in module.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.register_forward_pre_hook(_keep_eval)
        frozen.append(key)
    return frozen


def apply_init_from(model: nn.Module, init: InitFromSpec, *, load: bool = True) -> str:
    """Load the checkpoint's matching weights into `model` (unless `load` is False: a resumed run has its own)
    and freeze the listed nodes. Returns the message for the run's log. Raises ValueError for an unreadable
    checkpoint (validation reports it first)."""
    text = []
    if load:
        saved, problem = _saved_model(init.checkpoint)
        if problem is not None:
            raise ValueError(problem.message)
        assert saved is not None
        plan = match_state(model.state_dict(), saved)
        model.load_state_dict(plan.tensors, strict=False)
        text.append(f"init_from {init.checkpoint}: {plan.summary()}")
    frozen = freeze(model, list(init.freeze), getattr(model, "shares", None))
    if frozen:
        text.append(f"frozen: {', '.join(frozen)}")
    return "; ".join(text)


def meta_state(spec: RunSpec, plan: Any) -> dict[str, Any] | None:
    """The model's state_dict built on the meta device (shapes only, no memory); None when it cannot be built."""
    from trainer.graph.compile import build_networks

    if plan.issues or "model" not in plan.networks:
        return None
    with torch.device("meta"):
        return build_networks(spec, plan)["model"].state_dict()
