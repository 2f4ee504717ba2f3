"""The `playground` command line: validate, train, schema, catalog and benchmarks, headless."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CANCELLED = 0, 1, 2, 130


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return EXIT_USAGE
    return int(args.handler(args) or 0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="playground", description="A visual deep-learning playground: the CLI.")
    sub = parser.add_subparsers(metavar="COMMAND")

    p = sub.add_parser("validate", help="check a spec: a table of nodes, output shapes and parameter counts")
    p.add_argument("spec", help="a run spec (JSON file)")
    p.add_argument("--json", action="store_true", help="print the validation report as JSON")
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("train", help="train a spec, with a progress bar and a closing summary")
    p.add_argument("spec", help="a run spec (JSON file)")
    p.add_argument("--epochs", type=int, help="override the spec's epochs")
    p.add_argument("--max-steps", type=int, help="stop after this many optimiser steps")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], help="override the spec's device")
    p.add_argument("--events", metavar="FILE", help="write every event as JSON Lines (images as base64 PNG)")
    p.add_argument("--checkpoint-dir", metavar="DIR", help="write checkpoints here")
    p.add_argument("--resume", metavar="DIR", help="resume from the latest checkpoint in DIR (or a checkpoint file)")
    p.add_argument("--data-dir", metavar="DIR", help="directory for data sets read from files")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=cmd_train)

    p = sub.add_parser("schema", help="print the JSON Schema of a run spec (or of the events)")
    p.add_argument("--events", action="store_true", help="the schema of the event stream instead")
    p.set_defaults(handler=cmd_schema)

    p = sub.add_parser("catalog", help="print every layer, data set, loss, optimiser, schedule and probe as JSON")
    p.set_defaults(handler=cmd_catalog)

    bench = sub.add_parser("bench", help="benchmarks").add_subparsers(metavar="BENCHMARK")
    p = bench.add_parser("overhead", help="steps/s of fit (events and probes on) ÷ a hand-written loop")
    p.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    p.add_argument("--steps", type=int, default=600, help="timed steps per loop and repeat")
    p.add_argument("--repeats", type=int, default=3, help="alternating repeats; the best of each is kept")
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    p.add_argument("--write", metavar="FILE", help="also record the figures in this markdown file")
    p.set_defaults(handler=cmd_bench_overhead)
    _load_plugins({"root": sub, "bench": bench})
    return parser


def _load_plugins(groups: dict[str, Any]) -> None:
    """Commands from other installed packages (the web playground adds `bench stream`), found through the entry
    point group `playground.cli`: each is `register(groups)`. The trainer never imports them itself."""
    from importlib.metadata import entry_points

    for entry in entry_points(group="playground.cli"):
        try:
            entry.load()(groups)
        except Exception as exc:  # noqa: BLE001 — a broken plugin must not take the trainer's CLI down
            print(f"playground: ignoring the command plugin {entry.name!r}: {exc}", file=sys.stderr)


def _fail_spec(exc: Exception) -> int:
    issues = getattr(exc, "issues", None) or []
    print(f"invalid spec: {len(issues)} problem(s)", file=sys.stderr)
    for issue in issues:
        where = f" [{issue.field}]" if issue.field else ""
        print(f"  - {issue.message}{where}", file=sys.stderr)
    return EXIT_FAILED


def cmd_validate(args: argparse.Namespace) -> int:
    from trainer.graph.registry import fmt_shape
    from trainer.graph.validate import validate

    report = validate(Path(args.spec))
    if args.json:
        print(report.model_dump_json(indent=2))
        return EXIT_OK if report.ok else EXIT_FAILED
    if report.nodes:
        rows = [("node", "type", "network", "output shape", "params")]
        for n in report.nodes:
            shape = fmt_shape(tuple(d or 0 for d in n.output_shape[1:])) if n.output_shape else "?"
            params = f"{n.params:,}" + (f" (shares {n.shares})" if n.shares else "")
            rows.append((n.id, n.type, n.network, shape, params))
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        for i, row in enumerate(rows):
            print("  ".join(c.ljust(w) if j < 4 else c.rjust(w) for j, (c, w) in enumerate(zip(row, widths))))
            if i == 0:
                print("  ".join("-" * w for w in widths))
        print(f"total parameters: {report.total_params:,}")
    if report.ok:
        print("ok")
        return EXIT_OK
    print(f"{len(report.issues)} error(s):", file=sys.stderr)
    for issue in report.issues:
        where = f" [{issue.field}]" if issue.field else ""
        print(f"  - {issue.message}{where}", file=sys.stderr)
    return EXIT_FAILED


def cmd_train(args: argparse.Namespace) -> int:
    from trainer.graph.spec import load_spec
    from trainer.graph.validate import SpecError
    from trainer.train.control import Control
    from trainer.train.engine import fit
    from trainer.train.sinks import JsonlSink, NullSink

    try:
        spec = load_spec(Path(args.spec))
    except SpecError as exc:
        return _fail_spec(exc)
    if args.data_dir:
        spec = spec.model_copy(update={"data": spec.data.model_copy(update={"data_dir": args.data_dir})})
    control = Control()
    interrupted = {"count": 0}

    def on_sigint(signum: int, frame: Any) -> None:
        interrupted["count"] += 1
        if interrupted["count"] > 1:
            raise KeyboardInterrupt
        print("\ncancelling (Ctrl-C again to abort at once)…", file=sys.stderr)
        control.cancel("cancelled with Ctrl-C")

    previous = signal.signal(signal.SIGINT, on_sigint)
    bar = _ProgressBar(enabled=not args.quiet)
    sink = JsonlSink(args.events) if args.events else NullSink()
    started = time.perf_counter()
    try:
        result = fit(
            spec,
            sink=sink,
            control=control,
            max_steps=args.max_steps,
            epochs=args.epochs,
            device=args.device,
            checkpoint_dir=args.checkpoint_dir,
            resume_from=args.resume,
            on_progress=bar.update,
        )
    except SpecError as exc:
        return _fail_spec(exc)
    finally:
        bar.close()
        signal.signal(signal.SIGINT, previous)
    _summary(result, time.perf_counter() - started, args.events)
    return {"finished": EXIT_OK, "cancelled": EXIT_CANCELLED}.get(result.status, EXIT_FAILED)


class _ProgressBar:
    """tqdm on stderr, fed at the engine's metrics rate (about 20 Hz)."""

    def __init__(self, *, enabled: bool):
        self.enabled = enabled
        self.bar: Any = None
        self.last = 0

    def update(self, step: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="step", dynamic_ncols=True, file=sys.stderr, mininterval=0.2)
        self.bar.total = total
        self.bar.update(step - self.last)
        self.last = step

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _summary(result: Any, seconds: float, events: str | None) -> None:
    first = next((h["train/loss"] for h in result.history if "train/loss" in h), None)
    values = result.metrics
    parts = []
    if "train/loss" in values:
        parts.append(f"train/loss {values['train/loss']:.4g}" + (f" (from {first:.4g})" if first is not None else ""))
    for key in ("val/loss", "val/accuracy"):
        if key in values:
            parts.append(f"{key} {values[key]:.4g}")
    aucs = [v for k, v in values.items() if k.startswith("val/auc/")]
    if aucs:
        parts.append(f"mean val/auc {sum(aucs) / len(aucs):.4g}")
    out = sys.stdout if result.status == "finished" else sys.stderr
    print(f"{result.status} in {seconds:.1f} s: {result.step:,} steps, {result.epoch} full epochs", file=out)
    if result.message:
        print(f"  {result.message}", file=out)
    if parts:
        print("  " + "; ".join(parts), file=out)
    if result.checkpoint:
        print(f"  checkpoint: {result.checkpoint}", file=out)
    if events:
        print(f"  events: {events} ({result.last_seq:,})", file=out)


def cmd_schema(args: argparse.Namespace) -> int:
    if args.events:
        from trainer.train.events import event_json_schema

        print(json.dumps(event_json_schema(), indent=2))
    else:
        from trainer.graph.spec import json_schema

        print(json.dumps(json_schema(), indent=2))
    return EXIT_OK


def cmd_catalog(args: argparse.Namespace) -> int:
    from trainer.catalogs import catalog

    print(json.dumps(catalog(), indent=2))
    return EXIT_OK


def cmd_bench_overhead(args: argparse.Namespace) -> int:
    from trainer.bench.overhead import run_overhead

    return run_overhead(steps=args.steps, repeats=args.repeats, device=args.device, as_json=args.json, write=args.write)


if __name__ == "__main__":
    sys.exit(main())
