"""The truth about runs: Run (lifecycle and control flags), RunEvent (the event history), Checkpoint,
WorkerSlot (one per GPU or CPU worker, with its heartbeat) and ApiToken (Bearer authentication)."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class Run(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        PAUSED = "paused"
        FINISHED = "finished"
        FAILED = "failed"
        CANCELLED = "cancelled"

    ACTIVE = (Status.QUEUED, Status.RUNNING, Status.PAUSED)
    ENDED = (Status.FINISHED, Status.FAILED, Status.CANCELLED)

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="runs")
    name = models.CharField(max_length=200, blank=True)
    spec = models.JSONField()  # a RunSpec as JSON, validated before it is stored
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    message = models.TextField(blank=True)  # why it failed or stopped, for the user
    priority = models.IntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # Commands for the engine: flags a running job polls (DESIGN: cancel and pause are database flags).
    cancel_requested = models.BooleanField(default=False)
    pause_requested = models.BooleanField(default=False)
    lr_request = models.FloatField(null=True, blank=True)  # a new learning rate, taken once by the job
    lr = models.FloatField(null=True, blank=True)  # the learning rate last reported by the job

    slot = models.ForeignKey("WorkerSlot", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(null=True, blank=True)  # when the scheduler sent it to `slot`
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # the job's own heartbeat while it runs
    attempts = models.IntegerField(default=0)  # times a worker started it (resumes after a worker died count)
    step = models.IntegerField(default=0)
    total_steps = models.IntegerField(null=True, blank=True)
    last_seq = models.IntegerField(default=0)  # the last event stored

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "priority", "created_at"])]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.status})"

    @property
    def checkpoint_dir(self) -> str:
        # The creation time makes it unique even when a fresh database numbers runs from 1 again.
        return str(settings.PLAYGROUND["CHECKPOINT_DIR"] / f"run-{self.pk}-{self.created_at:%Y%m%dT%H%M%S%f}")


class RunEvent(models.Model):
    """One event of a run's stream, stored as the engine emitted it; images keep their PNG bytes apart."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="events")
    seq = models.IntegerField()
    type = models.CharField(max_length=16)
    data: Any = models.JSONField()  # the event's JSON without the image bytes
    image = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["run", "seq"], name="unique_run_seq")]


class Checkpoint(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="checkpoints")
    step = models.IntegerField()
    path = models.CharField(max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-step"]


class WorkerSlot(models.Model):
    """One Celery worker that runs one job at a time, listening on its own queue (gpu0, gpu1, cpu0…)."""

    queue = models.CharField(max_length=100, unique=True)
    hostname = models.CharField(max_length=200, blank=True)
    gpu = models.IntegerField(null=True, blank=True)  # CUDA_VISIBLE_DEVICES index; None for a CPU worker
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return self.queue


def new_token_key() -> str:
    return secrets.token_urlsafe(32)


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key = models.CharField(max_length=64, unique=True, default=new_token_key)
    created_at = models.DateTimeField(default=timezone.now)


class SavedGraph(models.Model):
    """A user's saved editor graph (a RunSpec as JSON, possibly not yet valid)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="graphs")
    name = models.CharField(max_length=200)
    spec = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
