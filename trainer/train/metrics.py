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
    return outputs.reshape(outputs.shape[0], -1)


def roc_auc(scores: np.ndarray, positive: np.ndarray) -> float | None:
    """Area under the ROC curve by the rank statistic (Mann–Whitney U, ties averaged); None if one class is absent."""
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return None
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores), dtype=np.float64)
    sorted_scores = scores[order]
    # average ranks over ties
    boundaries = np.flatnonzero(np.diff(sorted_scores)) + 1
    starts = np.concatenate([[0], boundaries])
    ends = np.concatenate([boundaries, [len(scores)]])
    for s, e in zip(starts, ends):
        ranks[order[s:e]] = (s + e + 1) / 2.0  # ranks are 1-based
    u = ranks[positive].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def classification_metrics(
    outputs: torch.Tensor, targets: torch.Tensor, class_names: tuple[str, ...], prefix: str = "val"
) -> dict[str, float]:
    """Accuracy, accuracy per class and one-vs-rest AUC per class. `targets` are indices (N,) or one-hot (N, C)."""
    scores = class_scores(outputs.detach().float().cpu())
    labels = targets.detach().cpu()
    if labels.ndim > 1:
        labels = labels.argmax(dim=1)
    labels = labels.long()
    predicted = scores.argmax(dim=1)
    values = {f"{prefix}/accuracy": float((predicted == labels).float().mean())}
    scores_np, labels_np = scores.numpy().astype(np.float64), labels.numpy()
    for c, name in enumerate(class_names):
        members = labels_np == c
        if members.any():
            values[f"{prefix}/accuracy/{name}"] = float((predicted.numpy()[members] == c).mean())
        auc = roc_auc(scores_np[:, c], members) if c < scores_np.shape[1] else None
        if auc is not None:
            values[f"{prefix}/auc/{name}"] = auc
    return values
