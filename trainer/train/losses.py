"""The loss catalog: MSE, MAE, binary and multi-class cross-entropy, KL divergence, Gaussian NLL and the user's
own formula (`expression`), each declared with its parameters, the tasks it fits and a shape check that
validation runs before any training.

Every loss is `fn(prediction, target) -> 0-d tensor`, averaged over the batch. Losses with `wants_logits` get the
pre-activation output of a final softmax/sigmoid layer (the engine asks the model for it), which keeps
cross-entropy exact for large logits; an output without such a layer is taken as logits as it is.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
import torch.nn.functional as F

from trainer.catalog import Issue, Param, Registry, check_params
from trainer.graph.spec import LossSpec
from trainer.train.loss_expr import DEFAULT_NAMES, ExpressionError, language_help, parse_expression

if TYPE_CHECKING:
    from trainer.data.registry import DataInfo

Shape = tuple[int, ...]  # one example's shape, without the batch dimension
LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # (prediction, target) -> scalar, batch mean
DRY_RUN_BATCH = 2  # examples in validation's dry run of an expression on the meta device


@dataclass(frozen=True)
class LossEntry:
    """A loss. `check(params, out_shape, info)` returns a user-facing message when the output of the model and
    the data set's targets cannot go together (stating both shapes), else None; `make` builds the function.

    `uses_expression`: the loss reads `LossSpec.expression`; check and make then find the text (already parsed
    once without error) in `params["expression"]`."""

    name: str
    help: str
    params: tuple[Param, ...]
    wants_logits: bool
    tasks: frozenset[str]
    check: Callable[[dict[str, Any], Shape, DataInfo], str | None]
    make: Callable[[dict[str, Any], DataInfo], LossFn]
    uses_expression: bool = False


LOSSES: Registry[LossEntry] = Registry(kind="loss")


def register_loss(entry: LossEntry) -> LossEntry:
    return LOSSES.register(entry.name, entry)


def fmt(shape: Shape) -> str:
    """`(N, 3)`: one example's shape with the batch dimension shown as N."""
    return "(" + ", ".join(["N", *map(str, shape)]) + ")"


def _squeezed(shape: Shape) -> list[int]:
    return [d for d in shape if d != 1]


def _matched(target: torch.Tensor, prediction: torch.Tensor) -> torch.Tensor:
    """The target in the prediction's shape and dtype when they differ only by size-1 axes ((N,) against
    (N, 1)); otherwise as it is. Without this, (N, 1) − (N,) broadcasts silently to (N, N)."""
    if target.shape != prediction.shape and _squeezed(tuple(target.shape)) == _squeezed(tuple(prediction.shape)):
        target = target.reshape(prediction.shape)
    return target.to(prediction.dtype)


def _index_targets(info: DataInfo) -> bool:
    return info.task == "classification" and info.target_shape == ()


def _classes(info: DataInfo) -> int | None:
    if info.num_classes is not None:
        return info.num_classes
    return info.target_shape[0] if info.task == "classification" and len(info.target_shape) == 1 else None


# ----- mse, mae ---------------------------------------------------------------------------------------------
def _check_elementwise(params: dict[str, Any], out: Shape, info: DataInfo) -> str | None:
    if _squeezed(out) == _squeezed(info.target_shape):
        return None
    if _index_targets(info) and (_classes(info) or 0) > 2:
        return (
            f"the output has shape {fmt(out)} but the targets are class indices {fmt(info.target_shape)}: set "
            'data.targets to "onehot" to compare with one-hot rows, or use cross_entropy'
        )
    return (
        f"the output has shape {fmt(out)} but the targets have shape {fmt(info.target_shape)}; they are "
        "compared element by element, so the shapes must match"
    )


def _make_mse(params: dict[str, Any], info: DataInfo) -> LossFn:
    return lambda prediction, target: F.mse_loss(prediction, _matched(target, prediction))


def _make_mae(params: dict[str, Any], info: DataInfo) -> LossFn:
    return lambda prediction, target: F.l1_loss(prediction, _matched(target, prediction))


