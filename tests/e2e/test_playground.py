"""The browser app end to end: Debian's Chromium driven by Playwright against daphne, a real Celery worker and the
scheduler. Screenshots go to artifacts/e2e/ (git-ignored) for a person to look at."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.steps import CHROMIUM, chart_points, load_template, set_epochs, shot, status, train
from tests.web import wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is missing: `make test` installs it"),
]


def test_spiral_trains_live_pauses_resumes_and_survives_a_reload(page: Any) -> None:
    load_template(page, "spiral")
    set_epochs(page, 3000)  # long enough to pause, resume and reload while it runs
    shot(page, "01-editor-spiral")
    run_id = train(page)
    page.wait_for_function("() => document.querySelector('[data-testid=run-status]')?.textContent.trim() === 'running'")
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
    page.wait_for_function("() => document.querySelector('[data-testid=run-status]')?.textContent.trim() === 'running'")
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
