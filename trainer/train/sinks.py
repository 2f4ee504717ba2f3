"""Where events go: the `Sink` protocol the engine emits to, and the sinks the library ships (JSON Lines for the
CLI, a list for tests and the Python API, nothing, several at once). The web worker supplies its own."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Protocol

from pydantic import ValidationError

from trainer.train.events import EVENT_ADAPTER, Event


class Sink(Protocol):
    def emit(self, event: Event) -> None:
        """Take one event; called by the engine at up to ~20 Hz, so keep it cheap."""

    def flush(self) -> None:
        """Make every event emitted so far visible to readers."""

    def close(self) -> None:
        """Release what the sink holds; no emit follows."""


class JsonlSink:
    """One JSON object per line, flushed per line so that a reader tailing the file sees events live.

    Takes a path (opened here, closed by `close`; `append=True` continues a resumed run's file) or an open text
    stream (flushed, never closed here)."""

    def __init__(self, target: str | Path | IO[str], *, append: bool = False):
        if isinstance(target, (str, Path)):
            self._file: IO[str] = open(target, "a" if append else "w", encoding="utf-8", buffering=1)
            self._owned = True
        else:
            self._file, self._owned = target, False

    def emit(self, event: Event) -> None:
        self._file.write(event.model_dump_json() + "\n")
        self._file.flush()

    def flush(self) -> None:
        if not self._file.closed:
            self._file.flush()

    def close(self) -> None:
        if self._owned:
            self._file.close()
        else:
            self.flush()


class ListSink:
    """Keeps every event in `.events`, in order."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def emit(self, event: Event) -> None:
        self.events.append(event)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


class NullSink:
    """Drops everything."""

    def emit(self, event: Event) -> None:
        pass

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


class TeeSink:
    """Fans each event out to several sinks, in the order given."""

    def __init__(self, *sinks: Sink):
        self.sinks = sinks

    def emit(self, event: Event) -> None:
        for sink in self.sinks:
            sink.emit(event)

    def flush(self) -> None:
        for sink in self.sinks:
            sink.flush()

    def close(self) -> None:
        for sink in self.sinks:
            sink.close()


def read_jsonl(path: str | Path) -> list[Event]:
    """Parse a JSON Lines event file back into typed events. A last line without its newline is a write still
    in progress (the reader is tailing a live run) and is left out; any other bad line raises ValueError."""
    text = Path(path).read_text(encoding="utf-8")
    lines = text.split("\n")[:-1]  # what follows the last newline is "" or a line still being written
    events: list[Event] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            events.append(EVENT_ADAPTER.validate_json(line))
        except ValidationError as exc:
            raise ValueError(f"{path}, line {number}: not an event: {exc.errors()[0]['msg']}") from None
    return events
