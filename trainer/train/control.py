"""The control object: how a caller steers a running fit (cancel, pause, resume, change the learning rate).

The engine asks `pending()` once per step, so it must stay cheap; subclasses that read commands from elsewhere
(the web worker reads database flags) override `refresh()` and rate-limit it themselves."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Commands:
    """A snapshot of what the caller wants now."""

    cancelled: bool
    paused: bool
    lr: float | None  # a new learning rate, delivered once
    reason: str | None = None  # why it was cancelled, for the status message


class Control:
    """Thread-safe commands for a running fit; the CLI backs it with Ctrl-C, the web worker with the database."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Event()  # set whenever there is something for the engine to read
        self._cancelled = False
        self._paused = False
        self._lr: float | None = None
        self._reason: str | None = None

    def cancel(self, reason: str = "cancelled") -> None:
        with self._lock:
            self._cancelled, self._reason = True, reason
        self._wake.set()

    def pause(self) -> None:
        with self._lock:
            self._paused = True
        self._wake.set()

    def resume(self) -> None:
        with self._lock:
            self._paused = False
        self._wake.set()

    def set_lr(self, lr: float) -> None:
        if not lr > 0:
            raise ValueError(f"learning rate must be > 0, got {lr}")
        with self._lock:
            self._lr = float(lr)
        self._wake.set()

    def refresh(self) -> None:
        """Hook for subclasses: pull commands from outside (called from `pending`)."""

    def pending(self) -> bool:
        """Cheap check, once per training step: is there a command to read?"""
        self.refresh()
        return self._wake.is_set()

    def take(self) -> Commands:
        """Read the commands; a new learning rate is handed over once."""
        with self._lock:
            commands = Commands(self._cancelled, self._paused, self._lr, self._reason)
            self._lr = None
            if not (self._cancelled or self._paused):
                self._wake.clear()
        return commands

    def wait(self, timeout: float) -> None:
        """Sleep while paused until a command arrives or `timeout` seconds pass."""
        self._wake.clear()
        self.refresh()
        self._wake.wait(timeout)
