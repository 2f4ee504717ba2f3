"""Graph analysis: every structural problem is an Issue naming the node and field; shapes come from a meta run."""

from __future__ import annotations

from typing import Any

from trainer.graph.analysis import analyze_graph
from trainer.graph.spec import GraphSpec


def graph(nodes: list[dict[str, Any]], edges: list[tuple[str, str]] | list[dict[str, Any]]) -> GraphSpec:
    edge_dicts = [e if isinstance(e, dict) else {"source": e[0], "target": e[1]} for e in edges]
    return GraphSpec.model_validate({"version": 1, "nodes": nodes, "edges": edge_dicts})


def node(id_: str, type_: str, **params: Any) -> dict[str, Any]:
    return {"id": id_, "type": type_, "params": params}


def issues_by_type(plan) -> dict[str, list]:
    out: dict[str, list] = {}
    for issue in plan.issues:
        out.setdefault(issue.type, []).append(issue)
    return out


def test_shapes_and_parameter_counts_of_a_chain():
    g = graph(
        [node("x", "input"), node("d", "dense", units=5), node("r", "relu"), node("o", "dense", units=3)],
        [("x", "d"), ("d", "r"), ("r", "o")],
    )
    plan = analyze_graph(g, {"x": (4,)})
    assert plan.issues == []
    assert plan.shape("d") == (5,) and plan.shape("o") == (3,)
    assert plan.nodes["d"].param_count == 4 * 5 + 5
    assert plan.nodes["o"].param_count == 5 * 3 + 3
    assert plan.networks["model"].input_ids == ["x"] and plan.networks["model"].output_ids == ["o"]


def test_no_memory_is_used_for_a_huge_layer():
    g = graph([node("x", "input"), node("d", "dense", units=65536)], [("x", "d")])
    plan = analyze_graph(g, {"x": (65536,)})  # 4 G parameters: 16 GB if it were real
    assert plan.issues == []
    assert plan.nodes["d"].param_count == 65536 * 65536 + 65536


def test_unknown_type_and_parameter_name_the_node_and_field():
    g = graph(
        [node("x", "input"), node("d", "dense", units=4, widht=3), node("q", "quantum")], [("x", "d"), ("d", "q")]
    )
    found = issues_by_type(analyze_graph(g, {"x": (2,)}))
    assert (found["unknown_param"][0].node_id, found["unknown_param"][0].field) == ("d", "params.widht")
    assert found["unknown_type"][0].node_id == "q" and found["unknown_type"][0].field == "type"
    assert "dense" in found["unknown_type"][0].message  # lists what is known


def test_value_out_of_range():
    g = graph([node("x", "input"), node("drop", "dropout", rate=1.5)], [("x", "drop")])
    issue = analyze_graph(g, {"x": (2,)}).issues[0]
    assert (issue.type, issue.node_id, issue.field) == ("invalid_param", "drop", "params.rate")
    assert "≤ 0.99" in issue.message and "1.5" in issue.message


def test_cycle_names_its_nodes():
    g = graph([node("x", "input"), node("a", "add"), node("b", "relu")], [("x", "a"), ("b", "a"), ("a", "b")])
    found = issues_by_type(analyze_graph(g, {"x": (2,)}))
    assert {i.node_id for i in found["cycle"]} == {"a", "b"}


def test_dangling_edge():
    g = graph([node("x", "input"), node("d", "dense")], [("x", "d"), ("d", "ghost")])
    issue = issues_by_type(analyze_graph(g, {"x": (2,)}))["dangling_edge"][0]
    assert issue.field == "edges[1].target" and issue.node_id == "d" and "ghost" in issue.message


def test_unconnected_input_port_and_single_input_merge():
    g = graph([node("x", "input"), node("d", "dense"), node("s", "add")], [("x", "s")])
    found = issues_by_type(analyze_graph(g, {"x": (2,)}))
    assert {i.node_id for i in found["unconnected_input"]} == {"d", "s"}


def test_second_edge_into_a_single_port_is_refused():
    g = graph([node("x", "input"), node("y", "input"), node("d", "dense")], [("x", "d"), ("y", "d")])
    issue = issues_by_type(analyze_graph(g, {"x": (2,)}))["port_taken"][0]
    assert issue.node_id == "d" and issue.field == "edges[1].target"


