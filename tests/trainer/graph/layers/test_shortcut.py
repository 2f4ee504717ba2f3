"""shortcut: the identity when the shape is kept, a 1×1 convolution + BatchNorm when channels or stride change."""

from __future__ import annotations

import torch

from trainer.graph.registry import all_layers


def build(filters: int | None, stride: int, shape: tuple[int, ...]) -> torch.nn.Module:
    entry = all_layers().get("shortcut")
    assert entry.build is not None
    return entry.build({"filters": filters, "stride": stride}, [shape])


def test_identity_when_the_shape_is_kept() -> None:
    assert isinstance(build(None, 1, (8, 6, 6)), torch.nn.Identity)
    assert isinstance(build(8, 1, (8, 6, 6)), torch.nn.Identity)


def test_projection_when_channels_or_stride_change() -> None:
    module = build(16, 2, (8, 6, 6))
    assert module(torch.randn(2, 8, 6, 6)).shape == (2, 16, 3, 3)
    assert isinstance(build(8, 2, (8, 6, 6)), torch.nn.Sequential)


def test_rejects_features_without_channels() -> None:
    entry = all_layers().get("shortcut")
    assert entry.check is not None
    assert "(N, 8)" in (entry.check({"filters": 4, "stride": 1}, [(8,)]) or "")
