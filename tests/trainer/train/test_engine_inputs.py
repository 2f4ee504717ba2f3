"""The engine with several input fields: each Input node gets the tensor of the field it names."""

from __future__ import annotations

import pytest

from trainer.data.registry import DATASETS, DataInfo, DatasetEntry
from trainer.train.engine import fit

INFO = DataInfo("regression", (1,), (1,), None, None, fields=("noise", "signal"))


def _generate(params, rng):
    """The target copies field `signal`; field `noise` is independent of it."""
    signal = rng.normal(size=(400, 1))
    return {"noise": rng.normal(size=(400, 1)), "signal": signal}, signal.copy()


@pytest.fixture
def two_fields(monkeypatch):
    entry = DatasetEntry("two_fields", "test", "regression", (), lambda p: INFO, _generate)
    monkeypatch.setitem(DATASETS.entries, "two_fields", entry)


def spec(*fields: str) -> dict:
    nodes = [{"id": f, "type": "input", "params": {"field": f}} for f in fields]
    edges = [{"source": f, "target": "both" if len(fields) > 1 else "out"} for f in fields]
    if len(fields) > 1:
        nodes.append({"id": "both", "type": "concat"})
        edges.append({"source": "both", "target": "out"})
    nodes.append({"id": "out", "type": "dense", "params": {"units": 1}})
    return {
        "graph": {"version": 1, "nodes": nodes, "edges": edges},
        "data": {"name": "two_fields", "scaling": "none"},
        "loss": {"name": "mse"},
        "optimizer": {"name": "adam", "lr": 0.05},
        "epochs": 15,
        "batch_size": 40,
    }


def test_the_node_reading_the_signal_field_learns_it(two_fields):
    assert fit(spec("signal")).metrics["val/loss"] < 1e-3


def test_the_node_reading_the_other_field_cannot(two_fields):
    assert fit(spec("noise")).metrics["val/loss"] > 0.5


def test_inputs_in_another_order_than_the_fields(two_fields):
    result = fit(spec("signal", "noise"))  # the model's input order differs from the data set's
    assert result.status == "finished" and result.metrics["val/loss"] < 1e-2
