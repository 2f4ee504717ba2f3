"""Fine-tuning from a run of the web app: `init_from.checkpoint = "run:<id>"` names the user's own run, resolved
to its latest checkpoint at submit (and again by the job); the stored spec keeps what the user wrote."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from playground.runs import services
from playground.runs.models import Run
from tests.conftest import mlp_spec
from tests.web import make_user
from trainer.graph.spec import RunSpec
from trainer.train.engine import fit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _checkpoints_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.PLAYGROUND = {**settings.PLAYGROUND, "CHECKPOINT_DIR": tmp_path}


def finished_run(owner: Any, *, checkpoint: bool = True) -> Run:
    run = Run.objects.create(owner=owner, spec=mlp_spec(), status=Run.Status.FINISHED)
    if checkpoint:
        assert fit(mlp_spec(max_steps=2), checkpoint_dir=run.checkpoint_dir).status == "finished"
    return run


def fine_tune(run_ref: str) -> dict[str, Any]:
    return mlp_spec(init_from={"checkpoint": run_ref, "freeze": ["dense1"]})


def submit(client: Client, spec: dict[str, Any]) -> Any:
    return client.post("/api/runs", json.dumps(spec), content_type="application/json")


def login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_fine_tuning_from_ones_own_run_is_accepted_and_stored_as_written(redis_url: str) -> None:
    alice = make_user("alice")
    source = finished_run(alice)
    r = submit(login(alice), fine_tune(f"run:{source.pk}"))
    assert r.status_code == 201, r.content
    assert Run.objects.get(pk=r.json()["id"]).spec["init_from"]["checkpoint"] == f"run:{source.pk}"


def test_another_users_run_is_422_naming_init_from_checkpoint(redis_url: str) -> None:
    source = finished_run(make_user("alice"))
    r = submit(login(make_user("bob")), fine_tune(f"run:{source.pk}"))
    assert r.status_code == 422
    assert [i["field"] for i in r.json()["detail"]] == ["init_from.checkpoint"]


def test_a_run_without_a_checkpoint_is_422(redis_url: str) -> None:
    alice = make_user("alice")
    source = finished_run(alice, checkpoint=False)
    r = submit(login(alice), fine_tune(f"run:{source.pk}"))
    assert r.status_code == 422 and "no checkpoint" in r.json()["detail"][0]["message"]


def test_the_job_resolves_the_reference_to_the_latest_checkpoint() -> None:
    alice = make_user("alice")
    source = finished_run(alice)
    resolved, issues = services.resolve_init_from(alice.pk, RunSpec.model_validate(fine_tune(f"run:{source.pk}")))
    assert not issues and resolved is not None and resolved.init_from is not None
    path = Path(resolved.init_from.checkpoint)
    assert path.is_file() and path.parent == Path(source.checkpoint_dir)
