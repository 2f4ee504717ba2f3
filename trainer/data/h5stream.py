"""A streaming, mixing reader for many HDF5 files of events, one directory (glob) per class: data that does not fit
in memory reaches the model as ready batches, with the lecture's "read, mix, label, augment, normalise" done in
DataLoader workers, so the training process only trains.

How an epoch is read (every step a pure function of the seed and the epoch, so runs are reproducible):
1. Each class's files are cut into *blocks* of whole HDF5 chunks (`block_events`, by default one chunk): a block
   is one contiguous slice per field, `ds[start:stop]` — one h5py call per field and block, never one per event.
2. Each class's blocks are ordered (files shuffled per epoch, blocks in file order) and dealt round-robin to the
   shards: shard = rank · workers + worker, so DDP ranks and DataLoader workers never read a block twice.
3. A shard interleaves its classes by the given fractions (the class furthest behind its share reads next), reads
   the blocks, and shuffles events in a bounded buffer (`shuffle_buffer` events) before cutting batches.
4. Each batch is augmented (transverse flips and 90° rotations, energy smearing) and normalised (log(E + 1),
   then per-field standardisation from a one-pass statistics scan cached beside the data) in the worker.

Bad files (unreadable, truncated, a field missing or of the wrong shape) are found by a metadata-only scan before
training and skipped with a warning naming the file; a read that fails mid-epoch skips the rest of that file
with a warning carried through the loader. The training loop never sees an exception from a bad file.
"""

from __future__ import annotations

import hashlib
import json
import math
import multiprocessing
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, IterableDataset, get_worker_info

STATS_FILE = ".h5stream-stats.json"  # in the data directory; keyed by the files' names, sizes and mtimes
STATS_VERSION = 1


class StreamError(Exception):
    """No usable data: every file was skipped, a class has no files, or the parameters do not fit the files.
    The message names the files, fields and directories involved."""


@dataclass(frozen=True)
class StreamConfig:
    """What to read and how. `classes` are (label name, glob relative to `data_dir`); `fractions` None mixes by the
    number of events (then an epoch reads every event exactly once), else an epoch ends when a class runs out."""

    data_dir: Path
    classes: tuple[tuple[str, str], ...]
    fields: tuple[str, ...]
    field_shapes: dict[str, tuple[int, ...]]  # one event's shape per field as stored, e.g. {"ECAL": (25, 25, 25)}
    batch_size: int = 64
    seed: int = 0
    fractions: tuple[float, ...] | None = None
    block_events: int = 0  # events per read; 0: the files' chunk size along the event axis
    shuffle_buffer: int = 1024  # events held for shuffling (memory ≈ this × one event's bytes × 2)
    flip: bool = True  # random transverse flips (x, y axes)
    rotate: bool = True  # random 90° rotations in the transverse plane (square x-y grids only)
    smear: float = 0.0  # relative energy smearing per event, e.g. 0.02
    log_energy: bool = True  # x → log(x + 1) before standardisation
    scaling: str = "standardize"  # standardize | minmax | none, per field, from the statistics scan
    rank: int = 0
    world_size: int = 1


@dataclass(frozen=True)
class FileInfo:
    path: Path
    label: int
    events: int
    chunk: int  # events per HDF5 chunk of the first field (1 when not chunked)


@dataclass(frozen=True)
class Block:
    file: int  # index into the file list
    start: int
    stop: int


@dataclass
class Scan:
    """The usable files per class and the warnings about the skipped ones."""

    files: list[FileInfo]
    skipped: list[str] = field(default_factory=list)  # one message per skipped file, naming it and why


def class_files(config: StreamConfig) -> list[list[Path]]:
    """The files each class's glob matches, sorted by name. Raises StreamError naming a class without files."""
    out = []
    for name, pattern in config.classes:
        paths = sorted(p for p in config.data_dir.glob(pattern) if p.is_file())
        if not paths:
            raise StreamError(f"class {name}: no files match {pattern!r} under {config.data_dir}")
        out.append(paths)
    return out


