"""What the e2e tests do in the browser, in the app's words: open a template, train, read the run's status, take
a screenshot (to artifacts/e2e/, git-ignored, for a person to look at)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"
BUILD = Path(__file__).resolve().parents[2] / "playground" / "static_build" / "index.html"


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def shot_of(page: Any, testid: str, name: str) -> None:
    """A screenshot of one element (the run page scrolls inside its own box, so a full-page shot misses it)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator(f"[data-testid={testid}]").first.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def load_template(page: Any, name: str, first_node: str = "x") -> None:
    page.select_option("[data-testid=templates]", name)
    page.wait_for_selector(f"[data-testid=node-{first_node}]")


def set_epochs(page: Any, epochs: int) -> None:
    page.fill("[data-testid=epochs-input]", str(epochs))
    page.keyboard.press("Tab")


def set_max_steps(page: Any, steps: int) -> None:
    page.fill("[data-testid=max-steps-input]", str(steps))
    page.keyboard.press("Tab")


def status(page: Any) -> str:
    return str(page.text_content("[data-testid=run-status]") or "").strip()


def chart_points(page: Any) -> int:
    return int(page.get_attribute("[data-testid=loss-chart]", "data-points") or 0)


def train(page: Any) -> str:
    """Press Train once validation allows it; the run's id from the run page it opens."""
    button = page.locator("[data-testid=train-button]")
    button.wait_for()
    page.wait_for_function("() => !document.querySelector('[data-testid=train-button]').disabled")
    button.click()
    page.wait_for_url(re.compile(r"/runs/\d+$"))
    return str(page.url.rsplit("/", 1)[1])
