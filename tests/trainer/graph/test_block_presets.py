"""The presets built from blocks (resnet, inception, cnn-rnn) and the transfer preset validate and train."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trainer.graph.validate import validate
from trainer.train.engine import fit

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
PRESETS = ["resnet", "inception", "cnn-rnn", "transfer"]


@pytest.mark.parametrize("name", PRESETS)
def test_preset_validates_and_documents_itself(name: str) -> None:
    spec = json.loads((EXAMPLES / f"{name}.json").read_text())
    report = validate(spec)
    assert report.ok, report.issues
    assert spec["name"] and "val/accuracy" in spec["description"]
    assert all("position" in node for node in spec["graph"]["nodes"])


@pytest.mark.parametrize("name", PRESETS)
def test_preset_trains_a_few_steps(name: str) -> None:
    spec = json.loads((EXAMPLES / f"{name}.json").read_text())
    spec["data"]["params"]["n"] = 60  # the graph is what is tested here, not the data set's size
    result = fit(spec, max_steps=2)
    assert result.status == "finished", result.message
    assert result.step == 2


def test_resnet_preset_is_four_block_nodes() -> None:
    spec = json.loads((EXAMPLES / "resnet.json").read_text())
    stages = [n for n in spec["graph"]["nodes"] if n["type"] == "residual_basic"]
    assert len(stages) == 4 and all(n["params"]["repeat"] >= 2 for n in stages)
