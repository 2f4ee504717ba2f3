"""Convolutions over 1-D signals, 2-D images and 3-D volumes/videos, and their transposes (learned upsampling).

One entry per rank (`conv1d`, `conv2d`, `conv3d`, `conv_transpose1d/2d/3d`); the checks state what the layer
expects in the user's words (`expected 5-D input (N, C, D, H, W), got (N, 64)`) before the meta dry run."""

from __future__ import annotations

from typing import Any

from torch import nn

from trainer.catalog import Param
from trainer.graph.registry import LayerEntry, Shape, fmt_shape, register_layer

# The layout each rank expects, as the user reads it: (N, C, L), (N, C, H, W), (N, C, D, H, W).
LAYOUT = {1: "3-D input (N, C, L)", 2: "4-D input (N, C, H, W)", 3: "5-D input (N, C, D, H, W)"}
_CONV = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}
_TRANSPOSE = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}
MAX_PADDING = 64


def rank_problem(rank: int, shape: Shape) -> str | None:
    """Why `shape` (one example, without N) is not a (C, *spatial) tensor of `rank` spatial dimensions."""
    if len(shape) == rank + 1:
        return None
    if len(shape) == 1:
        hint = "; reshape the features to channels and a spatial extent first"
    elif len(shape) - 1 in LAYOUT:
        hint = f"; this input fits a {len(shape) - 1}-D layer"
    else:
        hint = ""
    return f"expected {LAYOUT[rank]}, got {fmt_shape(shape)}{hint}"


def parse_padding(value: str) -> int | str | None:
    """`"same"`, `"valid"` (= 0) or 0–64 pixels written as text (`"1"`); None when it is none of these."""
    text = value.strip().lower()
    if text in ("same", "valid"):
        return 0 if text == "valid" else "same"
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_PADDING:
        return None
    return int(text)


def window_problem(shape: Shape, kernel: int, dilation: int, padding: int, what: str = "kernel") -> str | None:
    """Whether a `kernel` (spread by `dilation`) fits into every spatial side of `shape` padded by `padding`."""
    reach = dilation * (kernel - 1) + 1
    spatial = shape[1:]
    if any(side + 2 * padding < reach for side in spatial):
        sides = " × ".join(map(str, spatial))
        spread = f" (spread to {reach} by dilation {dilation})" if dilation > 1 else ""
        pad = f" padded by {padding}" if padding else ""
        return f"{what} {kernel}{spread} is larger than the input's {sides}{pad}"
    return None


def _conv_params() -> tuple[Param, ...]:
    return (
        Param("filters", "int", 16, "Number of kernels = output channels (one feature map each).", min=1, max=4096),
        Param("kernel_size", "int", 3, "Side of each kernel, in pixels/steps.", min=1, max=64),
        Param("stride", "int", 1, "Step between kernel positions; 2 halves each side.", min=1, max=64),
        Param("padding", "str", "0", 'Zeros added on each side: a number ("1"), "valid" (0) or "same" (stride 1).'),
        Param("dilation", "int", 1, "Spacing between kernel taps (atrous convolution).", min=1, max=64),
        Param("groups", "int", 1, "Split channels into this many independent groups; must divide both counts.", min=1),
        Param("bias", "bool", True, "Add a learned bias per filter."),
    )


def _conv_check(rank: int):
    def check(p: dict[str, Any], shapes: list[Shape]) -> str | None:
        shape = shapes[0]
        problem = rank_problem(rank, shape)
        if problem:
            return problem
        padding = parse_padding(p["padding"])
        if padding is None:
            return f'padding must be "same", "valid" or a whole number 0–{MAX_PADDING}, got {p["padding"]!r}'
        if padding == "same" and p["stride"] != 1:
            return f'padding "same" needs stride 1, got stride {p["stride"]}; give the padding as a number'
        channels, groups = shape[0], p["groups"]
        if channels % groups or p["filters"] % groups:
            return (
                f"groups {groups} must divide both the input channels ({channels}, from {fmt_shape(shape)}) "
                f"and the filters ({p['filters']})"
            )
        pad = 0 if padding == "same" else int(padding)
        if padding == "same":
            return None
        return window_problem(shape, p["kernel_size"], p["dilation"], pad)

    return check


def _conv_build(rank: int):
    def build(p: dict[str, Any], shapes: list[Shape]) -> nn.Module:
        return _CONV[rank](
            shapes[0][0],
            p["filters"],
            p["kernel_size"],
            stride=p["stride"],
            padding=parse_padding(p["padding"]) or 0,
            dilation=p["dilation"],
            groups=p["groups"],
            bias=p["bias"],
        )

    return build


def _transpose_check(rank: int):
    def check(p: dict[str, Any], shapes: list[Shape]) -> str | None:
        problem = rank_problem(rank, shapes[0])
        if problem:
            return problem
        if p["output_padding"] >= p["stride"]:
            return f"output_padding ({p['output_padding']}) must be smaller than the stride ({p['stride']})"
        return None

    return check


_SHAPES = {
    1: "(N, C, L) → (N, filters, L')",
    2: "(N, C, H, W) → (N, filters, H', W')",
    3: "(N, C, D, H, W) → (N, filters, D', H', W')",
}
_USE = {1: "signals, audio and sequences", 2: "images", 3: "volumes and videos"}

for _rank in (1, 2, 3):
    register_layer(
        LayerEntry(
            type=f"conv{_rank}d",
            category="convolution",
            help=f"{_rank}-D convolution for {_USE[_rank]}: each filter slides over the input and makes one "
            f"feature map. {_SHAPES[_rank]}.",
            params=_conv_params(),
            build=_conv_build(_rank),
            check=_conv_check(_rank),
        )
    )
    register_layer(
        LayerEntry(
            type=f"conv_transpose{_rank}d",
            category="convolution",
            help=f"Transposed {_rank}-D convolution: learned upsampling, the mirror of conv{_rank}d "
            "(stride 2 doubles each side).",
            params=(
                Param("filters", "int", 16, "Number of output channels.", min=1, max=4096),
                Param("kernel_size", "int", 2, "Side of each kernel.", min=1, max=64),
                Param("stride", "int", 2, "Upsampling factor per side.", min=1, max=64),
                Param("padding", "int", 0, "Trimmed from each side of the output.", min=0, max=64),
                Param("output_padding", "int", 0, "Added to one side of the output (smaller than stride).", min=0),
                Param("bias", "bool", True, "Add a learned bias per filter."),
            ),
            build=lambda p, s, r=_rank: _TRANSPOSE[r](  # type: ignore[misc]
                s[0][0],
                p["filters"],
                p["kernel_size"],
                stride=p["stride"],
                padding=p["padding"],
                output_padding=p["output_padding"],
                bias=p["bias"],
            ),
            check=_transpose_check(_rank),
        )
    )
