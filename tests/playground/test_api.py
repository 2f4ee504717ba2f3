"""The HTTP API through Django's test client: auth, catalog, validation, runs, events, graphs, errors."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client

from playground.runs.models import Run, RunEvent, SavedGraph
from tests.conftest import mlp_spec
from tests.web import free_port, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice() -> Any:
    return make_user("alice")


@pytest.fixture
def client(alice: Any) -> Client:
    c = Client()
    c.force_login(alice)
    return c


@pytest.fixture
def bob_client() -> Client:
    c = Client()
    c.force_login(make_user("bob"))
    return c


def post(c: Client, path: str, body: Any, **kw: Any) -> Any:
    return c.post(path, json.dumps(body) if not isinstance(body, (str, bytes)) else body,
                  content_type="application/json", **kw)


def test_not_logged_in_is_401_json() -> None:
    r = Client().get("/api/runs")
    assert r.status_code == 401
    assert "log in" in r.json()["detail"]


def test_token_login_and_bearer(alice: Any) -> None:
    c = Client()
    assert post(c, "/api/auth/token", {"username": "alice", "password": "nope"}).status_code == 401
    token = post(c, "/api/auth/token", {"username": "alice", "password": "pw-for-tests"}).json()["token"]
    r = c.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200 and r.json()["username"] == "alice"
    assert c.get("/api/me", HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401


def test_session_post_needs_csrf(alice: Any) -> None:
    c = Client(enforce_csrf_checks=True)
    c.force_login(alice)
    r = post(c, "/api/validate", mlp_spec())
    assert r.status_code == 403


def test_catalog_lists_layers_with_parameter_schemas(client: Client) -> None:
    cat = client.get("/api/catalog").json()
    dense = next(e for e in cat["layers"] if e["type"] == "dense")
    units = next(p for p in dense["params"] if p["name"] == "units")
    assert units["kind"] == "int" and units["min"] >= 1
    assert {"spiral", "xor", "digits"} <= {d["name"] for d in cat["datasets"]}
    assert "adam" in {o["name"] for o in cat["optimizers"]}


def test_examples_are_templates(client: Client) -> None:
    examples = {e["name"]: e for e in client.get("/api/examples").json()}
    assert "spiral" in examples
    assert examples["spiral"]["title"] == "Two spirals"
    assert examples["spiral"]["spec"]["data"]["name"] == "spiral"


def test_validate_reports_shapes_and_node_errors(client: Client) -> None:
    ok = post(client, "/api/validate", mlp_spec()).json()
    assert ok["ok"] is True
    shapes = {n["id"]: n["output_shape"] for n in ok["nodes"]}
    assert shapes["dense1"] == [None, 8]
    assert all(e["shape"] for e in ok["edges"])

    bad = mlp_spec()
    bad["graph"]["nodes"][1]["params"]["units"] = -3
    report = post(client, "/api/validate", bad).json()
    assert report["ok"] is False
    assert any(i["node_id"] == "dense1" and i["field"] == "params.units" for i in report["issues"])
    r = post(client, "/api/validate", "{not json")
    assert r.status_code == 400 and "not JSON" in r.json()["detail"]


def test_create_run_and_read_it(client: Client, redis_url: str) -> None:
    r = post(client, "/api/runs", mlp_spec(name="xor test"))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "queued"
    detail = client.get(f"/api/runs/{body['id']}").json()
    assert detail["name"] == "xor test" and detail["spec"]["data"]["name"] == "xor"
    assert [x["id"] for x in client.get("/api/runs").json()] == [body["id"]]


def test_invalid_run_is_422_naming_node_and_field(client: Client, redis_url: str) -> None:
    bad = mlp_spec()
    bad["graph"]["nodes"][1]["params"]["units"] = "many"
    r = post(client, "/api/runs", bad)
    assert r.status_code == 422
    issues = r.json()["detail"]
    assert any(i["node_id"] == "dense1" and i["field"] == "params.units" for i in issues), issues
    shape = mlp_spec()
    shape["graph"]["edges"].append({"source": "x", "target": "out"})  # out gets (·,2) and (·,8)
    r = post(client, "/api/runs", shape)
    assert r.status_code == 422 and any(i["node_id"] == "out" for i in r.json()["detail"])
    assert post(client, "/api/runs", "{oops").status_code in (400, 422)
    assert post(client, "/api/runs", {"graph": 3}).status_code == 422
    assert Run.objects.count() == 0


def test_redis_down_at_submit_is_503_and_stores_nothing(client: Client, settings: Any) -> None:
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"  # the fault: nothing listens there
    r = post(client, "/api/runs", mlp_spec())
    assert r.status_code == 503
    assert "Redis" in r.json()["detail"] and "nothing was stored" in r.json()["detail"]
    assert Run.objects.count() == 0


def test_another_users_run_is_404_everywhere(client: Client, bob_client: Client, redis_url: str) -> None:
    run_id = post(client, "/api/runs", mlp_spec()).json()["id"]
    for method, path in [("get", ""), ("get", "/events"), ("post", "/cancel"), ("post", "/pause"),
                         ("post", "/resume")]:
        r = getattr(bob_client, method)(f"/api/runs/{run_id}{path}")
        assert r.status_code == 404, (method, path, r.status_code)
    assert bob_client.patch(f"/api/runs/{run_id}/settings", json.dumps({"lr": 0.1}),
                            content_type="application/json").status_code == 404
    assert bob_client.get("/api/runs").json() == []


def test_controls_follow_the_lifecycle(client: Client, alice: Any) -> None:
    run = Run.objects.create(owner=alice, spec=mlp_spec(), status=Run.Status.RUNNING)
    assert client.post(f"/api/runs/{run.pk}/pause").json()["status"] == "running"
    run.refresh_from_db()
    assert run.pause_requested
    client.post(f"/api/runs/{run.pk}/resume")
    run.refresh_from_db()
    assert not run.pause_requested
    r = client.patch(f"/api/runs/{run.pk}/settings", json.dumps({"lr": 0.003}), content_type="application/json")
    assert r.status_code == 200
    run.refresh_from_db()
    assert run.lr_request == pytest.approx(0.003)
    r = client.patch(f"/api/runs/{run.pk}/settings", json.dumps({"lr": 0}), content_type="application/json")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "lr"
    client.post(f"/api/runs/{run.pk}/cancel")
    run.refresh_from_db()
    assert run.cancel_requested and run.status == "running"  # the job confirms it

    queued = Run.objects.create(owner=alice, spec=mlp_spec())
    assert client.post(f"/api/runs/{queued.pk}/cancel").json()["status"] == "cancelled"
    r = client.post(f"/api/runs/{queued.pk}/resume")
    assert r.status_code == 409 and "ended" in r.json()["detail"]


def test_events_since(client: Client, alice: Any) -> None:
    run = Run.objects.create(owner=alice, spec=mlp_spec(), last_seq=3)
    RunEvent.objects.create(run=run, seq=1, type="status", data={"seq": 1, "t": 1.0, "type": "status",
                                                                  "status": "running"})
    RunEvent.objects.create(run=run, seq=2, type="metrics", data={"seq": 2, "t": 2.0, "type": "metrics", "step": 5,
                                                                   "epoch": 0.5, "values": {"train/loss": 0.7}})
    RunEvent.objects.create(run=run, seq=3, type="image", image=b"\x89PNG-bytes",
                            data={"seq": 3, "t": 3.0, "type": "image", "step": 5, "key": "boundary/model",
                                  "width": 2, "height": 2, "format": "png", "meta": {}})
    body = client.get(f"/api/runs/{run.pk}/events?since=1").json()
    assert [e["seq"] for e in body["events"]] == [2, 3] and body["last_seq"] == 3
    assert base64.b64decode(body["events"][1]["data"]) == b"\x89PNG-bytes"
    assert client.get(f"/api/runs/{run.pk}/events?since=2&limit=1").json()["events"][0]["seq"] == 3


def test_saved_graphs_are_per_user(client: Client, bob_client: Client) -> None:
    r = post(client, "/api/graphs", {"name": "mine", "spec": {"graph": {"version": 1, "nodes": []}}})
    assert r.status_code == 201
    gid = r.json()["id"]
    assert client.get("/api/graphs").json()[0]["name"] == "mine"
    r = client.put(f"/api/graphs/{gid}", json.dumps({"name": "renamed", "spec": mlp_spec()}),
                   content_type="application/json")
    assert r.json()["name"] == "renamed" and r.json()["spec"]["data"]["name"] == "xor"
    assert bob_client.get(f"/api/graphs/{gid}").status_code == 404
    assert bob_client.get("/api/graphs").json() == []
    assert post(client, "/api/graphs", {"name": "", "spec": {}}).status_code == 422
    assert client.delete(f"/api/graphs/{gid}").status_code == 204
    assert SavedGraph.objects.count() == 0


def test_frontend_pages_need_login_and_serve_the_app(client: Client) -> None:
    assert Client().get("/runs/3").status_code == 302
    r = client.get("/runs/3")
    assert r.status_code in (200, 503)  # 503 explains how to build the frontend when it is not built
    assert b"<" in r.content


def test_openapi_docs(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    assert "/api/runs" in schema["paths"] and "/api/validate" in schema["paths"]


@pytest.mark.parametrize("body", [[], 3, "null", {"graph": {"nodes": "x"}}, {"graph": {"version": 1, "nodes": [
    {"id": "x", "type": "no-such-layer"}], "edges": [{"source": "x", "target": "ghost"}]}, "data": {"name": "xor"}},
    {"graph": {"version": 1, "nodes": [{"id": "d", "type": "dense", "params": {"units": 1e400}}]}}])
def test_malformed_specs_get_issues_never_a_500(client: Client, body: Any, redis_url: str) -> None:
    report = post(client, "/api/validate", body if not isinstance(body, str) else body)
    assert report.status_code == 200, report.content
    assert report.json()["ok"] is False and report.json()["issues"]
    created = post(client, "/api/runs", body)
    assert created.status_code in (400, 422), created.content
    assert created.json()["detail"]