def check_file(path: Path, config: StreamConfig) -> tuple[int, int]:
    """(events, chunk) of a file after checking its schema from metadata only; raises ValueError with a message
    naming the file and the field."""
    import h5py

    try:
        with h5py.File(path, "r") as f:
            n = None
            chunk = 1
            for name in config.fields:
                if name not in f:
                    raise ValueError(f"{path}: field {name!r} is missing (it has {', '.join(sorted(f.keys()))})")
                ds = f[name]
                want = config.field_shapes.get(name)
                if want is not None and tuple(ds.shape[1:]) != tuple(want):
                    raise ValueError(
                        f"{path}: field {name!r} has events of shape {tuple(ds.shape[1:])}, expected {tuple(want)}"
                    )
                if ds.dtype.kind not in "fiu":
                    raise ValueError(f"{path}: field {name!r} holds {ds.dtype}, not numbers")
                if n is None:
                    n, chunk = int(ds.shape[0]), int(ds.chunks[0]) if ds.chunks else 1
                elif int(ds.shape[0]) != n:
                    raise ValueError(f"{path}: field {name!r} has {ds.shape[0]} events, {config.fields[0]!r} {n}")
            return int(n or 0), chunk
    except ValueError:
        raise
    except Exception as exc:  # noqa: BLE001 — h5py raises OSError, KeyError, RuntimeError… for broken files
        raise ValueError(f"{path}: unreadable ({type(exc).__name__}: {exc})") from None


def scan(config: StreamConfig, paths_by_class: list[list[Path]] | None = None) -> Scan:
    """Check every file's metadata (no events read). Raises StreamError when a class is left without files."""
    paths_by_class = paths_by_class if paths_by_class is not None else class_files(config)
    result = Scan(files=[])
    for label, paths in enumerate(paths_by_class):
        good = 0
        for path in paths:
            try:
                events, chunk = check_file(path, config)
            except ValueError as exc:
                result.skipped.append(f"skipping {exc}")
                continue
            if events:
                result.files.append(FileInfo(path, label, events, chunk))
                good += 1
        if not good:
            name, pattern = config.classes[label]
            raise StreamError(
                f"class {name}: none of the {len(paths)} file(s) matching {pattern!r} is usable"
                + (f" ({result.skipped[-1]})" if result.skipped else "")
            )
    return result


def _epoch_rng(config: StreamConfig, epoch: int, *extra: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(config.seed), int(epoch), *extra]))


def plan_epoch(files: list[FileInfo], config: StreamConfig, epoch: int, shard: int, n_shards: int) -> list[Block]:
    """The blocks shard `shard` of `n_shards` reads in epoch `epoch`, in order, classes interleaved by fraction."""
    rng = _epoch_rng(config, epoch, 1)
    n_classes = len(config.classes)
    per_class: list[list[Block]] = []
    for label in range(n_classes):
        indices = [i for i, f in enumerate(files) if f.label == label]
        indices = [indices[j] for j in rng.permutation(len(indices))]  # file order per epoch
        blocks = []
        for i in indices:
            f = files[i]
            size = config.block_events or f.chunk
            size = max(1, math.ceil(size / f.chunk) * f.chunk)  # whole chunks: each is decompressed once
            blocks += [Block(i, s, min(s + size, f.events)) for s in range(0, f.events, size)]
        per_class.append(blocks[shard::n_shards])
    totals = np.array([sum(b.stop - b.start for b in blocks) for blocks in per_class], dtype=np.float64)
    if config.fractions is None:
        share = totals / max(totals.sum(), 1.0)
    else:
        share = np.asarray(config.fractions, dtype=np.float64)
        share = share / share.sum()
    taken = np.zeros(n_classes)
    cursor = [0] * n_classes
    order: list[Block] = []
    while True:
        live = [c for c in range(n_classes) if cursor[c] < len(per_class[c]) and share[c] > 0]
        if config.fractions is not None and any(cursor[c] >= len(per_class[c]) for c in range(n_classes) if share[c]):
            break  # explicit fractions: stop when one class runs out, so the mix holds to the end
        if not live:
            break
        c = min(live, key=lambda k: (taken[k] / share[k], k))  # the class furthest behind its share
        block = per_class[c][cursor[c]]
        cursor[c] += 1
        taken[c] += block.stop - block.start
        order.append(block)
    return order


def shard_batches(files: list[FileInfo], config: StreamConfig, epoch: int, shard: int, n_shards: int) -> int:
    """How many batches a shard yields in an epoch: its events in batches, the last one possibly short."""
    events = sum(b.stop - b.start for b in plan_epoch(files, config, epoch, shard, n_shards))
    return math.ceil(events / config.batch_size)


