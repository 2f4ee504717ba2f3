"""The residual shortcut: the identity when the block keeps the shape, else a 1×1 convolution (+ BatchNorm) that
projects to `filters` channels with `stride` (He et al. 2015, option B), so that `add` can join the two paths."""

from __future__ import annotations

from typing import Any

from torch import nn

from trainer.catalog import Param
from trainer.graph.registry import LayerEntry, Shape, fmt_shape, register_layer

_CONV = {2: nn.Conv1d, 3: nn.Conv2d, 4: nn.Conv3d}  # by the example's rank (C, *spatial)
_BATCHNORM = {2: nn.BatchNorm1d, 3: nn.BatchNorm2d, 4: nn.BatchNorm3d}


def _check(params: dict[str, Any], shapes: list[Shape]) -> str | None:
    if len(shapes[0]) not in _CONV:
        return f"expected (N, C, L), (N, C, H, W) or (N, C, D, H, W), got {fmt_shape(shapes[0])}"
    return None


def _build(params: dict[str, Any], shapes: list[Shape]) -> nn.Module:
    shape = shapes[0]
    channels = params["filters"] or shape[0]
    if channels == shape[0] and params["stride"] == 1:
        return nn.Identity()
    rank = len(shape)
    return nn.Sequential(
        _CONV[rank](shape[0], channels, kernel_size=1, stride=params["stride"], bias=False),
        _BATCHNORM[rank](channels),
    )


register_layer(
    LayerEntry(
        type="shortcut",
        category="merge",
        help="The identity when input and output shapes match; else a 1×1 convolution with stride (+ BatchNorm) "
        "that projects to `filters` channels: the skip path of a residual block.",
        params=(
            Param("filters", "int", None, "Output channels; null: keep the input's.", nullable=True, min=1, max=4096),
            Param("stride", "int", 1, "Step of the projection; 2 halves each side like the block's first conv.", min=1),
        ),
        build=_build,
        check=_check,
    )
)
