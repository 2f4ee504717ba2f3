"""Embedding: a learned vector per integer token, (N, L) token ids → (N, L, dim).

Inputs arrive as the data set's tensor (float32 holding whole numbers; leave such fields unscaled) and are
rounded to indices here, so integer data needs no separate path through the engine."""

from __future__ import annotations

import torch
from torch import nn

from trainer.catalog import Param
from trainer.graph.registry import LayerEntry, register_layer


class Embedding(nn.Module):
    """(N, *) whole numbers in [0, num_embeddings) → (N, *, dim)."""

    def __init__(self, num_embeddings: int, dim: int):
        super().__init__()
        self.table = nn.Embedding(num_embeddings, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.table(x.round().long() if x.is_floating_point() else x)


register_layer(
    LayerEntry(
        type="embedding",
        category="core",
        help="A learned vector per token id: (N, L) whole numbers in [0, num_embeddings) → (N, L, dim).",
        params=(
            Param("num_embeddings", "int", 100, "How many distinct ids (the vocabulary size).", min=1, max=10_000_000),
            Param("dim", "int", 16, "Length of each vector.", min=1, max=65536),
        ),
        build=lambda p, s: Embedding(p["num_embeddings"], p["dim"]),
    )
)