def test_shape_mismatch_states_both_shapes():
    g = graph(
        [node("x", "input"), node("a", "dense", units=3), node("b", "dense", units=5), node("s", "add")],
        [("x", "a"), ("x", "b"), ("a", "s"), ("b", "s")],
    )
    issue = issues_by_type(analyze_graph(g, {"x": (2,)}))["shape_mismatch"][0]
    assert issue.node_id == "s"
    assert "(N, 3)" in issue.message and "(N, 5)" in issue.message


def test_dry_run_failures_become_shape_issues():
    g = graph([node("x", "input"), node("r", "reshape", shape=[3, 3])], [("x", "r")])
    issue = analyze_graph(g, {"x": (8,)}).issues[0]
    assert issue.type == "shape_mismatch" and issue.node_id == "r" and "(N, 8)" in issue.message


def test_concat_merge_and_multiple_outputs():
    g = graph(
        [
            node("x", "input"),
            node("a", "dense", units=3),
            node("b", "dense", units=5),
            node("c", "concat"),
            node("h1", "dense", units=1),
            node("h2", "dense", units=2),
        ],
        [("x", "a"), ("x", "b"), ("a", "c"), ("b", "c"), ("c", "h1"), ("c", "h2")],
    )
    plan = analyze_graph(g, {"x": (2,)})
    assert plan.issues == []
    assert plan.shape("c") == (8,)
    assert plan.networks["model"].output_ids == ["h1", "h2"]


def test_weight_sharing_counts_parameters_once():
    g = graph(
        [
            node("x", "input"),
            node("y", "input", field="x"),
            node("a", "dense", units=4),
            {"id": "b", "type": "dense", "params": {"units": 4}, "shares": "a"},
            node("m", "multiply"),
        ],
        [("x", "a"), ("y", "b"), ("a", "m"), ("b", "m")],
    )
    plan = analyze_graph(g, {"x": (3,)})
    assert plan.issues == []
    assert plan.nodes["b"].owner == "a" and plan.nodes["b"].param_count == 0
    assert plan.nodes["a"].param_count == 16


def test_weight_sharing_needs_same_type_and_params():
    g = graph(
        [
            node("x", "input"),
            node("a", "dense", units=4),
            {"id": "b", "type": "dense", "params": {"units": 5}, "shares": "a"},
            {"id": "c", "type": "relu", "shares": "a"},
            {"id": "d", "type": "relu", "shares": "nobody"},
        ],
        [("x", "a"), ("a", "b"), ("b", "c"), ("c", "d")],
    )
    found = {i.node_id: i for i in analyze_graph(g, {"x": (3,)}).issues if i.type == "invalid_sharing"}
    assert set(found) == {"b", "c", "d"}
    assert all(i.field == "shares" for i in found.values())


def test_input_shape_comes_from_data_or_params():
    g = graph([node("x", "input", shape=[3]), node("d", "dense", units=2)], [("x", "d")])
    assert analyze_graph(g, None).shape("d") == (2,)  # no data set: the given shape is used
    issue = analyze_graph(g, {"x": (4,)}).issues[0]
    assert issue.field == "params.shape" and "(N, 3)" in issue.message and "(N, 4)" in issue.message


def test_unknown_data_field():
    g = graph([node("x", "input", field="image"), node("d", "dense")], [("x", "d")])
    issue = analyze_graph(g, {"x": (4,)}).issues[0]
    assert (issue.type, issue.field) == ("unknown_field", "params.field")


def test_an_input_with_its_own_shape_may_be_fed_by_the_program():
    g = graph([node("z", "input", field="noise", shape=[3]), node("d", "dense")], [("z", "d")])
    assert analyze_graph(g, {"x": (4,)}).issues == []


def test_edges_across_networks_are_refused():
    g = graph([node("x", "input"), {"id": "d", "type": "dense", "network": "decoder"}], [("x", "d")])
    assert any(i.type == "cross_network_edge" and i.node_id == "d" for i in analyze_graph(g, {"x": (2,)}).issues)


def test_reserved_and_duplicate_ids():
    g = graph([node("x", "input"), node("training", "relu"), node("x", "relu")], [("x", "training")])
    types = {i.type for i in analyze_graph(g, {"x": (2,)}).issues}
    assert {"reserved_id", "duplicate_id"} <= types


def test_empty_graph():
    plan = analyze_graph(graph([], []), {"x": (2,)})
    assert [i.type for i in plan.issues] == ["empty_graph"]
