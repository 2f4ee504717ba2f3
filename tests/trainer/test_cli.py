"""The `playground` CLI: validate, train, schema, catalog and the overhead benchmark, run in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import mlp_spec
from trainer.cli import main
from trainer.train.sinks import read_jsonl

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.json"))


def test_validate_prints_a_table(capsys):
    assert main(["validate", "examples/digits-mlp.json"]) == 0
    out = capsys.readouterr().out
    assert "hidden" in out and "(N, 128)" in out and "8,320" in out and out.strip().endswith("ok")


def test_validate_lists_errors_and_exits_1(tmp_path, capsys):
    spec = mlp_spec()
    spec["graph"]["nodes"][1]["params"]["units"] = 0
    spec["graph"]["edges"].append({"source": "p", "target": "ghost"})
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(spec))
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert 'node "dense1": units must be ≥ 1' in err and "[params.units]" in err and "ghost" in err


def test_validate_json_report(capsys):
    assert main(["validate", "examples/xor.json", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["nodes"][1]["output_shape"] == [None, 8]


def test_train_a_missing_file_is_a_clear_error(capsys):
    assert main(["train", "no/such/spec.json", "--quiet"]) == 1
    assert "cannot read" in capsys.readouterr().err


def _data_args(example: Path, tmp_path: Path) -> list[str]:
    """Examples on the streamed `calo` data set train on a tiny make-calo directory (--data-dir)."""
    if json.loads(example.read_text())["data"]["name"] != "calo":
        return []
    from trainer.data.calo import CaloConfig, make_calo

    make_calo(tmp_path / "calo", CaloConfig(files_per_class=2, events_per_file=30, chunk_events=10))
    return ["--data-dir", str(tmp_path / "calo")]


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_validates_and_trains_20_steps(example, tmp_path, capsys):
    assert main(["validate", str(example)]) == 0
    events = tmp_path / "e.jsonl"
    data = _data_args(example, tmp_path)
    assert main(["train", str(example), "--max-steps", "20", "--quiet", "--events", str(events), *data]) == 0
    assert "finished" in capsys.readouterr().out
    assert read_jsonl(events)[-1].status == "finished"


@pytest.mark.slow
def test_digits_mlp_reaches_093_and_halves_its_loss(tmp_path, capsys):
    """The acceptance run: `playground train examples/digits-mlp.json --events e.jsonl`."""
    events_path = tmp_path / "e.jsonl"
    assert main(["train", "examples/digits-mlp.json", "--events", str(events_path), "--quiet"]) == 0
    events = read_jsonl(events_path)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    losses = [e.values["train/loss"] for e in events if e.type == "metrics" and "train/loss" in e.values]
    accuracy = [e.values["val/accuracy"] for e in events if e.type == "metrics" and "val/accuracy" in e.values]
    assert losses[-1] <= losses[0] / 2
    assert accuracy[-1] >= 0.93
    assert "val/accuracy" in capsys.readouterr().out


def test_resume_from_the_cli(tmp_path):
    ckpt = tmp_path / "ckpt"
    assert main(["train", "examples/xor.json", "--max-steps", "30", "--checkpoint-dir", str(ckpt), "--quiet"]) == 0
    assert (ckpt / "latest").exists()
    assert main(["train", "examples/xor.json", "--max-steps", "60", "--resume", str(ckpt), "--quiet"]) == 0


def test_schema_and_catalog_are_json(capsys):
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "RunSpec"
    assert main(["schema", "--events"]) == 0
    assert "metrics" in capsys.readouterr().out
    assert main(["catalog"]) == 0
    catalog = json.loads(capsys.readouterr().out)
    assert {"layers", "datasets", "losses", "optimizers", "schedules", "probes", "programs"} <= set(catalog)
    dense = next(layer for layer in catalog["layers"] if layer["type"] == "dense")
    assert dense["params"][0] == {
        "name": "units",
        "kind": "int",
        "default": 16,
        "help": dense["params"][0]["help"],
        "min": 1,
        "max": 65536,
    }


def test_bench_overhead_ends_with_a_json_ratio(capsys, tmp_path):
    out_md = tmp_path / "bench.md"
    argv = ["bench", "overhead", "--json", "--steps", "60", "--repeats", "1", "--write", str(out_md)]
    assert main([*argv, "--case", "digits-mlp", "--case", "resnet"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["ratio"] > 0 and set(summary["cases"]) == {"digits-mlp", "resnet"}
    assert "| digits-mlp |" in out_md.read_text()