# ----- statistics ---------------------------------------------------------------------------------------------
def _stats_key(files: list[FileInfo], config: StreamConfig) -> str:
    items = []
    for f in sorted(files, key=lambda f: str(f.path)):
        st = f.path.stat()
        items.append([str(f.path.relative_to(config.data_dir)), st.st_size, st.st_mtime_ns])
    payload = json.dumps([STATS_VERSION, items, list(config.fields), config.log_energy])
    return hashlib.sha256(payload.encode()).hexdigest()


def field_stats(files: list[FileInfo], config: StreamConfig) -> dict[str, dict[str, float]]:
    """Per field {mean, std, max} of the (log-transformed) values over `files`, in one pass of block reads; cached
    in `data_dir/.h5stream-stats.json` under a key of the files' names, sizes and mtimes (recomputed when any
    changes; not cached when the directory is read-only)."""
    import h5py

    cache_path = config.data_dir / STATS_FILE
    key = _stats_key(files, config)
    try:
        cache = json.loads(cache_path.read_text())
        if key in cache:
            return dict(cache[key])
    except (OSError, ValueError):
        cache = {}
    sums = {name: np.zeros(3) for name in config.fields}  # count, Σx, Σx²
    maxima = {name: 0.0 for name in config.fields}
    for f in files:
        try:
            with h5py.File(f.path, "r") as h5:
                for start in range(0, f.events, f.chunk):  # one chunk at a time: memory stays at a chunk's size
                    stop = min(start + f.chunk, f.events)
                    for name in config.fields:
                        x = np.array(h5[name][start:stop], dtype=np.float32)
                        if config.log_energy:
                            np.log1p(np.maximum(x, 0.0, out=x), out=x)
                        square = np.square(x)
                        sums[name] += (x.size, x.sum(dtype=np.float64), square.sum(dtype=np.float64))
                        maxima[name] = max(maxima[name], float(x.max(initial=0.0)))
        except Exception:  # noqa: BLE001 — a file that fails here is reported when the loader reads it
            continue
    stats = {}
    for name, (n, s, s2) in sums.items():
        mean = s / n if n else 0.0
        std = math.sqrt(max(s2 / n - mean * mean, 0.0)) if n else 1.0
        stats[name] = {"mean": float(mean), "std": std if std > 0 else 1.0, "max": maxima[name] or 1.0}
    cache[key] = stats
    try:
        tmp = cache_path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(cache, indent=1))
        tmp.replace(cache_path)
    except OSError:
        pass  # a read-only data directory: compute again next time
    return stats


# ----- batches --------------------------------------------------------------------------------------------------
def model_shape(stored: tuple[int, ...]) -> tuple[int, ...]:
    """One event's shape as the model sees a field stored as `stored`: images get a channel axis, (25, 25, 25) →
    (1, 25, 25, 25); a scalar becomes (1,); a vector stays as it is."""
    if len(stored) >= 2 or len(stored) == 0:
        return (1, *stored)
    return tuple(stored)


