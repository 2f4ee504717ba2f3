"""Recurrent layers: RNN, LSTM and GRU over sequences (N, T, F), batch first.

`return_sequences` gives every step's hidden state (N, T, H·dirs), for a following recurrent layer or per-step
outputs (sequence labelling); otherwise the last state (N, H·dirs), for classifying the whole sequence.

The hidden-state view reads every step of any recurrent node with `Recurrent.sequence(x)` (N, T, H·dirs),
whatever `return_sequences` says: a pure function of the node's input, so probes need no hooks or state."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from trainer.catalog import Param
from trainer.graph.registry import LayerEntry, Shape, fmt_shape, register_layer

_CELLS: dict[str, type[nn.RNN] | type[nn.LSTM] | type[nn.GRU]] = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class Recurrent(nn.Module):
    """A stack of `layers` RNN/LSTM/GRU layers. forward: (N, T, F) → (N, T, H·dirs) or the last state (N, H·dirs)."""

    def __init__(self, cell: str, features: int, p: dict[str, Any]):
        super().__init__()
        self.return_sequences = p["return_sequences"]
        self.directions = 2 if p["bidirectional"] else 1
        self.rnn = _CELLS[cell](
            features,
            p["units"],
            num_layers=p["layers"],
            batch_first=True,
            bidirectional=p["bidirectional"],
            dropout=p["dropout"] if p["layers"] > 1 else 0.0,  # PyTorch drops only between stacked layers
        )

    def sequence(self, x: torch.Tensor) -> torch.Tensor:
        """Every step's hidden state of the top layer: (N, T, F) → (N, T, H·dirs), both directions concatenated."""
        out, _ = self.rnn(x)
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, state = self.rnn(x)  # out (N, T, H·dirs); state h_n (layers·dirs, N, H), an LSTM adds c_n
        if self.return_sequences:
            return out
        h_n = state[0] if isinstance(state, tuple) else state
        last = h_n[-self.directions :]  # the top layer's final state per direction, (dirs, N, H)
        return last.transpose(0, 1).reshape(x.shape[0], -1)  # (N, H·dirs)


def _check(params: dict[str, Any], shapes: list[Shape]) -> str | None:
    shape = shapes[0]
    if len(shape) == 2:
        return None
    if len(shape) == 1:
        hint = "; reshape flat features to [T, F] (e.g. [T, 1] for a 1-D signal)"
    elif len(shape) >= 3:
        hint = "; images or videos need a reshape to [T, F] or a per-frame network first (time_distributed)"
    else:
        hint = ""
    return f"expected sequences (N, T, F) of T steps with F features, got {fmt_shape(shape)}{hint}"


def _params() -> tuple[Param, ...]:
    return (
        Param("units", "int", 32, "Hidden state size H per direction.", min=1, max=8192),
        Param("layers", "int", 1, "Stacked recurrent layers.", min=1, max=16),
        Param("bidirectional", "bool", False, "Also read the sequence backwards (output width 2·H)."),
        Param("return_sequences", "bool", False, "Output every step (N, T, H·dirs) instead of the last (N, H·dirs)."),
        Param("dropout", "float", 0.0, "Dropout between stacked layers (needs layers ≥ 2).", min=0.0, max=0.99),
    )


_HELP = {
    "rnn": "Simple recurrent layer h_t = tanh(W·x_t + U·h_(t−1) + b): the lecture's RNN.",
    "lstm": "Long short-term memory: gates decide what the cell state keeps, so long sequences keep their gradient.",
    "gru": "Gated recurrent unit: an LSTM with two gates and no separate cell state; fewer parameters.",
}

for _cell, _help in _HELP.items():
    register_layer(
        LayerEntry(
            type=_cell,
            category="recurrent",
            help=f"{_help} (N, T, F) → (N, T, H·dirs) or the last state (N, H·dirs).",
            params=_params(),
            build=lambda p, s, c=_cell: Recurrent(c, s[0][-1], p),  # type: ignore[misc]
            check=_check,
        )
    )
