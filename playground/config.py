"""Configuration from environment variables only, with the embedded defaults `make run` uses."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
HOME = Path(os.environ.get("PLAYGROUND_HOME", BASE_DIR / "var")).resolve()  # database, checkpoints, secret key


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def secret_key() -> str:
    """SECRET_KEY, or one generated once and kept in PLAYGROUND_HOME (never a key hard-coded in the repo)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = HOME / "secret_key"
    if not path.exists():
        HOME.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


# WAL lets readers (the API, websockets) run beside the worker's writes; IMMEDIATE makes a transaction take the
# write lock when it begins, so a read-then-write transaction waits its turn instead of failing "database is locked".
SQLITE_OPTIONS = {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                  "transaction_mode": "IMMEDIATE"}


def database(url: str | None) -> dict:
    """DATABASE_URL (sqlite:///path or postgres://user:pass@host:port/name) as Django's DATABASES entry."""
    if not url:
        HOME.mkdir(parents=True, exist_ok=True)
        # The test database is a file too (not Django's in-memory default): test workers and daphne open it. One
        # per test session (the pid), so that two sessions on one checkout never share it.
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(HOME / "playground.sqlite3"),
                "OPTIONS": SQLITE_OPTIONS,
                "TEST": {"NAME": str(HOME / f"test-playground-{os.getpid()}.sqlite3")}}
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        name = unquote(parsed.path[1:] if parsed.path.startswith("//") else parsed.path) or ":memory:"
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name,
                "OPTIONS": SQLITE_OPTIONS}
    if parsed.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
        }
    raise ValueError(f"DATABASE_URL: unsupported scheme {parsed.scheme!r} (use sqlite:/// or postgres://)")


REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
