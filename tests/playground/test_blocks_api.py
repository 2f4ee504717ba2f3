"""/api/blocks: each user's library of blocks — validated on save, replaced by name, private, deletable; the
catalog stays the same for everyone."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.web import make_user

pytestmark = pytest.mark.django_db


def login(name: str) -> Client:
    c = Client()
    c.force_login(make_user(name))
    return c


def post(c: Client, body: Any) -> Any:
    return c.post("/api/blocks", json.dumps(body), content_type="application/json")


def widen(units: int = 8, name: str = "widen") -> dict[str, Any]:
    return {
        "name": name,
        "help": "dense then relu",
        "params": [{"name": "units", "kind": "int", "default": units, "min": 1}],
        "nodes": [
            {"id": "inp", "type": "input"},
            {"id": "fc", "type": "dense", "params": {"units": "$units"}},
            {"id": "act", "type": "relu"},
        ],
        "edges": [{"source": "inp", "target": "fc"}, {"source": "fc", "target": "act"}],
        "output": "act",
    }


def test_a_saved_block_is_listed_for_its_owner_only() -> None:
    alice, bob = login("alice"), login("bob")
    assert alice.get("/api/blocks").json() == []
    r = post(alice, widen())
    assert r.status_code == 201 and r.json()["name"] == "widen"
    assert [b["name"] for b in alice.get("/api/blocks").json()] == ["widen"]
    assert bob.get("/api/blocks").json() == []


def test_saving_the_same_name_replaces_the_block() -> None:
    alice = login("alice")
    post(alice, widen(units=8))
    r = post(alice, widen(units=32))
    assert r.status_code == 200
    (block,) = alice.get("/api/blocks").json()
    assert block["params"][0]["default"] == 32


def test_delete_removes_only_ones_own_block() -> None:
    alice, bob = login("alice"), login("bob")
    post(alice, widen())
    assert bob.delete("/api/blocks/widen").status_code == 404
    assert alice.delete("/api/blocks/widen").status_code == 204
    assert alice.get("/api/blocks").json() == []
    assert alice.delete("/api/blocks/widen").status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "dense"}, "name"),  # a layer type already
        ({"output": "nowhere"}, "output"),
        (
            {"nodes": [{"id": "inp", "type": "input"}, {"id": "fc", "type": "dense", "params": {"units": "$w"}}]},
            "nodes[1].params.units",
        ),
        ({"nodes": "not a list"}, "nodes"),
        ({"params": [{"name": "units", "kind": "int", "default": "eight"}]}, "params[0].default"),
    ],
)
def test_an_invalid_declaration_is_422_naming_the_field(change: dict[str, Any], field: str) -> None:
    alice = login("alice")
    r = post(alice, {**widen(), **change})
    assert r.status_code == 422, r.content
    assert field in [i["field"] for i in r.json()["detail"]], r.json()
    assert alice.get("/api/blocks").json() == []


def test_the_catalog_does_not_depend_on_the_user() -> None:
    alice, bob = login("alice"), login("bob")
    post(alice, widen())
    assert alice.get("/api/catalog").json() == bob.get("/api/catalog").json()


def test_a_saved_block_validates_inside_a_spec() -> None:
    alice = login("alice")
    block = post(alice, widen()).json()
    spec = {
        "graph": {
            "nodes": [
                {"id": "x", "type": "input"},
                {"id": "w", "type": "widen", "params": {"units": 4}},
                {"id": "out", "type": "dense", "params": {"units": 1}},
                {"id": "p", "type": "sigmoid"},
            ],
            "edges": [
                {"source": "x", "target": "w"},
                {"source": "w", "target": "out"},
                {"source": "out", "target": "p"},
            ],
            "blocks": [block],
        },
        "data": {"name": "xor"},
        "loss": {"name": "binary_cross_entropy"},
    }
    report = alice.post("/api/validate", json.dumps(spec), content_type="application/json").json()
    assert report["ok"], report["issues"]
    assert next(n for n in report["nodes"] if n["id"] == "w")["output_shape"] == [None, 4]
