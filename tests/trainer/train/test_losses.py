"""The loss catalog: each loss against a hand computation, the logits path against the probability path, and
the validation messages for shapes and tasks that do not fit."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest
import torch
import torch.nn.functional as F

from trainer.graph.spec import LossSpec
from trainer.train.losses import LOSSES, check_loss, make_loss

try:
    from trainer.data.registry import DataInfo
except ImportError:  # the data layer is written alongside; the same fields

    @dataclass(frozen=True)
    class DataInfo:  # type: ignore[no-redef]
        task: str
        input_shape: tuple[int, ...]
        target_shape: tuple[int, ...]
        num_classes: int | None
        class_names: tuple[str, ...] | None
        fields: tuple[str, ...] = ("x",)


def classes(n: int, *, onehot: bool = False) -> DataInfo:
    return DataInfo(
        task="classification",
        input_shape=(4,),
        target_shape=(n,) if onehot else (),
        num_classes=n,
        class_names=tuple(f"c{i}" for i in range(n)),
    )


def regression(k: int = 1) -> DataInfo:
    return DataInfo(task="regression", input_shape=(4,), target_shape=(k,), num_classes=None, class_names=None)


def loss(name: str, info: DataInfo, **params: object):
    return make_loss(LossSpec(name=name, params=params), info)


torch.manual_seed(0)
LOGITS = torch.randn(6, 3)
INDICES = torch.tensor([0, 2, 1, 1, 0, 2])


def test_every_builtin_is_registered():
    assert set(LOSSES.names()) == {
        "mse",
        "mae",
        "binary_cross_entropy",
        "cross_entropy",
        "kl_divergence",
        "gaussian_nll",
        "expression",
    }


def test_mse_and_mae_match_hand_computation():
    p, y = torch.tensor([[1.0], [2.0], [4.0]]), torch.tensor([[0.0], [2.0], [1.0]])
    mse, logits = loss("mse", regression())
    mae, _ = loss("mae", regression())
    assert logits is False
    assert mse(p, y).item() == pytest.approx((1 + 0 + 9) / 3)
    assert mae(p, y).item() == pytest.approx((1 + 0 + 3) / 3)


def test_mse_reshapes_index_targets_to_a_single_output():
    mse, _ = loss("mse", classes(2))
    p, y = torch.tensor([[0.2], [0.9]]), torch.tensor([0, 1])
    assert mse(p, y).item() == pytest.approx((0.04 + 0.01) / 2)  # not the (2, 2) broadcast


def test_cross_entropy_is_minus_mean_log_softmax_of_the_true_class():
    fn, wants_logits = loss("cross_entropy", classes(3))
    probs = torch.softmax(LOGITS, dim=1)
    hand = -torch.log(probs[torch.arange(6), INDICES]).mean()
    assert wants_logits is True
    assert fn(LOGITS, INDICES).item() == pytest.approx(hand.item(), rel=1e-6)


def test_cross_entropy_accepts_one_hot_targets():
    fn, _ = loss("cross_entropy", classes(3, onehot=True))
    assert fn(LOGITS, F.one_hot(INDICES, 3).float()).item() == pytest.approx(fn(LOGITS, INDICES).item(), rel=1e-6)


def test_binary_cross_entropy_on_logits_equals_it_on_probabilities():
    z = torch.tensor([[2.0], [-1.0], [0.5]])
    y = torch.tensor([1, 0, 0])
    fn, wants_logits = loss("binary_cross_entropy", classes(2))
    p = torch.sigmoid(z).squeeze(1)
    hand = -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
    assert wants_logits is True
    assert fn(z, y).item() == pytest.approx(hand.item(), rel=1e-6)


def test_kl_divergence_from_logits_matches_the_definition():
    fn, wants_logits = loss("kl_divergence", classes(3, onehot=True))
    target = torch.tensor([[0.5, 0.5, 0.0], [0.1, 0.2, 0.7]])
    q = torch.softmax(LOGITS[:2], dim=1)
    terms = [
        sum(p * math.log(p / qi) for p, qi in zip(row.tolist(), qrow.tolist(), strict=True) if p > 0)
        for row, qrow in zip(target, q, strict=True)
    ]
    assert wants_logits is True
    assert fn(LOGITS[:2], target).item() == pytest.approx(sum(terms) / 2, rel=1e-5)


def test_kl_divergence_with_index_targets_equals_cross_entropy():
    kl, _ = loss("kl_divergence", classes(3))
    ce, _ = loss("cross_entropy", classes(3))
    assert kl(LOGITS, INDICES).item() == pytest.approx(ce(LOGITS, INDICES).item(), rel=1e-6)


def test_gaussian_nll_matches_hand_computation():
    fn, wants_logits = loss("gaussian_nll", regression(1))
    out = torch.tensor([[1.0, 0.0], [0.0, math.log(4.0)]])  # (μ, log σ²)
    y = torch.tensor([[2.0], [0.0]])
    hand = (0.5 * (0.0 + 1.0) + 0.5 * (math.log(4.0) + 0.0)) / 2
    assert wants_logits is False
    assert fn(out, y).item() == pytest.approx(hand, rel=1e-6)
    full, _ = loss("gaussian_nll", regression(1), full=True)
    assert full(out, y).item() == pytest.approx(hand + 0.5 * math.log(2 * math.pi), rel=1e-6)


def test_every_loss_gives_a_gradient():
    cases = [
        ("mse", classes(3, onehot=True), (3,)),
        ("mae", regression(2), (2,)),
        ("binary_cross_entropy", classes(2), (1,)),
        ("cross_entropy", classes(3), (3,)),
        ("kl_divergence", classes(3), (3,)),
        ("gaussian_nll", regression(2), (4,)),
    ]
    for name, info, out in cases:
        assert check_loss(LossSpec(name=name), out, info) == [], name
        fn, _ = make_loss(LossSpec(name=name), info)
        prediction = torch.randn(5, *out, requires_grad=True)
        target = (
            torch.randint(0, 2, (5, *info.target_shape)).float()
            if info.target_shape
            else torch.randint(0, info.num_classes or 2, (5,))
        )
        fn(prediction, target).backward()
        assert prediction.grad is not None and torch.isfinite(prediction.grad).all(), name


def test_cross_entropy_with_the_wrong_class_count_names_both_shapes_and_the_node():
    issues = check_loss(LossSpec(name="cross_entropy"), (3,), classes(10), output_node="dense3")
    assert len(issues) == 1
    issue = issues[0]
    assert issue.node_id == "dense3" and issue.field == "loss.name" and issue.type == "shape_mismatch"
    assert '"dense3"' in issue.message and "(N, 3)" in issue.message and "10 classes" in issue.message


def test_cross_entropy_on_a_single_unit_points_to_binary_cross_entropy():
    [issue] = check_loss(LossSpec(name="cross_entropy"), (1,), classes(2))
    assert "binary_cross_entropy" in issue.message and "(N, 1)" in issue.message


def test_mse_on_class_indices_suggests_one_hot_targets():
    [issue] = check_loss(LossSpec(name="mse"), (10,), classes(10), output_node="out")
    assert "(N, 10)" in issue.message and "onehot" in issue.message and issue.node_id == "out"


def test_binary_cross_entropy_refuses_many_classes():
    [issue] = check_loss(LossSpec(name="binary_cross_entropy"), (1,), classes(5))
    assert "5" in issue.message and "cross_entropy" in issue.message


def test_gaussian_nll_needs_two_outputs_per_target():
    [issue] = check_loss(LossSpec(name="gaussian_nll"), (3,), regression(3))
    assert "(N, 3)" in issue.message and "(N, 6)" in issue.message


def test_a_loss_for_the_wrong_task_is_refused_with_the_losses_that_fit():
    [issue] = check_loss(LossSpec(name="cross_entropy"), (1,), regression())
    assert issue.type == "loss_task_mismatch" and issue.field == "loss.name"
    assert "regression" in issue.message and "mse" in issue.message


def test_unknown_loss_and_bad_params_are_issues():
    [unknown] = check_loss(LossSpec(name="hinge"), (3,), classes(3))
    assert unknown.field == "loss.name" and "cross_entropy" in unknown.message
    [bad] = check_loss(LossSpec(name="cross_entropy", params={"label_smoothing": 2}), (3,), classes(3))
    assert bad.field == "loss.params.label_smoothing"
    [extra] = check_loss(LossSpec(name="mse", params={"reduction": "sum"}), (1,), regression())
    assert extra.field == "loss.params.reduction"


def test_unknown_shape_or_data_skips_those_checks():
    assert check_loss(LossSpec(name="cross_entropy"), None, classes(10)) == []
    assert check_loss(LossSpec(name="cross_entropy"), (3,), None) == []


def test_expression_loss_equals_mse():
    fn, wants_logits = make_loss(
        LossSpec(name="expression", expression="mean((prediction - target)**2)"), regression(2)
    )
    p, y = torch.randn(4, 2), torch.randn(4, 2)
    assert wants_logits is False
    assert fn(p, y).item() == pytest.approx(F.mse_loss(p, y).item(), rel=1e-6)


def test_expression_cross_entropy_on_index_targets():
    spec = LossSpec(name="expression", expression="-mean(sum(one_hot(target, 3) * log(prediction), dim=1))")
    assert check_loss(spec, (3,), classes(3)) == []
    fn, _ = make_loss(spec, classes(3))
    assert fn(torch.softmax(LOGITS, 1), INDICES).item() == pytest.approx(
        F.cross_entropy(LOGITS, INDICES).item(), rel=1e-5
    )


@pytest.mark.parametrize("text", ["__import__('os').system('x')", "prediction.__class__", "foo", "", "mean(("])
def test_bad_expressions_are_issues_on_loss_expression(text):
    [issue] = check_loss(LossSpec(name="expression", expression=text), (1,), regression())
    assert issue.field == "loss.expression" and issue.type == "invalid_expression"
    assert issue.message.startswith("loss expression:")


def test_expression_shape_error_is_caught_by_the_dry_run():
    spec = LossSpec(name="expression", expression="mean((prediction - target)**2)")
    [issue] = check_loss(spec, (3,), regression(2), output_node="head")
    assert issue.field == "loss.expression" and issue.node_id == "head"
    assert "(N, 3)" in issue.message and "(N, 2)" in issue.message


def test_expression_without_prediction_is_refused():
    [issue] = check_loss(LossSpec(name="expression", expression="mean(target**2)"), (1,), regression())
    assert "prediction" in issue.message and issue.field == "loss.expression"


def test_expression_without_a_gradient_is_refused_by_the_dry_run():
    spec = LossSpec(name="expression", expression="mean(one_hot(prediction, 3))")
    [issue] = check_loss(spec, (1,), regression())
    assert "gradient" in issue.message
