"""The loss-expression language: valid formulas compute what the hand-written torch does, and everything outside
the whitelist is refused with a message that names the offender."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from trainer.train.loss_expr import MAX_CHARS, ExpressionError, parse_expression

torch.manual_seed(0)
P, T = torch.randn(5, 3), torch.randn(5, 3)
TENSORS = {"prediction": P, "target": T}


def value(text: str, tensors=TENSORS) -> torch.Tensor:
    return parse_expression(text)(tensors)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mean((prediction - target)**2)", F.mse_loss(P, T)),
        ("mean(abs(prediction - target))", F.l1_loss(P, T)),
        ("(prediction - target)**2", F.mse_loss(P, T)),  # a non-scalar result is averaged
        ("mean(sum(square(prediction - target), dim=1))", ((P - T) ** 2).sum(1).mean()),
        (
            "-mean(sum(softmax(target, 1) * log_softmax(prediction, dim=1), dim=1))",
            F.cross_entropy(P, torch.softmax(T, 1)),
        ),
        ("mean(softplus(-prediction * target))", F.softplus(-P * T).mean()),
        ("mean(clamp(prediction, -eps, 1 - eps))", P.clamp(-1e-7, 1 - 1e-7).mean()),
        ("mean(clamp(prediction, max=0.5))", P.clamp(max=0.5).mean()),
        ("mean(maximum(prediction, 0) + minimum(target, 0))", (P.clamp(min=0) + T.clamp(max=0)).mean()),
        (
            "mean(sqrt(exp(prediction)) / +2 + tanh(relu(target)) - sigmoid(prediction) * pi ** -1 + e)",
            (torch.exp(P).sqrt() / 2 + torch.tanh(torch.relu(T)) - torch.sigmoid(P) / math.pi + math.e).mean(),
        ),
        ("0.5 * mean(log(2 * pi * exp(prediction)))", 0.5 * torch.log(2 * math.pi * torch.exp(P)).mean()),
    ],
)
def test_valid_expressions_compute_like_torch(text, expected):
    assert value(text).item() == pytest.approx(expected.item(), rel=1e-5, abs=1e-7)


def test_names_lists_the_tensors_used():
    assert parse_expression("mean(prediction**2) + pi").names == frozenset({"prediction"})
    assert parse_expression("prediction - target").names == frozenset({"prediction", "target"})


def test_extra_names_can_be_allowed():
    expr = parse_expression("mean(mu**2 + exp(logvar) - logvar)", names=("mu", "logvar"))
    mu, logvar = torch.randn(4, 2), torch.randn(4, 2)
    assert expr({"mu": mu, "logvar": logvar}).item() == pytest.approx((mu**2 + logvar.exp() - logvar).mean().item())
    with pytest.raises(ExpressionError, match="'prediction'"):
        parse_expression("prediction", names=("mu",))


def test_the_result_keeps_the_gradient():
    p = torch.randn(3, requires_grad=True)
    parse_expression("mean(prediction**2)")({"prediction": p}).backward()
    assert torch.allclose(p.grad, 2 * p.detach() / 3)


@pytest.mark.parametrize(
    ("text", "offender"),
    [
        ("__import__('os').system('x')", "__import__"),
        ("prediction.__class__", "__class__"),
        ("().__class__.__bases__", "__bases__"),
        ("target[0]", "target[0]"),
        ("lambda: 1", "lambda"),
        ("[x for x in y]", "comprehension"),
        ("'abc'", "'abc'"),
        ("open('f')", "'open'"),
        ("exec('1')", "'exec'"),
        ("eval('1')", "'eval'"),
        ("prediction.sum()", ".sum"),
        ("2**10**10", "10**10"),
        ("foo", "'foo'"),
        ("mean((prediction - target)", "syntax error"),
        ("", "empty"),
        ("   ", "empty"),
        ("prediction // 2", "//"),
        ("prediction if target else 0", "if-else"),
        ("prediction > target", "comparison"),
        ("True", "True"),
        ("mean", "function"),
        ("sum(prediction, keepdim=True)", "'keepdim'"),
        ("sum(prediction, dim=target)", "dim"),
        ("clamp(prediction)", "min or max"),
        ("log(prediction, 2, 3)", "at most 1"),
        ("mean(*prediction)", "unpacking"),
        ("prediction ** target", "exponent"),
        ("1e999", "too large"),
        ("x := 1", "syntax error"),
    ],
)
def test_refused_expressions_name_the_offender(text, offender):
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text)
    assert offender in str(caught.value)


def test_errors_give_the_column():
    with pytest.raises(ExpressionError, match="column 11") as caught:
        parse_expression("prediction.__class__")
    assert caught.value.column == 11


def test_every_offender_is_listed():
    with pytest.raises(ExpressionError) as caught:
        parse_expression("foo + bar")
    assert "'foo'" in str(caught.value) and "'bar'" in str(caught.value)


def test_size_limits():
    with pytest.raises(ExpressionError, match="characters"):
        parse_expression("prediction + " * (MAX_CHARS // 13 + 1) + "1")
    with pytest.raises(ExpressionError, match="terms"):
        parse_expression("+".join(["p"] * 400), names=("p",))
    with pytest.raises(ExpressionError):
        parse_expression("(" * 300 + "prediction" + ")" * 300)
    with pytest.raises(ExpressionError, match="nested"):
        parse_expression("-" * 100 + "prediction")


def test_shape_mismatch_at_evaluation_names_both_shapes():
    with pytest.raises(ExpressionError, match=r"\(5, 3\) and \(5, 2\)"):
        value("prediction - target", {"prediction": P, "target": T[:, :2]})


def test_the_outer_product_trap_is_refused():
    with pytest.raises(ExpressionError, match="broadcast to \\(5, 5\\)"):
        value("prediction - target", {"prediction": P[:, :1], "target": T[:, 0]})


def test_a_bad_dimension_is_an_expression_error():
    with pytest.raises(ExpressionError, match="sum"):
        value("sum(prediction, dim=5)")


def test_a_missing_tensor_is_an_expression_error():
    with pytest.raises(ExpressionError, match="target"):
        parse_expression("prediction - target")({"prediction": P})


def test_number_only_arithmetic_errors_are_expression_errors():
    with pytest.raises(ExpressionError, match="1/0"):
        value("prediction + 1/0")
    with pytest.raises(ExpressionError, match="0.5"):
        value("prediction + (-1)**0.5")
