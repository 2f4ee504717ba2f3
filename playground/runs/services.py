"""Every transition of a Run, in one place. Views, consumers, the scheduler and worker tasks call these; nothing
else writes a Run's status. Each transition is a conditional UPDATE, so two callers racing (a cancel arriving
while the worker finishes) cannot both win."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from playground.runs.models import Checkpoint, Run, RunEvent, WorkerSlot
from trainer.catalog import Issue
from trainer.graph.spec import RunSpec
from trainer.graph.validate import validate
from trainer.train.checkpoint import latest_checkpoint
from trainer.train.transfer import WEB_FORM

S = Run.Status


class RunError(Exception):
    """A request that does not fit the run's state, e.g. resuming a finished run. Maps to HTTP 409."""


def create_run(owner: Any, spec: RunSpec) -> tuple[Run | None, list[Issue]]:
    """Validate and store a new queued run; an invalid spec stores nothing and returns its issues. The spec is
    stored as the user wrote it (`init_from: "run:<id>"` stays so; the job resolves it again)."""
    resolved, issues = resolve_init_from(owner.pk, spec)
    if resolved is None:
        return None, issues
    report = validate(resolved)
    if not report.ok:
        return None, report.issues
    run = Run.objects.create(owner=owner, name=spec.name or "", spec=spec.model_dump(mode="json", exclude_none=True))
    return run, []


def resolve_init_from(owner_id: int, spec: RunSpec) -> tuple[RunSpec | None, list[Issue]]:
    """Transfer learning from a run of the web app: `init_from.checkpoint = "run:<id>"` becomes that run's latest
    checkpoint file. Only the owner's runs can be named; a run without a checkpoint is an issue too."""
    init = spec.init_from
    if init is None or not init.checkpoint.startswith(WEB_FORM):
        return spec, []
    ref = init.checkpoint.removeprefix(WEB_FORM).strip()
    run = Run.objects.filter(owner_id=owner_id, pk=int(ref)).first() if ref.isdigit() else None
    path = latest_checkpoint(run.checkpoint_dir) if run is not None else None
    if path is None:
        why = f"you have no run {ref}" if run is None else f"run {ref} has no checkpoint yet (it is {run.status})"
        issue = Issue(type="bad_checkpoint", field="init_from.checkpoint", message=f"init_from: {why}")
        return None, [issue]
    return spec.model_copy(update={"init_from": init.model_copy(update={"checkpoint": str(path)})}), []


def runs_of(user: Any):
    """The runs a user may see: their own (another user's run answers 404 everywhere)."""
    return Run.objects.filter(owner=user)


def request_cancel(run: Run) -> Run:
    """A queued run is cancelled at once; a running or paused one when its job next polls (within ~0.25 s)."""
    if Run.objects.filter(pk=run.pk, status=S.QUEUED, slot__isnull=True).update(
        status=S.CANCELLED, cancel_requested=True, finished_at=timezone.now(), message="cancelled before it started"
    ):
        return _reload(run)
    if not Run.objects.filter(pk=run.pk, status__in=Run.ACTIVE).update(cancel_requested=True):
        raise RunError(f"run {run.pk} has already ended ({_reload(run).status})")
    return _reload(run)


def request_pause(run: Run) -> Run:
    if not Run.objects.filter(pk=run.pk, status__in=Run.ACTIVE).update(pause_requested=True):
        raise RunError(f"run {run.pk} has already ended ({_reload(run).status})")
    return _reload(run)


def request_resume(run: Run) -> Run:
    if not Run.objects.filter(pk=run.pk, status__in=Run.ACTIVE).update(pause_requested=False):
        raise RunError(f"run {run.pk} has already ended ({_reload(run).status})")
    return _reload(run)


def request_lr(run: Run, lr: float) -> Run:
    if not lr > 0:
        raise RunError(f"learning rate must be > 0, got {lr}")
    if not Run.objects.filter(pk=run.pk, status__in=Run.ACTIVE).update(lr_request=lr):
        raise RunError(f"run {run.pk} has already ended ({_reload(run).status})")
    return _reload(run)


# ----- worker side ---------------------------------------------------------------------------------------------
def start_run(run_id: int, slot_id: int) -> Run | None:
    """The job begins on the slot the scheduler chose; None when it must not run (cancelled meanwhile, or sent
    twice: only the job for the run's current slot and state starts it)."""
    now = timezone.now()
    with transaction.atomic():
        updated = Run.objects.filter(pk=run_id, status=S.QUEUED, slot_id=slot_id, cancel_requested=False).update(
            status=S.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1
        )
        if not updated:
            if Run.objects.filter(pk=run_id, status=S.QUEUED, slot_id=slot_id, cancel_requested=True).update(
                status=S.CANCELLED, finished_at=now, message="cancelled before it started", slot=None
            ):
                WorkerSlot.objects.filter(pk=slot_id, run_id=run_id).update(run=None)
            return None
    return Run.objects.get(pk=run_id)