class Transform:
    """Augmentation and normalisation of a batch of raw arrays {field: (B, *shape)} → float32 tensors with a
    channel axis for images: (B, 1, *shape) for shapes of rank ≥ 2, (B, 1) for scalars, (B, k) for vectors."""

    def __init__(self, config: StreamConfig, stats: dict[str, dict[str, float]], *, augment: bool):
        self.config, self.stats, self.augment = config, stats, augment

    def __call__(self, arrays: dict[str, np.ndarray], rng: np.random.Generator) -> tuple[torch.Tensor, ...]:
        """`arrays` are owned by the caller's batch and are changed in place: every step below is one pass."""
        cfg = self.config
        n = len(next(iter(arrays.values())))
        kinds = factor = None
        if self.augment and (cfg.flip or cfg.rotate):
            # a symmetry of the square per event (bit 0: flip x; bits 1–2: quarter turns), the same for every
            # field (they share the transverse axes). Flips alone: {1, x, y = x + half turn, half turn}. Sorted:
            # the events are in random order already, and runs of one kind are copied as slices.
            choices = np.arange(8) if cfg.flip and cfg.rotate else np.array([0, 1, 4, 5] if cfg.flip else [0, 2, 4, 6])
            kinds = np.sort(choices[rng.integers(0, len(choices), n)])
        if self.augment and cfg.smear > 0:
            factor = np.clip(1.0 + cfg.smear * rng.standard_normal(n), 0.0, None).astype(np.float32)
        out = []
        in_worker = get_worker_info() is not None
        for k in cfg.fields:
            x = arrays[k]
            if x.dtype != np.float32 or not x.flags.writeable or not x.flags.c_contiguous:
                x = np.array(x, dtype=np.float32)
            moved = x.ndim >= 3 and kinds is not None
            if in_worker or moved:
                # In a DataLoader worker the result is built in shared memory: it reaches the trainer without
                # the copy that sending an ordinary tensor costs. The symmetry is applied on the way in.
                if in_worker:
                    t = torch.empty(x.shape, dtype=torch.float32).share_memory_()
                    dest = t.numpy()
                else:
                    dest = np.empty_like(x)
                    t = torch.from_numpy(dest)
                if moved:
                    _dihedral(x, kinds, out=dest)  # type: ignore[arg-type]
                else:
                    np.copyto(dest, x)
                x = dest
            else:
                t = torch.from_numpy(x)
            if x.ndim >= 3 and factor is not None:
                x *= factor.reshape(n, *([1] * (x.ndim - 1)))
            if cfg.log_energy:
                np.maximum(x, 0.0, out=x)
                np.log1p(x, out=x)
            st = self.stats.get(k)
            if st and cfg.scaling == "standardize":
                x -= np.float32(st["mean"])
                x *= np.float32(1.0 / st["std"])
            elif st and cfg.scaling == "minmax":
                x *= np.float32(1.0 / st["max"])
            out.append(t.unsqueeze(1) if t.ndim >= 3 or t.ndim == 1 else t)
        return tuple(out)


