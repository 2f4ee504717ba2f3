"""What `make run` starts: Redis (REDIS_URL when it answers, else an embedded one), migrations, the admin user,
one Celery worker per visible GPU (else one CPU worker), the scheduler and daphne. Ctrl-C stops all of it; if any
child dies, everything stops and the exit status says so.

    python -m playground.devserver          # PORT (default 8000), REDIS_URL, DATABASE_URL… from the environment

This process never imports torch: a CUDA context made here would be inherited by nothing useful and would hold
GPU memory for the whole session. GPUs are counted with `nvidia-smi -L`.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
GRACE_S = 10.0  # between SIGTERM and SIGKILL: a Celery worker's warm shutdown waits for its job


@dataclass
class ProcessSpec:
    """One long-running child: its name (the prefix of its output lines), argv, and the variables it adds to
    the inherited environment."""

    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)


def visible_gpus(environ: dict[str, str] | None = None) -> list[str]:
    """CUDA device ids the workers may use: those `nvidia-smi -L` lists (none without nvidia-smi), narrowed to
    CUDA_VISIBLE_DEVICES when the user set it (a shared machine: stay on the GPUs you were given)."""
    env = os.environ if environ is None else environ
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return []
    try:
        listing = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    found = [str(i) for i, line in enumerate(ln for ln in listing.splitlines() if ln.startswith("GPU "))]
    wanted = env.get("CUDA_VISIBLE_DEVICES")
    if wanted is None:
        return found
    chosen: list[str] = []
    for entry in (e.strip() for e in wanted.split(",")):
        # CUDA's own rule: the list ends at the first entry that names no device ("-1" hides them all).
        if entry in found or entry.startswith(("GPU-", "MIG-")):
            chosen.append(entry)
        else:
            break
    return chosen


def process_specs(gpus: int | Sequence[str], redis_url: str, port: int,
                  python: str = sys.executable) -> list[ProcessSpec]:
    """The long-running children: a Celery worker per GPU (queue gpu<i>, pinned by CUDA_VISIBLE_DEVICES=i), or one
    CPU worker (queue cpu0) when `gpus` is 0 or empty; then the scheduler and daphne on 127.0.0.1:`port`."""
    ids = [str(i) for i in range(gpus)] if isinstance(gpus, int) else list(gpus)
    common = {"REDIS_URL": redis_url}

    def worker(queue: str) -> list[str]:
        return [python, "-m", "celery", "-A", "playground", "worker", "-Q", queue, "-n", f"{queue}@%h", "-c", "1",
                "-l", "info", "--without-gossip", "--without-mingle"]

    specs: list[ProcessSpec] = []
    for position, device in enumerate(ids):
        queue = f"gpu{device}" if device.isdigit() else f"gpu{position}"
        specs.append(ProcessSpec(f"worker-{queue}", worker(queue), {
            **common, "CUDA_VISIBLE_DEVICES": device, "CUDA_DEVICE_ORDER": "PCI_BUS_ID",  # nvidia-smi's numbering
            "PLAYGROUND_SLOT_QUEUE": queue, "PLAYGROUND_SLOT_GPU": device if device.isdigit() else ""}))
    if not specs:
        specs.append(ProcessSpec("worker-cpu0", worker("cpu0"), {
            **common, "CUDA_VISIBLE_DEVICES": "", "PLAYGROUND_SLOT_QUEUE": "cpu0", "PLAYGROUND_SLOT_GPU": ""}))
    specs.append(ProcessSpec("scheduler", [python, "manage.py", "scheduler"], dict(common)))
    specs.append(ProcessSpec("web", [python, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                                     "playground.asgi:application"], dict(common)))
    return specs


class Supervisor:
    """Runs children in their own process groups (so a child's own children die with it, and a terminal's Ctrl-C
    reaches only us), prefixes their output lines with their names, and stops them all together."""

    def __init__(self, grace_s: float = GRACE_S, width: int = 11) -> None:
        self.grace_s = grace_s
        self.width = width
        self.children: list[tuple[ProcessSpec, subprocess.Popen[bytes]]] = []
        self.pumps: list[threading.Thread] = []
        self.stopping = threading.Event()
        self.output_lock = threading.Lock()

    def install_signal_handlers(self) -> None:
        """SIGINT/SIGTERM ask for a stop; a second one kills every child at once."""

        def on_signal(signum: int, frame: FrameType | None) -> None:
            if self.stopping.is_set():
                self._signal_all(signal.SIGKILL)
            self.stopping.set()

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)

    def say(self, name: str, text: str) -> None:
        with self.output_lock:
            for line in text.splitlines():
                sys.stdout.write(f"{name:<{self.width}}| {line}\n")
            sys.stdout.flush()

    def _popen(self, spec: ProcessSpec) -> subprocess.Popen[bytes]:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **spec.env}
        proc = subprocess.Popen(spec.argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
        pump = threading.Thread(target=self._pump, args=(spec.name, proc), daemon=True)
        pump.start()
        self.pumps.append(pump)
        return proc

    def _pump(self, name: str, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            self.say(name, raw.decode(errors="replace").rstrip("\n"))

    def run_step(self, spec: ProcessSpec, *, echo: bool = True) -> str:
        """Run a one-off command to its end (migrations); its output, or SystemExit naming it if it fails."""
        env = {**os.environ, **spec.env}
        proc = subprocess.Popen(spec.argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.children.append((spec, proc))
        out, _ = proc.communicate()
        self.children.remove((spec, proc))
        text = out.decode(errors="replace")
        if proc.returncode != 0 and not self.stopping.is_set():
            self.say(spec.name, text)
            raise SystemExit(f"devserver: {spec.name} ({' '.join(spec.argv[1:])}) failed with status "
                             f"{proc.returncode}")
        if echo:
            self.say(spec.name, text)
        return text

    def start(self, spec: ProcessSpec) -> None:
        self.children.append((spec, self._popen(spec)))

    def watch(self, poll_s: float = 0.25) -> str | None:
        """Block until a stop is asked (None) or a child exits (which one, and its status)."""
        while not self.stopping.wait(poll_s):
            for spec, proc in self.children:
                code = proc.poll()
                if code is not None:
                    return f"{spec.name} exited with status {code}"
        return None

    def _signal_all(self, sig: int) -> None:
        for _, proc in self.children:
            try:
                os.killpg(proc.pid, sig)  # the group outlives its leader while a grandchild lives
            except (ProcessLookupError, PermissionError):
                pass

    def stop_all(self) -> None:
        """SIGTERM every group, SIGKILL what is left after the grace period, and reap everything."""
        self._signal_all(signal.SIGTERM)
        deadline = time.monotonic() + self.grace_s
        for spec, proc in self.children:
            try:
                proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say("devserver", f"{spec.name} still running {self.grace_s:g} s after SIGTERM: killing it")
        self._signal_all(signal.SIGKILL)  # also the grandchildren of leaders that did exit
        for spec, proc in self.children:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:  # stuck in the kernel (a hung GPU driver call): nothing more to do
                self.say("devserver", f"{spec.name} (pid {proc.pid}) did not die on SIGKILL")
        for pump in self.pumps:
            pump.join(1.0)  # their last lines (a traceback) before ours


def admin_login(ensure_admin_output: str, environ: dict[str, str] | None = None) -> str:
    """What to tell the user about admin's password: `ensure_admin` prints it once, when it creates the user."""
    env = os.environ if environ is None else environ
    if "password: " in ensure_admin_output:
        return ensure_admin_output.split("password: ", 1)[1].splitlines()[0].strip()
    if env.get("PLAYGROUND_ADMIN_PASSWORD"):
        return "from PLAYGROUND_ADMIN_PASSWORD"
    return "unchanged, set earlier (`.venv/bin/python manage.py changepassword admin` sets a new one)"


