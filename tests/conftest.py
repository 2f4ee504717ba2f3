"""Shared fixtures: small specs built in code, so each test shows the graph it is about."""

from __future__ import annotations

import copy
from typing import Any

import pytest

# The web tests' real processes (Redis, a Celery worker, daphne), defined once so that tests/playground and
# tests/e2e share one of each per session.
pytest_plugins = ["tests.web"]


def mlp_spec(
    *,
    dataset: str = "xor",
    widths: tuple[int, ...] = (8,),
    classes: int = 1,
    activation: str = "tanh",
    **overrides: Any,
) -> dict[str, Any]:
    """Input → (dense → activation)* → dense(classes) → sigmoid/softmax, on a data set of the catalog."""
    nodes: list[dict[str, Any]] = [{"id": "x", "type": "input"}]
    edges: list[dict[str, Any]] = []
    prev = "x"
    for i, width in enumerate(widths, start=1):
        nodes += [
            {"id": f"dense{i}", "type": "dense", "params": {"units": width}},
            {"id": f"act{i}", "type": activation},
        ]
        edges += [{"source": prev, "target": f"dense{i}"}, {"source": f"dense{i}", "target": f"act{i}"}]
        prev = f"act{i}"
    final = "sigmoid" if classes == 1 else "softmax"
    nodes += [{"id": "out", "type": "dense", "params": {"units": classes}}, {"id": "p", "type": final}]
    edges += [{"source": prev, "target": "out"}, {"source": "out", "target": "p"}]
    spec: dict[str, Any] = {
        "graph": {"version": 1, "nodes": nodes, "edges": edges},
        "data": {"name": dataset},
        "loss": {"name": "binary_cross_entropy" if classes == 1 else "cross_entropy"},
        "optimizer": {"name": "adam", "lr": 0.01},
        "batch_size": 32,
        "epochs": 2,
    }
    spec.update(copy.deepcopy(overrides))
    return spec


@pytest.fixture
def xor_spec() -> dict[str, Any]:
    return mlp_spec()


@pytest.fixture
def digits_spec() -> dict[str, Any]:
    return mlp_spec(dataset="digits", widths=(32,), classes=10, activation="relu")
