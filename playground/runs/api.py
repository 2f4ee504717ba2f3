"""The HTTP API (django-ninja; OpenAPI at /api/docs). Run bodies are the trainer's pydantic RunSpec; every error
is JSON `{"detail": ...}` and bad input never becomes a 500. See docs/api.md."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import Field

from playground.blocks.api import router as blocks_router
from playground.runs import scheduler, services
from playground.runs.auth import API_AUTH
from playground.runs.data_api import resolve_data_dir
from playground.runs.data_api import router as data_router
from playground.runs.models import ApiToken, Run, RunEvent, SavedGraph
from playground.runs.wire import as_json
from trainer.catalogs import catalog as trainer_catalog
from trainer.graph.spec import RunSpec, load_spec
from trainer.graph.validate import validate

api = NinjaAPI(title="Deep-learning playground API", version="1", auth=API_AUTH, urls_namespace="api",
               docs_url="/docs")
api.add_router("/blocks", blocks_router)  # the user's block library (playground/blocks)
api.add_router("/data", data_router)  # data sets under PLAYGROUND_DATA_ROOT (playground/runs/data_api.py)


# ----- errors: always {"detail": ...} --------------------------------------------------------------------------
def _detail(request: HttpRequest, status: int, detail: Any) -> HttpResponse:
    return api.create_response(request, {"detail": detail}, status=status)


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """A body that is not a valid RunSpec: re-validate the raw JSON with the trainer, whose issues name the node
    and field; other bodies get ninja's errors as issues."""
    raw = _json_body(request)
    if isinstance(raw, dict) and ("graph" in raw or "data" in raw):
        report = validate(raw)
        if report.issues:
            return _detail(request, 422, [i.model_dump() for i in report.issues])
    issues = []
    for e in exc.errors:
        loc = [str(p) for p in e.get("loc", [])]
        field = ".".join(loc[2:] if loc[:1] == ["body"] and len(loc) > 2 else loc[1:]) or None
        issues.append({"type": e.get("type", "invalid"), "message": f"{field or 'body'}: {e.get('msg', 'invalid')}",
                       "node_id": None, "field": field})
    return _detail(request, 422, issues)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _detail(request, 401, "not logged in: log in, or send Authorization: Bearer <token>")


@api.exception_handler(services.RunError)
def _conflict(request: HttpRequest, exc: services.RunError) -> HttpResponse:
    return _detail(request, 409, str(exc))


class _BadJson(HttpError):
    def __init__(self, exc: Exception):
        super().__init__(400, f"the request body is not JSON: {exc}")


