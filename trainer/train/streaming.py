"""The engine's streaming path: a data set whose registry entry has `stream` (files larger than memory) trains on
batches read by trainer.data.h5stream while its validation split is a fixed, held-out set of events in memory.

`open_streaming` gives the engine a DataBundle whose splits are both that validation set (the training split is
never held in memory; its tensors there only serve probes) plus `epoch()`, the batches of one epoch."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import torch

from trainer.data.prepare import DataBundle, DataError, Scaler, Split
from trainer.graph.spec import RunSpec
from trainer.train.events import EventStream

STREAM_EVAL_BATCH = 128  # events per validation forward pass: calorimeter images are large (~70 kB each)
DEFAULT_STREAM_BATCH = 256  # a streamed run has no "full batch": this stands in for batch_size "full"


@dataclass
class StreamedTraining:
    data: Any  # trainer.data.h5stream.StreamingData
    bundle: DataBundle
    batch_size: int
    steps_per_epoch: int
    device: torch.device
    events: EventStream
    skipped: int = 0
    onehot: int = 0  # number of classes when targets are one-hot, else 0

    @property
    def train_events(self) -> int:
        return sum(f.events for f in self.data.train_files)

    def warn(self, message: str) -> None:
        """A file failed mid-epoch: say which, and count it (the run's log shows the running total)."""
        self.skipped += 1
        self.events.log("warning", f"{message} ({self.skipped} file(s) skipped)")

    def epoch(
        self, epoch: int, field_index: list[int], *, skip: int = 0
    ) -> Generator[tuple[list[torch.Tensor], torch.Tensor], None, None]:
        """Batches of `epoch` on the device: (inputs in the model's Input-node order, labels (B,)). The first
        `skip` batches are read and dropped (a run resumed mid-epoch continues where it stopped)."""
        for i, (fields, labels) in enumerate(self.data.batches(epoch, self.device, self.warn)):
            if i >= skip:
                if self.onehot:
                    labels = torch.nn.functional.one_hot(labels, self.onehot).to(torch.float32)
                yield [fields[j] for j in field_index], labels


def open_streaming(spec: RunSpec, events: EventStream, device: torch.device) -> StreamedTraining | None:
    """None when the spec's data set is held in memory; else open its stream (scan files, read the validation
    set, statistics), report the skipped files as warnings and the `data/skipped_files` metric. Raises DataError
    with a message for the user when no usable data is left."""
    from trainer.data.h5stream import StreamError
    from trainer.data.registry import dataset_params, encoded

    entry, params, issues = dataset_params(spec.data)
    if entry is None or entry.stream is None:
        return None
    if issues:
        raise DataError("; ".join(issue.message for issue in issues))
    batch = DEFAULT_STREAM_BATCH if spec.batch_size == "full" else int(spec.batch_size)
    try:
        data = entry.stream(params, spec.data, spec.seed, batch)
    except (StreamError, OSError) as exc:
        raise DataError(str(exc)) from None
    for message in data.skipped:
        events.log("warning", message)
    events.metrics(step=0, epoch=0.0, values={"data/skipped_files": float(len(data.skipped))})
    info = encoded(entry.info(params), spec.data.targets)
    y = data.val_y
    if spec.data.targets == "onehot":
        y = torch.nn.functional.one_hot(y, int(info.num_classes or 0)).to(torch.float32)
    val = Split(data.val_x[0], y, tuple(data.val_x[1:]))
    shape = tuple(val.x.shape[1:])
    none = Scaler("none", torch.zeros(shape), torch.ones(shape))  # scaling happens in the loader, per field
    bundle = DataBundle(info=info, train=val, val=val, scaler=none, scalers={}, raw_bounds=None)
    steps = data.steps_per_epoch()
    if steps == 0:
        raise DataError("no training events: every class's files are held out for validation; add files")
    events.log(
        "info",
        f"streaming {len(data.train_files)} training file(s) with {data.workers} reader process(es); "
        f"{len(val)} validation events in memory; {len(data.skipped)} file(s) skipped",
    )
    onehot = int(info.num_classes or 0) if spec.data.targets == "onehot" else 0
    return StreamedTraining(data, bundle, batch, steps, device, events, skipped=len(data.skipped), onehot=onehot)
