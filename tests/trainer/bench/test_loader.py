"""`playground bench loader`: the figures it ends with and where it records them (tiny data, one repeat)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trainer.cli import main
from trainer.data.calo import CaloConfig, make_calo


def test_bench_loader_ends_with_the_three_ratios_and_records_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_calo(
        tmp_path / "data", CaloConfig(files_per_class=1, events_per_file=40, classes=("Ele", "ChPi"), chunk_events=10)
    )
    page = tmp_path / "benchmarks.md"
    argv = ["bench", "loader", str(tmp_path / "data"), "--json", "--workers", "0", "--batch-size", "8"]
    assert main([*argv, "--repeats", "1", "--events", "80", "--write", str(page)]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["vs_naive"] > 0 and figures["vs_raw_read"] > 0 and figures["events_per_s"] > 0
    assert figures["vs_naive"] == pytest.approx(figures["events_per_s"] / figures["naive_events_per_s"], rel=0.01)
    assert "## Calorimeter loader (cpu)" in page.read_text()


def test_bench_loader_on_a_missing_directory_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "loader", str(tmp_path / "nope")]) == 2
    assert "make-calo" in capsys.readouterr().out