def main() -> int:
    from playground.config import HOME
    from playground.redis_embed import ensure_redis, port_free

    port = int(os.environ.get("PORT", "8000"))
    if not port_free(port):
        print(f"devserver: port {port} is in use (another `make run`?); set PORT to another port", file=sys.stderr)
        return 2
    wanted = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    try:
        redis_url, embedded = ensure_redis(wanted, HOME / "redis")
    except RuntimeError as exc:  # no redis-server anywhere, or it would not start: say so, without a traceback
        print(f"devserver: nothing answers at REDIS_URL={wanted} and no Redis could be started: {exc}",
              file=sys.stderr)
        return 2
    os.environ["REDIS_URL"] = redis_url  # every child, the one-off commands too
    supervisor = Supervisor()
    supervisor.install_signal_handlers()
    where = f"embedded ({embedded.binary}), since nothing answered at {wanted}" if embedded else "already running"
    supervisor.say("devserver", f"Redis at {redis_url}: {where}")
    python = sys.executable
    reason: str | None = None
    try:
        supervisor.run_step(ProcessSpec("migrate", [python, "manage.py", "migrate", "--noinput"]))
        admin = "" if supervisor.stopping.is_set() else \
            supervisor.run_step(ProcessSpec("admin", [python, "manage.py", "ensure_admin"]), echo=False)
        if supervisor.stopping.is_set():
            return 0
        gpus = visible_gpus()
        for spec in process_specs(gpus, redis_url, port, python=python):
            supervisor.start(spec)
        if not (ROOT / "playground" / "static_build" / "index.html").exists():
            supervisor.say("devserver", "the browser app is not built: `make install` builds frontend/ (Node.js)")
        workers = f"{len(gpus)} GPU worker(s), on CUDA devices {','.join(gpus)}" if gpus else \
            "1 CPU worker (no GPU visible)"
        supervisor.say("devserver", f"The playground is at http://127.0.0.1:{port}/\n"
                                    f"Log in as admin, password: {admin_login(admin)}\n"
                                    f"{workers}; Ctrl-C stops everything.")
        reason = supervisor.watch()
    finally:
        supervisor.stop_all()
        if embedded is not None:
            embedded.stop()
    if reason:
        print(f"devserver: {reason}; stopped everything", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
