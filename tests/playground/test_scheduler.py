"""The scheduler's pairing and reaping, including schedulers racing each other. Runs on the configured database;
test_scheduler_postgres.py runs this module again on PostgreSQL, where SKIP LOCKED matters."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from playground.runs import scheduler, services
from playground.runs.models import Checkpoint, Run, WorkerSlot
from tests.conftest import mlp_spec
from tests.web import ROOT, WORKER_QUEUE, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _only_this_tests_slots() -> None:
    """The session's real worker (started by other tests) heartbeats its slot into every test's tables: keep it
    out of these pairings. Its heartbeat never re-enables a slot."""
    WorkerSlot.objects.update_or_create(queue=WORKER_QUEUE, defaults={"enabled": False})


@pytest.fixture
def owner() -> Any:
    return make_user("sched")


def slot(queue: str, *, age_s: float = 0, enabled: bool = True) -> WorkerSlot:
    return WorkerSlot.objects.create(queue=queue, enabled=enabled,
                                     heartbeat_at=timezone.now() - timedelta(seconds=age_s))


def test_pairs_by_priority_then_age_and_skips_dead_or_disabled_slots(owner: Any) -> None:
    old = Run.objects.create(owner=owner, spec=mlp_spec(), created_at=timezone.now() - timedelta(minutes=5))
    new = Run.objects.create(owner=owner, spec=mlp_spec())
    urgent = Run.objects.create(owner=owner, spec=mlp_spec(), priority=5)
    live = slot("cpu0")
    slot("dead", age_s=60)
    slot("off", enabled=False)
    first = scheduler.assign()
    assert [(a.run_id, a.queue) for a in first] == [(urgent.pk, "cpu0")]
    live.refresh_from_db()
    assert live.run_id == urgent.pk
    assert scheduler.assign() == []  # the only live slot is busy
    WorkerSlot.objects.filter(pk=live.pk).update(run=None)
    Run.objects.filter(pk=urgent.pk).update(status=Run.Status.FINISHED, slot=None)
    assert [a.run_id for a in scheduler.assign()] == [old.pk]
    assert Run.objects.get(pk=new.pk).slot is None


def test_racing_schedulers_never_give_a_slot_two_runs(owner: Any) -> None:
    runs = [Run.objects.create(owner=owner, spec=mlp_spec()) for _ in range(12)]
    for i in range(4):
        slot(f"cpu{i}")
    results: list[list[scheduler.Assignment]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def race() -> None:
        try:
            barrier.wait()
            results.append(scheduler.assign())
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=race) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assigned = [a for r in results for a in r]
    assert len(assigned) == 4
    assert len({a.slot_id for a in assigned}) == 4 and len({a.run_id for a in assigned}) == 4
    for a in assigned:
        assert Run.objects.get(pk=a.run_id).slot_id == a.slot_id
        assert WorkerSlot.objects.get(pk=a.slot_id).run_id == a.run_id
    assert Run.objects.filter(slot__isnull=False).count() == 4
    assert len(runs) == 12


def test_reap_requeues_a_silent_run_then_fails_it_after_max_attempts(owner: Any, settings: Any) -> None:
    settings.PLAYGROUND = {**settings.PLAYGROUND, "MAX_ATTEMPTS": 2}
    s = slot("cpu0")
    run = Run.objects.create(owner=owner, spec=mlp_spec(), status=Run.Status.RUNNING, slot=s, attempts=1, step=40,
                             heartbeat_at=timezone.now() - timedelta(minutes=1))
    WorkerSlot.objects.filter(pk=s.pk).update(run=run)
    Checkpoint.objects.create(run=run, step=25, path="/x")
    lines = scheduler.reap()
    run.refresh_from_db()
    assert run.status == "queued" and run.slot is None
    assert "stopped answering at step 40" in run.message and "checkpoint (step 25)" in run.message
    assert WorkerSlot.objects.get(pk=s.pk).run is None and len(lines) == 1

    assignment = scheduler.assign()[0]
    started = services.start_run(run.pk, assignment.slot_id)
    assert started is not None and started.attempts == 2
    Run.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=1))
    scheduler.reap()
    run.refresh_from_db()
    assert run.status == "failed" and "giving up" in run.message


def test_reap_leaves_a_heartbeating_run_alone_and_resends_a_lost_assignment(owner: Any) -> None:
    s = slot("cpu0")
    alive = Run.objects.create(owner=owner, spec=mlp_spec(), status=Run.Status.RUNNING, slot=s, attempts=1,
                               heartbeat_at=timezone.now())
    lost = Run.objects.create(owner=owner, spec=mlp_spec(), slot=slot("cpu1"),
                              assigned_at=timezone.now() - timedelta(minutes=2))
    scheduler.reap()
    alive.refresh_from_db()
    lost.refresh_from_db()
    assert alive.status == "running" and alive.slot_id == s.pk
    assert lost.status == "queued" and lost.slot is None


def test_a_stale_job_is_told_to_stop(owner: Any) -> None:
    run = Run.objects.create(owner=owner, spec=mlp_spec(), status=Run.Status.RUNNING, attempts=2)
    cancel, _, _, reason = services.control_flags(run.pk, attempt=1)
    assert cancel and reason and "superseded" in reason
    cancel, _, _, _ = services.control_flags(run.pk, attempt=2)
    assert not cancel


def _postgres_url() -> str | None:
    url = os.environ.get("PLAYGROUND_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/test")
    try:
        import psycopg

        psycopg.connect(url.replace("postgres://", "postgresql://", 1), connect_timeout=2).close()
    except Exception:  # noqa: BLE001 — no PostgreSQL here: the test says so and skips
        return None
    return url


@pytest.mark.skipif(connection.vendor == "postgresql", reason="already running on PostgreSQL")
def test_the_scheduler_tests_pass_on_postgresql() -> None:
    """Runs this module again against PostgreSQL (PLAYGROUND_TEST_POSTGRES, default the local server)."""
    url = _postgres_url()
    if url is None:
        pytest.skip("no PostgreSQL answers at PLAYGROUND_TEST_POSTGRES (default postgres://postgres@127.0.0.1/test)")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__,
                           "-k", "not on_postgresql", "--create-db"],
                          cwd=ROOT, env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "5 passed" in done.stdout, done.stdout[-2000:]
