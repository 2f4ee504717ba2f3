"""Validation metrics for classifiers: accuracy, per-class accuracy and one-vs-rest ROC AUC per class."""

from __future__ import annotations

import numpy as np
import torch


def class_scores(outputs: torch.Tensor) -> torch.Tensor:
    """(N, C) scores per class from a model output: (N, C) as is; one column (N, 1) or (N,) becomes
    (N, 2) = [−s, s], so binary and multi-class share one code path (AUC is rank-based, any monotone score works)."""
    if outputs.ndim == 1 or outputs.shape[1] == 1:
        s = outputs.reshape(-1)
        return torch.stack([-s, s], dim=1)
    return outputs.reshape(-1, outputs.shape[-1])  # per position (N, T, C): every position is one row


def roc_auc(scores: np.ndarray, positive: np.ndarray) -> float | None:
    """Area under the ROC curve by the rank statistic (Mann–Whitney U, ties averaged); None if one class is absent."""
    return roc_auc_per_class(scores[:, None], np.where(positive, 0, 1))[0]  # "class 0" = the positives


def _sorted_columns(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each column's ascending order (stable) and its sorted values: the one ranking behind AUCs and ROC curves."""
    order = np.argsort(scores, axis=0, kind="stable")
    return order, np.take_along_axis(scores, order, axis=0)


def roc_curves(scores: np.ndarray, labels: np.ndarray, *, max_points: int = 101) -> list[np.ndarray | None]:
    """One-vs-rest ROC curve of column c of `scores` (N, C) for `labels == c`: (P, 2) rows [fpr, tpr] from (0, 0)
    to (1, 1), one point per distinct threshold (tied scores make one diagonal step, so the area under the full
    curve is the AUC above), subsampled evenly to at most `max_points` keeping both ends; None where every
    example is, or none is, of class c."""
    labels = labels.reshape(-1)
    n, classes = scores.shape
    order, ordered = _sorted_columns(scores)
    curves: list[np.ndarray | None] = []
    for c in range(classes):
        positive = labels[order[::-1, c]] == c  # (N,) by descending score
        n_pos = int(positive.sum())
        if n_pos in (0, n):
            curves.append(None)
            continue
        descending = ordered[::-1, c]
        group_end = np.r_[descending[1:] != descending[:-1], True]  # the last example of each run of equal scores
        tpr = np.r_[0.0, np.cumsum(positive)[group_end] / n_pos]
        fpr = np.r_[0.0, np.cumsum(~positive)[group_end] / (n - n_pos)]
        curve = np.stack([fpr, tpr], axis=1)
        if len(curve) > max_points:
            curve = curve[np.unique(np.rint(np.linspace(0, len(curve) - 1, max_points)).astype(np.int64))]
        curves.append(curve)
    return curves


def roc_auc_per_class(scores: np.ndarray, labels: np.ndarray) -> list[float | None]:
    """One-vs-rest AUC of column c of `scores` (N, C) for `labels == c`, every column in one ranking pass.

    U_c = Σ ranks of class c's examples in column c − n_c(n_c + 1)/2, and AUC_c = U_c / (n_c · (N − n_c))."""
    labels = labels.reshape(-1)
    n, classes = scores.shape
    order, ordered = _sorted_columns(scores)
    ranks = np.empty(scores.shape, dtype=np.float64)
    np.put_along_axis(ranks, order, np.arange(1, n + 1, dtype=np.float64)[:, None], axis=0)
    for c in np.flatnonzero((np.diff(ordered, axis=0) == 0).any(axis=0)):  # rare with float scores
        # ties share the mean of the ranks they span: (first + last position) / 2 among equal values
        col, sorted_col = scores[:, c], ordered[:, c]
        ranks[:, c] = (np.searchsorted(sorted_col, col, "left") + np.searchsorted(sorted_col, col, "right") + 1) / 2
    members = labels[:, None] == np.arange(classes)[None, :]  # (N, C)
    n_pos = members.sum(axis=0)
    u = (ranks * members).sum(axis=0) - n_pos * (n_pos + 1) / 2.0
    return [float(u[c] / (n_pos[c] * (n - n_pos[c]))) if 0 < n_pos[c] < n else None for c in range(classes)]


def classification_metrics(
    outputs: torch.Tensor, targets: torch.Tensor, class_names: tuple[str, ...], prefix: str = "val"
) -> dict[str, float]:
    """Accuracy, accuracy per class and one-vs-rest AUC per class. `targets` are indices (N,) or one-hot (N, C);
    per position, outputs (N, T, C) with indices (N, T) or one-hot (N, T, C), every position counted once.
    Vectorised: it runs after every epoch, and the engine's overhead budget is a few percent."""
    scores = class_scores(outputs.detach().float().cpu()).numpy().astype(np.float64)  # (N, C)
    indices = targets.detach().cpu()
    onehot = indices.is_floating_point() and indices.ndim > 1
    labels = (indices.argmax(dim=-1) if onehot else indices).reshape(-1).long().numpy()  # (N·positions,)
    correct = scores.argmax(axis=1) == labels
    counts = np.bincount(labels, minlength=len(class_names))
    hits = np.bincount(labels[correct], minlength=len(class_names))
    values = {f"{prefix}/accuracy": float(correct.mean())}
    aucs = roc_auc_per_class(scores, labels)
    for c, name in enumerate(class_names):
        if counts[c]:
            values[f"{prefix}/accuracy/{name}"] = float(hits[c] / counts[c])
        if c < len(aucs) and aucs[c] is not None:
            values[f"{prefix}/auc/{name}"] = aucs[c]  # type: ignore[assignment]
    return values
