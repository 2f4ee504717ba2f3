"""`playground bench loader DIR`: what the streaming h5 loader delivers, against the two baselines the lecture's
users know — a naive `torch.utils.data.Dataset` that opens the file and reads one event per `__getitem__` (under a
DataLoader with the same workers and batch size), and a raw sequential h5py read of the same datasets (the disk
and decompression ceiling). The three alternate in one process over several repeats; the best of each is kept."""

from __future__ import annotations

import datetime
import itertools
import json
import os
import platform
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from trainer.bench.report import replace_section
from trainer.data.calo import ECAL_SHAPE, HCAL_SHAPE
from trainer.data.h5stream import FileInfo, StreamConfig, StreamingData, open_stream

FIELDS = ("ECAL", "HCAL")
EVENT_BYTES = 4 * (int(np.prod(ECAL_SHAPE)) + int(np.prod(HCAL_SHAPE)))  # float32 ECAL + HCAL per event


def stream_config(data_dir: Path, batch_size: int) -> StreamConfig:
    """Every class directory under `data_dir` (a subdirectory holding .h5 files), ECAL and HCAL."""
    classes = tuple(
        (d.name, f"{d.name}/*.h5") for d in sorted(data_dir.iterdir()) if d.is_dir() and any(d.glob("*.h5"))
    )
    return StreamConfig(
        data_dir=data_dir,
        classes=classes,
        fields=FIELDS,
        field_shapes={"ECAL": ECAL_SHAPE, "HCAL": HCAL_SHAPE},
        batch_size=batch_size,
        smear=0.02,
    )


class NaiveEvents(Dataset):
    """The loader people write first: open the file, read one event, close it — per `__getitem__`."""

    def __init__(self, files: list[FileInfo]):
        self.index = [(f.path, i, f.label) for f in files for i in range(f.events)]

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor, int]:
        path, event, label = self.index[i]
        with h5py.File(path, "r") as f:
            ecal = torch.from_numpy(np.log1p(f["ECAL"][event]))
            hcal = torch.from_numpy(np.log1p(f["HCAL"][event]))
        return ecal.unsqueeze(0), hcal.unsqueeze(0), label


def steady_rate(label_batches: Iterator[torch.Tensor], events: int) -> float:
    """Events/s over about `events` events, timed from the first batch: forking workers and filling buffers are
    left out, by the same rule for both loaders."""
    started, n = 0.0, -1
    for labels in label_batches:
        if n < 0:
            started, n = time.perf_counter(), 0
            continue
        n += len(labels)
        if n >= events:
            break
    return n / (time.perf_counter() - started)


def loader_rate(data: StreamingData, events: int) -> float:
    """Steady-state events/s of the streaming loader, epoch after epoch until about `events` events."""

    def labels() -> Iterator[torch.Tensor]:
        for epoch in itertools.count():
            for _fields, batch in data.batches(epoch, torch.device("cpu"), lambda message: None):
                yield batch

    return steady_rate(labels(), events)


def naive_rate(files: list[FileInfo], workers: int, batch_size: int, events: int) -> float:
    """Steady-state events/s of NaiveEvents under a DataLoader."""
    loader = DataLoader(NaiveEvents(files), batch_size=batch_size, shuffle=True, num_workers=workers)
    return steady_rate((labels for _ecal, _hcal, labels in loader), events)


def raw_read_mb_s(files: list[FileInfo], events: int) -> float:
    """MB/s (decompressed float32) of reading whole datasets in file order with h5py, one process."""
    started, n_bytes, n = time.perf_counter(), 0, 0
    for f in files:
        with h5py.File(f.path, "r") as h5:
            for name in FIELDS:
                n_bytes += h5[name][:].nbytes
        n += f.events
        if n >= events:
            break
    return n_bytes / 1e6 / (time.perf_counter() - started)


def measure(data_dir: Path, *, workers: int, batch_size: int, repeats: int, events: int) -> dict[str, Any]:
    config = stream_config(data_dir, batch_size)
    data = open_stream(config, val_fraction=0.0, val_events=0, workers=workers)  # statistics scanned (and cached)
    files = data.train_files
    events = min(events, sum(f.events for f in files))
    naive_events = max(4 * batch_size, events // 40)  # it is slow; its rate is steady after a few batches
    best = {"loader": 0.0, "naive": 0.0, "raw": 0.0}
    for _ in range(repeats):
        best["loader"] = max(best["loader"], loader_rate(data, events))
        best["naive"] = max(best["naive"], naive_rate(files, workers, batch_size, naive_events))
        best["raw"] = max(best["raw"], raw_read_mb_s(files, events))
    loader_mb_s = best["loader"] * EVENT_BYTES / 1e6
    return {
        "events_per_s": round(best["loader"], 1),
        "naive_events_per_s": round(best["naive"], 1),
        "loader_mb_s": round(loader_mb_s, 1),
        "raw_read_mb_s": round(best["raw"], 1),
        "vs_naive": round(best["loader"] / best["naive"], 2),
        "vs_raw_read": round(loader_mb_s / best["raw"], 3),
        "workers": workers,
        "batch_size": batch_size,
        "files": len(files),
        "events": events,
        "compression": _compression(files[0].path),
    }


def _compression(path: Path) -> str:
    with h5py.File(path, "r") as f:
        return str(f["ECAL"].compression or "none")


def run_loader(
    data_dir: Path, *, workers: int, batch_size: int, repeats: int, events: int, as_json: bool, write: str | None
) -> int:
    if not data_dir.is_dir():
        print(f"{data_dir} is not a directory (make one with `playground make-calo`)")
        return 2
    torch.set_num_threads(max(1, torch.get_num_threads()))
    figures = measure(data_dir, workers=workers, batch_size=batch_size, repeats=repeats, events=events)
    print(
        f"loader {figures['events_per_s']:,} events/s ({figures['loader_mb_s']} MB/s); naive "
        f"{figures['naive_events_per_s']:,} events/s; raw h5py read {figures['raw_read_mb_s']} MB/s"
    )
    print(f"vs naive {figures['vs_naive']}× (goal ≥ 10); vs raw read {figures['vs_raw_read']} (goal ≥ 0.5)")
    if write:
        machine = f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}"
        date = datetime.date.today().isoformat()
        section = (
            "## Calorimeter loader (cpu)\n\n"
            f"`playground bench loader DIR --workers {workers} --batch-size {batch_size}` on {machine}, {date}: "
            f"{figures['files']} make-calo files ({figures['compression']}), ECAL + HCAL, augmentation and "
            "normalisation on; both loaders timed from their first batch (worker start-up left out); the raw read "
            "is one process reading whole datasets in file order; best of the alternating repeats.\n\n"
            "| figure | value | goal |\n|---|---:|---|\n"
            f"| loader events/s | {figures['events_per_s']:,} | |\n"
            f"| naive Dataset events/s (same workers) | {figures['naive_events_per_s']:,} | |\n"
            f"| loader ÷ naive | {figures['vs_naive']} | ≥ 10 |\n"
            f"| loader MB/s (decompressed float32) | {figures['loader_mb_s']} | |\n"
            f"| raw sequential h5py read MB/s | {figures['raw_read_mb_s']} | |\n"
            f"| loader ÷ raw read | {figures['vs_raw_read']} | ≥ 0.5 |\n"
        )
        replace_section(Path(write), "## Calorimeter loader (cpu)", section)
    if as_json:
        print(json.dumps(figures))
    return 0
