"""`make run`'s orchestrator and the admin user: the process list, GPU counting, a supervisor with stub children
(Ctrl-C, SIGKILL escalation, a dying child), and a real start-up of the whole thing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from playground import devserver
from playground.devserver import admin_login, process_specs, visible_gpus
from tests.web import ROOT, free_port, wait_for


def test_one_cpu_worker_without_gpus() -> None:
    specs = {s.name: s for s in process_specs(0, "redis://127.0.0.1:6400/0", 8123, python="py")}
    assert set(specs) == {"worker-cpu0", "scheduler", "web"}
    worker = specs["worker-cpu0"]
    assert worker.env["PLAYGROUND_SLOT_QUEUE"] == "cpu0" and worker.env["CUDA_VISIBLE_DEVICES"] == ""
    assert worker.argv[:6] == ["py", "-m", "celery", "-A", "playground", "worker"]
    assert worker.argv[worker.argv.index("-Q") + 1] == "cpu0" and worker.argv[worker.argv.index("-c") + 1] == "1"
    assert worker.argv[worker.argv.index("-n") + 1] == "cpu0@%h"
    assert specs["scheduler"].argv == ["py", "manage.py", "scheduler"]
    assert specs["web"].argv == ["py", "-m", "daphne", "-b", "127.0.0.1", "-p", "8123", "playground.asgi:application"]
    assert all(s.env["REDIS_URL"] == "redis://127.0.0.1:6400/0" for s in specs.values())


def test_one_worker_per_gpu_pinned_to_it() -> None:
    workers = [s for s in process_specs(3, "redis://x:1/0", 8000) if s.name.startswith("worker")]
    assert [w.name for w in workers] == ["worker-gpu0", "worker-gpu1", "worker-gpu2"]
    for i, w in enumerate(workers):
        assert w.env["CUDA_VISIBLE_DEVICES"] == str(i) and w.env["PLAYGROUND_SLOT_GPU"] == str(i)
        assert w.argv[w.argv.index("-Q") + 1] == f"gpu{i}" == w.env["PLAYGROUND_SLOT_QUEUE"]
        assert w.argv[w.argv.index("-n") + 1] == f"gpu{i}@%h" and w.env["CUDA_DEVICE_ORDER"] == "PCI_BUS_ID"


def test_workers_on_the_gpus_the_user_was_given_keep_their_numbers() -> None:
    workers = [s for s in process_specs(["2", "5"], "redis://x:1/0", 8000) if s.name.startswith("worker")]
    assert [(w.name, w.env["CUDA_VISIBLE_DEVICES"], w.env["PLAYGROUND_SLOT_QUEUE"]) for w in workers] == [
        ("worker-gpu2", "2", "gpu2"), ("worker-gpu5", "5", "gpu5")]


def fake_nvidia_smi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gpus: int) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    lines = "".join(f"echo 'GPU {i}: NVIDIA Fake (UUID: GPU-{i:08d})'\n" for i in range(gpus))
    smi = bin_dir / "nvidia-smi"
    smi.write_text(f"#!/bin/sh\n{lines}")  # echo is a shell builtin: PATH holds only this folder
    smi.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))


def test_gpus_are_counted_with_nvidia_smi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_nvidia_smi(tmp_path, monkeypatch, 3)
    assert visible_gpus({}) == ["0", "1", "2"]
    assert visible_gpus({"CUDA_VISIBLE_DEVICES": "2,0"}) == ["2", "0"]
    assert visible_gpus({"CUDA_VISIBLE_DEVICES": "1,7,2"}) == ["1"]  # CUDA stops at the first unknown id
    assert visible_gpus({"CUDA_VISIBLE_DEVICES": ""}) == [] == visible_gpus({"CUDA_VISIBLE_DEVICES": "-1"})


def test_no_nvidia_smi_means_no_gpu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert visible_gpus({}) == []


def test_planning_the_processes_never_imports_torch() -> None:
    code = ("import sys; from playground import devserver; devserver.visible_gpus(); "
            "devserver.process_specs(devserver.visible_gpus(), 'redis://x:1/0', 8000); "
            "assert 'torch' not in sys.modules, 'torch was imported'")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_the_login_line_tells_the_password_once() -> None:
    assert admin_login("created the superuser admin; password: s3cret\n", {}) == "s3cret"
    assert admin_login("admin: exists, password unchanged\n", {"PLAYGROUND_ADMIN_PASSWORD": "x"}) == \
        "from PLAYGROUND_ADMIN_PASSWORD"
    assert admin_login("admin: exists, password unchanged\n", {}).startswith("unchanged, set earlier")


@pytest.mark.django_db
def test_ensure_admin_prints_a_generated_password_once(capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLAYGROUND_ADMIN_PASSWORD", raising=False)
    call_command("ensure_admin")
    out = capsys.readouterr().out
    password = out.split("password: ", 1)[1].strip()
    assert get_user_model().objects.get(username="admin").check_password(password)
    call_command("ensure_admin")
    assert "unchanged" in capsys.readouterr().out
    monkeypatch.setenv("PLAYGROUND_ADMIN_PASSWORD", "from the environment")
    call_command("ensure_admin")
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("from the environment")


# ----- the supervisor, with stub children -----------------------------------------------------------------------
STUBS = '''
import sys
from playground.devserver import ProcessSpec, Supervisor

py = sys.executable
talker = "import time; print('hello from the talker', flush=True); time.sleep(120)"
# A child that ignores SIGTERM, with a grandchild in its process group: both must go on SIGKILL.
stubborn = ("import signal, subprocess, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); "
            "print('stubborn ready', flush=True); time.sleep(120)")
dier = "import time; time.sleep(float(sys.argv[1])); print('dier gives up', flush=True); sys.exit(3)"
specs = [ProcessSpec("talker", [py, "-c", talker]), ProcessSpec("stubborn", [py, "-c", stubborn])]
if float(sys.argv[1]) > 0:
    specs.append(ProcessSpec("dier", [py, "-c", "import sys; " + dier, sys.argv[1]]))
supervisor = Supervisor(grace_s=1.0)
supervisor.install_signal_handlers()
try:
    for spec in specs:
        supervisor.start(spec)
    print("supervising", flush=True)
    reason = supervisor.watch(poll_s=0.05)
finally:
    supervisor.stop_all()
print(f"stopped: {reason}", flush=True)
sys.exit(1 if reason else 0)
'''


def run_stubs(tmp_path: Path, die_after_s: float) -> tuple[subprocess.Popen[bytes], Path]:
    log = tmp_path / "supervisor.log"
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(STUBS), str(die_after_s)], cwd=ROOT,
                            env={**os.environ, "PLAYGROUND_HOME": str(tmp_path)},
                            stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)
    return proc, log


def test_ctrl_c_stops_every_child_and_kills_the_stubborn_ones(tmp_path: Path) -> None:
    proc, log = run_stubs(tmp_path, 0)
    try:
        wait_for(lambda: "stubborn ready" in log.read_text() and "hello" in log.read_text(), 30,
                 lambda: f"the stub children\n{log.read_text()}")
        assert len(processes_with_home(tmp_path)) == 4, log.read_text()  # supervisor, 2 children, 1 grandchild
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        assert proc.wait(20) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    text = log.read_text()
    assert "talker     | hello from the talker" in text, text  # each line prefixed with its child's name
    assert "stubborn still running 1 s after SIGTERM: killing it" in text
    assert "stopped: None" in text
    wait_for(lambda: not processes_with_home(tmp_path), 5,
             lambda: f"every child to exit; still running: {processes_with_home(tmp_path)}")


def test_a_child_that_dies_is_named_and_stops_everything(tmp_path: Path) -> None:
    proc, log = run_stubs(tmp_path, 1.5)
    try:
        assert proc.wait(30) == 1, log.read_text()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    text = log.read_text()
    assert "dier       | dier gives up" in text and "stopped: dier exited with status 3" in text, text
    wait_for(lambda: not processes_with_home(tmp_path), 5,
             lambda: f"every child to exit; still running: {processes_with_home(tmp_path)}")


def test_a_busy_port_is_refused_before_anything_starts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        monkeypatch.setenv("PORT", str(taken.getsockname()[1]))
        monkeypatch.setattr("playground.redis_embed.ensure_redis", lambda *a: pytest.fail("Redis was started"))
        assert devserver.main() == 2


# ----- the real thing -----------------------------------------------------------------------------------------
def test_the_devserver_serves_the_app_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    """Everything `make run` starts, on a Redis of its own (nothing answers at the REDIS_URL it is given)."""
    port = free_port()
    env = {**os.environ, "PLAYGROUND_HOME": str(tmp_path), "PORT": str(port),
           "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0", "CUDA_VISIBLE_DEVICES": "",
           "PLAYGROUND_ADMIN_PASSWORD": "devserver-test", "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    log = tmp_path / "devserver.log"
    proc = subprocess.Popen([sys.executable, "-m", "playground.devserver"], cwd=ROOT, env=env,
                            stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)

    def login_page() -> bool:
        assert proc.poll() is None, log.read_text()
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2).status == 200
        except (urllib.error.URLError, ConnectionError):
            return False

    try:
        wait_for(login_page, 60, lambda: f"the login page\n{log.read_text()}")
        wait_for(lambda: "cpu0@" in log.read_text() and "ready" in log.read_text(), 60,
                 lambda: f"the worker\n{log.read_text()}")
        text = log.read_text()
        assert f"http://127.0.0.1:{port}/" in text and "from PLAYGROUND_ADMIN_PASSWORD" in text
        assert "embedded" in text and "worker-cpu0| " in text and "scheduler  | " in text, text
        assert (tmp_path / "playground.sqlite3").exists()
        children = processes_with_home(tmp_path) - {proc.pid}
        assert len(children) >= 4, text  # Redis, a worker, the scheduler and daphne at least
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        assert proc.wait(40) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    wait_for(lambda: not processes_with_home(tmp_path), 5,
             lambda: f"every child to exit; still running: {processes_with_home(tmp_path)}")


def processes_with_home(home: Path) -> set[int]:
    """Live processes whose environment has PLAYGROUND_HOME=home."""
    wanted = f"PLAYGROUND_HOME={home}".encode()
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if wanted in (entry / "environ").read_bytes().split(b"\0") and \
                    "zombie" not in (entry / "status").read_text().lower():
                found.add(int(entry.name))
        except OSError:
            continue
    return found
