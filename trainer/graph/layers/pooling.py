"""Pooling and resampling: max and average pooling per rank, global pooling of any rank, and Upsample.

Pooling keeps the strongest (max) or the mean (average) response of each window, shrinking every spatial side;
global pooling reduces each channel's whole map to one number, (N, C, *spatial) → (N, C)."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from trainer.catalog import Param
from trainer.graph.layers.conv import rank_problem, window_problem
from trainer.graph.registry import LayerEntry, Shape, fmt_shape, register_layer

_MAX = {1: nn.MaxPool1d, 2: nn.MaxPool2d, 3: nn.MaxPool3d}
_AVG = {1: nn.AvgPool1d, 2: nn.AvgPool2d, 3: nn.AvgPool3d}


def _pool_check(rank: int):
    def check(p: dict[str, Any], shapes: list[Shape]) -> str | None:
        problem = rank_problem(rank, shapes[0])
        if problem:
            return problem
        if 2 * p["padding"] > p["kernel_size"]:
            return f"padding ({p['padding']}) may be at most half the window ({p['kernel_size']})"
        return window_problem(shapes[0], p["kernel_size"], 1, p["padding"], what="window")

    return check


def _pool_params() -> tuple[Param, ...]:
    return (
        Param("kernel_size", "int", 2, "Side of each pooling window.", min=1, max=64),
        Param("stride", "int", None, "Step between windows; null: the window size (no overlap).", nullable=True, min=1),
        Param("padding", "int", 0, "Padding on each side (at most half the window).", min=0, max=32),
    )


for _rank in (1, 2, 3):
    for _kind, _table, _what in (("max", _MAX, "the largest value"), ("avg", _AVG, "the mean")):
        register_layer(
            LayerEntry(
                type=f"{_kind}_pool{_rank}d",
                category="pooling",
                help=f"{_rank}-D {'max' if _kind == 'max' else 'average'} pooling: keeps {_what} of each window, "
                "so each side shrinks by the stride.",
                params=_pool_params(),
                build=lambda p, s, r=_rank, t=_table: t[r](  # type: ignore[misc]
                    p["kernel_size"], stride=p["stride"], padding=p["padding"]
                ),
                check=_pool_check(_rank),
            )
        )


class GlobalPool(nn.Module):
    """(N, C, *spatial) → (N, C): the max or the mean of each channel over all its positions."""

    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.flatten(2)  # (N, C, positions)
        return flat.amax(dim=2) if self.kind == "max" else flat.mean(dim=2)

    def extra_repr(self) -> str:
        return f"kind={self.kind}"


def _global_check(params: dict[str, Any], shapes: list[Shape]) -> str | None:
    if len(shapes[0]) < 2:
        return f"expected (N, C, …) with at least one spatial dimension, got {fmt_shape(shapes[0])}"
    return None


for _kind, _what in (("avg", "mean"), ("max", "maximum")):
    register_layer(
        LayerEntry(
            type=f"global_{_kind}_pool",
            category="pooling",
            help=f"The {_what} of each channel over all positions: (N, C, L), (N, C, H, W) or (N, C, D, H, W) "
            "→ (N, C).",
            build=lambda p, s, k=_kind: GlobalPool(k),  # type: ignore[misc]
            check=_global_check,
        )
    )


class Upsample(nn.Module):
    """(N, C, *spatial) → (N, C, *spatial·scale): nearest-neighbour or (bi/tri)linear interpolation by rank."""

    _LINEAR = {1: "linear", 2: "bilinear", 3: "trilinear"}

    def __init__(self, scale_factor: float, mode: str):
        super().__init__()
        self.scale_factor, self.mode = scale_factor, mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mode = self._LINEAR[x.ndim - 2] if self.mode == "linear" else "nearest"
        align = False if mode != "nearest" else None
        return nn.functional.interpolate(x, scale_factor=self.scale_factor, mode=mode, align_corners=align)

    def extra_repr(self) -> str:
        return f"scale_factor={self.scale_factor}, mode={self.mode}"


def _upsample_check(params: dict[str, Any], shapes: list[Shape]) -> str | None:
    if not 2 <= len(shapes[0]) <= 4:
        return f"expected (N, C, L), (N, C, H, W) or (N, C, D, H, W), got {fmt_shape(shapes[0])}"
    return None


register_layer(
    LayerEntry(
        type="upsample",
        category="pooling",
        help="Enlarges every spatial side by scale_factor, copying (nearest) or interpolating (linear) values.",
        params=(
            Param("scale_factor", "float", 2.0, "Factor for every spatial side.", min=1.0, max=16.0),
            Param("mode", "choice", "nearest", "Copy the nearest value or interpolate.", choices=("nearest", "linear")),
        ),
        build=lambda p, s: Upsample(p["scale_factor"], p["mode"]),
        check=_upsample_check,
    )
)
