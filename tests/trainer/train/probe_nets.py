"""Small hand-made stand-ins for a compiled GraphModule (a chain of named torch modules) and probe contexts for
them, so the probe tests show the network they are about and do not depend on the layer catalog."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import torch
from torch import nn

from trainer.train.probes import ProbeContext


class ChainNet(nn.Module):
    """x → node 1 → node 2 → …: the GraphModule surface probes use (forward, forward_all, layers, node_types,
    input_ids, output_ids, shares, node_parameters)."""

    def __init__(self, *nodes: tuple[str, str, nn.Module], seed: int = 0):
        super().__init__()
        torch.manual_seed(seed)
        self.layers = nn.ModuleDict({nid: module for nid, _, module in nodes})
        self.node_types = {"x": "input", **{nid: kind for nid, kind, _ in nodes}}
        self.input_ids, self.output_ids, self.shares = ["x"], [nodes[-1][0]], {}
        self.calls = 0

    def forward_all(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        self.calls += 1
        values = {"x": x}
        for nid, layer in self.layers.items():
            x = values[nid] = layer(x)
        return values

    def forward(self, x: torch.Tensor, logits: bool = False) -> torch.Tensor:
        return self.forward_all(x)[self.output_ids[0]]

    def node_parameters(self, nid: str) -> list[tuple[str, nn.Parameter]]:
        return list(self.layers[nid].named_parameters()) if nid in self.layers else []


class LastState(nn.Module):
    """An LSTM layer that returns only its last state (N, H), as a sequence classifier's recurrent node does."""

    def __init__(self, features: int, units: int, bidirectional: bool = False):
        super().__init__()
        self.rnn = nn.LSTM(features, units, batch_first=True, bidirectional=bidirectional)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)
        return out[:, -1]


def conv_net(channels: int = 1, classes: int = 3, side: int = 8) -> ChainNet:
    """(N, C, side, side) → conv1(4) → act1 → pool1 → conv2(6) → act2 → flat → out(classes) → p."""
    return ChainNet(
        ("conv1", "conv2d", nn.Conv2d(channels, 4, 3, padding=1)),
        ("act1", "relu", nn.ReLU()),
        ("pool1", "max_pool2d", nn.MaxPool2d(2)),
        ("conv2", "conv2d", nn.Conv2d(4, 6, 3, padding=1)),
        ("act2", "relu", nn.ReLU()),
        ("flat", "flatten", nn.Flatten()),
        ("out", "dense", nn.Linear(6 * (side // 2) ** 2, classes)),
        ("p", "softmax", nn.Softmax(dim=1)),
    )


def lstm_net(features: int = 2, units: int = 5, classes: int = 2, bidirectional: bool = False) -> ChainNet:
    """(N, T, features) → lstm1 (last state) → out(classes) → p."""
    width = units * (2 if bidirectional else 1)
    return ChainNet(
        ("lstm1", "lstm", LastState(features, units, bidirectional)),
        ("out", "dense", nn.Linear(width, classes)),
        ("p", "softmax", nn.Softmax(dim=1)),
    )


def info(input_shape: tuple[int, ...], classes: int | None = 3) -> SimpleNamespace:
    """A DataInfo stand-in: classification with classes named c0, c1, … (None: regression)."""
    names = tuple(f"c{c}" for c in range(classes)) if classes else None
    return SimpleNamespace(
        task="classification" if classes else "regression",
        input_shape=input_shape,
        num_classes=classes,
        class_names=names,
        fields=("x",),
    )


def context(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, data: Any, *, batch: int = 512, **kw: Any
) -> ProbeContext:
    """Validation split (x, y); the probe batch is its first `batch` examples, as in the engine."""
    return ProbeContext(
        model=model,
        info=data,
        batch=(x[:batch],),
        targets=y[:batch],
        scaler=None,
        raw_bounds=None,
        device=torch.device("cpu"),
        validation=((x,), y),
        **kw,
    )
