"""The browser app end to end: Debian's Chromium driven by Playwright against daphne, a real Celery worker and the
scheduler. Screenshots go to artifacts/e2e/ (git-ignored) for a person to look at."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web import Proc, child_env, make_user, wait_for

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"
BUILD = Path(__file__).resolve().parents[2] / "playground" / "static_build" / "index.html"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is missing: `make test` installs it"),
]


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
def scheduler_proc(daphne_server: str, redis_url: str, django_db_blocker: Any,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proc]:
    with django_db_blocker.unblock():
        proc = Proc("scheduler", [sys.executable, "manage.py", "scheduler", "--interval", "0.2"],
                    child_env(redis_url), tmp_path_factory.mktemp("logs") / "scheduler.log")
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


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def load_template(page: Any, name: str) -> None:
    page.select_option("[data-testid=templates]", name)
    page.wait_for_selector("[data-testid=node-x]")


def set_epochs(page: Any, epochs: int) -> None:
    page.fill("[data-testid=epochs-input]", str(epochs))
    page.keyboard.press("Tab")


def status(page: Any) -> str:
    return str(page.text_content("[data-testid=run-status]") or "").strip()


def chart_points(page: Any) -> int:
    return int(page.get_attribute("[data-testid=loss-chart]", "data-points") or 0)


def train(page: Any) -> str:
    button = page.locator("[data-testid=train-button]")
    button.wait_for()
    page.wait_for_function("() => !document.querySelector('[data-testid=train-button]').disabled")
    button.click()
    page.wait_for_url(re.compile(r"/runs/\d+$"))
    return str(page.url.rsplit("/", 1)[1])


def test_spiral_trains_live_pauses_resumes_and_survives_a_reload(page: Any) -> None:
    load_template(page, "spiral")
    set_epochs(page, 3000)  # long enough to pause, resume and reload while it runs
    shot(page, "01-editor-spiral")
    run_id = train(page)
    page.wait_for_function("() => document.querySelector('[data-testid=run-status]')?.textContent.trim() === "
                           "'running'")
    image = page.locator("[data-testid=boundary-model]")
    image.wait_for()
    first_src = image.get_attribute("src")
    first_points = wait_for(lambda: chart_points(page) >= 3, 20, "points on the loss chart")
    assert first_points
    # The boundary picture and the curve move.
    wait_for(lambda: image.get_attribute("src") != first_src, 20, "the boundary image to change")
    wait_for(lambda: chart_points(page) > first_points, 20, "the loss chart to grow")
    shot(page, "02-run-live")

    page.click("[data-testid=pause-button]")
    wait_for(lambda: status(page) == "paused", 10, "the paused status")
    paused_at = page.text_content("[data-testid=run-step]")
    page.wait_for_timeout(800)
    assert page.text_content("[data-testid=run-step]") == paused_at, "the step moved while paused"
    shot(page, "03-run-paused")
    page.click("[data-testid=resume-button]")
    wait_for(lambda: status(page) == "running", 10, "the running status again")
    wait_for(lambda: page.text_content("[data-testid=run-step]") != paused_at, 10, "the step to move again")

    # Reload mid-run: the whole history comes back (replayed from the database), then it goes on live.
    before = chart_points(page)
    page.reload()
    page.wait_for_selector("[data-testid=loss-chart]")
    wait_for(lambda: chart_points(page) >= before, 20, f"the history after the reload ({before} points before)")
    assert status(page) in ("running", "paused")
    page.locator("[data-testid=boundary-model]").wait_for()
    shot(page, "04-run-after-reload")
    page.click("[data-testid=cancel-button]")
    wait_for(lambda: status(page) == "cancelled", 10, "the cancel")
    assert run_id


def test_cancel_another_run_from_the_runs_list(page: Any) -> None:
    load_template(page, "xor")
    set_epochs(page, 5000)
    run_id = train(page)
    page.wait_for_function("() => document.querySelector('[data-testid=run-status]')?.textContent.trim() === "
                           "'running'")
    page.click("[data-testid=nav-editor]")
    load_template(page, "spiral")
    other = train(page)
    assert other != run_id
    page.click("[data-testid=nav-runs]")
    page.wait_for_selector(f"[data-testid=run-row-{run_id}]")
    shot(page, "05-runs-list")
    page.click(f"[data-testid=run-row-{run_id}]")
    page.wait_for_url(re.compile(rf"/runs/{run_id}$"))
    page.click("[data-testid=cancel-button]")
    wait_for(lambda: status(page) == "cancelled", 10, "the cancelled status")
    page.goto(f"/runs/{other}")
    wait_for(lambda: status(page) in ("running", "finished"), 30, "the other run to start after the cancel")
    page.click("[data-testid=cancel-button]")
    wait_for(lambda: status(page) == "cancelled", 10, "the second cancel")


def test_a_shape_error_shows_on_the_node_and_disables_train(page: Any) -> None:
    load_template(page, "spiral")
    page.wait_for_function("() => !document.querySelector('[data-testid=train-button]').disabled")
    # Make the last dense layer produce 3 units: binary cross-entropy against one target column no longer fits.
    page.click("[data-testid=node-logit]")
    field = page.locator("[data-testid=param-units]")
    field.fill("3")
    field.press("Tab")
    error = page.locator("[data-testid=node-error-logit], [data-testid=node-error-p]").first
    error.wait_for()
    assert error.text_content()
    assert page.locator("[data-testid=train-button]").is_disabled()
    assert "error" in (page.text_content("[data-testid=status-line]") or "").lower() or error.is_visible()
    shot(page, "06-shape-error")
