"""The worker's sink: events go to RunEvent rows in batches, then to the channel-layer group `run.<id>`.

The training thread only appends to a list; a flusher thread does the database and a publisher thread (its own
asyncio loop, the only one that touches the channel layer in this process) does Redis. Order matters: a batch is
stored before it is published, so whatever a browser sees live is already in the history a reconnect replays.
Publishing is best effort — Redis down or a slow consumer costs live frames, never stored events: the consumer
notices the gap in `seq` and replays from the database."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from django.db import close_old_connections, connection

from playground.runs import services
from playground.runs.models import RunEvent
from playground.runs.wire import Frame, frame, row_fields
from trainer.train.events import Event

log = logging.getLogger(__name__)

FLUSH_INTERVAL_S = 0.5  # the flusher wakes on every emit; this only bounds a missed wake-up
COALESCE_S = 0.003  # after a wake-up, wait this long so that events emitted together share a batch
MAX_IN_FLIGHT = 64  # publishes waiting on Redis; beyond that, frames are skipped (clients replay from the DB)


def group_name(run_id: int) -> str:
    return f"run.{run_id}"


class Publisher:
    """Sends frames to a run's group from a private event loop thread; never blocks the caller."""

    def __init__(self, run_id: int):
        self.group = group_name(run_id)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name=f"publish-{run_id}", daemon=True)
        self.thread.start()
        self.in_flight: set[Future[Any]] = set()
        self.failures = 0
        self.layer: Any = None

    async def _send(self, frames: list[Frame]) -> None:
        if self.layer is None:
            from channels import DEFAULT_CHANNEL_LAYER
            from channels.layers import channel_layers

            self.layer = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)  # this loop's own, not the shared one
        await asyncio.wait_for(self.layer.group_send(self.group, {"type": "run.events", "frames": frames}), 5)

    def publish(self, frames: list[Frame]) -> None:
        if len(self.in_flight) >= MAX_IN_FLIGHT:
            self.failures += 1
            return
        future = asyncio.run_coroutine_threadsafe(self._send(frames), self.loop)
        self.in_flight.add(future)
        future.add_done_callback(self._done)

    def _done(self, future: Future[Any]) -> None:
        self.in_flight.discard(future)
        exc = future.exception() if not future.cancelled() else None
        if exc is not None:
            self.failures += 1
            if self.failures in (1, 10, 100) or self.failures % 1000 == 0:
                log.warning("publishing to %s failed (%d so far): %s: %s", self.group, self.failures,
                            type(exc).__name__, exc)

    def close_pending(self, timeout: float = 5.0) -> None:
        """Wait for the publishes in flight."""
        for future in list(self.in_flight):
            try:
                future.result(timeout)
            except Exception:  # noqa: BLE001 — already logged by _done; the history is in the database
                pass

    def close(self, timeout: float = 5.0) -> None:
        self.close_pending(timeout)
        if self.layer is not None:
            # The pub/sub layer's flush() closes its connections; the list-based layer's would delete every
            # queue, so that one only closes its pools.
            pubsub = type(self.layer).__name__ == "RedisPubSubChannelLayer"
            try:
                close = self.layer.flush if pubsub else self.layer.close_pools
                asyncio.run_coroutine_threadsafe(close(), self.loop).result(timeout)
            except Exception:  # noqa: BLE001 — closing a dead connection
                pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout)


class RunEventSink:
    """The `Sink` a worker hands the engine (see trainer.train.sinks.Sink)."""

    def __init__(self, run_id: int, attempt: int, *, publish: bool = True,
                 on_batch: Callable[[list[Event]], None] | None = None):
        self.run_id, self.attempt = run_id, attempt
        self.publisher = Publisher(run_id) if publish else None
        self.on_batch = on_batch
        self.progress: tuple[int, int] | None = None  # (step, total steps), set by the engine's on_progress
        self._pending: list[Event] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._flushed = threading.Condition(self._lock)
        self._emitted = 0
        self._stored = 0
        self._closing = False
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._loop, name=f"sink-{run_id}", daemon=True)
        self._thread.start()

    # ----- the engine's side -------------------------------------------------------------------------------
    def emit(self, event: Event) -> None:
        with self._lock:
            self._pending.append(event)
            self._emitted += 1
        self._wake.set()

    def flush(self, timeout: float = 30.0) -> None:
        """Wait until every event emitted so far is stored (and handed to the publisher)."""
        with self._lock:
            target = self._emitted
            self._wake.set()
            self._flushed.wait_for(lambda: self._stored >= target or self.error is not None
                                   or not self._thread.is_alive(), timeout)

    def close(self) -> None:
        self.flush()
        self._closing = True
        self._wake.set()
        self._thread.join(30)
        if self.publisher is not None:
            self.publisher.close()

    # ----- the flusher thread ------------------------------------------------------------------------------
    def _loop(self) -> None:
        try:
            while True:
                self._wake.wait(FLUSH_INTERVAL_S)
                time.sleep(COALESCE_S)  # what the engine emits together (metrics, histograms) goes in one batch
                self._wake.clear()
                self._drain()
                if self._closing:
                    self._drain()
                    return
        finally:
            connection.close()

    def _drain(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return
        try:
            fields = [row_fields(e) for e in batch]  # each event serialised once, for the row and the frame
            self._store(batch, fields)
        except Exception as exc:
            log.exception("run %s: storing %d events failed", self.run_id, len(batch))
            close_old_connections()
            with self._lock:
                self._pending[:0] = batch
                if len(self._pending) > 100_000:
                    self.error = exc
            return
        with self._lock:
            self._stored += len(batch)
            self._flushed.notify_all()
        if self.publisher is not None:
            self.publisher.publish([frame(f["data"], f["image"]) for f in fields])
        if self.on_batch is not None:
            self.on_batch(batch)

    def _store(self, batch: list[Event], fields: list[dict[str, Any]]) -> None:
        rows = [RunEvent(run_id=self.run_id, **f) for f in fields]
        step = max((getattr(e, "step", None) or 0 for e in batch), default=0) or None
        lr = None
        for e in batch:
            if e.type == "metrics" and "train/lr" in e.values:
                lr = e.values["train/lr"]
        total = self.progress[1] if self.progress else None
        if self.progress:
            step = max(step or 0, self.progress[0])
        services.store_events(self.run_id, rows, step=step, total_steps=total, lr=lr)
        for e in batch:
            if e.type == "status":
                services.set_status_from_event(self.run_id, self.attempt, e.status, e.message, e.step)
            elif e.type == "checkpoint":
                services.record_checkpoint(self.run_id, e.step, e.path)
