"""Property test: thousands of malformed specs never raise and every issue names a node or a field."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import mlp_spec
from trainer.graph.registry import all_layers
from trainer.graph.validate import validate

LAYER_TYPES = all_layers().names()
json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, width=32),
    st.text(max_size=8),
    st.sampled_from(LAYER_TYPES + ["x", "dense1", "out", "p", "full"]),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=6,
)
PARAM_NAMES = ["units", "rate", "shape", "field", "axis", "negative_slope", "over", "bias", "momentum", "bogus"]
BASES = [
    mlp_spec(),
    mlp_spec(dataset="digits", widths=(16, 8), classes=10, activation="relu"),
    mlp_spec(dataset="sine", classes=1, loss={"name": "mse"}),
]


@st.composite
def mutation(draw) -> tuple[str, Any]:
    kind = draw(
        st.sampled_from(
            [
                "node_type",
                "node_param",
                "node_id",
                "drop_node",
                "edge",
                "drop_edge",
                "top",
                "nested",
                "shares",
                "network",
                "loss_expr",
                "whole",
            ]
        )
    )
    return kind, draw(
        st.tuples(
            st.integers(0, 20),
            st.integers(0, 20),
            json_value,
            st.sampled_from(PARAM_NAMES),
            st.sampled_from(LAYER_TYPES + ["nope"]),
        )
    )


def apply(spec: dict[str, Any], kind: str, args: tuple) -> Any:
    i, j, value, param, layer = args
    if kind == "whole":
        return value
    graph_ok = (
        isinstance(spec.get("graph"), dict)
        and isinstance(spec["graph"].get("nodes"), list)
        and isinstance(spec["graph"].get("edges"), list)
        and spec["graph"]["nodes"]
        and all(isinstance(n, dict) for n in spec["graph"]["nodes"])
    )
    if not graph_ok and kind not in ("top", "nested", "loss_expr"):
        return spec
    nodes, edges = (spec["graph"]["nodes"], spec["graph"]["edges"]) if graph_ok else ([], [])
    ids = [n.get("id") for n in nodes]
    if kind == "node_type":
        nodes[i % len(nodes)]["type"] = layer
    elif kind == "node_param":
        nodes[i % len(nodes)].setdefault("params", {})[param] = value
    elif kind == "node_id":
        nodes[i % len(nodes)]["id"] = value if j % 2 else ids[j % len(ids)]
    elif kind == "drop_node" and len(nodes) > 1:
        del nodes[i % len(nodes)]
    elif kind == "edge":
        edges.append(
            {"source": ids[i % len(ids)], "target": ids[j % len(ids)]}
            if j % 3
            else {"source": ids[i % len(ids)], "target": value}
        )
    elif kind == "drop_edge" and edges:
        del edges[i % len(edges)]
    elif kind == "top":
        key = [
            "epochs",
            "max_steps",
            "batch_size",
            "seed",
            "device",
            "probes",
            "early_stopping",
            "schedule",
            "optimizer",
            "data",
            "loss",
            "program",
            "graph",
        ][i % 13]
        spec[key] = value
    elif kind == "nested":
        section = ["data", "optimizer", "loss", "schedule"][i % 4]
        if isinstance(spec.get(section), dict):
            spec[section][["name", "params", "lr", "val_fraction", "expression"][j % 5]] = value
    elif kind == "shares":
        nodes[i % len(nodes)]["shares"] = ids[j % len(ids)] if j % 2 else value
    elif kind == "network":
        nodes[i % len(nodes)]["network"] = ["model", "decoder", value][j % 3]
    elif kind == "loss_expr":
        spec["loss"] = {"name": "expression", "expression": str(value) if j % 2 else "mean((prediction-target)**2)"}
    return spec


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.integers(0, len(BASES) - 1), mutations=st.lists(mutation(), min_size=1, max_size=4))
def test_malformed_specs_never_raise_and_every_issue_is_located(base, mutations):
    spec: Any = copy.deepcopy(BASES[base])
    for kind, args in mutations:
        if not isinstance(spec, dict):
            break
        spec = apply(spec, kind, args)
    report = validate(spec)  # must not raise
    raw_ids = (
        {n.get("id") for n in spec["graph"]["nodes"] if isinstance(n, dict) and isinstance(n.get("id"), str)}
        if (
            isinstance(spec, dict)
            and isinstance(spec.get("graph"), dict)
            and isinstance(spec["graph"].get("nodes"), list)
        )
        else set()
    )
    assert all(issue.type != "internal_error" for issue in report.issues), report.issues
    for issue in report.issues:
        assert issue.node_id or issue.field, issue  # every error says where
        if issue.node_id is not None:
            assert issue.node_id in raw_ids, issue  # and names a node that exists in the input
    assert report.ok == (not report.issues)
