"""Faults injected into the real processes: a job killed with SIGKILL mid-run, Redis restarted mid-run."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from playground.runs.models import Checkpoint, Run, RunEvent
from tests.playground.test_worker import assert_gap_free, long_spec, run_of, submit
from tests.web import Proc, child_env, make_user, slot_alive, start_worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client() -> Client:
    c = Client()
    c.force_login(make_user("reliable"))
    return c


def start_scheduler(redis: str, logs: Path, **env: str) -> Proc:
    return Proc("scheduler", [sys.executable, "manage.py", "scheduler", "--interval", "0.2"],
                child_env(redis, **env), logs / "scheduler.log")


def kill_job(worker: Proc) -> None:
    """SIGKILL the pool process that runs the job (the worker's parent survives, as after an OOM kill)."""
    children = worker.children()
    assert children, worker.output()
    for pid in children:
        os.kill(pid, signal.SIGKILL)


def checkpointed(run_id: int, after_step: int = 0) -> bool:
    return Checkpoint.objects.filter(run_id=run_id, step__gt=after_step).exists()


def test_a_killed_job_resumes_from_its_checkpoint_then_fails_after_max_attempts(
        live_worker: Proc, client: Client, redis_url: str, tmp_path: Path) -> None:
    scheduler = start_scheduler(redis_url, tmp_path, PLAYGROUND_MAX_ATTEMPTS="2")
    try:
        run_id = submit(client, long_spec())
        wait_for(lambda: checkpointed(run_id), 30, f"a checkpoint\n{live_worker.output()}")
        kill_job(live_worker)
        wait_for(lambda: run_of(run_id).attempts == 2 and run_of(run_id).status == "running", 30,
                 f"the run to be resumed\n{scheduler.output()}\n{live_worker.output()}")
        resumed = wait_for(lambda: RunEvent.objects.filter(run_id=run_id, type="log",
                                                           data__message__icontains="attempt 2").first(),
                           5, "the resumed job's log line")
        assert "checkpoint" in resumed.data["message"]
        last_ckpt = Checkpoint.objects.filter(run_id=run_id).order_by("-step").first()
        assert last_ckpt is not None

        # The resumed job starts from the checkpoint's step, not from zero.
        def first_step_after_resume() -> int | None:
            row = RunEvent.objects.filter(run_id=run_id, type="metrics", seq__gt=resumed.seq).order_by("seq").first()
            return row.data["step"] if row else None

        step = wait_for(first_step_after_resume, 20, lambda: "a metric from the resumed job: " + str(
            list(RunEvent.objects.filter(run_id=run_id, seq__gte=resumed.seq - 3).values_list("seq", "type", "data")))
            + live_worker.output())
        assert step > 1, f"resumed job restarted from scratch (step {step})"
        assert_gap_free(run_id)

        # Killed again, at the last allowed attempt: failed, with a message saying why.
        wait_for(lambda: checkpointed(run_id, step), 30, "a checkpoint of the resumed job")
        kill_job(live_worker)
        wait_for(lambda: run_of(run_id).status == "failed", 30, f"the run to fail\n{scheduler.output()}")
        message = run_of(run_id).message
        assert "stopped answering" in message and "giving up" in message
        assert_gap_free(run_id)
        # The slot is free again and takes new work.
        wait_for(slot_alive, 10, "the worker's slot")
        other = submit(client, long_spec())
        wait_for(lambda: run_of(other).status == "running", 20, "the next run to start")
        client.post(f"/api/runs/{other}/cancel")
        wait_for(lambda: run_of(other).status == "cancelled", 5, "the cancel")
    finally:
        scheduler.stop()


def test_redis_restarted_mid_run_the_run_finishes_with_complete_events(
        django_db_setup: Any, transactional_db: Any, tmp_path: Path) -> None:
    """On a Redis of the test's own (restarted under the worker's feet), with its own worker."""
    from playground.redis_embed import EmbeddedRedis
    from playground.runs.models import WorkerSlot
    from tests.web import WORKER_QUEUE, _use_redis

    # The session's worker listens on the other Redis: keep the run off its slot.
    WorkerSlot.objects.update_or_create(queue=WORKER_QUEUE, defaults={"enabled": False})
    redis = EmbeddedRedis(tmp_path / "redis")
    worker = start_worker(redis.url, tmp_path, queue="test-restart", PLAYGROUND_CHECKPOINT_EVERY_STEPS="25")
    scheduler = start_scheduler(redis.url, tmp_path)
    from django.conf import settings

    old_url = settings.CELERY_BROKER_URL
    _use_redis(redis.url)
    try:
        wait_for(lambda: slot_alive("test-restart"), 30, f"the worker\n{worker.output()}")
        c = Client()
        c.force_login(make_user("restarter"))
        spec = long_spec(epochs=60)
        r = c.post("/api/runs", json.dumps(spec), content_type="application/json")
        assert r.status_code == 201, r.content
        run_id = r.json()["id"]
        wait_for(lambda: run_of(run_id).status == "running" and run_of(run_id).step > 20, 30,
                 f"the run to start\n{worker.output()}")
        redis.restart()
        assert run_of(run_id).status == "running", "the run ended before Redis went away: make it longer"
        wait_for(lambda: run_of(run_id).status in Run.ENDED, 120, f"the run to end\n{worker.output()}")
        run = run_of(run_id)
        assert run.status == "finished", (run.message, worker.output())
        assert_gap_free(run_id)
        final = RunEvent.objects.filter(run_id=run_id).order_by("-seq").first()
        assert final is not None and final.type == "status" and final.data["status"] == "finished"
        assert run.step == run.total_steps
    finally:
        _use_redis(old_url)
        scheduler.stop()
        worker.stop()
        redis.stop()