def _json_body(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return None


def _require_json(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError) as exc:
        raise _BadJson(exc) from None


# ----- schemas -------------------------------------------------------------------------------------------------
class TokenIn(Schema):
    username: str
    password: str


class RunOut(Schema):
    id: int
    name: str
    status: str
    created_at: datetime
    step: int
    total_steps: int | None


class RunDetailOut(RunOut):
    message: str
    spec: dict[str, Any]
    started_at: datetime | None
    finished_at: datetime | None
    last_seq: int
    lr: float | None
    attempts: int


class CreatedOut(Schema):
    id: int
    status: str


class SettingsIn(Schema):
    lr: float = Field(gt=0, description="the new learning rate, applied by the job within ~0.25 s")


class GraphIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    spec: dict[str, Any]


class GraphOut(Schema):
    id: int
    name: str
    updated_at: datetime
    spec: dict[str, Any] | None = None


def _run_detail(run: Run) -> dict[str, Any]:
    return {f: getattr(run, f) for f in RunDetailOut.model_fields}


def _own_run(request: HttpRequest, run_id: int) -> Run:
    return get_object_or_404(services.runs_of(request.user), pk=run_id)


# ----- account -------------------------------------------------------------------------------------------------
@api.get("/me", tags=["account"])
def me(request: HttpRequest) -> dict[str, Any]:
    return {"username": request.user.get_username(), "is_staff": request.user.is_staff}


@api.post("/auth/token", auth=None, tags=["account"], response={200: dict, 401: dict})
def token(request: HttpRequest, body: TokenIn) -> Any:
    """A token for `Authorization: Bearer <token>`: scripts and the CLI use it instead of the session."""
    user = authenticate(request, username=body.username, password=body.password)
    if user is None:
        return Status(401, {"detail": "wrong username or password"})
    return {"token": ApiToken.objects.create(user=user).key}


# ----- catalog, examples, validation ---------------------------------------------------------------------------
@api.get("/catalog", tags=["catalog"])
def catalog(request: HttpRequest) -> dict[str, Any]:
    """Every layer, data set, loss, optimiser, schedule, probe and program with its parameter schema."""
    return _catalog()


@lru_cache(maxsize=1)
def _catalog() -> dict[str, Any]:
    return trainer_catalog()


@lru_cache(maxsize=1)
def _examples() -> list[dict[str, Any]]:
    out = []
    for path in sorted(Path(settings.BASE_DIR, "examples").glob("*.json")):
        spec = json.loads(path.read_text())
        out.append({"name": path.stem, "title": spec.get("name") or path.stem,
                    "description": spec.get("description") or "", "spec": spec})
    return out


@api.get("/examples", tags=["catalog"])
def examples(request: HttpRequest) -> list[dict[str, Any]]:
    """The shipped examples/, as editor templates."""
    return _examples()


@api.post("/validate", tags=["runs"], openapi_extra={
    "requestBody": {"content": {"application/json": {"schema": {"type": "object",
                                                                "description": "a RunSpec, possibly invalid"}}}}})
def validate_spec(request: HttpRequest) -> dict[str, Any]:
    """Shapes, parameter counts and issues per node; an invalid spec is an answer (200), not an error."""
    raw = _require_json(request)
    report = validate(raw)
    if report.ok:  # the server's own checks: a data directory, chosen under the data root
        _, issues = resolve_data_dir(load_spec(raw))
        if issues:
            report = report.model_copy(update={"ok": False, "issues": [*report.issues, *issues]})
    return report.model_dump(mode="json")


# ----- runs ----------------------------------------------------------------------------------------------------
@api.post("/runs", tags=["runs"], response={201: CreatedOut, 422: dict, 503: dict})
def create_run(request: HttpRequest, spec: RunSpec) -> Any:
    """Validate and queue a run. 503 when Redis does not answer: nothing is stored, submit again later."""
    spec, issues = resolve_data_dir(spec)  # a data_dir from the browser is relative to the data root, never beyond
    if issues:
        return Status(422, {"detail": [i.model_dump() for i in issues]})
    if not _broker_answers():
        return Status(503, {"detail": "the job queue (Redis) is not answering, so the run was not submitted; "
                                      "nothing was stored — try again in a moment"})
    run, issues = services.create_run(request.user, spec)
    if run is None:
        return Status(422, {"detail": [i.model_dump() for i in issues]})
    scheduler.schedule()  # an idle worker starts at once instead of at the scheduler's next tick
    run.refresh_from_db(fields=["status"])
    return Status(201, {"id": run.pk, "status": run.status})


def _broker_answers() -> bool:
    from playground.redis_embed import redis_answers

    return redis_answers(settings.CELERY_BROKER_URL, timeout=1.0)


@api.get("/runs", tags=["runs"], response=list[RunOut])
def list_runs(request: HttpRequest, limit: int = 200) -> Any:
    return services.runs_of(request.user)[: max(1, min(limit, 1000))]


@api.get("/runs/{run_id}", tags=["runs"], response=RunDetailOut)
def get_run(request: HttpRequest, run_id: int) -> Any:
    return _run_detail(_own_run(request, run_id))


@api.post("/runs/{run_id}/cancel", tags=["runs"], response=RunDetailOut)
def cancel_run(request: HttpRequest, run_id: int) -> Any:
    return _run_detail(services.request_cancel(_own_run(request, run_id)))


@api.post("/runs/{run_id}/pause", tags=["runs"], response=RunDetailOut)
def pause_run(request: HttpRequest, run_id: int) -> Any:
    return _run_detail(services.request_pause(_own_run(request, run_id)))


@api.post("/runs/{run_id}/resume", tags=["runs"], response=RunDetailOut)
def resume_run(request: HttpRequest, run_id: int) -> Any:
    return _run_detail(services.request_resume(_own_run(request, run_id)))


@api.patch("/runs/{run_id}/settings", tags=["runs"], response=RunDetailOut)
def run_settings(request: HttpRequest, run_id: int, body: SettingsIn) -> Any:
    return _run_detail(services.request_lr(_own_run(request, run_id), body.lr))


@api.get("/runs/{run_id}/events", tags=["runs"])
def run_events(request: HttpRequest, run_id: int, since: int = 0, limit: int = 1000) -> dict[str, Any]:
    """Stored events after `since`, as the CLI's JSON Lines write them."""
    run = _own_run(request, run_id)
    rows = RunEvent.objects.filter(run=run, seq__gt=since).order_by("seq")[: max(1, min(limit, 10_000))]
    return {"events": [as_json(r.data, r.image) for r in rows], "last_seq": run.last_seq}


# ----- saved graphs --------------------------------------------------------------------------------------------
@api.get("/graphs", tags=["graphs"], response=list[GraphOut], exclude_none=True)
def list_graphs(request: HttpRequest) -> Any:
    return list(SavedGraph.objects.filter(owner=request.user).values("id", "name", "updated_at"))


@api.post("/graphs", tags=["graphs"], response={201: GraphOut})
def create_graph(request: HttpRequest, body: GraphIn) -> Any:
    return Status(201, SavedGraph.objects.create(owner=request.user, name=body.name, spec=body.spec))


@api.get("/graphs/{graph_id}", tags=["graphs"], response=GraphOut)
def get_graph(request: HttpRequest, graph_id: int) -> Any:
    return get_object_or_404(SavedGraph, pk=graph_id, owner=request.user)


@api.put("/graphs/{graph_id}", tags=["graphs"], response=GraphOut)
def update_graph(request: HttpRequest, graph_id: int, body: GraphIn) -> Any:
    graph = get_object_or_404(SavedGraph, pk=graph_id, owner=request.user)
    graph.name, graph.spec = body.name, body.spec
    graph.save()
    return graph


@api.delete("/graphs/{graph_id}", tags=["graphs"], response={204: None})
def delete_graph(request: HttpRequest, graph_id: int) -> Any:
    get_object_or_404(SavedGraph, pk=graph_id, owner=request.user).delete()
    return Status(204, None)
