"""Turn a DataSpec into tensors ready to train on: generate, shuffle, split, scale inputs, encode targets.

Everything is a pure function of the spec and the seed, so a run is reproducible and can resume mid-epoch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from trainer.data.registry import DataInfo, dataset_params, encoded
from trainer.graph.spec import DataSpec


class DataError(Exception):
    """A data set could not be prepared for a reason validation cannot see (a file unreadable, a package missing).
    The message is for the user and names what went wrong."""


@dataclass
class Split:
    """One split's examples. A data set with several input fields keeps the first in `x` and the rest in `others`;
    `inputs` gives them all in `DataInfo.fields` order."""

    x: torch.Tensor  # (N, *input_shape) float32, scaled: the first field
    y: torch.Tensor  # (N, *target_shape) int64 class indices; (N, …, C) float32 one-hot; or float32 regression
    others: tuple[torch.Tensor, ...] = ()  # the other fields, (N, *shape) float32 each

    @property
    def inputs(self) -> tuple[torch.Tensor, ...]:
        """Every input field, in `DataInfo.fields` order."""
        return (self.x, *self.others)

    def __len__(self) -> int:
        return int(self.x.shape[0])


@dataclass
class Scaler:
    """Per-feature input scaling fitted on the training split: x_scaled = (x − shift) / scale."""

    kind: str  # "none" | "standardize" | "minmax"
    shift: torch.Tensor  # (*input_shape) float32
    scale: torch.Tensor  # (*input_shape) float32, never 0 (a constant feature keeps scale 1)

    @classmethod
    def fit(cls, kind: str, x: torch.Tensor) -> Scaler:
        """Fit on x (N, *input_shape); "standardize" gives mean 0 and std 1 per feature, "minmax" range [0, 1]."""
        shape = tuple(x.shape[1:])
        if kind == "none" or len(x) == 0:
            return cls(kind, torch.zeros(shape), torch.ones(shape))
        if kind == "standardize":
            shift, scale = x.mean(dim=0), x.std(dim=0, correction=0)
        elif kind == "minmax":
            # In float32 on purpose: (max − min) / (max − min) is then exactly 1, the training maximum maps to 1.
            shift = x.amin(dim=0)
            scale = x.amax(dim=0) - shift
        else:
            raise ValueError(f"unknown scaling {kind!r} (known: none, standardize, minmax)")
        return cls(kind, shift, torch.where(scale > 0, scale, torch.ones_like(scale)))

    def transform(self, x: torch.Tensor) -> torch.Tensor:
        """Raw (N, *input_shape) → scaled, on x's device and dtype."""
        return (x - self.shift.to(x.device, x.dtype)) / self.scale.to(x.device, x.dtype)

    def inverse(self, x: torch.Tensor) -> torch.Tensor:
        """Scaled (N, *input_shape) → raw, on x's device and dtype."""
        return x * self.scale.to(x.device, x.dtype) + self.shift.to(x.device, x.dtype)


@dataclass
class DataBundle:
    """A prepared data set: what it looks like, both splits, the fitted scaler and the raw extent of 2-D inputs."""

    info: DataInfo
    train: Split
    val: Split  # 0 examples when val_fraction is 0
    scaler: Scaler  # the first field's
    scalers: dict[str, Scaler]  # by field (a "none" scaler for the data set's unscaled fields)
    raw_bounds: tuple[np.ndarray, np.ndarray] | None  # per-feature (min, max) of all raw inputs; only for (2,) inputs


