"""The e2e tests use the web tests' real processes (Redis, worker, daphne: tests/web.py, one of each per
session), and these browser fixtures, shared by every e2e module (each gets its own browser: module scope)."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.steps import BUILD, CHROMIUM, FLAGS
from tests.web import Proc, child_env, make_user

# The servers' data root (PLAYGROUND_DATA_ROOT), for the data panel: set while the test files are collected, before
# any server starts, because the web tests' servers are session-wide and copy this process's environment. Empty here;
# an e2e module that needs data writes its own data set under it (test_calorimeter.py runs make-calo there).
DATA_ROOT = tempfile.mkdtemp(prefix="playground-e2e-data-")
os.environ["PLAYGROUND_DATA_ROOT"] = DATA_ROOT
atexit.register(shutil.rmtree, DATA_ROOT, True)


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


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Module-scoped: Playwright's loop must be gone before other modules' tests touch the database."""
    from playwright.sync_api import sync_playwright

    assert BUILD.exists(), "the frontend is not built: `make install` builds it"
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def scheduler_proc(
    daphne_server: str, redis_url: str, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Proc]:
    with django_db_blocker.unblock():
        proc = Proc(
            "scheduler",
            [sys.executable, "manage.py", "scheduler", "--interval", "0.2"],
            child_env(redis_url),
            tmp_path_factory.mktemp("logs") / "scheduler.log",
        )
    yield proc
    proc.stop()


@pytest.fixture
def page(browser: Any, daphne_server: str, live_worker: Proc, scheduler_proc: Proc) -> Iterator[Any]:
    make_user("student", password="correct horse")
    context = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=daphne_server)
    p = context.new_page()
    p.set_default_timeout(20_000)
    errors: list[str] = []
    p.on("pageerror", lambda exc: errors.append(str(exc)))
    p.goto("/accounts/login/")
    p.fill("#id_username", "student")
    p.fill("#id_password", "correct horse")
    p.click("[data-testid=login-button]")
    p.wait_for_url(re.compile(r"/$"))
    yield p
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
