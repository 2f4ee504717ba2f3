"""The optimiser catalog: GD and SGD (with momentum, Nesterov, weight decay), Adam, AdamW and RMSprop, each
declared with its parameters; plus gradient clipping.

GD and SGD are the same update, α ← α − ε ∇C(α); what makes it *batch* gradient descent is the batch: the
engine uses the whole training set per step when `batch_size` is "full".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import torch

from trainer.catalog import Issue, Param, Registry, check_params
from trainer.graph.spec import OptimizerSpec

Parameters = Iterable[torch.nn.Parameter]


@dataclass(frozen=True)
class OptimizerEntry:
    """An optimiser: `make(parameters, lr, params)` builds it from the clean parameters."""

    name: str
    help: str
    params: tuple[Param, ...]
    make: Callable[[Parameters, float, dict[str, Any]], torch.optim.Optimizer]


OPTIMIZERS: Registry[OptimizerEntry] = Registry(kind="optimizer")


def register_optimizer(entry: OptimizerEntry) -> OptimizerEntry:
    return OPTIMIZERS.register(entry.name, entry)


def _weight_decay(default: float = 0.0) -> Param:
    return Param("weight_decay", "float", default, "L2 penalty factor λ on the weights (0: off).", min=0.0, max=1.0)


_SGD_PARAMS = (
    Param(
        "momentum",
        "float",
        0.0,
        "Share of the previous update added to this one (0: plain gradient descent).",
        min=0.0,
        max=0.999,
    ),
    Param(
        "nesterov",
        "bool",
        False,
        "Nesterov momentum: take the gradient after the momentum step (needs momentum > 0 and dampening 0).",
    ),
    Param("dampening", "float", 0.0, "Share of the new gradient left out of the momentum buffer.", min=0.0, max=1.0),
    _weight_decay(),
)


def _make_sgd(parameters: Parameters, lr: float, p: dict[str, Any]) -> torch.optim.Optimizer:
    return torch.optim.SGD(
        parameters,
        lr=lr,
        momentum=p["momentum"],
        nesterov=p["nesterov"],
        dampening=p["dampening"],
        weight_decay=p["weight_decay"],
    )


register_optimizer(
    OptimizerEntry(
        name="gd",
        help='Gradient descent α ← α − ε∇C(α); with batch_size "full" every step sees all examples.',
        params=_SGD_PARAMS,
        make=_make_sgd,
    )
)
register_optimizer(
    OptimizerEntry(
        name="sgd",
        help="Stochastic gradient descent: the gradient descent update on one batch per step.",
        params=_SGD_PARAMS,
        make=_make_sgd,
    )
)

_ADAM_PARAMS = (
    Param("beta1", "float", 0.9, "Decay of the running mean of the gradient.", min=0.0, max=0.9999),
    Param("beta2", "float", 0.999, "Decay of the running mean of the squared gradient.", min=0.0, max=0.99999),
    Param("eps", "float", 1e-8, "Added to the denominator for stability.", min=0.0, max=1.0),
    Param("amsgrad", "bool", False, "Use the maximum of past squared gradients (AMSGrad)."),
)


def _make_adam(parameters: Parameters, lr: float, p: dict[str, Any]) -> torch.optim.Optimizer:
    return torch.optim.Adam(
        parameters,
        lr=lr,
        betas=(p["beta1"], p["beta2"]),
        eps=p["eps"],
        weight_decay=p["weight_decay"],
        amsgrad=p["amsgrad"],
    )


def _make_adamw(parameters: Parameters, lr: float, p: dict[str, Any]) -> torch.optim.Optimizer:
    return torch.optim.AdamW(
        parameters,
        lr=lr,
        betas=(p["beta1"], p["beta2"]),
        eps=p["eps"],
        weight_decay=p["weight_decay"],
        amsgrad=p["amsgrad"],
    )


register_optimizer(
    OptimizerEntry(
        name="adam",
        help="Adam: steps scaled by running means of the gradient and its square; weight_decay adds λα to "
        "the gradient (L2).",
        params=(*_ADAM_PARAMS, _weight_decay()),
        make=_make_adam,
    )
)
register_optimizer(
    OptimizerEntry(
        name="adamw",
        help="AdamW: Adam with decoupled weight decay, α ← α − ελα, applied apart from the gradient.",
        params=(*_ADAM_PARAMS, _weight_decay(0.01)),
        make=_make_adamw,
    )
)


def _make_rmsprop(parameters: Parameters, lr: float, p: dict[str, Any]) -> torch.optim.Optimizer:
    return torch.optim.RMSprop(
        parameters,
        lr=lr,
        alpha=p["alpha"],
        eps=p["eps"],
        momentum=p["momentum"],
        centered=p["centered"],
        weight_decay=p["weight_decay"],
    )


register_optimizer(
    OptimizerEntry(
        name="rmsprop",
        help="RMSprop: each weight's step divided by a running root-mean-square of its gradient.",
        params=(
            Param("alpha", "float", 0.99, "Decay of the running mean of the squared gradient.", min=0.0, max=1.0),
            Param("eps", "float", 1e-8, "Added to the denominator for stability.", min=0.0, max=1.0),
            Param("momentum", "float", 0.0, "Momentum on the scaled step (0: off).", min=0.0, max=0.999),
            Param("centered", "bool", False, "Divide by the gradient's variance rather than its raw second moment."),
            _weight_decay(),
        ),
        make=_make_rmsprop,
    )
)


def check_optimizer(spec: OptimizerSpec) -> list[Issue]:
    """Every problem with the optimiser settings, as Issues; never raises on user input."""
    entry = OPTIMIZERS.entries.get(spec.name)
    if entry is None:
        return [OPTIMIZERS.unknown(spec.name, field="optimizer.name")]
    params, issues = check_params(
        entry.params, spec.params, prefix="optimizer.params", what=f"optimizer {entry.name}: "
    )
    if params.get("nesterov") and (params["momentum"] <= 0 or params["dampening"] != 0):
        issues.append(
            Issue(
                type="invalid_param",
                field="optimizer.params.nesterov",
                message=f"optimizer {entry.name}: nesterov needs momentum > 0 and dampening 0 "
                f"(got momentum {params['momentum']:g}, dampening {params['dampening']:g})",
            )
        )
    return issues


def make_optimizer(spec: OptimizerSpec, parameters: Parameters) -> torch.optim.Optimizer:
    """The optimiser over `parameters` at the spec's learning rate; a spec that fails `check_optimizer` raises
    ValueError."""
    issues = check_optimizer(spec)
    if issues:
        raise ValueError("; ".join(issue.message for issue in issues))
    entry = OPTIMIZERS.get(spec.name)
    params, _ = check_params(entry.params, spec.params)
    return entry.make(parameters, spec.lr, params)


def clip_gradients(parameters: Parameters, max_norm: float | None) -> None:
    """Scale all gradients together so that their global L2 norm is at most `max_norm`; None does nothing.

    The norm stays a device tensor (no `.item()`), so on a GPU this does not wait for the step to finish."""
    if max_norm is None:
        return
    torch.nn.utils.clip_grad_norm_(parameters, max_norm, foreach=None)
