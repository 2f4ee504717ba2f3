"""RNN, LSTM and GRU: sequence or last-state outputs, directions, the per-step view and the errors."""

from __future__ import annotations

import torch

from tests.trainer.graph.layer_helpers import chain, only_issue
from trainer.graph.layers.recurrent import Recurrent

PARAMS = {"units": 5, "layers": 1, "bidirectional": False, "return_sequences": False, "dropout": 0.0}


def test_last_state_shape_for_each_cell():
    for cell in ("rnn", "lstm", "gru"):
        plan = chain((7, 3), (cell, {"units": 6}))
        assert plan.issues == [] and plan.shape("l0") == (6,)


def test_sequences_and_directions():
    plan = chain((7, 3), ("gru", {"units": 4, "bidirectional": True, "return_sequences": True, "layers": 2}))
    assert plan.shape("l0") == (7, 8)


def test_lstm_parameter_count():
    plan = chain((7, 3), ("lstm", {"units": 4}))
    assert plan.nodes["l0"].param_count == 4 * (4 * 3 + 4 * 4 + 2 * 4)


def test_last_state_is_the_last_step_of_the_sequence():
    torch.manual_seed(0)
    module = Recurrent("lstm", 3, PARAMS)
    x = torch.randn(2, 6, 3)
    assert torch.allclose(module(x), module.sequence(x)[:, -1])


def test_bidirectional_last_state_joins_both_directions():
    torch.manual_seed(0)
    module = Recurrent("gru", 3, {**PARAMS, "bidirectional": True})
    x = torch.randn(2, 6, 3)
    seq = module.sequence(x)  # (N, T, 2H): forward ends at the last step, backward at the first
    assert torch.allclose(module(x), torch.cat([seq[:, -1, :5], seq[:, 0, 5:]], dim=1))


def test_sequence_gives_every_step_whatever_return_sequences_says():
    module = Recurrent("rnn", 3, PARAMS)
    assert module.sequence(torch.randn(4, 9, 3)).shape == (4, 9, 5)


def test_a_sequence_layer_fed_images_asks_for_n_t_f():
    message = only_issue(chain((1, 8, 8), ("lstm", {})))
    assert "expected sequences (N, T, F)" in message and "(N, 1, 8, 8)" in message


def test_flat_features_get_a_reshape_hint():
    assert "reshape" in only_issue(chain((40,), ("rnn", {})))


def test_the_palette_lists_the_three_cells_with_their_params():
    from trainer.catalogs import catalog

    layers = {layer["type"]: layer for layer in catalog()["layers"]}
    for cell in ("rnn", "lstm", "gru"):
        names = [p["name"] for p in layers[cell]["params"]]
        assert names == ["units", "layers", "bidirectional", "return_sequences", "dropout"]
