"""Per-position classes: outputs (N, T, C) against targets (N, T), class dimension last, in the loss and metrics."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from trainer.data.registry import DataInfo
from trainer.graph.spec import LossSpec
from trainer.train.losses import check_loss, make_loss
from trainer.train.metrics import classification_metrics

INFO = DataInfo("classification", (5, 2), (5,), 3, ("a", "b", "c"))


def test_cross_entropy_averages_over_every_position():
    loss_fn, wants_logits = make_loss(LossSpec(name="cross_entropy"), INFO)
    logits, target = torch.randn(4, 5, 3), torch.randint(0, 3, (4, 5))
    expected = F.cross_entropy(logits.reshape(-1, 3), target.reshape(-1))
    assert wants_logits and torch.allclose(loss_fn(logits, target), expected)


def test_one_hot_per_position_targets_give_the_same_loss():
    loss_fn, _ = make_loss(LossSpec(name="cross_entropy"), INFO)
    logits, target = torch.randn(4, 5, 3), torch.randint(0, 3, (4, 5))
    onehot = F.one_hot(target, 3).float()
    assert torch.allclose(loss_fn(logits, onehot), loss_fn(logits, target))


def test_the_check_accepts_n_t_c_and_names_a_wrong_class_count():
    assert check_loss(LossSpec(name="cross_entropy"), (5, 3), INFO, output_node="out") == []
    [issue] = check_loss(LossSpec(name="cross_entropy"), (5, 4), INFO, output_node="out")
    assert "(N, 5, 4)" in issue.message and "3 classes" in issue.message


def test_the_check_names_positions_that_do_not_match():
    [issue] = check_loss(LossSpec(name="cross_entropy"), (6, 3), INFO, output_node="out")
    assert "(N, 6, 3)" in issue.message and "(N, 5)" in issue.message


def test_accuracy_counts_every_position():
    target = torch.tensor([[0, 1], [2, 2]])
    logits = F.one_hot(torch.tensor([[0, 1], [2, 0]]), 3).float()  # 3 of 4 positions right
    values = classification_metrics(logits, target, ("a", "b", "c"))
    assert values["val/accuracy"] == 0.75 and values["val/accuracy/c"] == 0.5
    assert values["val/auc/a"] > 0.5


def test_one_hot_per_position_targets_in_metrics():
    target = torch.tensor([[0, 1], [2, 2]])
    logits = F.one_hot(target, 3).float()
    assert classification_metrics(logits, F.one_hot(target, 3).float(), ("a", "b", "c"))["val/accuracy"] == 1.0
