"""The worker side: the Celery task that trains one run and the control object backed by the Run row.

A worker is `celery -A playground worker -Q <queue> -c 1` with PLAYGROUND_SLOT_QUEUE=<queue> (and
PLAYGROUND_SLOT_GPU=<i>, CUDA_VISIBLE_DEVICES=<i> for a GPU). Its parent process registers and heartbeats the slot
(playground/celery.py) and never initialises CUDA; each job runs in a fresh child (worker_max_tasks_per_child=1),
which frees all GPU memory when it exits. The task touches the database only through playground.runs.services,
and the engine never knows it runs inside Celery."""

from __future__ import annotations

import logging
import os
import threading
import time

from celery import shared_task
from django.conf import settings
from django.db import close_old_connections, connection

from playground.runs import services
from playground.runs.sinks import RunEventSink
from trainer.graph.spec import RunSpec
from trainer.graph.validate import SpecError
from trainer.train.checkpoint import latest_checkpoint
from trainer.train.control import Control
from trainer.train.events import LogEvent, StatusEvent

log = logging.getLogger(__name__)


class DatabaseControl(Control):
    """Commands from the Run row's flags, read by a thread every CONTROL_POLL_S; the same reads heartbeat the
    run every HEARTBEAT_S. The engine's per-step `pending()` stays a flag check."""

    def __init__(self, run_id: int, attempt: int):
        super().__init__()
        self.run_id, self.attempt = run_id, attempt
        self.poll_s = settings.PLAYGROUND["CONTROL_POLL_S"]
        self.beat_s = settings.PLAYGROUND["HEARTBEAT_S"]
        self._stop = threading.Event()
        self._paused_seen = False
        self._thread = threading.Thread(target=self._loop, name=f"control-{run_id}", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        last_beat = 0.0
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                beat = now - last_beat >= self.beat_s
                try:
                    cancel, pause, lr, reason = services.control_flags(self.run_id, self.attempt, beat=beat)
                except Exception:
                    log.exception("run %s: reading its control flags failed", self.run_id)
                    close_old_connections()
                else:
                    if beat:
                        last_beat = now
                    self.apply(cancel, pause, lr, reason)
                self._stop.wait(self.poll_s)
        finally:
            connection.close()

    def apply(self, cancel: bool, pause: bool, lr: float | None, reason: str | None) -> None:
        if lr is not None:
            try:
                self.set_lr(lr)
            except ValueError:
                log.warning("run %s: ignoring learning rate %r", self.run_id, lr)
        if cancel:
            self.cancel(reason or "cancelled")
        elif pause and not self._paused_seen:
            self.pause()
        elif not pause and self._paused_seen:
            self.resume()
        self._paused_seen = pause

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


@shared_task(name="playground.train_run", acks_late=True, ignore_result=True)
def train_run(run_id: int, slot_id: int) -> str:
    """Train one run on this worker's slot. Every outcome ends in a status on the row; nothing raises."""
    close_old_connections()
    run = services.start_run(run_id, slot_id)
    if run is None:
        return "skipped"
    attempt = run.attempts
    sink = RunEventSink(run_id, attempt)
    seq = run.last_seq
    status: str = "failed"
    message: str | None = "the job ended unexpectedly"
    control: DatabaseControl | None = None
    try:
        resolved, issues = services.resolve_init_from(run.owner_id, RunSpec.model_validate(run.spec))
        if resolved is None:  # "run:<id>" names that run's latest checkpoint; it must still be there
            raise SpecError(issues)
        spec = resolved
        if spec.checkpoint_every_steps is None:
            spec = spec.model_copy(update={"checkpoint_every_steps": settings.PLAYGROUND["CHECKPOINT_EVERY_STEPS"]})
        checkpoint_dir = run.checkpoint_dir
        resume = checkpoint_dir if attempt > 1 and latest_checkpoint(checkpoint_dir) else None
        if attempt > 1:
            seq += 1
            where = "its last checkpoint" if resume else "the start (no checkpoint was written)"
            sink.emit(LogEvent(seq=seq, t=time.time(), level="warning",
                               message=f"attempt {attempt}: the previous worker stopped answering; resuming from "
                                       f"{where} on {os.environ.get('PLAYGROUND_SLOT_QUEUE', 'this worker')}"))
        control = DatabaseControl(run_id, attempt)
        from trainer.train.engine import fit

        def progress(step: int, total: int) -> None:
            sink.progress = (step, total)

        result = fit(spec, sink=sink, control=control, checkpoint_dir=checkpoint_dir, resume_from=resume,
                     start_seq=seq, on_progress=progress)
        status, message = result.status, result.message
    except SpecError as exc:
        message = "the stored spec is no longer valid: " + "; ".join(i.message for i in exc.issues)
        sink.emit(StatusEvent(seq=seq + 1, t=time.time(), status="failed", message=message))
    except Exception as exc:
        log.exception("run %s crashed", run_id)
        message = f"internal error: {type(exc).__name__}: {exc}"
    finally:
        if control is not None:
            control.stop()
        sink.close()
    services.finish_job(run_id, slot_id, attempt, status, message)
    connection.close()
    return status
