"""Calorimeter data in the browser (issue 7): the data panel lists the data sets under the server's data root with
their class directories and counts, draws one event, and a click (never a typed path) sets the spec's data_dir; the
calo-dense example then trains on a tiny generated data set and shows the four per-class AUC curves and the ROC
plot. The data set (4 classes × 2 files × 60 events) is written by make-calo into the root the servers were given
(tests/e2e/conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.steps import CHROMIUM, load_template, set_max_steps, shot, shot_of, status, train
from tests.web import wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is missing: `make test` installs it"),
]

CLASSES = ("Ele", "Gamma", "Pi0", "ChPi")
FILES_PER_CLASS, EVENTS_PER_FILE = 2, 60
DATA_SET = "tiny-calo"


@pytest.fixture(scope="module", autouse=True)
def tiny_calo() -> Path:
    """The tiny data set under the servers' data root, written once for this module."""
    from trainer.cli import main

    target = Path(os.environ["PLAYGROUND_DATA_ROOT"]) / DATA_SET
    argv = ["make-calo", str(target), "--files-per-class", str(FILES_PER_CLASS)]
    argv += ["--events-per-file", str(EVENTS_PER_FILE), "--seed", "7"]
    assert main(argv) == 0
    return target


def open_calo_dense(page: Any) -> None:
    page.wait_for_selector("[data-testid=node-x]")  # the first visit's template has loaded
    load_template(page, "calo-dense", first_node="ecal")
    page.wait_for_selector(f"[data-testid=data-dir-{DATA_SET}]")


def fill(page: Any, testid: str, value: str) -> None:
    page.fill(f"[data-testid={testid}]", value)
    page.keyboard.press("Tab")


def test_the_data_panel_lists_the_data_set_and_previews_an_event(page: Any) -> None:
    open_calo_dense(page)
    choice = page.locator(f"[data-testid=data-dir-{DATA_SET}]")
    text = choice.text_content() or ""
    total = len(CLASSES) * FILES_PER_CLASS
    assert f"{len(CLASSES)} classes" in text and f"{total} files" in text, text
    assert f"{total * EVENTS_PER_FILE} events" in text, text
    assert all(c in text for c in CLASSES), text
    assert choice.get_attribute("aria-pressed") == "false"
    choice.click()
    assert choice.get_attribute("aria-pressed") == "true"
    preview = page.locator("[data-testid=data-preview]")
    preview.wait_for()
    page.wait_for_function("() => document.querySelector('[data-testid=data-preview]').naturalWidth > 0")
    first = preview.get_attribute("src")
    page.select_option("[data-testid=data-preview-class]", f"{DATA_SET}/Pi0")
    fill(page, "data-preview-event", "3")
    wait_for(lambda: preview.get_attribute("src") != first, 10, "the preview to follow the chosen class and event")
    assert "Pi0" in (preview.get_attribute("src") or "") and "event=3" in (preview.get_attribute("src") or "")
    page.wait_for_function("() => document.querySelector('[data-testid=data-preview]').naturalWidth > 0")
    shot_of(page, "data-dirs", "30-editor-calo-data-panel")


def test_an_event_past_the_file_shows_a_message_not_a_broken_image(page: Any) -> None:
    open_calo_dense(page)
    page.click(f"[data-testid=data-dir-{DATA_SET}]")
    page.wait_for_selector("[data-testid=data-preview]")
    fill(page, "data-preview-event", str(EVENTS_PER_FILE + 5))
    message = page.locator("[data-testid=data-preview-error]")
    message.wait_for()
    assert str(EVENTS_PER_FILE + 5) in (message.text_content() or "")


def test_calo_dense_trains_on_the_chosen_data_and_shows_auc_curves_and_roc(page: Any) -> None:
    open_calo_dense(page)
    page.click(f"[data-testid=data-dir-{DATA_SET}]")
    set_max_steps(page, 30)
    fill(page, "eval-every-input", "5")
    shot(page, "31-editor-calo-dense")
    run_id = train(page)
    spec = page.request.get(f"/api/runs/{run_id}").json()["spec"]
    assert Path(spec["data"]["data_dir"]) == Path(os.environ["PLAYGROUND_DATA_ROOT"]).resolve() / DATA_SET
    chart = page.locator("[data-testid=chart-auc]")
    chart.wait_for(timeout=60_000)
    wait_for(lambda: int(chart.get_attribute("data-points") or 0) >= 2, 60, "AUC points from two validations")
    legend = chart.text_content() or ""
    assert all(f"validation {c}" in legend for c in CLASSES), legend
    page.wait_for_selector("[data-testid=view-roc]", timeout=60_000)
    wait_for(lambda: status(page) in ("finished", "failed"), 60, "the run to finish")
    assert status(page) == "finished", page.text_content("[data-testid=run-log]")
    roc = page.text_content("[data-testid=view-roc]") or ""
    assert all(c in roc for c in CLASSES), roc
    shot_of(page, "chart-auc", "32-run-calo-auc")
    shot_of(page, "view-roc", "32-run-calo-roc")
