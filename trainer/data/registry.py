"""The data-set catalog: every data set a spec may name, declared as data (parameters, shapes, a generator).

A data set is one module in trainer/data/ that calls `register_dataset(DatasetEntry(...))`, plus its module name in
`BUILTIN_MODULES` below. Data sets are generated in-process or shipped inside an installed package: never
downloaded. The palette, the API's catalog, the CLI and validation are all generated from these entries.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from trainer.catalog import Issue, Param, Registry, check_params
from trainer.graph.spec import DataSpec

Task = Literal["classification", "regression"]

# The modules whose import registers the built-in data sets (trainer.data.<name>).
BUILTIN_MODULES = (
    "toy2d",
    "digits",
    "regression",
    "blobs",
    "shapes",
    "digits_upscaled",
    "sequences",
    "moving_shapes",
    "digit_pairs",
    "graphs",
    "calo_dataset",
)


@dataclass(frozen=True)
class DataInfo:
    """What a data set looks like to the graph and the loss, known without generating any data."""

    task: Task
    input_shape: tuple[int, ...]  # one example, no batch dim: (2,) for toy sets, (64,) or (1, 8, 8) for digits
    target_shape: tuple[int, ...]  # one example's target: () class index, (C,) one-hot, (1,) 1-D regression
    num_classes: int | None  # None for regression
    class_names: tuple[str, ...] | None
    fields: tuple[str, ...] = ("x",)  # names of the input tensors (Input nodes pick one with their `field` param)
    # One example's shape per field, in `fields` order; None: every field has `input_shape` (the first field's).
    field_shapes: tuple[tuple[int, ...], ...] | None = None
    unscaled: tuple[str, ...] = ()  # fields data.scaling leaves alone: adjacency matrices, token ids, masks

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """One example's shape by field name, e.g. {"x": (12, 4), "adj": (12, 12)} for graphs."""
        shapes = self.field_shapes or tuple(tuple(self.input_shape) for _ in self.fields)
        return dict(zip(self.fields, shapes))


@dataclass(frozen=True)
class DatasetEntry:
    """A data set. `info(params)` is cheap (no data generated) and gets the clean parameters; `generate(params,
    rng)` returns all N examples: x float (N, *input_shape) and y int64 (N, *target_shape) class indices or float
    (N, *target_shape) for regression, drawing every random number from `rng` so one seed gives one data set.
    A data set with several input fields returns x as a dict {field: (N, *shape)} with every name in `fields`.
    Class targets may be per position: target_shape (T,) or (nodes,) with outputs (N, T, C) or (N, nodes, C)."""

    name: str
    help: str  # one line, for the palette
    task: Task
    params: tuple[Param, ...]
    info: Callable[[dict[str, Any]], DataInfo]
    generate: Callable[[dict[str, Any], np.random.Generator], tuple[np.ndarray | dict[str, np.ndarray], np.ndarray]]
    # Checks of the parameters beyond their declared types (lists in strings, fractions), as issues; never raises.
    check: Callable[[dict[str, Any]], list[Issue]] | None = None
    # Data read from files too large for memory: stream(params, data spec, seed, batch size) → trainer.data.
    # h5stream.StreamingData; the engine then streams training batches and `generate` is never called.
    stream: Callable[[dict[str, Any], DataSpec, int, int], Any] | None = None


DATASETS: Registry[DatasetEntry] = Registry(kind="data set")


def register_dataset(entry: DatasetEntry) -> DatasetEntry:
    return DATASETS.register(entry.name, entry)


def all_datasets() -> Registry[DatasetEntry]:
    """The catalog with every built-in data set module imported (importing registers them)."""
    for module in BUILTIN_MODULES:
        importlib.import_module(f"trainer.data.{module}")
    return DATASETS


def dataset_params(spec: DataSpec) -> tuple[DatasetEntry | None, dict[str, Any], list[Issue]]:
    """The entry `spec.name` names and its clean parameters (defaults where a value was wrong), with the issues.

    Never raises on user input: an unknown name gives an `unknown_dataset` issue and no entry."""
    datasets = all_datasets()
    if spec.name not in datasets:
        return None, {}, [datasets.unknown(spec.name, field="data.name")]
    entry = datasets.get(spec.name)
    params, issues = check_params(entry.params, spec.params, prefix="data.params", what=f"data set {entry.name}: ")
    if entry.check is not None and not issues:
        issues = entry.check(params)
    return entry, params, issues


def dataset_info(spec: DataSpec) -> tuple[DataInfo | None, list[Issue]]:
    """What the spec's data set looks like, after target encoding, and the problems with its name or parameters.

    Never raises on user input. With parameter issues the info still describes the data set with the defaults in
    place of the wrong values, so the graph can be checked too. With `targets == "onehot"` a classification
    set's target_shape is (num_classes,); regression targets are never encoded."""
    entry, params, issues = dataset_params(spec)
    if entry is None:
        return None, issues
    return encoded(entry.info(params), spec.targets), issues


def encoded(info: DataInfo, targets: str) -> DataInfo:
    """The info as the loss sees it once targets are encoded: "onehot" makes a classification set's target_shape
    (num_classes,), or (T, num_classes) for per-position classes (T,); "index" and regression targets are kept."""
    if targets != "onehot" or info.task != "classification":
        return info
    assert info.num_classes is not None, "a classification data set declares num_classes"
    return replace(info, target_shape=(*info.target_shape, info.num_classes))  # per position: (T,) → (T, C)
