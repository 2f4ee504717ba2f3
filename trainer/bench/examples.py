"""`playground bench examples`: the CPU (or GPU) time each preset in examples/ takes to reach the figure its
description states, e.g. "Target: val/accuracy ≥ 0.95". Wall time from the call to `fit` (data generation and
model building included) to the first metrics event at or past the target; the run itself goes on to its end, so
the final figure is reported too."""

from __future__ import annotations

import datetime
import json
import os
import platform
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from trainer.bench.report import replace_section

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HEADING = "## Examples: time to their stated figure"
# "Target: val/accuracy ≥ 0.95" (or ">=", or "≤" for losses) anywhere in a preset's description.
TARGET = re.compile(r"Target:\s*(?P<metric>[\w/.-]+)\s*(?P<op>≥|>=|≤|<=)\s*(?P<value>[0-9]*\.?[0-9]+)")


@dataclass(frozen=True)
class Target:
    metric: str
    minimum: bool  # True: reach at least `value`; False: at most
    value: float

    def met(self, value: float) -> bool:
        return value >= self.value if self.minimum else value <= self.value

    def __str__(self) -> str:
        return f"{self.metric} {'≥' if self.minimum else '≤'} {self.value:g}"


def parse_target(description: str | None) -> Target | None:
    """The target a preset's description states, or None when it states none."""
    match = TARGET.search(description or "")
    if match is None:
        return None
    return Target(match["metric"], match["op"] in ("≥", ">="), float(match["value"]))


@dataclass
class ExampleTime:
    example: str
    target: str
    reached: bool
    seconds_to_target: float | None  # None when the run ended without reaching it
    steps_to_target: int | None
    final: float | None  # the metric's last value
    total_seconds: float
    steps: int


def time_example(path: Path, *, device: str = "cpu") -> ExampleTime | None:
    """Train one preset as it is and time it to its target; None when its description states no target."""
    from trainer.graph.spec import load_spec
    from trainer.train.engine import fit
    from trainer.train.sinks import ListSink

    spec = load_spec(path)
    target = parse_target(spec.description)
    if target is None:
        return None
    events = ListSink()
    started = time.time()
    result = fit(spec, sink=events, device=device)
    total = time.time() - started
    hit = next(
        (
            e
            for e in events.events
            if e.type == "metrics" and target.metric in e.values and target.met(float(e.values[target.metric]))
        ),
        None,
    )
    return ExampleTime(
        example=path.stem,
        target=str(target),
        reached=hit is not None,
        seconds_to_target=round(hit.t - started, 2) if hit is not None else None,
        steps_to_target=hit.step if hit is not None else None,
        final=result.metrics.get(target.metric),
        total_seconds=round(total, 2),
        steps=result.step,
    )


def run_examples(*, names: list[str] | None, device: str, as_json: bool, write: str | None) -> int:
    """Time every preset with a target (or the named ones); 1 when one of them missed its target."""
    paths = sorted(EXAMPLES.glob("*.json"))
    if names:
        paths = [p for p in paths if p.stem in names]
    rows = []
    for path in paths:
        row = time_example(path, device=device)
        if row is None:
            continue
        rows.append(row)
        took = f"{row.seconds_to_target:.1f} s" if row.seconds_to_target is not None else "not reached"
        print(
            f"{row.example:16s} {row.target:26s} {took:>12s}   final {row.final}   ({row.total_seconds:.1f} s)",
            flush=True,
        )
    summary = {
        "benchmark": "examples",
        "device": device,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads",
        "date": datetime.date.today().isoformat(),
        "examples": [asdict(r) for r in rows],
    }
    if write:
        record_examples(Path(write), summary)
    if as_json:
        print(json.dumps(summary))
    return 0 if all(r.reached for r in rows) else 1


def record_examples(path: Path, summary: dict[str, Any]) -> None:
    """Replace the examples section of the benchmarks page with these figures."""
    lines = [
        HEADING,
        "",
        f"`playground bench examples` on {summary['device']}: {summary['machine']}, {summary['date']}. Wall time "
        "from `fit` (data generation included) to the first evaluation at the target (evaluations come once per "
        "epoch), then the whole run.",
        "",
        "| example | target | time to target | steps to target | final | whole run |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in summary["examples"]:
        to = f"{r['seconds_to_target']:.2f} s" if r["seconds_to_target"] is not None else "not reached"
        steps = r["steps_to_target"] if r["steps_to_target"] is not None else "—"
        final = f"{r['final']:.3f}" if r["final"] is not None else "—"
        lines.append(
            f"| {r['example']} | {r['target']} | {to} | {steps} | {final} | {r['total_seconds']:.2f} s "
            f"({r['steps']} steps) |"
        )
    replace_section(path, HEADING, "\n".join(lines))
