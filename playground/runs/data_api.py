"""`/api/data`: the data sets on the server under PLAYGROUND_DATA_ROOT, for the browser's data panel. Users choose
directories from `GET /api/data/dirs` (they never type server paths); `GET /api/data/preview?path=…` draws one
event's energy deposits. Every path is relative to the root and refused (400) when it resolves outside it —
`..`, absolute paths and symlinks pointing out alike. A run's `data.data_dir` goes through `resolve_data_dir`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.errors import HttpError

from trainer.catalog import Issue
from trainer.graph.spec import RunSpec

router = Router(tags=["data"])
MAX_DIRS = 500  # directories listed at most (a classroom's data root, not a whole file system)
MAX_DEPTH = 4  # directory levels searched below the root


def data_root() -> Path:
    return Path(settings.PLAYGROUND["DATA_ROOT"]).resolve()


def inside_root(relative: str) -> Path | None:
    """The absolute path of `relative` (to the data root) when it stays inside the root after resolving `..` and
    symlinks; None when it does not, or when it is absolute."""
    if not isinstance(relative, str) or Path(relative).is_absolute() or "\x00" in relative:
        return None
    root = data_root()
    path = (root / relative).resolve()
    return path if path == root or path.is_relative_to(root) else None


def resolve_data_dir(spec: RunSpec) -> tuple[RunSpec, list[Issue]]:
    """A submitted spec with `data.data_dir` (relative to the data root) made absolute, or the issue saying what
    is wrong with it: outside the root, not a directory, or missing for a data set read from files (which would
    otherwise fail only when the worker starts it). Specs of generated data sets without a data_dir pass."""
    given = spec.data.data_dir
    if not given:
        if not _reads_files(spec.data.name):
            return spec, []
        return spec, [
            Issue(
                type="data_dir_missing",
                field="data.data_dir",
                message=f"data set {spec.data.name} reads files: choose its directory in the data panel "
                "(one of /api/data/dirs)",
            )
        ]
    path = inside_root(given)
    if path is None:
        return spec, [
            Issue(
                type="data_dir_outside_root",
                field="data.data_dir",
                message=f"data.data_dir {given!r} is not inside the server's data root: choose one of /api/data/dirs",
            )
        ]
    if not path.is_dir():
        return spec, [
            Issue(
                type="data_dir_not_found",
                field="data.data_dir",
                message=f"data.data_dir {given!r} is not a directory under the server's data root: "
                "choose one of /api/data/dirs",
            )
        ]
    data = spec.data.model_copy(update={"data_dir": str(path)})
    return spec.model_copy(update={"data": data}), []


def _reads_files(name: str) -> bool:
    """Whether the catalog's data set `name` streams from files (unknown names are validation's business)."""
    from trainer.data.registry import all_datasets

    datasets = all_datasets()
    return name in datasets and datasets.get(name).stream is not None


def _checked(relative: str) -> Path:
    path = inside_root(relative)
    if path is None:
        raise HttpError(400, f"path {relative!r} is outside the data root")
    if not path.exists():
        raise HttpError(404, f"path {relative!r} does not exist under the data root")
    return path


def _events(path: Path) -> int | None:
    """Events in an HDF5 file: the length of its first dataset; None when the file cannot be read."""
    import h5py

    try:
        with h5py.File(path, "r") as f:
            for key in f:
                shape = getattr(f[key], "shape", None)
                if shape:
                    return int(shape[0])
    except Exception:  # noqa: BLE001 — a broken file is listed as unreadable, never a 500
        return None
    return 0


@router.get("/dirs")
def list_dirs(request: HttpRequest) -> dict[str, Any]:
    """Every directory under the root that holds .h5 files: its path relative to the root, its parent (the
    `data_dir` a calo spec names), file and event counts, and how many files could not be read."""
    root = data_root()
    dirs: list[dict[str, Any]] = []
    if root.is_dir():
        for path in sorted(p for p in root.rglob("*") if p.is_dir()):
            rel = path.relative_to(root)
            if len(rel.parts) > MAX_DEPTH or any(part.startswith(".") for part in rel.parts):
                continue
            if inside_root(str(rel)) is None:  # a symlinked directory that points out of the root
                continue
            files = sorted(path.glob("*.h5"))
            if not files:
                continue
            counts = [_events(f) for f in files]
            dirs.append(
                {
                    "path": rel.as_posix(),
                    "parent": rel.parent.as_posix() if rel.parent != Path(".") else "",
                    "name": path.name,
                    "files": len(files),
                    "events": sum(c for c in counts if c),
                    "unreadable": sum(1 for c in counts if c is None),
                }
            )
            if len(dirs) >= MAX_DIRS:
                break
    return {"root_exists": root.is_dir(), "dirs": dirs}


@router.get("/preview")
def preview(request: HttpRequest, path: str, event: int = 0) -> HttpResponse:
    """A PNG of one event's deposits (log scale): ECAL seen from the front (x–y), ECAL from the side (x–depth)
    and HCAL from the side (x–depth). `path` is a class directory (its first file) or an .h5 file."""
    import h5py

    from trainer.train.png import encode_png, sequential, upscale

    target = _checked(path)
    file = target if target.is_file() else next(iter(sorted(target.glob("*.h5"))), None)
    if file is None or inside_root(str(file.relative_to(data_root()))) is None:
        raise HttpError(404, f"no .h5 file in {path!r}")
    try:
        with h5py.File(file, "r") as f:
            if "ECAL" not in f:
                raise HttpError(422, f"{file.name} has no ECAL dataset")
            n = int(f["ECAL"].shape[0])
            if not 0 <= event < n:
                raise HttpError(400, f"event {event} is outside 0…{n - 1} in {file.name}")
            ecal = np.asarray(f["ECAL"][event], dtype=np.float64)  # (x, y, depth)
            hcal = np.asarray(f["HCAL"][event], dtype=np.float64) if "HCAL" in f else None
    except HttpError:
        raise
    except Exception as exc:  # noqa: BLE001 — an unreadable file is the user's news, not a 500
        raise HttpError(422, f"{file.name} could not be read: {type(exc).__name__}") from None
    panels = [ecal.sum(axis=2), ecal.sum(axis=1)]  # (x, y) front, (x, depth) side
    if hcal is not None:
        panels.append(hcal.sum(axis=1))  # (x, depth)
    height = 200
    images = []
    for panel in panels:
        logged = np.log1p(np.clip(panel, 0.0, None))
        colours = sequential(logged, 0.0, max(float(logged.max()), 1e-9))
        factor = max(1, min(height // panel.shape[0], 600 // panel.shape[1]))
        images.append(upscale(colours, factor))
    tallest = max(img.shape[0] for img in images)
    gap = np.full((tallest, 8, 3), 255, dtype=np.uint8)
    row = []
    for img in images:
        pad = np.full((tallest - img.shape[0], img.shape[1], 3), 255, dtype=np.uint8)
        row += [np.concatenate([img, pad], axis=0), gap]
    png = encode_png(np.concatenate(row[:-1], axis=1))
    return HttpResponse(png, content_type="image/png")
