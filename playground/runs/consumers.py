"""The run websocket: `/ws/runs/<id>/?since=N` sends the stored events after N, then the live ones, gap-free.

The consumer joins the run's group before it reads the history, so nothing published during the replay is missed;
live frames at or below what was already sent are dropped, and a live frame beyond the next `seq` (a frame lost
to a full channel or a Redis hiccup) makes it replay the missing ones from the database first. That works because
the worker's sink stores a batch before it publishes it. Live delivery is at most once (Redis pub/sub): frames
published while this process was not subscribed (Redis restarting) are found by a catch-up check every
CATCH_UP_S seconds, which replays whatever the database holds beyond what was sent."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from playground.runs.models import Run, RunEvent
from playground.runs.sinks import group_name
from playground.runs.wire import Frame, frame

log = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404
REPLAY_PAGE = 500
CATCH_UP_S = 3.0


def _own_run_exists(run_id: int, user: Any) -> bool:
    return Run.objects.filter(pk=run_id, owner=user).exists()


def _last_seq(run_id: int) -> int:
    return Run.objects.filter(pk=run_id).values_list("last_seq", flat=True).first() or 0


def _stored_after(run_id: int, seq: int, limit: int) -> list[Frame]:
    rows = RunEvent.objects.filter(run_id=run_id, seq__gt=seq).order_by("seq").values_list("data", "image")[:limit]
    return [frame(data, image) for data, image in rows]


class RunConsumer(AsyncWebsocketConsumer):
    run_id: int
    group: str | None = None
    last: int = 0
    catch_up: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        self._sending = asyncio.Lock()  # the catch-up task and live batches take turns
        user = self.scope.get("user")
        await self.accept()  # a close code only reaches the browser after the handshake
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.run_id = int(self.scope["url_route"]["kwargs"]["run_id"])
        if not await database_sync_to_async(_own_run_exists)(self.run_id, user):
            await self.close(code=CLOSE_NOT_FOUND)
            return
        query = parse_qs(self.scope.get("query_string", b"").decode())
        try:
            self.last = max(0, int((query.get("since") or ["0"])[0]))
        except ValueError:
            self.last = 0
        self.group = group_name(self.run_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.replay()
        await self.send(text_data=json.dumps({"type": "replayed", "last_seq": self.last}))
        self.catch_up = asyncio.create_task(self._catch_up())

    async def _catch_up(self) -> None:
        """When no live frame came for CATCH_UP_S seconds, replay what the database has beyond the last frame
        sent (frames lost while Redis was away). A flowing stream costs no query."""
        while True:
            seen = self.last
            await asyncio.sleep(CATCH_UP_S)
            if self.last != seen:
                continue
            try:
                stored = await database_sync_to_async(_last_seq)(self.run_id)
                if stored > self.last:
                    async with self._sending:
                        await self.replay()
            except Exception:
                log.exception("run %s: catch-up failed", self.run_id)

    async def disconnect(self, code: int) -> None:
        if self.catch_up is not None:
            self.catch_up.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.catch_up
        if self.group is not None:
            try:
                await self.channel_layer.group_discard(self.group, self.channel_name)
            except Exception:  # noqa: BLE001 — Redis is away; the membership expires on its own
                pass

    async def replay(self) -> None:
        """Send every stored event after the last one sent."""
        while True:
            frames = await database_sync_to_async(_stored_after)(self.run_id, self.last, REPLAY_PAGE)
            for f in frames:
                await self._send_frame(f)
            if len(frames) < REPLAY_PAGE:
                return

    async def _send_frame(self, f: Frame) -> None:
        if "binary" in f:
            await self.send(bytes_data=f["binary"])
        else:
            await self.send(text_data=f["text"])
        self.last = f["seq"]

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Live batches skip Channels' per-message `close_old_connections` (a thread hop per frame, which was
        ~30 % of daphne's CPU under the stream benchmark): they touch the database only through `replay`, whose
        `database_sync_to_async` closes stale connections itself."""
        if message.get("type") == "run.events":
            await self.run_events(message)
        else:
            await super().dispatch(message)

    async def run_events(self, message: dict[str, Any]) -> None:
        """A batch the worker's sink published to the group."""
        async with self._sending:
            for f in message["frames"]:
                if f["seq"] <= self.last:
                    continue
                if f["seq"] > self.last + 1:
                    await self.replay()
                    if f["seq"] <= self.last:
                        continue
                await self._send_frame(f)