register_loss(
    LossEntry(
        name="mse",
        help="Mean squared error: mean of (prediction − target)² over examples and outputs.",
        params=(),
        wants_logits=False,
        tasks=frozenset({"classification", "regression"}),
        check=_check_elementwise,
        make=_make_mse,
    )
)
register_loss(
    LossEntry(
        name="mae",
        help="Mean absolute error: mean of |prediction − target| over examples and outputs.",
        params=(),
        wants_logits=False,
        tasks=frozenset({"classification", "regression"}),
        check=_check_elementwise,
        make=_make_mae,
    )
)


# ----- cross-entropy ----------------------------------------------------------------------------------------
def _check_cross_entropy(params: dict[str, Any], out: Shape, info: DataInfo) -> str | None:
    classes = _classes(info)  # the class dimension is the last one: (N, C), or (N, T, C) per position
    if len(out) == 0 or (classes is not None and out[-1] != classes):
        got = fmt(out)
        if classes == 2 and _squeezed(out) == []:
            return (
                f"the output has shape {got} (one unit) but cross_entropy needs one logit per class, (N, 2); "
                "use binary_cross_entropy for a single sigmoid output"
            )
        want = (
            f"{classes} classes, so it needs (N, {classes}) (or (N, T, {classes}) per position)"
            if classes
            else "needs one logit per class"
        )
        return f"the output has shape {got} but the data set has {want}"
    if info.target_shape not in (out[:-1], out):
        return (
            f"the output has shape {fmt(out)} but the targets have shape {fmt(info.target_shape)}; "
            f"cross_entropy takes class indices {fmt(out[:-1])} or one-hot rows {fmt(out)}"
        )
    return None


