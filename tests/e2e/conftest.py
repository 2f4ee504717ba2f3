"""The e2e tests use the web tests' real processes (Redis, worker, daphne: tests/web.py, one of each per
session)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="module", autouse=True)
def _sync_db_calls_beside_playwright() -> Iterator[None]:
    """Playwright's sync API keeps an asyncio loop running in the test's thread, so Django would refuse the
    test's own (synchronous) database calls. Allowed for these tests only; the app under test runs in daphne,
    where the check still holds."""
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if before is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before
