"""Classifier metrics: accuracy, per-class accuracy and one-vs-rest AUC against hand-counted values."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

from trainer.train.metrics import classification_metrics, roc_auc, roc_auc_per_class


def test_auc_counts_pairs_and_halves_ties():
    scores = np.array([0.1, 0.4, 0.4, 0.8])
    positive = np.array([False, True, False, True])
    # pairs (pos, neg): (0.4, 0.1) win, (0.4, 0.4) tie, (0.8, 0.1) win, (0.8, 0.4) win → 3.5 / 4
    assert roc_auc(scores, positive) == 0.875


def test_auc_is_none_without_both_classes():
    assert roc_auc(np.array([0.1, 0.2]), np.array([True, True])) is None


def test_auc_per_class_matches_scikit_learn():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, 300)
    scores = rng.normal(size=(300, 4)) + np.eye(4)[labels]
    ours = roc_auc_per_class(scores, labels)
    for c in range(4):
        assert abs(ours[c] - roc_auc_score(labels == c, scores[:, c])) < 1e-12


def test_classification_metrics_for_multi_class_and_one_hot():
    outputs = torch.tensor([[2.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 2.0], [2.0, 0.0, 0.0]])
    targets = torch.tensor([0, 1, 2, 1])
    values = classification_metrics(outputs, targets, ("a", "b", "c"))
    assert values["val/accuracy"] == 0.75
    assert values["val/accuracy/a"] == 1.0 and values["val/accuracy/b"] == 0.5
    assert values == classification_metrics(outputs, torch.eye(3)[targets], ("a", "b", "c"))
    assert set(k for k in values if k.startswith("val/auc/")) == {"val/auc/a", "val/auc/b", "val/auc/c"}


def test_a_single_output_column_is_a_binary_score():
    outputs = torch.tensor([[-1.0], [2.0], [0.5], [-3.0]])
    values = classification_metrics(outputs, torch.tensor([0, 1, 1, 0]), ("0", "1"))
    assert values["val/accuracy"] == 1.0 and values["val/auc/1"] == 1.0 and values["val/auc/0"] == 1.0
