"""Training through the real path: API → scheduler → Celery worker (a real process) → engine → sink → database and
channel layer → websocket. Cancel, pause/resume and a learning-rate change reach the running job."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from playground.runs.models import ApiToken, Checkpoint, Run, RunEvent
from tests.conftest import mlp_spec
from tests.playground.test_consumer import HEADERS
from tests.web import make_user, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def long_spec(**overrides: Any) -> dict[str, Any]:
    """Spiral with enough epochs to still be running when the test steers it."""
    settings = {"epochs": 2000, "batch_size": 16, "data": {"name": "spiral", "params": {"n": 400}}, **overrides}
    return mlp_spec(dataset="spiral", widths=(16, 16), activation="relu", **settings)


@pytest.fixture
def owner() -> Any:
    return make_user("trainer")


@pytest.fixture
def client(owner: Any) -> Client:
    c = Client()
    c.force_login(owner)
    return c


def submit(client: Client, spec: dict[str, Any]) -> int:
    r = client.post("/api/runs", json.dumps(spec), content_type="application/json")
    assert r.status_code == 201, r.content
    return int(r.json()["id"])


def run_of(run_id: int) -> Run:
    return Run.objects.get(pk=run_id)


def seqs(run_id: int) -> list[int]:
    return list(RunEvent.objects.filter(run_id=run_id).order_by("seq").values_list("seq", flat=True))


def assert_gap_free(run_id: int) -> None:
    stored = seqs(run_id)
    assert stored == list(range(1, len(stored) + 1)), f"gaps in {stored[:50]}…"
    assert run_of(run_id).last_seq == len(stored)


def test_a_run_trains_to_the_end_and_streams(live_worker: Any, client: Client, owner: Any) -> None:
    started = time.monotonic()
    run_id = submit(client, mlp_spec(epochs=30, probes=[{"name": "boundary", "params": {"resolution": 16}}]))
    wait_for(lambda: RunEvent.objects.filter(run_id=run_id, type="metrics").exists(), 20,
             f"the first metric\n{live_worker.output()}")
    first_metric_s = time.monotonic() - started
    wait_for(lambda: run_of(run_id).status in Run.ENDED, 60, f"the run to end\n{live_worker.output()}")
    run = run_of(run_id)
    assert run.status == "finished", (run.message, live_worker.output())
    assert run.step == run.total_steps and run.total_steps
    assert_gap_free(run_id)
    types = set(RunEvent.objects.filter(run_id=run_id).values_list("type", flat=True))
    assert {"status", "metrics", "image", "checkpoint"} <= types
    assert Checkpoint.objects.filter(run_id=run_id).exists()
    assert run.slot is None and first_metric_s < 20
    # A finished run's history replays completely over the websocket.
    token = ApiToken.objects.create(user=owner).key

    async def replay() -> list[int]:
        comm = WebsocketCommunicator(__import__("playground.asgi").asgi.application,
                                     f"/ws/runs/{run_id}/?token={token}", headers=HEADERS)
        await comm.connect(timeout=5)
        got = []
        while True:
            msg = await comm.receive_output(timeout=5)
            if msg.get("text") and json.loads(msg["text"]).get("type") == "replayed":
                break
            got.append(json.loads(msg["text"])["seq"] if msg.get("text") else
                       json.loads(msg["bytes"][4:4 + int.from_bytes(msg["bytes"][:4], "big")])["seq"])
        await comm.disconnect()
        return got

    import asyncio

    assert asyncio.run(replay()) == seqs(run_id)


async def test_live_websocket_sees_every_event_in_order(live_worker: Any, owner: Any) -> None:
    def start() -> tuple[int, str]:
        c = Client()
        c.force_login(owner)
        return submit(c, mlp_spec(epochs=40)), ApiToken.objects.create(user=owner).key

    run_id, token = await sync_to_async(start)()
    from playground.asgi import application

    comm = WebsocketCommunicator(application, f"/ws/runs/{run_id}/?token={token}", headers=HEADERS)
    assert (await comm.connect(timeout=5))[0]
    got: list[int] = []
    final = None
    while final is None:
        msg = await comm.receive_output(timeout=30)
        if "bytes" in msg and msg["bytes"]:
            n = int.from_bytes(msg["bytes"][:4], "big")
            event = json.loads(msg["bytes"][4:4 + n])
        else:
            event = json.loads(msg["text"])
        if "seq" not in event:
            continue  # the "replayed" marker
        got.append(event["seq"])
        if event["type"] == "status" and event["status"] in ("finished", "failed", "cancelled"):
            final = event["status"]
    await comm.disconnect()
    assert final == "finished"
    assert got == list(range(1, len(got) + 1))
    stored = await sync_to_async(seqs)(run_id)
    assert got == stored[: len(got)]


def test_cancel_takes_effect_within_two_seconds(live_worker: Any, client: Client) -> None:
    run_id = submit(client, long_spec())
    wait_for(lambda: run_of(run_id).status == "running" and run_of(run_id).step > 0, 30,
             f"the run to start\n{live_worker.output()}")
    asked = time.monotonic()
    assert client.post(f"/api/runs/{run_id}/cancel").status_code == 200
    wait_for(lambda: run_of(run_id).status == "cancelled", 2.0, "the cancel to take effect")
    assert time.monotonic() - asked < 2.0
    assert "cancel" in run_of(run_id).message
    wait_for(lambda: run_of(run_id).slot is None, 5, "the slot to be released")
    assert_gap_free(run_id)


def test_pause_resume_and_learning_rate(live_worker: Any, client: Client) -> None:
    run_id = submit(client, long_spec())
    wait_for(lambda: run_of(run_id).status == "running" and run_of(run_id).step > 0, 30, "the run to start")
    client.post(f"/api/runs/{run_id}/pause")
    wait_for(lambda: run_of(run_id).status == "paused", 3, "the pause")
    step = run_of(run_id).step
    time.sleep(1.0)
    assert run_of(run_id).step == step, "a paused run keeps training"
    r = client.patch(f"/api/runs/{run_id}/settings", json.dumps({"lr": 0.00123}), content_type="application/json")
    assert r.status_code == 200
    client.post(f"/api/runs/{run_id}/resume")
    wait_for(lambda: run_of(run_id).status == "running" and run_of(run_id).step > step, 3, "the resume")

    def new_lr_seen() -> bool:
        rows = RunEvent.objects.filter(run_id=run_id, type="metrics").order_by("-seq")[:5]
        return any(abs(r.data["values"].get("train/lr", 0) - 0.00123) < 1e-6 for r in rows)

    wait_for(new_lr_seen, 5, "train/lr to show the new learning rate")
    client.post(f"/api/runs/{run_id}/cancel")
    wait_for(lambda: run_of(run_id).status == "cancelled", 3, "the cancel")
    assert_gap_free(run_id)
