"""The scheduler: the database, not the broker, decides which run goes where.

`schedule()` pairs queued runs (highest priority, then oldest) with free, live worker slots, records the pairing,
and only then sends the Celery task to that slot's own queue. `reap()` finds what died: a run whose job stopped
heartbeating goes back to the queue (it resumes from its last checkpoint) or fails with a message after
MAX_ATTEMPTS; a run sent to a slot that never started it is sent again. `manage.py scheduler` calls both twice a
second; the API also calls `schedule()` right after a submit so that an idle worker starts at once.

Claims are conditional UPDATEs (a slot is taken only where `run IS NULL`), so two schedulers, or the scheduler
and a reaper, cannot hand one slot two runs; on PostgreSQL the candidate rows are also read with
SELECT … FOR UPDATE SKIP LOCKED so concurrent schedulers don't wait on each other."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from playground.runs.models import Checkpoint, Run, WorkerSlot

log = logging.getLogger(__name__)
S = Run.Status


@dataclass(frozen=True)
class Assignment:
    run_id: int
    slot_id: int
    queue: str


def _timeout() -> timedelta:
    return timedelta(seconds=settings.PLAYGROUND["HEARTBEAT_TIMEOUT_S"])


def free_slots() -> list[WorkerSlot]:
    """Enabled slots whose worker heartbeats and that hold no run."""
    cutoff = timezone.now() - _timeout()
    return list(WorkerSlot.objects.filter(enabled=True, run__isnull=True, heartbeat_at__gte=cutoff).order_by("queue"))


def assign() -> list[Assignment]:
    """Pair queued runs with free slots in the database; returns what to send."""
    out: list[Assignment] = []
    cutoff = timezone.now() - _timeout()
    with transaction.atomic():
        slots = list(
            WorkerSlot.objects.select_for_update(skip_locked=True)
            .filter(enabled=True, run__isnull=True, heartbeat_at__gte=cutoff)
            .order_by("queue")
        )
        if not slots:
            return out
        runs = list(
            Run.objects.select_for_update(skip_locked=True)
            .filter(status=S.QUEUED, slot__isnull=True, cancel_requested=False)
            .order_by("-priority", "created_at")[: len(slots)]
        )
        now = timezone.now()
        for run, slot in zip(runs, slots, strict=False):
            if not WorkerSlot.objects.filter(pk=slot.pk, run__isnull=True).update(run=run):
                continue  # another scheduler took the slot
            if not Run.objects.filter(pk=run.pk, status=S.QUEUED, slot__isnull=True).update(slot=slot,
                                                                                           assigned_at=now):
                WorkerSlot.objects.filter(pk=slot.pk, run=run).update(run=None)
                continue
            out.append(Assignment(run.pk, slot.pk, slot.queue))
    return out


def unassign(a: Assignment, why: str) -> None:
    """Undo a pairing whose task could not be sent; the run waits for the next round."""
    log.warning("could not send run %s to %s: %s", a.run_id, a.queue, why)
    with transaction.atomic():
        Run.objects.filter(pk=a.run_id, status=S.QUEUED, slot_id=a.slot_id).update(slot=None, assigned_at=None)
        WorkerSlot.objects.filter(pk=a.slot_id, run_id=a.run_id).update(run=None)


def send(a: Assignment) -> bool:
    from playground.runs.tasks import train_run

    try:
        train_run.apply_async(args=[a.run_id, a.slot_id], queue=a.queue, retry=False)
    except Exception as exc:  # noqa: BLE001 — the broker is down: the run stays queued, nothing is lost
        unassign(a, f"{type(exc).__name__}: {exc}")
        return False
    return True


def schedule() -> list[Assignment]:
    """Assign and send; returns the assignments that were sent."""
    return [a for a in assign() if send(a)]


def reap() -> list[str]:
    """Deal with jobs that stopped answering; returns a line per run it touched (for the scheduler's log)."""
    done: list[str] = []
    cutoff = timezone.now() - _timeout()
    max_attempts = settings.PLAYGROUND["MAX_ATTEMPTS"]
    stale = Run.objects.filter(status__in=(S.RUNNING, S.PAUSED)).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    for run in stale:
        slot_name = run.slot.queue if run.slot else "its worker"
        checkpoint = Checkpoint.objects.filter(run=run).order_by("-step").first()
        if run.cancel_requested:
            status, message = S.CANCELLED, f"cancelled; {slot_name} stopped answering before it confirmed"
        elif run.attempts >= max_attempts:
            status, message = S.FAILED, (
                f"{slot_name} stopped answering at step {run.step} (attempt {run.attempts} of {max_attempts}); "
                "giving up. The events up to then are kept."
            )
        else:
            status = S.QUEUED
            where = f"its last checkpoint (step {checkpoint.step})" if checkpoint else "the start (no checkpoint yet)"
            message = f"{slot_name} stopped answering at step {run.step}; it will resume from {where}"
        fields: dict = {"status": status, "message": message, "slot": None, "assigned_at": None}
        if status != S.QUEUED:
            fields["finished_at"] = timezone.now()
        with transaction.atomic():
            updated = Run.objects.filter(pk=run.pk, status=run.status, attempts=run.attempts).filter(
                Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True)
            ).update(**fields)
            if updated:
                WorkerSlot.objects.filter(run_id=run.pk).update(run=None)
        if updated:
            log.warning("run %s: %s", run.pk, message)
            done.append(f"run {run.pk}: {message}")
    # Sent but never started (the task message was lost, e.g. Redis restarted): send it again.
    lost = Run.objects.filter(status=S.QUEUED, slot__isnull=False, assigned_at__lt=cutoff)
    for run in lost:
        with transaction.atomic():
            if run.cancel_requested:
                Run.objects.filter(pk=run.pk, status=S.QUEUED).update(
                    status=S.CANCELLED, slot=None, finished_at=timezone.now(), message="cancelled before it started"
                )
            else:
                Run.objects.filter(pk=run.pk, status=S.QUEUED, slot_id=run.slot_id).update(slot=None,
                                                                                          assigned_at=None)
            WorkerSlot.objects.filter(run_id=run.pk).update(run=None)
        done.append(f"run {run.pk}: sent to {run.slot_id} but never started; queued again")
    # A slot that points at a run which is no longer active (a job ended without clearing it) is free.
    WorkerSlot.objects.filter(run__status__in=Run.ENDED).update(run=None)
    return done
