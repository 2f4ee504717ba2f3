"""Probes of a classifier's results on the whole validation split: the confusion matrix, one-vs-rest ROC curves
and the worst-classified examples. The three share one pass of the model per step (kept in the probe context),
so turning all of them on costs one evaluation, not three."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from trainer.catalog import Param
from trainer.train import png
from trainer.train.events import EventStream
from trainer.train.metrics import roc_curves
from trainer.train.probe_nodes import EvalMode
from trainer.train.probes import PROBES, ProbeContext, ProbeEntry
from trainer.train.probes_vision import example_image, is_image

if TYPE_CHECKING:
    from trainer.data.registry import DataInfo

TABLE_INTERVAL_S = 1.0  # confusion, ROC and the worst-examples table: at most about once a second each
OUTPUT_CHUNK = 1024  # validation examples per forward pass at most…
CHUNK_VALUES = 2**21  # …and at most about this many input values, so 3-D volumes keep activations small
ROC_POINTS = 101


def probabilities(out: torch.Tensor) -> torch.Tensor:
    """(N, C) class probabilities from a classifier's output: a softmax's (N, C) as it is, logits through a
    softmax; one column (a sigmoid's probability, or a score) becomes (N, 2) = [1 − p, p]."""
    out = out.detach().float().reshape(len(out), -1)
    if out.shape[1] == 1:
        p = out[:, 0]
        if len(p) and (p.min() < 0 or p.max() > 1):
            p = p.sigmoid()  # a score, not a probability
        return torch.stack([1 - p, p], dim=1)
    if len(out) and (out.min() < 0 or not torch.allclose(out.sum(1), torch.ones_like(out[:, 0]), atol=1e-3)):
        return out.softmax(1)  # logits: no final softmax in the graph
    return out


def class_indices(targets: torch.Tensor) -> np.ndarray:
    """(N,) int64 class indices from index targets (N,) or (N, 1), or one-hot targets (N, C)."""
    t = targets.detach().cpu()
    if t.ndim > 1 and t.shape[1] > 1:
        return t.argmax(dim=1).long().numpy()
    return t.reshape(len(t)).round().long().numpy()


@dataclass(frozen=True)
class ValidationResults:
    probs: np.ndarray  # (N, C) float64: each validation example's class probabilities
    labels: np.ndarray  # (N,) int64 true classes
    predicted: np.ndarray  # (N,) int64: the most likely class


def validation_results(ctx: ProbeContext, step: int) -> ValidationResults:
    """The model on the whole validation split (`ctx.batch` when there is none), once per step for all probes."""
    cached = ctx.cache.get("validation")
    if cached is not None and cached[0] == step:
        return cached[1]
    xs, targets = ctx.validation if ctx.validation is not None else (ctx.batch, ctx.targets)
    model: Any = ctx.model
    per_example = sum(x[:1].numel() for x in xs) or 1
    chunk = max(1, min(OUTPUT_CHUNK, CHUNK_VALUES // per_example))
    chunks = []
    with torch.no_grad(), EvalMode(model):
        for start in range(0, len(targets), chunk):
            out = model(*(x[start : start + chunk] for x in xs))
            chunks.append(probabilities(out[0] if isinstance(out, tuple) else out))
    probs = torch.cat(chunks).double().cpu().numpy() if chunks else np.zeros((0, 2))
    result = ValidationResults(probs=probs, labels=class_indices(targets), predicted=probs.argmax(axis=1))
    ctx.cache["validation"] = (step, result)
    return result


class ConfusionProbe:
    """Counts of (true class, predicted class) on the validation split, as a table: one row per true class."""

    def __init__(self, params: dict[str, Any], ctx: ProbeContext):
        self.ctx = ctx
        self.names = list(ctx.info.class_names or [])

    @torch.no_grad()
    def run(self, stream: EventStream, *, step: int, epoch: float) -> None:
        if not stream.due("confusion", TABLE_INTERVAL_S):
            return
        r = validation_results(self.ctx, step)
        c = len(self.names)
        if r.probs.shape[1] != c:
            return  # the output does not have one column per class; validation reports the loss's view of it
        counts = np.bincount(r.labels * c + r.predicted, minlength=c * c).reshape(c, c)
        rows = [[name, *map(int, counts[i])] for i, name in enumerate(self.names)]
        stream.table(step=step, key="confusion", columns=["true \\ predicted", *self.names], rows=rows)


class RocProbe:
    """One-vs-rest ROC curve per class ("roc/<class>", rows [fpr, tpr]); their areas are the metrics' val/auc."""

    def __init__(self, params: dict[str, Any], ctx: ProbeContext):
        self.ctx = ctx
        self.names = list(ctx.info.class_names or [])

    @torch.no_grad()
    def run(self, stream: EventStream, *, step: int, epoch: float) -> None:
        if not self.names or not stream.due(f"roc/{self.names[0]}", TABLE_INTERVAL_S):
            return
        r = validation_results(self.ctx, step)
        if r.probs.shape[1] != len(self.names):
            return
        for name, curve in zip(self.names, roc_curves(r.probs, r.labels, max_points=ROC_POINTS), strict=True):
            if curve is not None:
                rows = [[round(float(f), 6), round(float(t), 6)] for f, t in curve]
                stream.table(step=step, key=f"roc/{name}", columns=["fpr", "tpr"], rows=rows)


class WorstExamplesProbe:
    """The validation examples the model finds least likely to be what they are (lowest p(true class)): a grid
    of images ("worst", captioned in meta) for image inputs, else a table."""

    def __init__(self, params: dict[str, Any], ctx: ProbeContext):
        self.ctx, self.count = ctx, int(params["count"])
        self.names = list(ctx.info.class_names or [])
        self.images = is_image(ctx.info)

    @torch.no_grad()
    def run(self, stream: EventStream, *, step: int, epoch: float) -> None:
        due = stream.image_due("worst") if self.images else stream.due("worst", TABLE_INTERVAL_S)
        if not due:
            return
        r = validation_results(self.ctx, step)
        if len(r.labels) == 0 or r.probs.shape[1] != len(self.names):
            return
        p_true = r.probs[np.arange(len(r.labels)), r.labels]
        worst = np.argsort(p_true, kind="stable")[: self.count]  # (K,) validation indices, least likely first
        examples = [
            {
                "index": int(i),
                "true": self.names[r.labels[i]],
                "predicted": self.names[r.predicted[i]],
                "p_true": round(float(p_true[i]), 6),
            }
            for i in worst
        ]
        if not self.images:
            columns = ["index", "true", "predicted", "p_true"]
            stream.table(step=step, key="worst", columns=columns, rows=[[e[k] for k in columns] for e in examples])
            return
        xs = self.ctx.validation[0][0] if self.ctx.validation is not None else self.ctx.batch[0]
        picked = xs[torch.as_tensor(worst, device=xs.device)].float().cpu().numpy()  # (K, C, H, W) or (K, C, D, H, W)
        rgb, layout = png.grid(np.stack([example_image(x) for x in picked]))
        stream.image(
            step=step,
            key="worst",
            png=png.encode_png(rgb),
            width=rgb.shape[1],
            height=rgb.shape[0],
            meta={"examples": examples, **layout},
        )


def _classes(info: DataInfo) -> bool:
    return info.task == "classification" and len(info.class_names or ()) >= 2


PROBES.register(
    "confusion",
    ProbeEntry(
        name="confusion",
        help="The confusion matrix on the validation split: how often each class is taken for each other one.",
        params=(),
        applies=_classes,
        default=True,
        make=ConfusionProbe,
        needs="a classification data set with at least two classes",
    ),
)

PROBES.register(
    "roc",
    ProbeEntry(
        name="roc",
        help="One-vs-rest ROC curve per class on the validation split (true against false positive rate); "
        "the area under each is the val/auc/<class> metric.",
        params=(),
        applies=_classes,
        default=True,
        make=RocProbe,
        needs="a classification data set with at least two classes",
    ),
)

PROBES.register(
    "worst_examples",
    ProbeEntry(
        name="worst_examples",
        help="The validation examples given the lowest probability of their true class, with what the model "
        "took them for: pictures for image data, else a table.",
        params=(Param("count", "int", 16, "How many examples to show.", min=1, max=64),),
        applies=_classes,
        default=True,
        default_when=is_image,
        make=WorstExamplesProbe,
        needs="a classification data set with at least two classes",
    ),
)
