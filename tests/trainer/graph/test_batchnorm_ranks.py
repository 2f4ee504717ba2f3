"""BatchNorm picks 1-D, 2-D or 3-D from its input, so one `batchnorm` node serves dense, sequence, image and volume
layers alike; anything else is named at validation."""

from __future__ import annotations

from tests.trainer.graph.layer_helpers import chain, only_issue


def test_every_rank_from_features_to_volumes():
    for shape in ((6,), (6, 10), (6, 8, 8), (6, 4, 8, 8)):
        plan = chain(shape, ("batchnorm", {}))
        assert plan.issues == [] and plan.shape("l0") == shape
        assert plan.nodes["l0"].param_count == 2 * 6  # a scale and a shift per channel


def test_a_six_dimensional_input_is_refused():
    assert "(N, C, D, H, W)" in only_issue(chain((2, 3, 4, 4, 4), ("batchnorm", {})))
