"""Graph convolution (Kipf & Welling, 2017): H' = D̂^(−1/2) (A + I) D̂^(−1/2) H W, with D̂ the degrees of A + I.

Each node's new features are the degree-normalised mean of its own and its neighbours' features, mixed by W; two
layers let a node see its neighbours' neighbours. Inputs: port `x` (N, nodes, F) and port `adj` (N, nodes,
nodes), a batch of graphs of the same node count, adjacency 0/1 (or weights) without self-loops."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from trainer.catalog import Param
from trainer.graph.registry import LayerEntry, Shape, fmt_shape, register_layer


def normalized_adjacency(adj: torch.Tensor) -> torch.Tensor:
    """(N, V, V) → D̂^(−1/2) (A + I) D̂^(−1/2), the renormalised adjacency of the paper."""
    a_hat = adj.clone()
    a_hat.diagonal(dim1=-2, dim2=-1).add_(1.0)  # + I; torch.eye on the meta device costs a 2 s import
    inv_sqrt = a_hat.sum(dim=-1).clamp_min(1e-12).rsqrt()  # (N, V); ≥ 1 for non-negative weights
    return inv_sqrt.unsqueeze(-1) * a_hat * inv_sqrt.unsqueeze(-2)


class GraphConv(nn.Module):
    """(N, V, F) features and (N, V, V) adjacency → (N, V, units)."""

    def __init__(self, features: int, units: int, bias: bool):
        super().__init__()
        self.linear = nn.Linear(features, units, bias=False)
        self.bias = nn.Parameter(torch.zeros(units)) if bias else None

    def forward(self, x: torch.Tensor, adj: torch.Tensor) -> torch.Tensor:
        out = normalized_adjacency(adj) @ self.linear(x)  # (N, V, V) @ (N, V, units)
        return out + self.bias if self.bias is not None else out


def _check(params: dict[str, Any], shapes: list[Shape]) -> str | None:
    if len(shapes) != 2:  # an unconnected port, reported on its own; the shapes cannot be checked yet
        return "needs node features on port x and the adjacency on port adj"
    x, adj = shapes
    if len(x) != 2:
        return f"port x expects node features (N, nodes, F), got {fmt_shape(x)}"
    if len(adj) != 2 or adj[0] != adj[1]:
        return f"port adj expects a square adjacency (N, nodes, nodes), got {fmt_shape(adj)}"
    if adj[0] != x[0]:
        return f"x has {x[0]} nodes {fmt_shape(x)} but adj has {adj[0]} {fmt_shape(adj)}; they must agree"
    return None


register_layer(
    LayerEntry(
        type="graph_conv",
        category="graph",
        help="Graph convolution (Kipf & Welling): each node averages its neighbours' features (normalised A + I), "
        "then a dense map. x (N, nodes, F) + adj (N, nodes, nodes) → (N, nodes, units).",
        params=(
            Param("units", "int", 16, "Output features per node.", min=1, max=65536),
            Param("bias", "bool", True, "Add a learned bias."),
        ),
        build=lambda p, s: GraphConv(s[0][-1], p["units"], p["bias"]),
        check=_check,
        inputs=("x", "adj"),
    )
)
