"""prepare with several input fields: every field split alike, scaled per field, some fields left unscaled."""

from __future__ import annotations

import torch

from trainer.data.prepare import prepare
from trainer.graph.spec import DataSpec


def bundle(name: str, seed: int = 0, **params):
    return prepare(DataSpec(name=name, params=params), seed)


def test_fields_come_in_info_order_and_share_one_split():
    data = bundle("sbm_graph", n=20, nodes=6)
    x, adj = data.train.inputs
    assert data.info.fields == ("x", "adj")
    assert x.shape == (16, 6, 3) and adj.shape == (16, 6, 6) and data.train.y.shape == (16, 6)
    assert data.val.inputs[1].shape == (4, 6, 6) and len(data.val) == 4


def test_declared_unscaled_fields_keep_their_values():
    data = bundle("sbm_graph", n=20, nodes=6)
    adj = torch.cat([data.train.inputs[1], data.val.inputs[1]])
    assert set(adj.unique().tolist()) <= {0.0, 1.0}
    assert data.scalers["adj"].kind == "none" and data.scalers["x"].kind == "standardize"


def test_each_field_is_standardised_on_its_own():
    data = bundle("digit_pairs", n=400)
    for name, field in zip(data.info.fields, data.train.inputs):
        assert data.scalers[name].kind == "standardize"
        assert abs(float(field.mean())) < 0.05
    assert not torch.equal(data.scalers["left"].shift, data.scalers["right"].shift)


def test_single_field_sets_keep_x_and_no_others():
    data = bundle("circle")
    assert data.train.others == () and data.train.inputs == (data.train.x,)
    assert set(data.scalers) == {"x"} and data.scaler is data.scalers["x"]
