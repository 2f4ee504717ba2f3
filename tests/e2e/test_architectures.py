"""The lecture's architectures in the browser (issue 5): the examples gallery, a small CNN built from the palette
whose feature maps update while it trains, the LSTM preset's hidden states, a residual block collapsed and expanded,
weight sharing drawn in the Siamese preset, and fine-tuning a finished run. Each run is kept short (max steps)."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.steps import CHROMIUM, load_template, set_max_steps, shot, shot_of, status, train
from tests.web import wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is missing: `make test` installs it"),
]


def fill(page: Any, testid: str, value: str) -> None:
    page.fill(f"[data-testid={testid}]", value)
    page.keyboard.press("Tab")


def new_graph_on(page: Any, dataset: str) -> None:
    """A blank graph on `dataset`, with cross-entropy and the probes that suit the data."""
    page.wait_for_selector("[data-testid=node-x]")  # the first visit's template has loaded
    page.click("[data-testid=new-button]")
    page.select_option("[data-testid=dataset-select]", dataset)
    page.select_option("[data-testid=loss-select]", "cross_entropy")
    if not page.is_checked("[data-testid=probes-auto]"):
        page.click("[data-testid=probes-auto]")


def step_of(page: Any, testid: str) -> int:
    return int(page.get_attribute(f"[data-testid={testid}]", "data-step") or -1)


def stop_run(page: Any) -> None:
    """Cancel the run unless it has ended (it may finish between the look and the click)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    if status(page) in ("queued", "running", "paused"):
        with contextlib.suppress(PlaywrightTimeout):
            page.click("[data-testid=cancel-button]", timeout=3000)
    wait_for(lambda: status(page) in ("cancelled", "finished"), 30, "the run to stop")


def test_the_gallery_opens_a_preset_in_the_editor(page: Any) -> None:
    page.click("[data-testid=gallery-button]")
    card = page.locator("[data-testid=gallery-card-lenet]")
    card.wait_for()
    assert "shapes" in (card.text_content() or "")
    shot(page, "20-gallery")
    card.click()
    page.wait_for_selector("[data-testid=node-conv1]")
    assert page.locator("[data-testid=gallery]").count() == 0


def test_a_small_cnn_from_the_palette_trains_and_its_feature_maps_update(page: Any) -> None:
    new_graph_on(page, "shapes")
    fill(page, "data-param-n", "300")
    fill(page, "data-param-size", "16")
    for layer in ("input", "conv2d", "relu", "flatten", "dense"):
        page.click(f"[data-testid=palette-{layer}]")
        page.wait_for_selector(f"[data-testid=node-{layer}1]")
    fill(page, "param-units", "3")  # dense1 is selected: one score per shape
    # watch conv2d1 only: the probes by hand, feature maps on the picked layer (no 2-D boundary for images, no
    # hidden states without a recurrent layer: validation would say so)
    page.click("[data-testid=probes-auto]")
    page.uncheck("[data-testid=probe-boundary]")
    page.uncheck("[data-testid=probe-hidden_states]")
    page.check("[data-testid=probe-feature_maps-node-conv2d1]")
    set_max_steps(page, 3000)  # long enough to see the maps change; cancelled at the end
    fill(page, "eval-every-input", "10")
    shot(page, "21-editor-small-cnn")
    train(page)
    view = "view-features-conv2d1"
    page.wait_for_selector(f"[data-testid={view}]", timeout=60_000)
    page.wait_for_selector("[data-testid=view-features-input]")
    first = step_of(page, view)
    wait_for(lambda: step_of(page, view) > first, 60, "the feature maps of conv2d1 to update")
    page.wait_for_selector("[data-testid=view-filters-conv2d1]")
    assert page.locator("[data-testid=view-features-relu1]").count() == 0, "relu1 was not picked"
    page.wait_for_selector("[data-testid=view-confusion]")
    page.wait_for_selector("[data-testid=view-roc]")
    page.wait_for_selector("[data-testid=view-worst]")
    shot_of(page, "view-features", "22-run-feature-maps")
    shot_of(page, "view-filters", "22-run-filters")
    shot_of(page, "view-confusion", "22-run-confusion")
    shot_of(page, "view-roc", "22-run-roc")
    shot_of(page, "view-worst", "22-run-worst")
    stop_run(page)


def test_the_lstm_preset_trains_and_shows_its_hidden_states(page: Any) -> None:
    load_template(page, "lstm", first_node="sequence")
    set_max_steps(page, 60)
    fill(page, "eval-every-input", "10")
    train(page)
    page.wait_for_selector("[data-testid=view-hidden-lstm]", timeout=60_000)
    shot_of(page, "view-hidden", "23-run-lstm-hidden-states")
    stop_run(page)


