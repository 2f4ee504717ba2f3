"""The layer catalog: complete declarations, and every layer builds and runs on a typical input."""

from __future__ import annotations

import json

import pytest
import torch

from trainer.catalog import Param
from trainer.graph.registry import all_layers

REQUIRED = {
    "input",
    "dense",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "elu",
    "gelu",
    "softmax",
    "dropout",
    "batchnorm",
    "layernorm",
    "flatten",
    "reshape",
    "add",
    "concat",
    "multiply",
}


def test_catalog_has_the_issue_layers():
    assert REQUIRED <= set(all_layers().names())


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_entry_is_declared_as_data(name):
    entry = all_layers().get(name)
    assert entry.help and entry.category
    schema = entry.schema()
    json.dumps(schema)
    for p in entry.params:
        assert isinstance(p, Param) and p.help
        assert p.coerce(p.default) is not None or p.nullable  # the default is itself valid


@pytest.mark.parametrize("name", sorted(REQUIRED - {"input"}))
def test_layer_builds_and_runs(name):
    entry = all_layers().get(name)
    params = {p.name: p.coerce(p.default) if p.default is not None else None for p in entry.params}
    if name == "reshape":
        params["shape"] = (2, 3)
    shapes = [(6,), (6,)] if entry.variadic else [(6,)]
    module = entry.build(params, shapes)
    out = module(*[torch.randn(4, *s) for s in shapes])
    assert out.shape[0] == 4


def test_batchnorm_picks_its_dimension_from_the_input():
    entry = all_layers().get("batchnorm")
    params = {"momentum": 0.1, "eps": 1e-5, "affine": True}
    assert isinstance(entry.build(params, [(3,)]), torch.nn.BatchNorm1d)
    assert isinstance(entry.build(params, [(3, 8, 8)]), torch.nn.BatchNorm2d)
    assert isinstance(entry.build(params, [(3, 4, 8, 8)]), torch.nn.BatchNorm3d)
    assert "got (N, 1, 2, 3, 4, 5)" in entry.check(params, [(1, 2, 3, 4, 5)])


def test_unknown_layer_lookup_lists_known_ones():
    with pytest.raises(KeyError, match="known: .*dense"):
        all_layers().get("convolution9000")
