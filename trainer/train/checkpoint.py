"""Checkpoints: a plain dict with explicit keys, written atomically as `step_<N>.pt` beside a `latest` pointer."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

KEEP = 3  # checkpoints kept per run directory; older ones are removed


def save_checkpoint(directory: str | Path, state: dict[str, Any]) -> Path:
    """Write `state` (it must hold "step") and point `latest` at it; a crash mid-write leaves the last one intact."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"step_{state['step']:09d}.pt"
    tmp = path.with_suffix(".pt.tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)
    pointer = directory / "latest.tmp"
    pointer.write_text(path.name)
    os.replace(pointer, directory / "latest")
    for old in sorted(directory.glob("step_*.pt"))[:-KEEP]:
        old.unlink(missing_ok=True)
    return path


def latest_checkpoint(directory: str | Path) -> Path | None:
    """The newest checkpoint in `directory` (or the file itself), or None when there is none."""
    directory = Path(directory)
    if directory.is_file():
        return directory
    pointer = directory / "latest"
    if pointer.exists():
        path = directory / pointer.read_text().strip()
        if path.exists():
            return path
    found = sorted(directory.glob("step_*.pt"))
    return found[-1] if found else None


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Read a checkpoint onto the CPU. Raises FileNotFoundError or ValueError with a message naming the file."""
    path = Path(path)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as exc:  # noqa: BLE001 — a corrupt file is a user-facing error, not a crash
        raise ValueError(f"cannot read checkpoint {path}: {exc}") from None
    if not isinstance(state, dict) or "step" not in state or "model" not in state:
        raise ValueError(f"{path} is not a playground checkpoint (no step or model)")
    return state
