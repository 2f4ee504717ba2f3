"""The run websocket through the real ASGI app and the real Redis channel layer: auth, replay, live, gaps."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from playground.asgi import application
from playground.runs.models import ApiToken, Run, RunEvent
from playground.runs.sinks import RunEventSink
from playground.runs.wire import parse_binary, row_fields
from tests.conftest import mlp_spec
from tests.web import make_user
from trainer.train.events import ImageEvent, MetricsEvent

pytestmark = pytest.mark.django_db(transaction=True)
HEADERS = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]


def metrics(seq: int) -> MetricsEvent:
    return MetricsEvent(seq=seq, t=time.time(), step=seq, epoch=seq / 10, values={"train/loss": 1.0 / seq})


def setup_run(stored: int = 0) -> tuple[Run, str]:
    user = make_user(f"u{time.monotonic_ns()}")
    run = Run.objects.create(owner=user, spec=mlp_spec(), status=Run.Status.RUNNING, last_seq=stored)
    for seq in range(1, stored + 1):
        RunEvent.objects.create(run=run, **row_fields(metrics(seq)))
    return run, ApiToken.objects.create(user=user).key


async def connect(path: str) -> tuple[WebsocketCommunicator, bool]:
    comm = WebsocketCommunicator(application, path, headers=HEADERS)
    connected, _ = await comm.connect(timeout=5)
    return comm, connected


async def receive_until_replayed(comm: WebsocketCommunicator) -> list[dict[str, Any]]:
    out = []
    while True:
        msg = json.loads(await comm.receive_from(timeout=5))
        if msg.get("type") == "replayed":
            return out
        out.append(msg)


async def test_refuses_strangers(redis_url: str) -> None:
    run, _ = await sync_to_async(setup_run)()
    comm, _ = await connect(f"/ws/runs/{run.pk}/")
    assert (await comm.receive_output(timeout=5))["code"] == 4401
    other_token = await sync_to_async(lambda: setup_run()[1])()
    comm, _ = await connect(f"/ws/runs/{run.pk}/?token={other_token}")
    assert (await comm.receive_output(timeout=5))["code"] == 4404


async def test_replays_history_after_since_then_streams_live(redis_url: str) -> None:
    run, token = await sync_to_async(setup_run)(5)
    comm, connected = await connect(f"/ws/runs/{run.pk}/?since=2&token={token}")
    assert connected
    history = await receive_until_replayed(comm)
    assert [e["seq"] for e in history] == [3, 4, 5]
    assert history[0]["type"] == "metrics" and history[0]["values"]["train/loss"] == pytest.approx(1 / 3)

    sink = await sync_to_async(RunEventSink)(run.pk, 0)
    for seq in (6, 7):
        sink.emit(metrics(seq))
    png = b"\x89PNG\r\n\x1a\n fake"
    sink.emit(ImageEvent(seq=8, t=time.time(), step=8, key="boundary/model", width=4, height=4, data=png))
    await sync_to_async(sink.close)()
    assert [json.loads(await comm.receive_from(timeout=5))["seq"] for _ in range(2)] == [6, 7]
    header, body = parse_binary(await comm.receive_from(timeout=5))
    assert header["seq"] == 8 and header["key"] == "boundary/model" and "data" not in header and body == png
    await comm.disconnect()
    stored = await sync_to_async(lambda: list(RunEvent.objects.filter(run=run).values_list("seq", flat=True)))()
    assert stored == list(range(1, 9))


async def test_a_gap_in_live_frames_is_filled_from_the_database(redis_url: str) -> None:
    run, token = await sync_to_async(setup_run)(1)
    comm, _ = await connect(f"/ws/runs/{run.pk}/?token={token}")
    assert [e["seq"] for e in await receive_until_replayed(comm)] == [1]
    # seq 2 is stored but its live frame is lost (the injected fault); seq 3 arrives live.
    await sync_to_async(lambda: RunEvent.objects.create(run=run, **row_fields(metrics(2))))()
    sink = await sync_to_async(RunEventSink)(run.pk, 0)
    sink.emit(metrics(3))
    await sync_to_async(sink.close)()
    assert [json.loads(await comm.receive_from(timeout=5))["seq"] for _ in range(2)] == [2, 3]
    assert await comm.receive_nothing(timeout=0.3)
    await comm.disconnect()


async def test_session_cookie_authenticates(redis_url: str) -> None:
    from django.test import Client

    run, _ = await sync_to_async(setup_run)(2)

    def login() -> str:
        c = Client()
        c.force_login(run.owner)
        return c.cookies["sessionid"].value

    session = await sync_to_async(login)()
    comm = WebsocketCommunicator(application, f"/ws/runs/{run.pk}/",
                                 headers=[*HEADERS, (b"cookie", f"sessionid={session}".encode())])
    assert (await comm.connect(timeout=5))[0]
    assert [e["seq"] for e in await receive_until_replayed(comm)] == [1, 2]
    await comm.disconnect()
