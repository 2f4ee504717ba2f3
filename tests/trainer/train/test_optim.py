"""The optimiser catalog: each one builds and steps; SGD's update is the textbook formula; weight decay and
gradient clipping do what they say; bad settings are issues naming the field."""

from __future__ import annotations

import pytest
import torch

from trainer.graph.spec import OptimizerSpec
from trainer.train.optim import OPTIMIZERS, check_optimizer, clip_gradients, make_optimizer


def weight(value: list[float], grad: list[float]) -> torch.nn.Parameter:
    w = torch.nn.Parameter(torch.tensor(value))
    w.grad = torch.tensor(grad)
    return w


@pytest.mark.parametrize("name", ["gd", "sgd", "adam", "adamw", "rmsprop"])
def test_each_optimizer_builds_and_lowers_a_quadratic(name):
    torch.manual_seed(0)
    w = torch.nn.Parameter(torch.randn(4))
    optimizer = make_optimizer(OptimizerSpec(name=name, lr=0.05), [w])
    start = (w.detach() ** 2).sum().item()
    for _ in range(20):
        optimizer.zero_grad()
        (w**2).sum().backward()
        optimizer.step()
    assert (w.detach() ** 2).sum().item() < start


def test_registry_names():
    assert OPTIMIZERS.names() == ["adam", "adamw", "gd", "rmsprop", "sgd"]


def test_plain_gd_step_is_alpha_minus_eps_grad():
    w = weight([1.0, -2.0], [0.5, 1.0])
    make_optimizer(OptimizerSpec(name="gd", lr=0.1), [w]).step()
    assert torch.allclose(w.detach(), torch.tensor([1.0 - 0.05, -2.0 - 0.1]))


def test_momentum_adds_part_of_the_previous_update():
    # v₁ = g₁; v₂ = μ v₁ + g₂; α ← α − ε v
    w = weight([1.0], [2.0])
    optimizer = make_optimizer(OptimizerSpec(name="sgd", lr=0.1, params={"momentum": 0.9}), [w])
    optimizer.step()
    assert w.item() == pytest.approx(1.0 - 0.1 * 2.0)
    w.grad = torch.tensor([1.0])
    optimizer.step()
    assert w.item() == pytest.approx(0.8 - 0.1 * (0.9 * 2.0 + 1.0))


def test_nesterov_step_uses_the_look_ahead_gradient():
    # v₂ = μ v₁ + g₂; update = g₂ + μ v₂
    w = weight([1.0], [2.0])
    optimizer = make_optimizer(OptimizerSpec(name="sgd", lr=0.1, params={"momentum": 0.9, "nesterov": True}), [w])
    optimizer.step()  # v₁ = 2, update = 2 + 0.9·2
    assert w.item() == pytest.approx(1.0 - 0.1 * (2.0 + 0.9 * 2.0))
    w.grad = torch.tensor([1.0])
    before = w.item()
    optimizer.step()
    v2 = 0.9 * 2.0 + 1.0
    assert w.item() == pytest.approx(before - 0.1 * (1.0 + 0.9 * v2))


def test_weight_decay_adds_lambda_alpha_to_the_gradient():
    w = weight([2.0], [0.0])
    make_optimizer(OptimizerSpec(name="sgd", lr=0.1, params={"weight_decay": 0.5}), [w]).step()
    assert w.item() == pytest.approx(2.0 - 0.1 * 0.5 * 2.0)


def test_adamw_decay_is_decoupled():
    w = weight([2.0], [0.0])
    make_optimizer(OptimizerSpec(name="adamw", lr=0.1, params={"weight_decay": 0.5}), [w]).step()
    assert w.item() == pytest.approx(2.0 * (1 - 0.1 * 0.5))


def test_optimizer_params_reach_torch():
    w = weight([1.0], [1.0])
    adam = make_optimizer(OptimizerSpec(name="adam", lr=0.01, params={"beta1": 0.5, "amsgrad": True}), [w])
    assert adam.param_groups[0]["betas"] == (0.5, 0.999) and adam.param_groups[0]["amsgrad"] is True
    rms = make_optimizer(OptimizerSpec(name="rmsprop", lr=0.01, params={"centered": True, "alpha": 0.9}), [w])
    assert rms.param_groups[0]["centered"] is True and rms.param_groups[0]["alpha"] == 0.9


def test_clip_gradients_caps_the_global_norm():
    a, b = weight([0.0, 0.0], [3.0, 0.0]), weight([0.0], [4.0])  # global norm 5
    clip_gradients([a, b], 1.0)
    norm = torch.cat([a.grad, b.grad]).norm().item()
    assert norm == pytest.approx(1.0, rel=1e-5)
    assert torch.allclose(a.grad, torch.tensor([0.6, 0.0]), atol=1e-5)


def test_clip_gradients_leaves_small_or_unclipped_gradients():
    a = weight([0.0], [0.5])
    clip_gradients([a], 1.0)
    assert a.grad.item() == pytest.approx(0.5)
    clip_gradients([a], None)
    assert a.grad.item() == pytest.approx(0.5)


def test_nesterov_without_momentum_is_an_issue():
    [issue] = check_optimizer(OptimizerSpec(name="sgd", params={"nesterov": True}))
    assert issue.field == "optimizer.params.nesterov" and "momentum" in issue.message
    with pytest.raises(ValueError, match="nesterov"):
        make_optimizer(OptimizerSpec(name="sgd", params={"nesterov": True}), [weight([1.0], [1.0])])


def test_unknown_optimizer_and_bad_params_are_issues():
    [unknown] = check_optimizer(OptimizerSpec(name="lbfgs"))
    assert unknown.field == "optimizer.name" and "adam" in unknown.message
    [bad] = check_optimizer(OptimizerSpec(name="sgd", params={"momentum": -1}))
    assert bad.field == "optimizer.params.momentum"
    [extra] = check_optimizer(OptimizerSpec(name="adam", params={"betas": [0.9, 0.99]}))
    assert extra.field == "optimizer.params.betas" and "beta1" in extra.message
    assert check_optimizer(OptimizerSpec(name="sgd", params={"momentum": 0.9, "nesterov": True})) == []
