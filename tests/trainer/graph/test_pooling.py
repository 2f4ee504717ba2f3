"""Pooling, global pooling and upsampling: shapes per rank and the errors a user sees."""

from __future__ import annotations

import torch

from tests.trainer.graph.layer_helpers import chain, only_issue
from trainer.graph.layers.pooling import GlobalPool, Upsample


def test_max_pool2d_halves_each_side_by_default():
    plan = chain((3, 8, 10), ("max_pool2d", {"kernel_size": 2}))
    assert plan.issues == [] and plan.shape("l0") == (3, 4, 5)


def test_avg_pool_with_stride_and_padding():
    plan = chain((2, 9), ("avg_pool1d", {"kernel_size": 3, "stride": 1, "padding": 1}))
    assert plan.shape("l0") == (2, 9)


def test_pool3d_needs_a_volume():
    message = only_issue(chain((3, 8, 8), ("max_pool3d", {})))
    assert "(N, C, D, H, W)" in message and "(N, 3, 8, 8)" in message


def test_pool_window_larger_than_the_input():
    message = only_issue(chain((1, 3, 3), ("max_pool2d", {"kernel_size": 4})))
    assert "window 4 is larger than the input's 3 × 3" in message


def test_global_pools_reduce_any_rank_to_channels():
    for shape in ((5, 7), (5, 4, 4), (5, 2, 3, 3)):
        assert chain(shape, ("global_avg_pool", {})).shape("l0") == (5,)
        assert chain(shape, ("global_max_pool", {})).shape("l0") == (5,)


def test_global_pool_values():
    x = torch.arange(8.0).reshape(1, 2, 2, 2)
    assert GlobalPool("avg")(x).tolist() == [[1.5, 5.5]]
    assert GlobalPool("max")(x).tolist() == [[3.0, 7.0]]


def test_global_pool_needs_a_spatial_dimension():
    assert "at least one spatial dimension" in only_issue(chain((16,), ("global_avg_pool", {})))


def test_upsample_scales_every_spatial_side():
    assert chain((2, 4, 5), ("upsample", {"scale_factor": 2.0})).shape("l0") == (2, 8, 10)
    assert chain((2, 3, 4, 4), ("upsample", {"mode": "linear"})).shape("l0") == (2, 6, 8, 8)


def test_linear_upsample_interpolates():
    out = Upsample(2.0, "linear")(torch.tensor([[[0.0, 1.0]]]))
    assert out.shape == (1, 1, 4) and 0.0 < float(out[0, 0, 1]) < 1.0
