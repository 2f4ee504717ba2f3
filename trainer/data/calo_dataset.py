"""The `calo` data set: calorimeter events streamed from HDF5 files under `data.data_dir`, one directory per
particle class (the layout `playground make-calo` writes), through trainer.data.h5stream.

Its shapes are declared (ECAL (1, 25, 25, 25), HCAL (1, 5, 5, 60), energy (1,)…), so validation never opens a file;
the files' schema is checked against them when a run starts, and files that do not match are skipped by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from trainer.catalog import Issue, Param
from trainer.data.calo import ECAL_SHAPE, HCAL_SHAPE
from trainer.data.registry import DataInfo, DatasetEntry, register_dataset
from trainer.graph.spec import DataSpec

# One event's shape per field as make-calo stores it; the model sees images with a channel axis (h5stream).
STORED_SHAPES: dict[str, tuple[int, ...]] = {
    "ECAL": ECAL_SHAPE,
    "HCAL": HCAL_SHAPE,
    "energy": (),
    "direction": (3,),
    "entry": (2,),
}


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def class_sources(p: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """(label, glob) per class from "Ele,Gamma" or "Ele=electrons/*.h5,…"; a bare name reads `<name>/*.h5`."""
    out = []
    for part in _split(p["classes"]):
        name, _, pattern = part.partition("=")
        out.append((name.strip(), pattern.strip() or f"{name.strip()}/*.h5"))
    return tuple(out)


def _check(p: dict[str, Any]) -> list[Issue]:
    issues = []
    classes = class_sources(p)
    if len(classes) < 2:
        issues.append(
            Issue(type="invalid_param", field="data.params.classes", message="calo needs two or more classes")
        )
    for name, pattern in classes:
        if not name or Path(pattern).is_absolute() or ".." in Path(pattern).parts:
            issues.append(
                Issue(
                    type="invalid_param",
                    field="data.params.classes",
                    message=f"class {name!r}: the glob {pattern!r} must stay inside data.data_dir (no absolute "
                    "path, no ..)",
                )
            )
    fields = _split(p["fields"])
    unknown = [f for f in fields if f not in STORED_SHAPES]
    if not fields or unknown:
        issues.append(
            Issue(
                type="invalid_param",
                field="data.params.fields",
                message=f"unknown field(s) {', '.join(unknown) or '(none given)'} (known: {', '.join(STORED_SHAPES)})",
            )
        )
    if p["fractions"]:
        try:
            fractions = [float(x) for x in _split(p["fractions"])]
        except ValueError:
            fractions = []
        if len(fractions) != len(classes) or any(f < 0 for f in fractions) or sum(fractions) <= 0:
            issues.append(
                Issue(
                    type="invalid_param",
                    field="data.params.fractions",
                    message=f"give one non-negative number per class ({len(classes)}), e.g. "
                    f"{','.join(['1'] * len(classes))}; got {p['fractions']!r}",
                )
            )
    return issues


def _info(p: dict[str, Any]) -> DataInfo:
    from trainer.data.h5stream import model_shape

    fields = tuple(f for f in _split(p["fields"]) if f in STORED_SHAPES) or ("ECAL",)
    shapes = tuple(model_shape(STORED_SHAPES[f]) for f in fields)
    names = tuple(name for name, _ in class_sources(p))
    return DataInfo(
        task="classification",
        input_shape=shapes[0],
        target_shape=(),
        num_classes=len(names),
        class_names=names,
        fields=fields,
        field_shapes=shapes,
    )


def _generate(p: dict[str, Any], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    raise OSError("calo streams from files: the engine reads it through its stream, never all at once")


def _stream(p: dict[str, Any], spec: DataSpec, seed: int, batch_size: int) -> Any:
    """The StreamingData for a run; raises StreamError with a message for the user."""
    from trainer.data.h5stream import StreamConfig, StreamError, open_stream

    if not spec.data_dir:
        raise StreamError("calo reads files: set data.data_dir (the CLI's --data-dir) to a make-calo directory")
    data_dir = Path(spec.data_dir).expanduser()
    if not data_dir.is_dir():
        raise StreamError(f"data.data_dir {str(data_dir)!r} is not a directory")
    fields = tuple(_split(p["fields"]))
    config = StreamConfig(
        data_dir=data_dir,
        classes=class_sources(p),
        fields=fields,
        field_shapes={f: STORED_SHAPES[f] for f in fields},
        batch_size=batch_size,
        seed=seed,
        fractions=tuple(float(x) for x in _split(p["fractions"])) or None,
        block_events=p["block_events"],
        shuffle_buffer=p["shuffle_buffer"],
        flip=p["flip"],
        rotate=p["rotate"],
        smear=p["smear"],
        log_energy=p["log_energy"],
        scaling=spec.scaling,
    )
    return open_stream(config, val_fraction=spec.val_fraction, val_events=p["val_events"], workers=p["workers"])


register_dataset(
    DatasetEntry(
        name="calo",
        help="Calorimeter showers (make-calo HDF5 files under data_dir, one directory per class), streamed.",
        task="classification",
        params=(
            Param("classes", "str", "Ele,Gamma,Pi0,ChPi", "Class directories: `Name` reads Name/*.h5; `Name=glob`."),
            Param("fields", "str", "ECAL,HCAL", "Datasets to read, in order: ECAL, HCAL, energy, direction, entry."),
            Param("fractions", "str", "", "Mix per class, e.g. 1,1,1,1; empty: as many as the files hold."),
            Param(
                "val_events", "int", 2000, "Validation events held in memory (from held-out files).", min=0, max=100000
            ),
            Param("workers", "int", 2, "DataLoader worker processes reading files in parallel.", min=0, max=32),
            Param("shuffle_buffer", "int", 1024, "Events held for shuffling.", min=1, max=65536),
            Param("block_events", "int", 0, "Events per read; 0: one HDF5 chunk.", min=0, max=100000),
            Param("flip", "bool", True, "Random transverse flips."),
            Param("rotate", "bool", True, "Random 90° transverse rotations."),
            Param("smear", "float", 0.02, "Relative energy smearing per event.", min=0.0, max=0.5),
            Param("log_energy", "bool", True, "Inputs as log(E + 1) before data.scaling (per field)."),
        ),
        info=_info,
        generate=_generate,
        check=_check,
        stream=_stream,
    )
)
