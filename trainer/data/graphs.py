"""Generated graphs for graph convolutions: node classification on a stochastic block model (SBM), and graph
classification (a ring or a tree?). Every example is one graph of a fixed node count, as two fields:
`x` node features (nodes, F) and `adj` its 0/1 adjacency (nodes, nodes), symmetric, no self-loops, unscaled."""

from __future__ import annotations

from typing import Any

import numpy as np

from trainer.catalog import Param
from trainer.data.registry import DataInfo, DatasetEntry, register_dataset

_N = Param("n", "int", 300, "Number of graphs, both splits together.", min=10, max=100_000)


def symmetric(upper: np.ndarray) -> np.ndarray:
    """(N, V, V) adjacency from the strict upper triangle of `upper` (bool): symmetric, zero diagonal."""
    triu = np.triu(upper, k=1)
    return (triu | triu.transpose(0, 2, 1)).astype(np.float32)


# ----- node classification: stochastic block model ---------------------------------------------------------
def _sbm_info(p: dict[str, Any]) -> DataInfo:
    nodes, k = p["nodes"], p["communities"]
    return DataInfo(
        task="classification",
        input_shape=(nodes, k),
        target_shape=(nodes,),  # one class per node
        num_classes=k,
        class_names=tuple(f"community {c}" for c in range(k)),
        fields=("x", "adj"),
        field_shapes=((nodes, k), (nodes, nodes)),
        unscaled=("adj",),
    )


def _sbm_generate(p: dict[str, Any], rng: np.random.Generator) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Each node's community is uniform over k; an edge joins two nodes with probability p_in inside a community
    and p_out across. Features: the one-hot community plus N(0, noise²), so a node alone is often misread and
    its neighbours' features (the graph convolution) are what make the class clear."""
    n, v, k = p["n"], p["nodes"], p["communities"]
    y = rng.integers(0, k, (n, v))
    same = y[:, :, None] == y[:, None, :]
    adj = symmetric(rng.uniform(size=(n, v, v)) < np.where(same, p["p_in"], p["p_out"]))
    x = np.eye(k)[y] + rng.normal(0.0, p["noise"], (n, v, k))
    return {"x": x.astype(np.float32), "adj": adj}, y.astype(np.int64)


register_dataset(
    DatasetEntry(
        name="sbm_graph",
        help="Stochastic block model graphs: classify every node's community from noisy features and its edges.",
        task="classification",
        params=(
            _N,
            Param("nodes", "int", 24, "Nodes per graph.", min=2, max=1000),
            Param("communities", "int", 3, "Communities = classes.", min=2, max=20),
            Param("p_in", "float", 0.5, "Edge probability inside a community.", min=0.0, max=1.0),
            Param("p_out", "float", 0.03, "Edge probability between communities.", min=0.0, max=1.0),
            Param("noise", "float", 0.8, "Standard deviation of the noise on the one-hot features.", min=0.0, max=10.0),
        ),
        info=_sbm_info,
        generate=_sbm_generate,
    )
)


# ----- graph classification: rings or trees ----------------------------------------------------------------
GRAPH_CLASSES = ("ring", "tree")


def _graph_info(p: dict[str, Any]) -> DataInfo:
    v = p["nodes"]
    return DataInfo(
        task="classification",
        input_shape=(v, 1),
        target_shape=(),
        num_classes=2,
        class_names=GRAPH_CLASSES,
        fields=("x", "adj"),
        field_shapes=((v, 1), (v, v)),
        unscaled=("x", "adj"),
    )


def _graph_generate(p: dict[str, Any], rng: np.random.Generator) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """A ring (every node has degree 2) or a random tree (each node joins a random earlier one), nodes shuffled,
    plus `extra_edges` random edges in both; features are all ones, so only the structure tells them apart."""
    n, v = p["n"], p["nodes"]
    y = np.arange(n) % 2
    rng.shuffle(y)
    upper = np.zeros((n, v, v), dtype=bool)
    nodes = np.arange(1, v)
    for i in range(n):
        if y[i] == 0:
            a, b = np.arange(v), (np.arange(v) + 1) % v
        else:
            a, b = nodes, rng.integers(0, nodes)  # node j joins one of 0…j−1
        perm = rng.permutation(v)
        upper[i, perm[a], perm[b]] = True
        for _ in range(p["extra_edges"]):
            s, t = rng.choice(v, 2, replace=False)
            upper[i, s, t] = True
    adj = symmetric(upper | upper.transpose(0, 2, 1))
    return {"x": np.ones((n, v, 1), dtype=np.float32), "adj": adj}, y.astype(np.int64)


register_dataset(
    DatasetEntry(
        name="graph_classification",
        help="Small graphs, each a ring or a tree (plus random edges): classify the whole graph from its structure.",
        task="classification",
        params=(
            _N,
            Param("nodes", "int", 12, "Nodes per graph.", min=3, max=500),
            Param("extra_edges", "int", 0, "Random edges added to every graph (makes it harder).", min=0, max=100),
        ),
        info=_graph_info,
        generate=_graph_generate,
    )
)
