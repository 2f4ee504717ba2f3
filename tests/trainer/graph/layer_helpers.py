"""Analyse a chain of layers on given input shapes: what the layer tests of this package share."""

from __future__ import annotations

from typing import Any

from trainer.graph.analysis import GraphPlan, analyze_graph
from trainer.graph.spec import GraphSpec


def chain(shape: tuple[int, ...], *layers: tuple[str, dict[str, Any]], source: str = "x") -> GraphPlan:
    """input (one example of `shape`) → layers[0] → layers[1] …; node ids are l0, l1, …"""
    nodes: list[dict[str, Any]] = [{"id": source, "type": "input"}]
    edges = []
    prev = source
    for i, (type_, params) in enumerate(layers):
        nodes.append({"id": f"l{i}", "type": type_, "params": params})
        edges.append({"source": prev, "target": f"l{i}"})
        prev = f"l{i}"
    graph = GraphSpec.model_validate({"version": 1, "nodes": nodes, "edges": edges})
    return analyze_graph(graph, {"x": shape})


def only_issue(plan: GraphPlan) -> str:
    assert len(plan.issues) == 1, [i.message for i in plan.issues]
    return plan.issues[0].message