def control_flags(run_id: int, attempt: int, *, beat: bool = True) -> tuple[bool, bool, float | None, str | None]:
    """(cancel, pause, new learning rate, reason) for the job, which also heartbeats the run by asking. A new
    learning rate is handed over once. A job whose run was given to another attempt (the scheduler thought its
    worker dead) is told to stop."""
    now = timezone.now()
    with transaction.atomic():
        row = Run.objects.filter(pk=run_id).values("cancel_requested", "pause_requested", "lr_request", "attempts",
                                                   "status").first()
        if row is None:
            return True, False, None, "the run was deleted"
        if row["attempts"] != attempt or row["status"] in Run.ENDED:
            return True, False, None, "superseded: the run was handed to another worker"
        fields: dict[str, Any] = {"heartbeat_at": now} if beat else {}
        if row["lr_request"] is not None:
            fields["lr_request"] = None
        if fields:
            Run.objects.filter(pk=run_id, attempts=attempt).update(**fields)
    reason = "cancelled by the user" if row["cancel_requested"] else None
    return row["cancel_requested"], row["pause_requested"], row["lr_request"], reason


def set_status_from_event(run_id: int, attempt: int, status: str, message: str | None, step: int | None) -> None:
    """Mirror the engine's status events onto the row; an ended run is never revived, and only the current
    attempt writes."""
    fields: dict[str, Any] = {"status": status, "heartbeat_at": timezone.now()}
    if message:
        fields["message"] = message
    if step is not None:
        fields["step"] = step
    if status in Run.ENDED:
        fields["finished_at"] = timezone.now()
        fields["slot"] = None
    Run.objects.filter(pk=run_id, attempts=attempt).exclude(status__in=Run.ENDED).update(**fields)


def store_events(run_id: int, rows: list[RunEvent], *, step: int | None, total_steps: int | None,
                 lr: float | None) -> None:
    """Persist a batch of events (ignoring seqs already stored: a resumed job may repeat a few)."""
    if not rows:
        return
    with transaction.atomic():  # one write transaction per batch (SQLite: one lock and one WAL commit)
        _store_events(run_id, rows, step=step, total_steps=total_steps, lr=lr)


def _store_events(run_id: int, rows: list[RunEvent], *, step: int | None, total_steps: int | None,
                  lr: float | None) -> None:
    RunEvent.objects.bulk_create(rows, ignore_conflicts=True)
    last = max(r.seq for r in rows)
    fields: dict[str, Any] = {"last_seq": last}
    if step is not None:
        fields["step"] = step
    if total_steps is not None:
        fields["total_steps"] = total_steps
    if lr is not None:
        fields["lr"] = lr
    Run.objects.filter(pk=run_id, last_seq__lt=last).update(**fields)


def record_checkpoint(run_id: int, step: int, path: str) -> None:
    Checkpoint.objects.create(run_id=run_id, step=step, path=path)


def finish_job(run_id: int, slot_id: int, attempt: int, status: str, message: str | None) -> None:
    """The job is over: the row gets the engine's final status (if no status event carried it) and the slot is
    free again."""
    set_status_from_event(run_id, attempt, status, message, None)
    Run.objects.filter(pk=run_id, slot_id=slot_id, status__in=Run.ENDED).update(slot=None)
    WorkerSlot.objects.filter(pk=slot_id, run_id=run_id).update(run=None)


def fail_run(run_id: int, message: str) -> None:
    Run.objects.filter(pk=run_id).exclude(status__in=Run.ENDED).update(
        status=S.FAILED, message=message, finished_at=timezone.now(), slot=None
    )
    WorkerSlot.objects.filter(run_id=run_id).update(run=None)


def heartbeat_slot(queue: str, hostname: str, gpu: int | None) -> WorkerSlot:
    """A worker says it is alive (and registers its slot the first time)."""
    slot, _ = WorkerSlot.objects.update_or_create(
        queue=queue, defaults={"hostname": hostname, "gpu": gpu, "heartbeat_at": timezone.now()}
    )
    return slot


def _reload(run: Run) -> Run:
    run.refresh_from_db()
    return run
