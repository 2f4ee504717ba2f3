"""The compiler: a real nn.Module with a proper state_dict, node ids in print(), torch.compile-able."""

from __future__ import annotations

import torch

from tests.conftest import mlp_spec
from trainer.graph.compile import GraphModule, build
from trainer.graph.spec import load_spec


def two_branch_spec():
    spec = mlp_spec(dataset="digits", classes=10)
    spec["graph"] = {
        "version": 1,
        "nodes": [
            {"id": "x", "type": "input"},
            {"id": "left", "type": "dense", "params": {"units": 8}},
            {"id": "right", "type": "dense", "params": {"units": 8}, "shares": "left"},
            {"id": "act", "type": "tanh"},
            {"id": "merged", "type": "concat"},
            {"id": "head", "type": "dense", "params": {"units": 10}},
            {"id": "probs", "type": "softmax"},
        ],
        "edges": [
            {"source": "x", "target": "left"},
            {"source": "x", "target": "act"},
            {"source": "act", "target": "right"},
            {"source": "left", "target": "merged"},
            {"source": "right", "target": "merged"},
            {"source": "merged", "target": "head"},
            {"source": "head", "target": "probs"},
        ],
    }
    return spec


def test_build_returns_a_module_with_node_ids():
    model = build(mlp_spec(widths=(8, 4)))
    assert isinstance(model, GraphModule)
    text = repr(model)
    for nid in ("dense1", "act1", "dense2", "act2", "out", "p"):
        assert f"({nid})" in text


def test_state_dict_is_keyed_by_node_and_round_trips():
    a, b = build(mlp_spec()), build(mlp_spec(seed=7))
    keys = set(a.state_dict())
    assert {"layers.dense1.weight", "layers.dense1.bias", "layers.out.weight", "layers.out.bias"} == keys
    assert not torch.equal(a.state_dict()["layers.dense1.weight"], b.state_dict()["layers.dense1.weight"])
    b.load_state_dict(a.state_dict())
    x = torch.randn(5, 2)
    assert torch.equal(a(x), b(x))


def test_initialisation_is_a_function_of_the_seed_and_leaves_global_rng_alone():
    torch.manual_seed(123)
    before = torch.get_rng_state()
    a, b = build(mlp_spec(seed=3)), build(mlp_spec(seed=3))
    assert torch.equal(torch.get_rng_state(), before)
    assert all(torch.equal(a.state_dict()[k], b.state_dict()[k]) for k in a.state_dict())


def test_forward_shapes_and_logits():
    model = build(mlp_spec(dataset="digits", widths=(16,), classes=10))
    x = torch.randn(7, 64)
    probs, logits = model(x), model(x, logits=True)
    assert probs.shape == logits.shape == (7, 10)
    assert torch.allclose(probs.sum(dim=1), torch.ones(7))
    assert torch.allclose(torch.softmax(logits, dim=1), probs)


def test_shared_weights_are_one_parameter():
    model = build(two_branch_spec())
    assert "layers.right.weight" not in model.state_dict()
    assert model.shares == {"right": "left"}
    n_params = sum(p.numel() for p in model.parameters())
    assert n_params == (64 * 8 + 8) + (16 * 10 + 10)
    out = model(torch.randn(3, 64))
    out.sum().backward()
    assert model.layers["left"].weight.grad is not None  # both branches train the one weight


def test_forward_all_gives_every_node():
    model = build(two_branch_spec())
    values = model.forward_all(torch.randn(4, 64))
    assert list(values) == ["x", "left", "act", "right", "merged", "head", "probs"]
    assert values["merged"].shape == (4, 16)


def test_wrong_number_of_inputs_is_a_clear_error():
    model = build(mlp_spec())
    try:
        model(torch.randn(2, 2), torch.randn(2, 2))
    except TypeError as exc:
        assert "takes 1 input tensor" in str(exc)
    else:
        raise AssertionError("two inputs to a one-input network must fail")


def test_torch_compile_matches_eager():
    model = build(mlp_spec(widths=(8, 8)))
    compiled = torch.compile(model, backend="eager", fullgraph=True)  # fullgraph: no graph breaks in forward
    x = torch.randn(6, 2)
    assert torch.allclose(compiled(x), model(x))


def test_several_networks_build_as_a_dict():
    spec = load_spec(mlp_spec())
    raw = spec.model_dump()
    for n in raw["graph"]["nodes"]:
        n["network"] = "model"
    raw["graph"]["nodes"].append(
        {"id": "z", "type": "input", "network": "critic", "params": {"shape": [3], "field": "z"}}
    )
    raw["graph"]["nodes"].append({"id": "c", "type": "dense", "network": "critic", "params": {"units": 1}})
    raw["graph"]["edges"].append({"source": "z", "target": "c"})
    from trainer.graph.compile import build_networks

    nets = build_networks(load_spec(raw))
    assert set(nets) == {"model", "critic"}
    assert nets["critic"](torch.randn(2, 3)).shape == (2, 1)
