"""Convolutions and their transposes: output shapes, parameter counts and the errors a user sees."""

from __future__ import annotations

import torch

from tests.trainer.graph.layer_helpers import chain, only_issue
from trainer.graph.layers.conv import parse_padding


def test_conv2d_output_shape_and_parameters():
    plan = chain((3, 32, 32), ("conv2d", {"filters": 8, "kernel_size": 5}))
    assert plan.issues == []
    assert plan.shape("l0") == (8, 28, 28)
    assert plan.nodes["l0"].param_count == 8 * 3 * 5 * 5 + 8


def test_stride_padding_and_dilation_follow_the_formula():
    plan = chain((1, 17, 17), ("conv2d", {"filters": 2, "kernel_size": 3, "stride": 2, "padding": "1", "dilation": 2}))
    side = (17 + 2 * 1 - 2 * (3 - 1) - 1) // 2 + 1
    assert plan.shape("l0") == (2, side, side)


def test_same_padding_keeps_the_size():
    plan = chain((4, 9), ("conv1d", {"filters": 6, "kernel_size": 5, "padding": "same"}))
    assert plan.issues == [] and plan.shape("l0") == (6, 9)


def test_conv3d_on_a_volume():
    plan = chain((2, 6, 8, 8), ("conv3d", {"filters": 4, "kernel_size": 3, "padding": "valid"}))
    assert plan.shape("l0") == (4, 4, 6, 6)


def test_groups_divide_parameters():
    plan = chain((4, 10), ("conv1d", {"filters": 8, "kernel_size": 3, "groups": 4, "bias": False}))
    assert plan.nodes["l0"].param_count == 8 * (4 // 4) * 3


def test_conv3d_fed_flat_features_names_both_shapes_and_the_source():
    message = only_issue(chain((64,), ("conv3d", {})))
    assert "expected 5-D input (N, C, D, H, W)" in message and "(N, 64)" in message and "'x'" in message
    assert 'node "l0"' in message


def test_conv3d_fed_an_image_suggests_the_2d_layer():
    message = only_issue(chain((1, 8, 8), ("conv3d", {})))
    assert "(N, C, D, H, W)" in message and "(N, 1, 8, 8)" in message and "2-D layer" in message


def test_kernel_larger_than_the_input():
    message = only_issue(chain((1, 4, 4), ("conv2d", {"kernel_size": 5})))
    assert "kernel 5 is larger than the input's 4 × 4" in message


def test_groups_must_divide_the_channels():
    message = only_issue(chain((3, 8, 8), ("conv2d", {"filters": 4, "groups": 2})))
    assert "groups 2 must divide" in message and "(3" in message


def test_same_padding_with_stride_is_refused_before_training():
    message = only_issue(chain((1, 8, 8), ("conv2d", {"padding": "same", "stride": 2})))
    assert 'padding "same" needs stride 1' in message


def test_padding_text_is_parsed():
    assert parse_padding("same") == "same" and parse_padding("valid") == 0 and parse_padding(" 2 ") == 2
    assert parse_padding("-1") is None and parse_padding("big") is None
    assert parse_padding("²") is None and parse_padding("65") is None


def test_a_bad_padding_is_an_issue_not_an_exception():
    message = only_issue(chain((1, 8, 8), ("conv2d", {"padding": "wide"})))
    assert "padding must be" in message and "'wide'" in message


def test_conv_transpose2d_doubles_each_side():
    plan = chain((8, 7, 7), ("conv_transpose2d", {"filters": 3, "kernel_size": 2, "stride": 2}))
    assert plan.issues == [] and plan.shape("l0") == (3, 14, 14)


def test_conv_transpose_output_padding_must_stay_below_stride():
    message = only_issue(chain((8, 7, 7), ("conv_transpose2d", {"stride": 2, "output_padding": 2})))
    assert "output_padding (2) must be smaller than the stride (2)" in message


def test_built_conv_runs_on_real_tensors():
    from trainer.graph.registry import all_layers

    entry = all_layers().get("conv1d")
    params = {"filters": 5, "kernel_size": 3, "stride": 1, "padding": "same", "dilation": 1, "groups": 1, "bias": True}
    module = entry.build(params, [(2, 11)])  # type: ignore[misc]
    assert module(torch.randn(4, 2, 11)).shape == (4, 5, 11)
