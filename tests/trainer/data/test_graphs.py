"""Generated graphs: block-model node classification and ring-or-tree graph classification."""

from __future__ import annotations

import numpy as np

from tests.trainer.data.generated import generate, same


def test_sbm_fields_shapes_and_per_node_targets():
    info, x, y = generate("sbm_graph", n=10, nodes=12, communities=4)
    assert info.shapes() == {"x": (12, 4), "adj": (12, 12)} and info.unscaled == ("adj",)
    assert x["x"].shape == (10, 12, 4) and x["adj"].shape == (10, 12, 12)
    assert y.shape == (10, 12) == (10, *info.target_shape) and y.max() < 4


def test_adjacency_is_symmetric_without_self_loops():
    _, x, _ = generate("sbm_graph", n=10)
    adj = x["adj"]
    assert np.array_equal(adj, adj.transpose(0, 2, 1)) and not adj[:, np.arange(24), np.arange(24)].any()
    assert set(np.unique(adj)) <= {0.0, 1.0}


def test_edges_are_denser_inside_communities():
    _, x, y = generate("sbm_graph", n=40, p_in=0.6, p_out=0.05)
    same_community = y[:, :, None] == y[:, None, :]
    inside = x["adj"][same_community].mean()
    across = x["adj"][~same_community].mean()
    assert inside > 0.45 and across < 0.1


def test_rings_have_degree_two_and_trees_one_edge_fewer():
    _, x, y = generate("graph_classification", n=20, nodes=9)
    degrees = x["adj"].sum(axis=2)  # (N, V)
    assert np.all(degrees[y == 0] == 2)
    assert np.all(x["adj"][y == 1].sum(axis=(1, 2)) == 2 * (9 - 1))


def test_one_seed_one_data_set():
    for name in ("sbm_graph", "graph_classification"):
        assert same(generate(name, seed=1, n=10)[1], generate(name, seed=1, n=10)[1])
        assert not same(generate(name, seed=1, n=10)[1], generate(name, seed=2, n=10)[1])
