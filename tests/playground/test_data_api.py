"""`/api/data`: listing class directories under PLAYGROUND_DATA_ROOT, previews, and paths kept inside the root."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.web import make_user
from trainer.data.calo import CaloConfig, make_calo
from trainer.train.png import decode_png

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(tmp_path: Path, settings: Any) -> Path:
    """A data root with one make-calo set (two classes, 2 files × 20 events) and a secret file beside it."""
    data_root = tmp_path / "root"
    make_calo(data_root / "calo", CaloConfig(files_per_class=2, events_per_file=20, classes=("Ele", "ChPi")))
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "x.h5").write_bytes(b"not for you")
    settings.PLAYGROUND = {**settings.PLAYGROUND, "DATA_ROOT": data_root}
    return data_root


@pytest.fixture
def client() -> Client:
    c = Client()
    c.force_login(make_user("alice"))
    return c


def test_dirs_lists_class_directories_with_file_and_event_counts(root: Path, client: Client) -> None:
    dirs = {d["path"]: d for d in client.get("/api/data/dirs").json()["dirs"]}
    assert set(dirs) == {"calo/Ele", "calo/ChPi"}
    assert dirs["calo/Ele"]["files"] == 2 and dirs["calo/Ele"]["events"] == 40
    assert dirs["calo/ChPi"]["parent"] == "calo"


def test_dirs_counts_unreadable_files(root: Path, client: Client) -> None:
    (root / "calo" / "Ele" / "broken.h5").write_bytes(b"garbage")
    ele = next(d for d in client.get("/api/data/dirs").json()["dirs"] if d["path"] == "calo/Ele")
    assert ele["unreadable"] == 1 and ele["events"] == 40


def test_dirs_skips_a_symlink_that_leaves_the_root(root: Path, client: Client) -> None:
    os.symlink(root.parent / "secret", root / "escape")
    paths = [d["path"] for d in client.get("/api/data/dirs").json()["dirs"]]
    assert "escape" not in paths


def test_preview_is_a_png_of_projections(root: Path, client: Client) -> None:
    r = client.get("/api/data/preview", {"path": "calo/Ele", "event": 3})
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    pixels = decode_png(r.content)
    assert pixels.shape[0] >= 100 and pixels.shape[1] > pixels.shape[0]  # three panels side by side


@pytest.mark.parametrize("path", ["../secret", "calo/../../secret", "/etc", "escape"])
def test_preview_refuses_paths_outside_the_root(root: Path, client: Client, path: str) -> None:
    os.symlink(root.parent / "secret", root / "escape")
    r = client.get("/api/data/preview", {"path": path})
    assert r.status_code == 400
    assert path in r.json()["detail"]


def test_preview_of_an_event_past_the_end_is_400(root: Path, client: Client) -> None:
    r = client.get("/api/data/preview", {"path": "calo/Ele", "event": 999})
    assert r.status_code == 400 and "999" in r.json()["detail"]


def _calo_spec(data_dir: str) -> dict[str, Any]:
    return {
        "graph": {
            "version": 1,
            "nodes": [
                {"id": "e", "type": "input", "params": {"field": "ECAL"}},
                {"id": "f", "type": "flatten"},
                {"id": "d", "type": "dense", "params": {"units": 2}},
                {"id": "p", "type": "softmax"},
            ],
            "edges": [{"source": "e", "target": "f"}, {"source": "f", "target": "d"}, {"source": "d", "target": "p"}],
        },
        "data": {"name": "calo", "params": {"classes": "Ele,ChPi", "fields": "ECAL"}, "data_dir": data_dir},
    }


@pytest.mark.parametrize("data_dir", ["../secret", "/etc", "calo/../../secret"])
def test_a_run_with_data_dir_outside_the_root_is_422(root: Path, client: Client, data_dir: str) -> None:
    r = client.post("/api/runs", json.dumps(_calo_spec(data_dir)), content_type="application/json")
    assert r.status_code == 422
    [issue] = r.json()["detail"]
    assert issue["field"] == "data.data_dir" and data_dir in issue["message"]


def test_a_data_dir_inside_the_root_resolves_to_an_absolute_path(root: Path) -> None:
    from playground.runs.data_api import resolve_data_dir
    from trainer.graph.spec import load_spec

    spec, issues = resolve_data_dir(load_spec(_calo_spec("calo")))
    assert issues == [] and spec.data.data_dir == str((root / "calo").resolve())


def _validate(client: Client, spec: dict[str, Any]) -> dict[str, Any]:
    r = client.post("/api/validate", json.dumps(spec), content_type="application/json")
    assert r.status_code == 200
    return r.json()


def test_validate_asks_for_a_data_dir_when_the_data_set_reads_files(root: Path, client: Client) -> None:
    """Train stays disabled until a directory is chosen, instead of a run that fails on the worker."""
    spec = _calo_spec("calo")
    del spec["data"]["data_dir"]
    report = _validate(client, spec)
    assert report["ok"] is False
    assert [(i["type"], i["field"]) for i in report["issues"]] == [("data_dir_missing", "data.data_dir")]
    r = client.post("/api/runs", json.dumps(spec), content_type="application/json")
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "data_dir_missing"


@pytest.mark.parametrize(("data_dir", "kind"), [("../secret", "data_dir_outside_root"), ("nope", "data_dir_not_found")])
def test_validate_names_a_data_dir_outside_the_root_or_missing(
    root: Path, client: Client, data_dir: str, kind: str
) -> None:
    report = _validate(client, _calo_spec(data_dir))
    assert report["ok"] is False and [i["type"] for i in report["issues"]] == [kind]


def test_validate_accepts_a_chosen_data_dir_and_generated_data_without_one(root: Path, client: Client) -> None:
    assert _validate(client, _calo_spec("calo"))["ok"] is True
    spiral = json.loads((Path(__file__).resolve().parents[2] / "examples" / "spiral.json").read_text())
    assert _validate(client, spiral)["ok"] is True