def _make_cross_entropy(params: dict[str, Any], info: DataInfo) -> LossFn:
    smoothing = params["label_smoothing"]

    def loss(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        # (N, C) logits; target (N,) class indices or (N, C) one-hot / soft rows
        if target.is_floating_point():
            target = target.to(prediction.dtype)
        if prediction.ndim > 2:  # per position, class dim last: (N, T, C) with (N, T) or (N, T, C) → rows
            classes = prediction.shape[-1]
            prediction = prediction.reshape(-1, classes)
            target = target.reshape(-1, classes) if target.is_floating_point() else target.reshape(-1)
        return F.cross_entropy(prediction, target, label_smoothing=smoothing)

    return loss


register_loss(
    LossEntry(
        name="cross_entropy",
        help="Multi-class cross-entropy −Σ y log softmax(z), on the logits z; targets as class indices or one-hot.",
        params=(
            Param(
                "label_smoothing",
                "float",
                0.0,
                "Share of the target spread evenly over all classes.",
                min=0.0,
                max=0.99,
            ),
        ),
        wants_logits=True,
        tasks=frozenset({"classification"}),
        check=_check_cross_entropy,
        make=_make_cross_entropy,
    )
)


def _check_binary(params: dict[str, Any], out: Shape, info: DataInfo) -> str | None:
    classes = _classes(info)
    if _index_targets(info) and classes is not None and classes > 2:
        return (
            f"binary_cross_entropy is for two classes but the data set has {classes}; "
            f"use cross_entropy with an output of shape (N, {classes})"
        )
    if _squeezed(out) != _squeezed(info.target_shape):
        hint = ' (or set data.targets to "index")' if info.task == "classification" and info.target_shape else ""
        return (
            f"the output has shape {fmt(out)} but the targets have shape {fmt(info.target_shape)}; "
            f"binary_cross_entropy needs one logit per target, e.g. (N, 1) for 0/1 labels{hint}"
        )
    return None


def _make_binary(params: dict[str, Any], info: DataInfo) -> LossFn:
    def loss(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        # (N, 1) or (N,) logits; target 0/1 labels (N,) reshaped to the output's shape
        return F.binary_cross_entropy_with_logits(prediction, target.reshape(prediction.shape).to(prediction.dtype))

    return loss


register_loss(
    LossEntry(
        name="binary_cross_entropy",
        help="Binary cross-entropy −[y log σ(z) + (1−y) log(1−σ(z))] on the logit z of a single output; 0/1 targets.",
        params=(),
        wants_logits=True,
        tasks=frozenset({"classification"}),
        check=_check_binary,
        make=_make_binary,
    )
)


# ----- KL divergence ----------------------------------------------------------------------------------------
def _check_kl(params: dict[str, Any], out: Shape, info: DataInfo) -> str | None:
    if len(out) != 1 or out[0] < 2:
        return (
            f"the output has shape {fmt(out)} but kl_divergence compares distributions over classes: "
            "it needs (N, C) with C ≥ 2"
        )
    classes = _classes(info)
    if classes is not None and out[0] != classes:
        return f"the output has shape {fmt(out)} but the data set has {classes} classes, so it needs (N, {classes})"
    if info.target_shape not in ((), out):
        return (
            f"the output has shape {fmt(out)} but the targets have shape {fmt(info.target_shape)}; "
            f"kl_divergence takes class indices (N) or distributions {fmt(out)}"
        )
    return None


def _make_kl(params: dict[str, Any], info: DataInfo) -> LossFn:
    def loss(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        # (N, C) logits; target (N,) class indices (made one-hot) or (N, C) distributions
        log_q = F.log_softmax(prediction, dim=1)
        if target.dim() == 1:
            target = F.one_hot(target.long(), prediction.shape[1])
        p = target.to(log_q.dtype)
        # KL(p ‖ q) = Σ p (log p − log q); xlogy makes 0·log 0 = 0
        return (torch.xlogy(p, p) - p * log_q).sum(dim=1).mean()

    return loss


register_loss(
    LossEntry(
        name="kl_divergence",
        help="KL(target ‖ prediction) = Σ p (log p − log q) with q = softmax of the logits; class indices count as "
        "one-hot (then it equals cross-entropy). Summed over classes, averaged over examples.",
        params=(),
        wants_logits=True,
        tasks=frozenset({"classification", "regression"}),
        check=_check_kl,
        make=_make_kl,
    )
)


# ----- Gaussian negative log-likelihood ---------------------------------------------------------------------
def _check_gaussian(params: dict[str, Any], out: Shape, info: DataInfo) -> str | None:
    k = math.prod(info.target_shape)
    if len(out) != 1 or out[0] != 2 * k:
        return (
            f"the output has shape {fmt(out)} but the targets have shape {fmt(info.target_shape)}; "
            f"gaussian_nll needs (N, {2 * k}): {k} mean(s), then {k} log-variance(s)"
        )
    return None


def _make_gaussian(params: dict[str, Any], info: DataInfo) -> LossFn:
    constant = 0.5 * math.log(2 * math.pi) if params["full"] else 0.0

    def loss(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        # prediction (N, 2k): means then log-variances; target (N, k)
        k = prediction.shape[1] // 2
        mean, log_var = prediction[:, :k], prediction[:, k:]
        y = target.reshape(len(target), k).to(prediction.dtype)
        return (0.5 * (log_var + (y - mean) ** 2 * torch.exp(-log_var))).mean() + constant

    return loss


register_loss(
    LossEntry(
        name="gaussian_nll",
        help="Gaussian negative log-likelihood: the output holds k means μ then k log-variances log σ²; loss = mean of "
        "½(log σ² + (y − μ)²/σ²). The network learns its own error bars.",
        params=(Param("full", "bool", False, "Add the constant ½ log 2π, so the value is the full NLL."),),
        wants_logits=False,
        tasks=frozenset({"regression"}),
        check=_check_gaussian,
        make=_make_gaussian,
    )
)


# ----- the user's own formula -------------------------------------------------------------------------------
def _dry_run_tensors(out: Shape, info: DataInfo) -> dict[str, torch.Tensor]:
    prediction = torch.empty((DRY_RUN_BATCH, *out), device="meta", requires_grad=True)
    target = torch.empty((DRY_RUN_BATCH, *info.target_shape), device="meta")
    return {"prediction": prediction, "target": target}


def _check_expression(params: dict[str, Any], out: Shape, info: DataInfo) -> str | None:
    """Run the formula on meta tensors (shapes only, no data, no compute): shape errors show up here."""
    expression = parse_expression(params["expression"], DEFAULT_NAMES)
    tensors = _dry_run_tensors(out, info)
    try:
        value = _expression_loss(expression)(tensors["prediction"], tensors["target"])
    except ExpressionError as exc:
        return (
            f"{exc} (prediction has shape {fmt(out)}, target {fmt(info.target_shape)}; "
            f"the dry run uses N = {DRY_RUN_BATCH})"
        )
    if not value.requires_grad:
        return "the expression has no gradient with respect to prediction, so training could not change anything"
    return None


def _expression_loss(expression: Any) -> LossFn:
    def loss(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return expression({"prediction": prediction, "target": _matched(target, prediction)})

    return loss


def _make_expression(params: dict[str, Any], info: DataInfo) -> LossFn:
    return _expression_loss(parse_expression(params["expression"], DEFAULT_NAMES))


register_loss(
    LossEntry(
        name="expression",
        help="Your own loss, written in loss.expression as a formula over prediction (the model's output, after "
        "any final softmax/sigmoid) and target (as floats; (N,) class indices against an (N, 1) output are "
        f"reshaped to (N, 1)). {language_help()} Example: mean((prediction - target)**2).",
        params=(),
        wants_logits=False,
        tasks=frozenset({"classification", "regression"}),
        check=_check_expression,
        make=_make_expression,
        uses_expression=True,
    )
)


# ----- validation and construction --------------------------------------------------------------------------
def check_loss(
    spec: LossSpec, out_shape: Shape | None, info: DataInfo | None, *, output_node: str | None = None
) -> list[Issue]:
    """Every problem with the loss, as Issues; never raises on user input. `out_shape` None: the model's output
    is unknown (shape checks skipped); `info` None: the data set is invalid (data checks skipped)."""
    entry = LOSSES.entries.get(spec.name)
    if entry is None:
        return [LOSSES.unknown(spec.name, field="loss.name")]
    params, issues = check_params(entry.params, spec.params, prefix="loss.params", what=f"loss {entry.name}: ")
    field = "loss.expression" if entry.uses_expression else "loss.name"
    if entry.uses_expression:
        try:
            expression = parse_expression(spec.expression or "", DEFAULT_NAMES)
        except ExpressionError as exc:
            return [*issues, Issue(type="invalid_expression", field=field, message=f"loss expression: {exc}")]
        if "prediction" not in expression.names:
            return [
                *issues,
                Issue(
                    type="invalid_expression",
                    field=field,
                    message="loss expression: it never uses prediction, so training could not change anything",
                ),
            ]
        params = {**params, "expression": spec.expression}
    if info is None:
        return issues
    if info.task not in entry.tasks:
        fits = [name for name in LOSSES.names() if info.task in LOSSES.get(name).tasks]
        issues.append(
            Issue(
                type="loss_task_mismatch",
                field="loss.name",
                message=f"loss {entry.name} is for {' or '.join(sorted(entry.tasks))} data, but the data "
                f"set is {info.task} (losses that fit: {', '.join(fits)})",
            )
        )
        return issues
    if out_shape is None:
        return issues
    message = entry.check(params, out_shape, info)
    if message is not None:
        where = f' on output "{output_node}"' if output_node else ""
        kind = "invalid_expression" if entry.uses_expression else "shape_mismatch"
        issues.append(
            Issue(type=kind, node_id=output_node, field=field, message=f"loss {entry.name}{where}: {message}")
        )
    return issues


def make_loss(spec: LossSpec, info: DataInfo) -> tuple[LossFn, bool]:
    """The loss function and whether it wants logits; the spec must have passed `check_loss` (a bad one raises
    ValueError)."""
    entry = LOSSES.entries.get(spec.name)
    if entry is None:
        raise ValueError(LOSSES.unknown(spec.name, field="loss.name").message)
    params, issues = check_params(entry.params, spec.params, prefix="loss.params", what=f"loss {entry.name}: ")
    if issues:
        raise ValueError("; ".join(issue.message for issue in issues))
    if entry.uses_expression:
        params = {**params, "expression": spec.expression or ""}
    return entry.make(params, info), entry.wants_logits