def _dihedral(x: np.ndarray, kinds: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Apply symmetry kinds[i] of the square (bit 0: flip x; bits 1–2: 90° rotations) to event i of x (B, X, Y, …)
    in the transverse (X, Y) plane, into `out` (a new array by default). `kinds` is sorted: each run of one kind is
    one strided slice copy."""
    square = x.shape[1] == x.shape[2]
    out = np.empty_like(x) if out is None else out
    bounds = np.flatnonzero(np.diff(kinds)) + 1
    for lo, hi in zip([0, *bounds.tolist()], [*bounds.tolist(), len(kinds)]):
        kind = int(kinds[lo])
        view = x[lo:hi]
        if kind & 1:
            view = view[:, ::-1]
        turns = kind >> 1
        if square and turns:
            view = np.rot90(view, turns, axes=(1, 2))
        elif turns == 2:
            view = view[:, ::-1, ::-1]  # a half turn fits any rectangle; quarter turns need a square grid
        out[lo:hi] = view
    return out


Item = tuple[str, Any]  # ("batch", (fields…, labels)) or ("warning", message)


class H5Stream(IterableDataset):
    """Yields ("batch", (field tensors…, labels (B,) int64)) and ("warning", message) items for one epoch; set
    `epoch` before each pass. Use with DataLoader(batch_size=None): batches are cut here, in the worker."""

    def __init__(
        self, config: StreamConfig, files: list[FileInfo], stats: dict[str, dict[str, float]], *, epoch: int = 0
    ):
        super().__init__()
        self.config, self.files, self.stats, self.epoch = config, files, stats, epoch

    def shard(self) -> tuple[int, int]:
        info = get_worker_info()
        workers, worker = (info.num_workers, info.id) if info is not None else (1, 0)
        return self.config.rank * workers + worker, self.config.world_size * workers

    def __iter__(self) -> Iterator[Item]:
        cfg = self.config
        shard, n_shards = self.shard()
        blocks = plan_epoch(self.files, cfg, self.epoch, shard, n_shards)
        rng = _epoch_rng(cfg, self.epoch, 2, shard)
        transform = Transform(cfg, self.stats, augment=True)
        reader = _Reader(self.files, cfg.fields)
        pending: list[Part] = []
        held = 0
        try:
            for block in blocks:
                arrays, warning = reader.read(block)
                if warning:
                    yield ("warning", warning)
                if arrays is None:
                    continue
                pending.append((arrays, None))
                held += block.stop - block.start
                if held >= cfg.shuffle_buffer + cfg.batch_size:
                    merged, order = _shuffled(pending, rng)
                    n_out = ((held - cfg.shuffle_buffer // 2) // cfg.batch_size) * cfg.batch_size
                    for start in range(0, n_out, cfg.batch_size):
                        yield ("batch", _batch(merged, order[start : start + cfg.batch_size], transform, rng))
                    pending = [(merged, order[n_out:])]  # copied once, by the next merge
                    held -= n_out
            if held:
                merged, order = _shuffled(pending, rng)
                for start in range(0, held, cfg.batch_size):
                    yield ("batch", _batch(merged, order[start : start + cfg.batch_size], transform, rng))
        finally:
            reader.close()


Part = tuple[dict[str, np.ndarray], np.ndarray | None]  # arrays by field, and the rows still pending (None: all)


def _shuffled(parts: list[Part], rng: np.random.Generator) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The buffered events as one array per field (each event copied once) and a random order over them (gathered
    per batch: one more copy)."""
    sizes = [len(a["__label__"]) if rows is None else len(rows) for a, rows in parts]
    if len(parts) == 1 and parts[0][1] is None:
        merged = parts[0][0]
    else:
        merged = {}
        for key, first in parts[0][0].items():
            out = np.empty((sum(sizes), *first.shape[1:]), dtype=first.dtype)
            pos = 0
            for (arrays, rows), n in zip(parts, sizes):
                if rows is None:
                    out[pos : pos + n] = arrays[key]
                else:
                    np.take(arrays[key], rows, axis=0, out=out[pos : pos + n])
                pos += n
            merged[key] = out
    return merged, rng.permutation(sum(sizes))


def _batch(
    merged: dict[str, np.ndarray], idx: np.ndarray, transform: Transform, rng: np.random.Generator
) -> tuple[torch.Tensor, ...]:
    part = {k: v[idx] for k, v in merged.items()}  # fancy indexing: fresh arrays the transform may change in place
    labels = torch.from_numpy(part.pop("__label__").astype(np.int64))
    return (*transform(part, rng), labels)


class _Reader:
    """Open files (a few at a time) and read a block: one contiguous h5py slice per field. A failing read gives a
    warning naming the file, and the rest of that file is skipped for this pass."""

    MAX_OPEN = 8

    def __init__(self, files: list[FileInfo], fields: tuple[str, ...]):
        self.files, self.fields = files, fields
        self.open: dict[int, Any] = {}
        self.broken: set[int] = set()

    def read(self, block: Block) -> tuple[dict[str, np.ndarray] | None, str | None]:
        import h5py

        if block.file in self.broken:
            return None, None
        info = self.files[block.file]
        try:
            h5 = self.open.get(block.file)
            if h5 is None:
                if len(self.open) >= self.MAX_OPEN:
                    self.open.pop(next(iter(self.open))).close()
                h5 = self.open[block.file] = h5py.File(info.path, "r")
            arrays = {k: np.asarray(h5[k][block.start : block.stop]) for k in self.fields}
        except Exception as exc:  # noqa: BLE001 — a damaged file must not end the epoch
            self.broken.add(block.file)
            return None, f"skipping the rest of {info.path}: read failed at events {block.start}…: {exc}"
        arrays["__label__"] = np.full(block.stop - block.start, info.label, dtype=np.int64)
        return arrays, None

    def close(self) -> None:
        for h5 in self.open.values():
            h5.close()
        self.open.clear()


# ----- the training side -----------------------------------------------------------------------------------------
def read_events(files: list[FileInfo], config: StreamConfig, limit: int) -> dict[str, np.ndarray]:
    """Up to `limit` events from `files` in order, into memory (the validation set), by block reads."""
    reader = _Reader(files, config.fields)
    parts, n = [], 0
    try:
        for i, f in enumerate(files):
            for start in range(0, f.events, max(f.chunk, 256)):
                if n >= limit:
                    break
                stop = min(start + max(f.chunk, 256), f.events, start + limit - n)
                arrays, _ = reader.read(Block(i, start, stop))
                if arrays is not None:
                    parts.append(arrays)
                    n += stop - start
    finally:
        reader.close()
    if not parts:
        raise StreamError("no validation events could be read")
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


@dataclass
class StreamingData:
    """A streamed training split and an in-memory validation split, as the engine uses them."""

    config: StreamConfig
    train_files: list[FileInfo]
    val_x: tuple[torch.Tensor, ...]  # one tensor per field, (N, 1, *shape) for images
    val_y: torch.Tensor  # (N,) int64
    stats: dict[str, dict[str, float]]
    skipped: list[str]
    workers: int = 0

    def steps_per_epoch(self, epoch: int = 0) -> int:
        shards = max(1, self.workers) * self.config.world_size
        first = self.config.rank * max(1, self.workers)
        return sum(
            shard_batches(self.train_files, self.config, epoch, s, shards)
            for s in range(first, first + max(1, self.workers))
        )

    def batches(
        self, epoch: int, device: torch.device, on_warning: Callable[[str], None]
    ) -> Iterator[tuple[tuple[torch.Tensor, ...], torch.Tensor]]:
        """(inputs by field, labels) on `device` for one epoch; warnings from the workers go to `on_warning`."""
        dataset = H5Stream(self.config, self.train_files, self.stats, epoch=epoch)
        cuda = device.type == "cuda"
        loader = DataLoader(
            dataset,
            batch_size=None,
            num_workers=self.workers,
            pin_memory=cuda,
            prefetch_factor=4 if self.workers else None,
        )

        def host() -> Iterator[tuple[torch.Tensor, ...]]:
            for kind, payload in loader:
                if kind == "warning":
                    on_warning(payload)
                else:
                    yield payload

        for batch in prefetch_to_device(host(), device):
            yield batch[:-1], batch[-1]


def prefetch_to_device(
    batches: Iterator[tuple[torch.Tensor, ...]], device: torch.device
) -> Iterator[tuple[torch.Tensor, ...]]:
    """Copy each batch to `device` one step ahead: on a GPU on a side stream with non-blocking copies from pinned
    memory, so the copy of batch k+1 overlaps the step on batch k; on the CPU the batches pass through as they are."""
    if device.type != "cuda":
        yield from batches
        return
    stream = torch.cuda.Stream(device)

    def load(batch: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, ...]:
        with torch.cuda.stream(stream):
            return tuple(t.to(device, non_blocking=True) for t in batch)

    nxt = None
    for batch in batches:
        ready = load(batch)
        if nxt is not None:
            yield nxt
        torch.cuda.current_stream(device).wait_stream(stream)
        for t in ready:
            t.record_stream(torch.cuda.current_stream(device))
        nxt = ready
    if nxt is not None:
        yield nxt


def open_stream(config: StreamConfig, *, val_fraction: float, val_events: int, workers: int) -> StreamingData:
    """Scan the files, hold out `val_fraction` of each class's files (at least one when a class has two or more)
    for validation, read up to `val_events` of them into memory (an equal share per class), and compute the
    statistics on the training files. Raises StreamError with a clear message when nothing usable is left."""
    found = scan(config)
    if workers and multiprocessing.current_process().daemon:
        workers = 0  # a daemonic process (a Celery prefork job) may not start reader processes: read in-process
    rng = np.random.default_rng(np.random.SeedSequence([int(config.seed), 99]))
    train, val_by_class = [], []
    for label in range(len(config.classes)):
        files = [f for f in found.files if f.label == label]
        files = [files[i] for i in rng.permutation(len(files))]
        n_val = min(len(files) - 1, max(1 if val_fraction > 0 else 0, round(val_fraction * len(files))))
        val_by_class.append(files[:n_val])
        train += files[n_val:]
    stats = field_stats(train, config)
    xs: list[list[np.ndarray]] = [[] for _ in config.fields]
    ys = []
    per_class = max(1, val_events // len(config.classes))
    transform = Transform(config, stats, augment=False)
    for files in val_by_class:
        if not files or val_events <= 0:
            continue
        arrays = read_events(files, config, per_class)
        labels = arrays.pop("__label__")
        for i, t in enumerate(transform(arrays, rng)):
            xs[i].append(t.numpy())
        ys.append(labels)
    if ys:
        val_x = tuple(torch.from_numpy(np.concatenate(x)) for x in xs)
        val_y = torch.from_numpy(np.concatenate(ys))
    else:  # one file per class: nothing held out
        val_x = tuple(torch.zeros((0, *model_shape(config.field_shapes[k]))) for k in config.fields)
        val_y = torch.zeros(0, dtype=torch.int64)
    return StreamingData(config, train, val_x, val_y, stats, found.skipped, workers)
