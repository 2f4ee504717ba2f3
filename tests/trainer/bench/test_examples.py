"""`playground bench examples`: targets read from descriptions, timed runs, and the table in benchmarks.md."""

from __future__ import annotations

import json
from pathlib import Path

from trainer.bench.examples import Target, parse_target, record_examples, time_example
from trainer.cli import main

XOR = Path(__file__).resolve().parents[3] / "examples" / "xor.json"


def test_targets_are_read_from_the_description():
    assert parse_target("LeNet. Target: val/accuracy ≥ 0.95.") == Target("val/accuracy", True, 0.95)
    assert parse_target("Target: val/loss <= .2") == Target("val/loss", False, 0.2)
    assert parse_target("no figure stated") is None and parse_target(None) is None


def test_a_preset_is_timed_to_its_target(tmp_path):
    spec = json.loads(XOR.read_text()) | {"description": "Target: val/accuracy ≥ 0.9"}
    path = tmp_path / "xor.json"
    path.write_text(json.dumps(spec))
    row = time_example(path)
    assert row is not None and row.reached and row.final is not None and row.final >= 0.9
    assert row.steps_to_target is not None and 0 < row.steps_to_target <= row.steps
    assert row.seconds_to_target is not None and 0 < row.seconds_to_target <= row.total_seconds + 1e-6


def test_an_unreachable_target_is_reported_as_such(tmp_path):
    spec = json.loads(XOR.read_text()) | {"description": "Target: val/loss ≤ 0", "epochs": 1}
    path = tmp_path / "xor.json"
    path.write_text(json.dumps(spec))
    row = time_example(path)
    assert row is not None and not row.reached and row.seconds_to_target is None


def test_a_preset_without_a_target_is_skipped(tmp_path):
    path = tmp_path / "plain.json"
    path.write_text(json.dumps(json.loads(XOR.read_text()) | {"description": "plain"}))
    assert time_example(path) is None


def test_the_table_replaces_its_section(tmp_path):
    page = tmp_path / "benchmarks.md"
    page.write_text("# Benchmarks\n\n## Other\n\nkept\n")
    row = {
        "example": "lenet",
        "target": "val/accuracy ≥ 0.95",
        "seconds_to_target": 3.25,
        "steps_to_target": 120,
        "final": 0.99,
        "total_seconds": 9.0,
        "steps": 300,
    }
    summary = {"device": "cpu", "machine": "test box", "date": "2026-01-01", "examples": [row]}
    record_examples(page, summary)
    record_examples(page, summary)
    text = page.read_text()
    assert text.count("## Examples: time to their stated figure") == 1 and "kept" in text
    assert "| lenet | val/accuracy ≥ 0.95 | 3.25 s | 120 | 0.990 | 9.00 s (300 steps) |" in text


def test_the_cli_runs_the_named_presets_only(capsys):
    assert main(["bench", "examples", "no-such-preset", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["examples"] == []
