"""The events a run emits — one schema for the CLI's JSON Lines and the web's websocket — and `EventStream`, which
stamps each with a per-run, gap-free `seq` and a time `t`, and hands it to a sink.

JSON form (`event.model_dump_json()` or `event.model_dump(mode="json")`): image bytes are standard base64 (so
`data:image/png;base64,` + data shows it), and a non-finite metric value is the string "NaN", "Infinity" or
"-Infinity" (JSON has no such numbers); `EVENT_ADAPTER.validate_json(line)` reads both back."""

from __future__ import annotations

import base64
import math
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, TypeAdapter, WithJsonSchema

if TYPE_CHECKING:
    from trainer.train.sinks import Sink

StatusName = Literal["queued", "running", "paused", "finished", "failed", "cancelled"]
LogLevel = Literal["info", "warning", "error"]


def _scalar_to_json(value: float) -> float | str:
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


Scalar = Annotated[
    float,
    PlainSerializer(_scalar_to_json, when_used="json"),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"enum": ["NaN", "Infinity", "-Infinity"]}]}),
]


def _bytes_from_base64(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except ValueError:
            raise ValueError("image data must be base64") from None
    return value


Base64Bytes = Annotated[
    bytes,
    BeforeValidator(_bytes_from_base64),
    PlainSerializer(lambda b: base64.b64encode(b).decode("ascii"), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "contentEncoding": "base64", "contentMediaType": "image/png"}),
]


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seq: int = Field(description="Per run, gap-free, from 1: a gap tells a client to ask for a replay.")
    t: float = Field(description="Unix time in seconds; never decreases within a run.")


class StatusEvent(_Event):
    """The run's state changed; `message` says what a user can do about a failure."""

    type: Literal["status"] = "status"
    status: StatusName
    message: str | None = None
    step: int | None = None


class MetricsEvent(_Event):
    """Scalars by split: `train/loss`, `train/lr`, `val/loss`, `val/accuracy`, `val/auc/<class>`…"""

    type: Literal["metrics"] = "metrics"
    step: int
    epoch: float = Field(description="Fractional epochs done: 1.5 is halfway through the second.")
    values: dict[str, Scalar]


class ImageEvent(_Event):
    """A picture (decision boundary, feature maps, samples): latest-wins per `key`, about 2 per second."""

    type: Literal["image"] = "image"
    step: int
    key: str
    width: int
    height: int
    format: Literal["png"] = "png"
    data: Base64Bytes
    meta: dict[str, Any] = Field(default_factory=dict)


class HistogramEvent(_Event):
    """`counts[i]` values fell in [edges[i], edges[i + 1]); len(edges) == len(counts) + 1."""

    type: Literal["histogram"] = "histogram"
    step: int
    key: str
    edges: list[float]
    counts: list[int]


class TableEvent(_Event):
    """Rows of plain JSON values (ROC points, a confusion matrix, a scan's results)."""

    type: Literal["table"] = "table"
    step: int
    key: str
    columns: list[str]
    rows: list[list[Any]]


class LogEvent(_Event):
    type: Literal["log"] = "log"
    level: LogLevel
    message: str


class CheckpointEvent(_Event):
    type: Literal["checkpoint"] = "checkpoint"
    step: int
    path: str


Event = Annotated[
    StatusEvent | MetricsEvent | ImageEvent | HistogramEvent | TableEvent | LogEvent | CheckpointEvent,
    Field(discriminator="type"),
]
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def event_json_schema() -> dict[str, Any]:
    """The JSON Schema of one event as it travels (what `playground schema --events` prints)."""
    schema = EVENT_ADAPTER.json_schema(mode="serialization")
    schema["title"] = "Event"
    return schema


# An image counts as due a little before its interval is up: a caller that probes every interval would otherwise
# see the previous image's render time eat into the wait and get only every other one through.
_DUE_SLACK = 0.9


class EventStream:
    """Stamps seq (gap-free, starting at start_seq + 1) and t, and hands each event to the sink.

    Thread-safe: a control thread may log while the engine emits, and seq still matches the sink's order."""

    def __init__(
        self, sink: Sink, *, start_seq: int = 0, clock: Callable[[], float] = time.time, image_interval_s: float = 0.5
    ):
        self.sink = sink
        self.seq = start_seq  # the last seq emitted
        self.clock = clock
        self.image_interval_s = image_interval_s
        self._last_t = -math.inf
        self._last_sent: dict[str, float] = {}  # image and histogram key -> clock time it last went out
        self._lock = threading.Lock()

    def _emit(self, cls: type[_Event], **fields: Any) -> Any:
        with self._lock:
            t = max(self.clock(), self._last_t)  # a clock stepped back (NTP) must not make t go back
            event = cls(seq=self.seq + 1, t=t, **fields)
            self.sink.emit(event)  # type: ignore[arg-type]
            self.seq, self._last_t = event.seq, t
        return event

    def status(self, status: StatusName, *, message: str | None = None, step: int | None = None) -> StatusEvent:
        return self._emit(StatusEvent, status=status, message=message, step=step)

    def metrics(self, *, step: int, epoch: float, values: dict[str, float]) -> MetricsEvent:
        return self._emit(MetricsEvent, step=step, epoch=epoch, values=values)

    def image(
        self, *, step: int, key: str, png: bytes, width: int, height: int, meta: dict[str, Any] | None = None
    ) -> ImageEvent:
        """Emit a PNG; callers check `image_due(key)` first, so rendering is skipped when it would be wasted."""
        event = self._emit(ImageEvent, step=step, key=key, data=png, width=width, height=height, meta=meta or {})
        self._last_sent[key] = event.t
        return event

    def histogram(self, *, step: int, key: str, edges: list[float], counts: list[int]) -> HistogramEvent:
        if len(edges) != len(counts) + 1:
            raise ValueError(f"histogram {key}: {len(edges)} edges for {len(counts)} counts (want one more edge)")
        event = self._emit(HistogramEvent, step=step, key=key, edges=edges, counts=counts)
        self._last_sent[key] = event.t
        return event

    def table(self, *, step: int, key: str, columns: list[str], rows: list[list[Any]]) -> TableEvent:
        event = self._emit(TableEvent, step=step, key=key, columns=columns, rows=rows)
        self._last_sent[key] = event.t  # probes' tables (confusion, ROC) are rate-bounded with `due` too
        return event

    def log(self, level: LogLevel, message: str) -> LogEvent:
        return self._emit(LogEvent, level=level, message=message)

    def checkpoint(self, step: int, path: str) -> CheckpointEvent:
        return self._emit(CheckpointEvent, step=step, path=str(path))

    def due(self, key: str, interval_s: float) -> bool:
        """True when no image, histogram or table of this key went out in the last `interval_s` seconds."""
        last = self._last_sent.get(key)
        return last is None or self.clock() - last >= _DUE_SLACK * interval_s

    def image_due(self, key: str) -> bool:
        """True when an image of this key is worth rendering now: latest-wins per key at ~1/image_interval_s."""
        return self.due(key, self.image_interval_s)

    def reset_timers(self) -> None:
        """Make every image and histogram due again: call before the last probe run of a run, so the final
        picture is never skipped for having come too soon after the previous one."""
        self._last_sent.clear()

    def close(self) -> None:
        """Flushes and closes the sink."""
        self.sink.flush()
        self.sink.close()
