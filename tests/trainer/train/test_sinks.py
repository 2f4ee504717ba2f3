"""Sinks: JSON Lines round-trips every event type and is readable live; list, tee and null sinks."""

from __future__ import annotations

import io
import math

import pytest

from trainer.train.events import EventStream
from trainer.train.sinks import JsonlSink, ListSink, NullSink, TeeSink, read_jsonl


def emit_one_of_each(stream: EventStream) -> None:
    stream.status("queued")
    stream.status("failed", message="the loss became nan at step 12: try a lower learning rate", step=12)
    stream.metrics(step=12, epoch=1.5, values={"train/loss": math.nan, "val/loss": 0.25, "val/auc/cat": 0.9})
    stream.image(
        step=12,
        key="boundary/model",
        png=b"\x89PNG\r\n\x1a\n\x00\xff",
        width=4,
        height=2,
        meta={"bounds": {"x": [-1.0, 1.0]}, "tiles": 3},
    )
    stream.histogram(step=12, key="weights/dense1", edges=[-1.0, 0.0, 1.0], counts=[2, 5])
    stream.table(step=12, key="roc/cat", columns=["fpr", "tpr"], rows=[[0.0, 0.0], [0.5, 0.75], [1.0, 1.0]])
    stream.log("error", "could not write the final checkpoint")
    stream.checkpoint(12, "runs/x/step-12.pt")


def test_every_event_type_round_trips_through_json_lines(tmp_path):
    path = tmp_path / "events.jsonl"
    kept = ListSink()
    stream = EventStream(TeeSink(JsonlSink(path), kept), clock=lambda: 5.0)
    emit_one_of_each(stream)
    stream.close()
    back = read_jsonl(path)
    assert [e.type for e in back] == ["status", "status", "metrics", "image", "histogram", "table", "log", "checkpoint"]
    assert math.isnan(back[2].values.pop("train/loss")) and math.isnan(kept.events[2].values.pop("train/loss"))
    assert back == kept.events  # same classes, same fields (the NaN compared apart: nan != nan)
    assert back[3].data == b"\x89PNG\r\n\x1a\n\x00\xff"
    assert back[1].message.startswith("the loss became nan")


def test_a_reader_sees_each_event_before_close(tmp_path):
    path = tmp_path / "live.jsonl"
    sink = JsonlSink(path)
    stream = EventStream(sink)
    stream.status("running", step=0)
    assert [e.status for e in read_jsonl(path)] == ["running"]
    stream.metrics(step=1, epoch=0.1, values={"train/loss": 1.0})
    assert [e.seq for e in read_jsonl(path)] == [1, 2]
    sink.close()


def test_append_continues_a_resumed_runs_file(tmp_path):
    path = tmp_path / "e.jsonl"
    first = EventStream(JsonlSink(path))
    first.status("running")
    first.close()
    second = EventStream(JsonlSink(path, append=True), start_seq=first.seq)
    second.status("finished")
    second.close()
    assert [e.seq for e in read_jsonl(path)] == [1, 2]


def test_a_stream_target_is_flushed_but_left_open():
    buffer = io.StringIO()
    stream = EventStream(JsonlSink(buffer))
    stream.log("info", "hello")
    stream.close()
    assert not buffer.closed
    assert buffer.getvalue().count("\n") == 1 and '"message":"hello"' in buffer.getvalue()


def test_read_jsonl_skips_a_half_written_last_line_and_names_a_bad_one(tmp_path):
    path = tmp_path / "e.jsonl"
    stream = EventStream(JsonlSink(path))
    stream.log("info", "one")
    stream.close()
    with path.open("a") as f:
        f.write('{"seq": 2, "t": 1.0, "type": "lo')  # a writer caught mid-line
    assert len(read_jsonl(path)) == 1
    path.write_text(path.read_text() + "\n")
    with pytest.raises(ValueError, match="line 2"):
        read_jsonl(path)


def test_tee_and_null_sinks():
    a, b = ListSink(), ListSink()
    stream = EventStream(TeeSink(a, NullSink(), b))
    stream.log("info", "x")
    stream.close()
    assert a.events == b.events and len(a.events) == 1
