"""Real parts for the web tests (tests/playground and tests/e2e, one of each per session): a Redis server (the one
at REDIS_URL, else one started here), a Celery worker process on its own queue, and daphne serving the app, all on
the test database (a file, so that the worker and daphne open the same one)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
HEARTBEAT_S = 0.5
HEARTBEAT_TIMEOUT_S = 4.0
# Names private to this test session, so that two sessions on one Redis (a developer's run beside CI's, or two
# checkouts) never take each other's Celery tasks or websocket frames: the queue and the channel-layer prefix.
SESSION = f"test-{os.getpid()}"
WORKER_QUEUE = f"{SESSION}-cpu0"
CHANNEL_PREFIX = SESSION


def wait_for(predicate: Callable[[], Any], timeout: float, what: str | Callable[[], str],
             interval: float = 0.05) -> Any:
    """Poll until `predicate()` is truthy; fail naming `what` (or what `what()` says then) otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what() if callable(what) else what}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _use_redis(url: str) -> None:
    """Point the channel layer and Celery at `url` in this process."""
    from channels.layers import channel_layers

    from playground.celery import app

    settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] = [url]
    settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = CHANNEL_PREFIX
    settings.CELERY_BROKER_URL = url
    channel_layers.backends.clear()
    app.conf.broker_url = url


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from playground.redis_embed import ensure_redis

    wanted = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    url, embedded = ensure_redis(wanted, tmp_path_factory.mktemp("redis"))
    _use_redis(url)  # also when it is the configured one: the session's own channel prefix
    yield url
    if embedded is not None:
        embedded.stop()


@pytest.fixture(autouse=True)
def _fast_heartbeats(settings: Any) -> None:
    settings.PLAYGROUND = {**settings.PLAYGROUND, "HEARTBEAT_S": HEARTBEAT_S,
                           "HEARTBEAT_TIMEOUT_S": HEARTBEAT_TIMEOUT_S}


@pytest.fixture(autouse=True)
def _fresh_channel_layer() -> Iterator[None]:
    """Each test gets its own channel layer instance: a layer's connections belong to the event loop that made
    them, and tests run on different loops."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def database_url() -> str:
    """The test database as a DATABASE_URL for child processes (call after the test database exists)."""
    from django.db import connection

    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    auth = f"{s['USER']}:{s['PASSWORD']}@" if s.get("PASSWORD") else (f"{s['USER']}@" if s.get("USER") else "")
    return f"postgres://{auth}{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def child_env(redis: str, **extra: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": redis,
           "PLAYGROUND_HEARTBEAT_S": str(HEARTBEAT_S), "PLAYGROUND_HEARTBEAT_TIMEOUT_S": str(HEARTBEAT_TIMEOUT_S),
           "DJANGO_SETTINGS_MODULE": "playground.settings", "PYTHONUNBUFFERED": "1", "CUDA_VISIBLE_DEVICES": "",
           "PLAYGROUND_CHANNEL_PREFIX": CHANNEL_PREFIX}
    env.update(extra)
    return env


class Proc:
    """A child process in its own session, its output in a log file that failures print."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path):
        self.name, self.argv, self.env, self.log_path = name, argv, env, log
        self.popen: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        self.log = open(self.log_path, "ab")
        self.popen = subprocess.Popen(self.argv, env=self.env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                      start_new_session=True)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:]

    def children(self) -> list[int]:
        assert self.popen is not None
        out = subprocess.run(["pgrep", "-P", str(self.popen.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.popen is None:
            return
        try:
            os.killpg(self.popen.pid, sig)
            self.popen.wait(15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(5)
        self.popen = None
        self.log.close()


def start_worker(redis: str, log_dir: Path, queue: str = WORKER_QUEUE, **env: str) -> Proc:
    argv = [sys.executable, "-m", "celery", "-A", "playground", "worker", "-Q", queue, "-n", f"{queue}@%h",
            "-c", "1", "-l", "info", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    return Proc(f"worker {queue}", argv, child_env(redis, PLAYGROUND_SLOT_QUEUE=queue, **env),
                log_dir / f"worker-{queue}.log")


def slot_alive(queue: str = WORKER_QUEUE) -> bool:
    from datetime import timedelta

    from django.utils import timezone

    from playground.runs.models import WorkerSlot

    cutoff = timezone.now() - timedelta(seconds=HEARTBEAT_TIMEOUT_S)
    return WorkerSlot.objects.filter(queue=queue, heartbeat_at__gte=cutoff).exists()


@pytest.fixture(scope="session")
def worker(django_db_setup: Any, django_db_blocker: Any, redis_url: str,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proc]:
    """A real Celery worker (one CPU slot, queue test-cpu0), shared by the tests that train."""
    with django_db_blocker.unblock():
        proc = start_worker(redis_url, tmp_path_factory.mktemp("logs"), PLAYGROUND_CHECKPOINT_EVERY_STEPS="25")
    yield proc
    proc.stop()


@pytest.fixture
def live_worker(worker: Proc, transactional_db: Any) -> Proc:
    """The worker, with its slot registered in this test's (freshly flushed) tables."""
    assert worker.popen is not None and worker.popen.poll() is None, worker.output()
    wait_for(slot_alive, 30, f"the worker's heartbeat\n{worker.output()}")
    return worker


@pytest.fixture(scope="session")
def daphne_server(django_db_setup: Any, django_db_blocker: Any, redis_url: str,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served by daphne on a free port; yields its base URL."""
    port = free_port()
    with django_db_blocker.unblock():
        proc = Proc("daphne", [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                               "playground.asgi:application"], child_env(redis_url),
                    tmp_path_factory.mktemp("logs") / "daphne.log")

    def up() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return True
        except OSError:
            assert proc.popen is not None and proc.popen.poll() is None, proc.output()
            return False

    wait_for(up, 30, "daphne to listen")
    yield f"http://127.0.0.1:{port}"
    proc.stop()


def make_user(username: str, password: str = "pw-for-tests", **extra: Any) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username, password=password, **extra)
