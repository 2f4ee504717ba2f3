"""Normalisation layers: BatchNorm (1-D, 2-D or 3-D, picked from the input) and LayerNorm."""

from __future__ import annotations

from typing import Any

from torch import nn

from trainer.catalog import Param
from trainer.graph.registry import LayerEntry, Shape, fmt_shape, register_layer

_BATCHNORM = {1: nn.BatchNorm1d, 2: nn.BatchNorm1d, 3: nn.BatchNorm2d, 4: nn.BatchNorm3d}


def _batchnorm_check(params: dict[str, Any], shapes: list[Shape]) -> str | None:
    if len(shapes[0]) not in _BATCHNORM:
        return f"expected (N, C), (N, C, L), (N, C, H, W) or (N, C, D, H, W), got {fmt_shape(shapes[0])}"
    return None


register_layer(
    LayerEntry(
        type="batchnorm",
        category="normalization",
        help="Normalises each channel over the batch, then scales and shifts it (BatchNorm 1d/2d/3d by input rank).",
        params=(
            Param("momentum", "float", 0.1, "Weight of the current batch in the running statistics.", min=0.0, max=1.0),
            Param("eps", "float", 1e-5, "Added to the variance for stability.", min=0.0, max=1.0),
            Param("affine", "bool", True, "Learn a scale and shift per channel."),
        ),
        build=lambda p, s: _BATCHNORM[len(s[0])](s[0][0], eps=p["eps"], momentum=p["momentum"], affine=p["affine"]),
        check=_batchnorm_check,
    )
)

register_layer(
    LayerEntry(
        type="layernorm",
        category="normalization",
        help="Normalises each example over its last dimension (or all of them), then scales and shifts.",
        params=(
            Param(
                "over",
                "choice",
                "last",
                "Normalise over the last dimension or all non-batch ones.",
                choices=("last", "all"),
            ),
            Param("eps", "float", 1e-5, "Added to the variance for stability.", min=0.0, max=1.0),
            Param("affine", "bool", True, "Learn a scale and shift per element."),
        ),
        build=lambda p, s: nn.LayerNorm(
            s[0][-1:] if p["over"] == "last" else s[0], eps=p["eps"], elementwise_affine=p["affine"]
        ),
        check=lambda p, s: None if s[0] else "expected at least 1 feature dimension, got (N)",
    )
)
