"""Core layers: Input, Dense, Dropout, Flatten and Reshape."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from trainer.catalog import Param
from trainer.graph.registry import LayerEntry, Shape, fmt_shape, register_layer

register_layer(
    LayerEntry(
        type="input",
        category="input",
        help="Where examples enter the network; its shape comes from the data set unless given.",
        params=(
            Param("field", "str", "x", "Which input tensor of the data set feeds this node."),
            Param(
                "shape",
                "ints",
                None,
                "Shape of one example without the batch; null: the data set's.",
                nullable=True,
                min=1,
                min_len=1,
                max_len=5,
            ),
        ),
        inputs=(),
    )
)


def _dense_check(params: dict[str, Any], shapes: list[Shape]) -> str | None:
    if len(shapes[0]) == 0:
        return f"expected at least 1 feature dimension, got {fmt_shape(shapes[0])}"
    return None


register_layer(
    LayerEntry(
        type="dense",
        category="core",
        help="Fully connected layer y = W·x + b over the last dimension.",
        params=(
            Param("units", "int", 16, "Number of neurons (output width).", min=1, max=65536),
            Param("bias", "bool", True, "Add a learned bias b."),
        ),
        build=lambda p, s: nn.Linear(s[0][-1], p["units"], bias=p["bias"]),
        check=_dense_check,
    )
)

register_layer(
    LayerEntry(
        type="dropout",
        category="core",
        help="Zeroes each value with probability `rate` while training (the lecture's keep probability is 1 − rate).",
        params=(Param("rate", "float", 0.5, "Probability of dropping a value.", min=0.0, max=0.99),),
        build=lambda p, s: nn.Dropout(p["rate"]),
    )
)

register_layer(
    LayerEntry(
        type="flatten",
        category="reshape",
        help="Flattens each example to one dimension: (N, C, H, W) → (N, C·H·W).",
        build=lambda p, s: nn.Flatten(),
    )
)


class Reshape(nn.Module):
    """Reshapes each example to `shape`, keeping the batch dimension."""

    def __init__(self, shape: tuple[int, ...]):
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], *self.shape)

    def extra_repr(self) -> str:
        return f"shape={self.shape}"


def _reshape_target(params: dict[str, Any], shape: Shape) -> tuple[tuple[int, ...] | None, str | None]:
    target = tuple(params["shape"])
    size = math.prod(shape)
    if target.count(-1) > 1:
        return None, "shape may contain -1 at most once"
    if any(d == 0 or d < -1 for d in target):
        return None, f"shape entries must be positive (or one -1), got {list(target)}"
    known = math.prod(d for d in target if d != -1)
    if -1 in target:
        if size % known:
            return None, f"cannot reshape {fmt_shape(shape)} ({size} values) to {list(target)}"
        target = tuple(size // known if d == -1 else d for d in target)
    elif known != size:
        return None, f"cannot reshape {fmt_shape(shape)} ({size} values) to {fmt_shape(target)} ({known} values)"
    return target, None


register_layer(
    LayerEntry(
        type="reshape",
        category="reshape",
        help="Reshapes each example; one entry may be -1 to take the remaining size.",
        params=(
            Param(
                "shape", "ints", [-1], "Target shape without the batch, e.g. [1, 8, 8].", min=-1, min_len=1, max_len=5
            ),
        ),
        build=lambda p, s: Reshape(_reshape_target(p, s[0])[0] or ()),
        check=lambda p, s: _reshape_target(p, s[0])[1],
    )
)
