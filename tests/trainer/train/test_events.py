"""EventStream: gap-free seq, monotone t, latest-wins image timing; the events' JSON form and schema."""

from __future__ import annotations

import base64
import json
import math

import pytest
from pydantic import ValidationError

from trainer.train.events import EVENT_ADAPTER, EventStream, ImageEvent, MetricsEvent, event_json_schema
from trainer.train.sinks import ListSink


class FakeClock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_seq_is_gap_free_from_start_seq_and_t_never_goes_back():
    sink, clock = ListSink(), FakeClock()
    stream = EventStream(sink, start_seq=41, clock=clock)
    stream.status("running", step=0)
    clock.now = 1001.0
    stream.metrics(step=1, epoch=0.5, values={"train/loss": 0.7})
    clock.now = 999.0  # the wall clock steps back (NTP)
    stream.log("warning", "slow data loading")
    stream.histogram(step=1, key="weights/dense1", edges=[0.0, 1.0], counts=[3])
    stream.checkpoint(1, "/tmp/ckpt/step-1.pt")
    stream.status("finished", step=1)
    assert [e.seq for e in sink.events] == [42, 43, 44, 45, 46, 47]
    assert stream.seq == 47
    times = [e.t for e in sink.events]
    assert times == sorted(times) and times[0] == 1000.0 and times[-1] == 1001.0


def test_image_due_is_latest_wins_per_key_at_the_interval():
    clock = FakeClock()
    stream = EventStream(ListSink(), clock=clock, image_interval_s=0.5)
    assert stream.image_due("boundary/model")
    stream.image(step=1, key="boundary/model", png=b"\x89PNG", width=1, height=1)
    clock.now += 0.3
    assert not stream.image_due("boundary/model")
    assert stream.image_due("boundary/act1")  # per key
    clock.now += 0.2
    assert stream.image_due("boundary/model")


def test_reset_timers_makes_the_final_picture_due():
    clock = FakeClock()
    stream = EventStream(ListSink(), clock=clock)
    stream.image(step=1, key="boundary/model", png=b"x", width=1, height=1)
    stream.histogram(step=1, key="weights/d", edges=[0.0, 1.0], counts=[1])
    assert not stream.image_due("boundary/model") and not stream.due("weights/d", 0.5)
    stream.reset_timers()
    assert stream.image_due("boundary/model") and stream.due("weights/d", 0.5)


def test_non_finite_metrics_travel_as_strings_and_come_back():
    event = MetricsEvent(
        seq=1,
        t=0.0,
        step=3,
        epoch=0.25,
        values={"train/loss": math.nan, "val/loss": math.inf, "x": -math.inf, "val/accuracy": 0.5},
    )
    line = event.model_dump_json()
    raw = json.loads(line)  # strict JSON: no bare NaN
    assert raw["values"] == {"train/loss": "NaN", "val/loss": "Infinity", "x": "-Infinity", "val/accuracy": 0.5}
    assert event.model_dump(mode="json") == raw  # the websocket's dict form matches the JSON line
    back = EVENT_ADAPTER.validate_json(line)
    assert isinstance(back, MetricsEvent)
    assert math.isnan(back.values["train/loss"]) and back.values["val/loss"] == math.inf
    assert back.values["x"] == -math.inf and back.values["val/accuracy"] == 0.5


def test_image_bytes_are_standard_base64_in_json():
    data = bytes(range(256))  # includes the bytes that url-safe base64 would spell - and _
    event = ImageEvent(seq=1, t=0.0, step=0, key="k", width=1, height=1, data=data)
    raw = json.loads(event.model_dump_json())
    assert base64.b64decode(raw["data"], validate=True) == data
    assert raw["format"] == "png" and raw["type"] == "image"
    assert EVENT_ADAPTER.validate_json(event.model_dump_json()).data == data


def test_bad_events_are_refused():
    with pytest.raises(ValidationError):
        EVENT_ADAPTER.validate_python({"seq": 1, "t": 0.0, "type": "status", "status": "exploded"})
    with pytest.raises(ValidationError):
        EVENT_ADAPTER.validate_python({"seq": 1, "t": 0.0, "type": "video"})
    with pytest.raises(ValueError, match="one more edge"):
        EventStream(ListSink()).histogram(step=0, key="h", edges=[0.0, 1.0], counts=[1, 2])


def test_the_event_schema_names_every_type():
    schema = event_json_schema()
    mapping = schema["discriminator"]["mapping"]
    assert set(mapping) == {"status", "metrics", "image", "histogram", "table", "log", "checkpoint"}
    image = schema["$defs"]["ImageEvent"]["properties"]["data"]
    assert image["contentEncoding"] == "base64"
    json.dumps(schema)  # plain JSON, for `playground schema --events`
