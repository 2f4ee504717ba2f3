"""How an event travels: stored as a RunEvent row, published on the channel layer, sent as a websocket frame.

Everything but images is a text frame holding the event's JSON (the fields of the CLI's JSON Lines). An image is a
binary frame: a 4-byte big-endian length L, L bytes of JSON header (the image event without `data`), then the
PNG bytes — no base64 on the hot path."""

from __future__ import annotations

import base64
import json
import struct
from typing import Any, TypedDict

from trainer.train.events import Event


class Frame(TypedDict, total=False):
    """One event ready for the websocket: exactly one of `text` and `binary` is set."""

    seq: int
    text: str
    binary: bytes


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"), allow_nan=False)


def row_fields(event: Event) -> dict[str, Any]:
    """The RunEvent columns for an event: `data` is its JSON without image bytes, `image` the PNG."""
    if event.type == "image":
        return {"seq": event.seq, "type": event.type, "data": event.model_dump(mode="json", exclude={"data"}),
                "image": event.data}
    return {"seq": event.seq, "type": event.type, "data": event.model_dump(mode="json"), "image": None}


def frame(data: dict[str, Any], image: bytes | None) -> Frame:
    """The websocket frame for a stored or live event."""
    if image is None:
        return {"seq": data["seq"], "text": _dumps(data)}
    header = _dumps(data).encode()
    return {"seq": data["seq"], "binary": struct.pack(">I", len(header)) + header + bytes(image)}


def as_json(data: dict[str, Any], image: bytes | None) -> dict[str, Any]:
    """The event as the CLI writes it (images' `data` is base64 PNG): what `GET /api/runs/{id}/events` answers."""
    if image is None:
        return data
    return {**data, "data": base64.b64encode(bytes(image)).decode("ascii")}


def parse_binary(payload: bytes) -> tuple[dict[str, Any], bytes]:
    """The inverse of `frame` for a binary frame (for tests and the stream benchmark)."""
    (length,) = struct.unpack(">I", payload[:4])
    return json.loads(payload[4 : 4 + length]), payload[4 + length :]
