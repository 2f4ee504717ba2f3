"""Graph convolution (Kipf & Welling): the normalised adjacency, shapes, ports and errors."""

from __future__ import annotations

import torch

from trainer.graph.analysis import analyze_graph
from trainer.graph.layers.graph_conv import GraphConv, normalized_adjacency
from trainer.graph.spec import GraphSpec


def gcn_plan(x_shape: tuple[int, ...], adj_shape: tuple[int, ...]):
    graph = GraphSpec.model_validate(
        {
            "version": 1,
            "nodes": [
                {"id": "feat", "type": "input", "params": {"field": "x"}},
                {"id": "adj", "type": "input", "params": {"field": "adj"}},
                {"id": "gc", "type": "graph_conv", "params": {"units": 5}},
            ],
            "edges": [
                {"source": "feat", "target": "gc", "target_port": "x"},
                {"source": "adj", "target": "gc", "target_port": "adj"},
            ],
        }
    )
    return analyze_graph(graph, {"x": x_shape, "adj": adj_shape})


def test_output_is_units_per_node():
    plan = gcn_plan((6, 3), (6, 6))
    assert plan.issues == [] and plan.shape("gc") == (6, 5)
    assert plan.nodes["gc"].param_count == 3 * 5 + 5


def test_normalized_adjacency_of_a_path():
    adj = torch.tensor([[[0.0, 1.0], [1.0, 0.0]]])
    # A + I is all ones, every degree 2: each entry 1/√2·1/√2 = 1/2
    assert torch.allclose(normalized_adjacency(adj), torch.full((1, 2, 2), 0.5))


def test_isolated_node_keeps_its_own_features():
    torch.manual_seed(0)
    layer = GraphConv(3, 4, bias=False)
    x = torch.randn(1, 2, 3)
    out = layer(x, torch.zeros(1, 2, 2))
    assert torch.allclose(out, layer.linear(x))


def test_mismatched_node_counts_name_both_shapes():
    plan = gcn_plan((6, 3), (5, 5))
    [issue] = plan.issues
    assert issue.node_id == "gc" and "(N, 6, 3)" in issue.message and "(N, 5, 5)" in issue.message


def test_flat_features_are_refused():
    [issue] = gcn_plan((18,), (6, 6)).issues
    assert "port x expects node features (N, nodes, F)" in issue.message


def test_the_palette_shows_both_ports():
    from trainer.catalogs import catalog

    entry = next(layer for layer in catalog()["layers"] if layer["type"] == "graph_conv")
    assert entry["inputs"] == ["x", "adj"] and entry["category"] == "graph"


def test_one_connected_port_is_an_issue_not_a_crash():
    graph = GraphSpec.model_validate(
        {
            "version": 1,
            "nodes": [{"id": "feat", "type": "input"}, {"id": "gc", "type": "graph_conv"}],
            "edges": [{"source": "feat", "target": "gc"}],
        }
    )
    plan = analyze_graph(graph, {"x": (6, 3)})
    assert {i.type for i in plan.issues} == {"unconnected_input", "shape_mismatch"}
    assert all(i.node_id == "gc" for i in plan.issues)
