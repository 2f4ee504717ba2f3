"""Embedding: token ids (stored as float by the data pipeline) become learned vectors."""

from __future__ import annotations

import torch

from tests.trainer.graph.layer_helpers import chain
from trainer.graph.layers.embedding import Embedding


def test_shape_and_parameters():
    plan = chain((7,), ("embedding", {"num_embeddings": 20, "dim": 4}))
    assert plan.issues == [] and plan.shape("l0") == (7, 4)
    assert plan.nodes["l0"].param_count == 20 * 4


def test_float_ids_pick_the_same_rows_as_integer_ids():
    layer = Embedding(10, 3)
    ids = torch.tensor([[1, 9, 4]])
    assert torch.equal(layer(ids.float()), layer(ids))