def prepare(spec: DataSpec, seed: int) -> DataBundle:
    """Generate the data set with `np.random.default_rng(seed)`, shuffle, hold out round(val_fraction·N) examples,
    fit the scaler on the training split only and encode the targets. Raises DataError naming the problem."""
    entry, params, issues = dataset_params(spec)
    if issues:
        raise DataError("; ".join(issue.message for issue in issues))
    assert entry is not None
    info = entry.info(params)
    rng = np.random.default_rng(seed)
    try:
        x_raw, y_raw = entry.generate(params, rng)
    except (OSError, ImportError) as exc:
        raise DataError(f"could not load data set {entry.name}: {exc}") from None
    fields = _fields(info, x_raw, np.asarray(y_raw), name=entry.name)  # raw float32 tensors in info.fields order
    x_all = fields[0]  # (N, *input_shape)
    info = encoded(info, spec.targets)
    y_all = _targets(info, np.asarray(y_raw), onehot=spec.targets == "onehot", name=entry.name)  # (N, *target)

    n = len(x_all)
    order = torch.as_tensor(rng.permutation(n))
    n_val = int(round(spec.val_fraction * n))
    val_idx, train_idx = order[:n_val], order[n_val:]
    scalers = {
        name: Scaler.fit("none" if name in info.unscaled else spec.scaling, t[train_idx])
        for name, t in zip(info.fields, fields)
    }
    bounds = None
    if info.input_shape == (2,) and n:
        raw = x_all.double().numpy()
        bounds = (raw.min(axis=0), raw.max(axis=0))
    scaled = [scalers[name].transform(t) for name, t in zip(info.fields, fields)]
    return DataBundle(
        info=info,
        train=Split(scaled[0][train_idx], y_all[train_idx], tuple(t[train_idx] for t in scaled[1:])),
        val=Split(scaled[0][val_idx], y_all[val_idx], tuple(t[val_idx] for t in scaled[1:])),
        scaler=scalers[info.fields[0]],
        scalers=scalers,
        raw_bounds=bounds,
    )


def _fields(info: DataInfo, x: np.ndarray | dict[str, np.ndarray], y: np.ndarray, *, name: str) -> list[torch.Tensor]:
    """The generated inputs as float32 tensors in `info.fields` order, each checked against its declared shape."""
    arrays = x if isinstance(x, dict) else {info.fields[0]: x}
    shapes = info.shapes()
    if set(arrays) != set(shapes):
        raise DataError(f"data set {name} generated fields {sorted(arrays)}, but declares {list(info.fields)}")
    tensors = []
    for field, shape in shapes.items():
        array = np.asarray(arrays[field])
        if array.shape != (len(y), *shape) or y.shape != (len(y), *info.target_shape):
            what, declared = ("inputs", "input") if len(shapes) == 1 else (f"field {field}", field)
            raise DataError(
                f"data set {name} generated {what} {array.shape} and targets {y.shape}, but "
                f"declares one example's {declared} {shape} and target {info.target_shape}"
            )
        tensors.append(torch.as_tensor(array.astype(np.float32)))
    return tensors


def _targets(info: DataInfo, y: np.ndarray, *, onehot: bool, name: str) -> torch.Tensor:
    """Class indices (N, *target_shape) int64 (per position when target_shape is (T,)), one-hot (N, …, C) float32,
    or regression targets (N, *target_shape) float32."""
    if info.task == "regression":
        return torch.as_tensor(y.astype(np.float32))
    classes = int(info.num_classes or 0)
    index = torch.as_tensor(y.astype(np.int64))
    if len(index) and (int(index.min()) < 0 or int(index.max()) >= classes):
        raise DataError(
            f"data set {name} generated class labels from {int(index.min())} to {int(index.max())}, "
            f"outside 0…{classes - 1}"
        )
    if onehot:
        return torch.nn.functional.one_hot(index, classes).to(torch.float32)
    return index


def batch_order(n: int, *, seed: int, epoch: int, shuffle: bool = True) -> torch.Tensor:
    """The order (n,) int64 in which an epoch visits the training examples: a pure function of (seed, epoch),
    so a resumed run recomputes it and skips the batches already done. The identity when shuffle is False."""
    if not shuffle:
        return torch.arange(n, dtype=torch.int64)
    # SeedSequence mixes both numbers, so (seed, epoch) and (seed + 1, epoch − 1) give unrelated orders.
    state = np.random.SeedSequence([int(seed), int(epoch)]).generate_state(1, np.uint64)[0]
    generator = torch.Generator().manual_seed(int(state))
    return torch.randperm(n, generator=generator)