def test_a_residual_block_expands_and_collapses(page: Any) -> None:
    new_graph_on(page, "shapes")
    page.click("[data-testid=palette-residual_basic]")
    block = page.locator("[data-testid=node-residual_basic1]")
    block.wait_for()
    assert (page.text_content("[data-testid=block-repeat-residual_basic1]") or "").strip() == "×1"
    page.click("[data-testid=block-expand-residual_basic1]")
    inner = page.locator("[data-testid=node-residual_basic1__conv_a]")
    inner.wait_for()
    assert page.locator("[data-testid=node-residual_basic1__bn_b]").is_visible()
    shot(page, "24-editor-block-expanded")
    page.click("[data-testid=block-collapse-residual_basic1]")
    inner.wait_for(state="detached")
    assert block.is_visible()
    page.wait_for_selector("[data-testid=block-expand-residual_basic1]")


def test_the_resnet_preset_opens_its_stages_as_blocks(page: Any) -> None:
    load_template(page, "resnet", first_node="image")
    assert (page.text_content("[data-testid=block-repeat-stage2]") or "").strip() == "×2"
    page.click("[data-testid=block-expand-stage2]")
    inner = page.locator("[data-testid=node-stage2__conv_a]")
    inner.wait_for()
    assert "32" in (inner.text_content() or ""), "the block's $channels is shown resolved"
    shot(page, "28-editor-resnet-stage-expanded")
    page.click("[data-testid=block-collapse-stage2]")
    inner.wait_for(state="detached")


def test_selected_layers_are_saved_as_a_block_that_validates(page: Any) -> None:
    load_template(page, "spiral")
    page.click("[data-testid=node-dense2]")
    page.click("[data-testid=node-relu2]", modifiers=["Control"])
    page.once("dialog", lambda dialog: dialog.accept("dense_relu"))
    page.click("[data-testid=save-block-button]")
    page.wait_for_selector("[data-testid=node-dense_relu1]")
    page.wait_for_selector("[data-testid=palette-dense_relu]")
    assert page.locator("[data-testid=node-dense2]").count() == 0
    # the graph with its own block validates: Train is enabled again
    page.wait_for_function("() => !document.querySelector('[data-testid=train-button]').disabled")
    library = page.request.get("/api/blocks").json()
    assert "dense_relu" in [b["name"] for b in library]
    page.click("[data-testid=block-expand-dense_relu1]")
    page.wait_for_selector("[data-testid=node-dense_relu1__dense2]")
    shot(page, "27-editor-saved-block")


def test_the_siamese_preset_draws_its_shared_weights(page: Any) -> None:
    load_template(page, "siamese", first_node="left")
    badge = page.locator("[data-testid=shares-badge-embed_r]")
    badge.wait_for()
    assert "embed_l" in (badge.text_content() or "")
    assert page.locator(".react-flow__edge.edge-shares").count() == 2
    page.click("[data-testid=node-code_r]")
    assert page.locator("[data-testid=node-shares]").input_value() == "code_l"


def test_fine_tune_a_finished_run(page: Any) -> None:
    load_template(page, "digits-mlp", first_node="pixels")
    set_max_steps(page, 20)
    source = train(page)
    wait_for(lambda: status(page) in ("finished", "failed"), 60, "the first run to finish")
    assert status(page) == "finished", page.text_content("[data-testid=run-log]")
    page.click("[data-testid=finetune-button]")
    page.wait_for_url(re.compile(r"/$"))
    page.wait_for_selector("[data-testid=finetune-panel]")
    assert f"run:{source}" in (page.text_content("[data-testid=finetune-checkpoint]") or "")
    page.click("[data-testid=freeze-hidden]")
    page.wait_for_selector("[data-testid=frozen-badge-hidden]")
    fill(page, "finetune-classes", "10")
    page.click("[data-testid=finetune-swap-head]")
    shot(page, "25-editor-fine-tune")
    tuned = train(page)
    assert tuned != source
    spec = page.request.get(f"/api/runs/{tuned}").json()["spec"]
    assert spec["init_from"] == {"checkpoint": f"run:{source}", "freeze": ["hidden"]}
    wait_for(lambda: status(page) in ("finished", "failed"), 60, "the fine-tune run to finish")
    assert status(page) == "finished", page.text_content("[data-testid=run-log]")
    log = page.text_content("[data-testid=run-log]") or ""
    assert "init_from" in log and "frozen: hidden" in log, log
    shot(page, "26-run-fine-tuned")
