"""docker/: no Docker engine runs here, so the compose file's structure, the Dockerfile's references and the
entrypoint's roles are checked instead (the mistakes that would only show on a production host)."""

from __future__ import annotations

import ast
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.web import ROOT

DOCKER = ROOT / "docker"
APP_SERVICES = ("web", "scheduler", "worker-gpu0", "worker-gpu1")
PREFIX = "${WORKER_QUEUE_PREFIX:-}"  # other machines' workers prefix their queue names


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


def workers(services: dict[str, Any]) -> dict[int, dict[str, Any]]:
    found = {}
    for name, service in services.items():
        if name.startswith("worker"):
            match = re.fullmatch(r"worker-gpu(\d+)", name)
            assert match, f"worker service {name!r}: name it worker-gpu<N>"
            found[int(match[1])] = service
    return found


def env_vars_read_by(path: Path) -> set[str]:
    """Names the module reads from the environment: os.environ.get/[…], os.getenv, env_bool (literal names)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = ast.unparse(node.func)
            if func in {"os.environ.get", "os.getenv", "env_bool"}:
                names.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ" \
                and isinstance(node.slice, ast.Constant):
            names.add(node.slice.value)
    return names


def test_the_services_exist(services: dict[str, Any]) -> None:
    assert {"postgres", "redis", "web", "scheduler", "worker-gpu0", "worker-gpu1"} <= set(services)


def test_postgres_keeps_its_data_and_reports_health(services: dict[str, Any]) -> None:
    postgres = services["postgres"]
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert "redis-cli" in services["redis"]["healthcheck"]["test"]


def test_web_waits_for_a_healthy_database_and_redis_and_the_rest_for_web(services: dict[str, Any]) -> None:
    assert services["web"]["depends_on"] == {"postgres": {"condition": "service_healthy"},
                                             "redis": {"condition": "service_healthy"}}
    assert services["web"]["command"] == ["web"] and services["web"]["healthcheck"]["test"]
    for name in ("scheduler", "worker-gpu0", "worker-gpu1"):
        assert services[name]["depends_on"] == {"web": {"condition": "service_healthy"}}, name
    assert services["scheduler"]["command"] == ["scheduler"]


def test_each_worker_is_pinned_to_its_gpu_and_listens_on_its_own_queue(services: dict[str, Any]) -> None:
    found = workers(services)
    assert sorted(found) == list(range(len(found))) and len(found) >= 2
    queues = set()
    for gpu, worker in found.items():
        env, cmd = worker["environment"], worker["command"]
        assert cmd[0] == "worker"
        queue = cmd[cmd.index("-Q") + 1]
        assert queue == PREFIX + f"gpu{gpu}" == env["PLAYGROUND_SLOT_QUEUE"]
        assert cmd[cmd.index("-n") + 1] == f"{queue}@%h" and cmd[cmd.index("-c") + 1] == "1"
        assert env["CUDA_VISIBLE_DEVICES"] == str(gpu) == env["PLAYGROUND_SLOT_GPU"]
        assert env["CUDA_DEVICE_ORDER"] == "PCI_BUS_ID"  # so GPU N is nvidia-smi's GPU N
        (device,) = worker["deploy"]["resources"]["reservations"]["devices"]
        assert device["driver"] == "nvidia" and "gpu" in device["capabilities"]
        # CUDA_VISIBLE_DEVICES=N needs GPU N in the container under its own number: every GPU is exposed.
        assert device.get("count") == "all" or str(gpu) in device.get("device_ids", []), device
        assert "cu" in worker["build"]["args"]["TORCH_INDEX_URL"], "the workers' image needs CUDA wheels"
        queues.add(queue)
    assert len(queues) == len(found)


def test_every_setting_the_app_reads_is_set(services: dict[str, Any]) -> None:
    read = set().union(*(env_vars_read_by(ROOT / "playground" / f) for f in ("settings.py", "config.py")))
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "PLAYGROUND_HOME"} <= read
    for name in APP_SERVICES:
        env = services[name]["environment"]
        assert not read - set(env), f"{name} lacks {sorted(read - set(env))}"
        assert env["DEBUG"] == "false" and env["PLAYGROUND_HOME"] == "/data"
        assert re.fullmatch(r"\$\{DATABASE_URL:-postgres://playground:\$\{POSTGRES_PASSWORD:?[^}]*\}@postgres:5432/"
                            r"playground\}", env["DATABASE_URL"]), env["DATABASE_URL"]
        assert env["REDIS_URL"] == "${REDIS_URL:-redis://redis:6379/0}"
        assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")  # no default: compose refuses to start without one
    assert "PLAYGROUND_ADMIN_PASSWORD" in services["web"]["environment"]


def test_the_workers_read_their_slot_from_the_environment(services: dict[str, Any]) -> None:
    slot_vars = env_vars_read_by(ROOT / "playground" / "celery.py")
    assert slot_vars == {"PLAYGROUND_SLOT_QUEUE", "PLAYGROUND_SLOT_GPU"}
    for worker in workers(services).values():
        assert slot_vars <= set(worker["environment"])


def test_checkpoints_are_on_one_shared_volume(compose: dict[str, Any], services: dict[str, Any]) -> None:
    for name in APP_SERVICES:
        assert "playground-home:/data" in services[name]["volumes"], name
    assert {"playground-home", "postgres-data"} <= set(compose["volumes"])


def test_every_variable_compose_uses_is_in_env_example() -> None:
    example = (DOCKER / "env.example").read_text()
    for key in set(re.findall(r"\$\{([A-Z_]+)", (DOCKER / "compose.yaml").read_text())):
        assert re.search(rf"^{key}=", example, re.M), f"{key} is used by compose.yaml but missing from env.example"
    assert ".env" in (DOCKER / ".gitignore").read_text().split()


def dockerfile() -> str:
    return (DOCKER / "Dockerfile").read_text()


def test_the_dockerfile_copies_what_exists_and_ignores_what_it_must() -> None:
    copies = [line.split()[1:-1] for line in dockerfile().splitlines() if line.startswith("COPY ")]
    local = [src for srcs in copies if not any(s.startswith("--from") for s in srcs) for src in srcs]
    assert "frontend/package-lock.json" in local and "pyproject.toml" in local
    for src in local:
        assert (ROOT / src).exists(), f"the Dockerfile copies {src}, which is not in the repository"
    ignored = (DOCKER / "Dockerfile.dockerignore").read_text().split()
    assert {".venv", "frontend/node_modules", "docker/.env", "playground/static_build"} <= set(ignored)


def test_the_dockerfile_pins_torch_as_the_makefile_does() -> None:
    makefile = (ROOT / "Makefile").read_text()
    pinned = re.search(r"^TORCH_VERSION := (\S+)", makefile, re.M)
    assert pinned and f"ARG TORCH_VERSION={pinned[1]}\n" in dockerfile()
    assert 'pip install "torch==${TORCH_VERSION}" --index-url "${TORCH_INDEX_URL}"' in dockerfile()
    assert "ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu\n" in dockerfile()  # CPU unless told
    assert "FROM python:3.11-slim" in dockerfile()


def test_the_entrypoint_has_the_roles_compose_uses(services: dict[str, Any]) -> None:
    entrypoint = DOCKER / "entrypoint.sh"
    assert entrypoint.stat().st_mode & 0o111, "docker/entrypoint.sh must be executable"
    assert subprocess.run(["sh", "-n", str(entrypoint)]).returncode == 0
    script = entrypoint.read_text()
    roles = set(re.findall(r"^  ([a-z]+)\)$", script, re.M))
    assert {services[name]["command"][0] for name in APP_SERVICES} <= roles == {"web", "scheduler", "worker"}
    assert "migrate --noinput" in script and "ensure_admin" in script
    assert "daphne" in script and "-b 0.0.0.0 -p 8000 playground.asgi:application" in script
    commands = ROOT / "playground" / "runs" / "management" / "commands"
    assert (commands / "ensure_admin.py").exists() and (commands / "scheduler.py").exists()


def test_the_frontend_stage_stands_in_for_playground_schema(tmp_path: Path) -> None:
    """gen-types runs "$PLAYGROUND_BIN schema [--events]"; the build stage's stand-in prints the stored schemas."""
    assert "process.env.PLAYGROUND_BIN" in (ROOT / "frontend" / "scripts" / "gen-types.mjs").read_text()
    assert "PLAYGROUND_BIN=/usr/local/bin/schema-from-files" in dockerfile()
    (tmp_path / "runspec.json").write_text(json.dumps({"title": "RunSpec"}))
    (tmp_path / "events.json").write_text(json.dumps({"title": "Event"}))
    script = str(DOCKER / "schema-from-files.sh")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([script, *args], env={"SCHEMA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
                              capture_output=True, text=True)

    assert json.loads(run("schema").stdout)["title"] == "RunSpec"
    assert json.loads(run("schema", "--events").stdout)["title"] == "Event"
    assert run("catalog").returncode != 0
