"""Merge layers: element-wise Add and Multiply, and Concat along a dimension; each takes two or more inputs."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from trainer.catalog import Param
from trainer.graph.registry import LayerEntry, Shape, fmt_shape, register_layer


class Add(nn.Module):
    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out


class Multiply(nn.Module):
    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        out = xs[0]
        for x in xs[1:]:
            out = out * x
        return out


class Concat(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim  # counted with the batch dimension, so 1 is the first feature dimension

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        return torch.cat(xs, dim=self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


def _same_shapes(params: dict[str, Any], shapes: list[Shape]) -> str | None:
    for i, s in enumerate(shapes[1:], start=1):
        if s != shapes[0]:
            first, other = fmt_shape(shapes[0]), fmt_shape(s)
            return f"all inputs must have the same shape: input 1 is {first}, input {i + 1} is {other}"
    return None


def _concat_dim(params: dict[str, Any], rank: int) -> int | None:
    axis = params["axis"]
    if rank == 0 or not -rank <= axis < rank:
        return None
    return axis % rank + 1


def _concat_check(params: dict[str, Any], shapes: list[Shape]) -> str | None:
    rank = len(shapes[0])
    if any(len(s) != rank for s in shapes):
        return "all inputs must have the same rank: " + ", ".join(fmt_shape(s) for s in shapes)
    dim = _concat_dim(params, rank)
    if dim is None:
        return f"axis {params['axis']} does not exist for inputs {fmt_shape(shapes[0])}"
    for i, s in enumerate(shapes[1:], start=1):
        if s[: dim - 1] + s[dim:] != shapes[0][: dim - 1] + shapes[0][dim:]:
            return (
                f"inputs must match except along axis {params['axis']}: input 1 is {fmt_shape(shapes[0])}, "
                f"input {i + 1} is {fmt_shape(s)}"
            )
    return None


register_layer(
    LayerEntry(
        type="add",
        category="merge",
        help="Element-wise sum of its inputs (same shapes).",
        build=lambda p, s: Add(),
        check=_same_shapes,
        variadic=True,
    )
)
register_layer(
    LayerEntry(
        type="multiply",
        category="merge",
        help="Element-wise product of its inputs (same shapes).",
        build=lambda p, s: Multiply(),
        check=_same_shapes,
        variadic=True,
    )
)
register_layer(
    LayerEntry(
        type="concat",
        category="merge",
        help="Joins its inputs along one axis (counted without the batch; −1 is the last).",
        params=(Param("axis", "int", -1, "Axis to join along, without the batch dimension.", min=-5, max=4),),
        build=lambda p, s: Concat(_concat_dim(p, len(s[0])) or 1),
        check=_concat_check,
        variadic=True,
    )
)
