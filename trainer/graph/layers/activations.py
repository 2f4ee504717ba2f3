"""Activation layers: sigmoid, tanh, ReLU, leaky ReLU, ELU, GELU and softmax."""

from __future__ import annotations

from torch import nn

from trainer.catalog import Param
from trainer.graph.registry import LayerEntry, register_layer


def _activation(type_: str, help_: str, build, params=(), final: bool = False) -> None:
    register_layer(
        LayerEntry(type=type_, category="activation", help=help_, params=params, build=build, final_activation=final)
    )


_activation(
    "sigmoid",
    "σ(x) = 1 / (1 + e^(−x)): squashes to (0, 1); a binary classifier's output.",
    lambda p, s: nn.Sigmoid(),
    final=True,
)
_activation("tanh", "tanh(x): squashes to (−1, 1), centred on 0.", lambda p, s: nn.Tanh())
_activation("relu", "max(0, x): the default for hidden layers.", lambda p, s: nn.ReLU())
_activation(
    "leaky_relu",
    "x for x > 0, slope·x otherwise: ReLU that never dies.",
    lambda p, s: nn.LeakyReLU(p["negative_slope"]),
    params=(Param("negative_slope", "float", 0.01, "Slope for negative inputs.", min=0.0, max=1.0),),
)
_activation(
    "elu",
    "x for x > 0, α(e^x − 1) otherwise: smooth below zero.",
    lambda p, s: nn.ELU(p["alpha"]),
    params=(Param("alpha", "float", 1.0, "Saturation value −α for large negative inputs.", min=0.0, max=10.0),),
)
_activation(
    "gelu",
    "x·Φ(x): the Gaussian error linear unit of transformers.",
    lambda p, s: nn.GELU(approximate=p["approximate"]),
    params=(Param("approximate", "choice", "none", "Exact, or the tanh approximation.", choices=("none", "tanh")),),
)
_activation(
    "softmax",
    "e^(x_i) / Σ_j e^(x_j): turns scores into class probabilities that sum to 1.",
    lambda p, s: nn.Softmax(dim=-1),
    final=True,
)
