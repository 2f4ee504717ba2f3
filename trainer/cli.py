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
    p.add_argument(
        "--init-from", metavar="PATH", help="fine-tune: start from the weights in PATH (a checkpoint or its directory)"
    )
    p.add_argument("--freeze", metavar="IDS", help="with --init-from: comma-separated node ids to keep fixed")
    p.add_argument("--data-dir", metavar="DIR", help="directory for data sets read from files")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=cmd_train)

    p = sub.add_parser("schema", help="print the JSON Schema of a run spec (or of the events)")
    p.add_argument("--events", action="store_true", help="the schema of the event stream instead")
    p.set_defaults(handler=cmd_schema)

    p = sub.add_parser("catalog", help="print every layer, data set, loss, optimiser, schedule and probe as JSON")
    p.set_defaults(handler=cmd_catalog)

    p = sub.add_parser("make-calo", help="write synthetic calorimeter events: DIR/<class>/<class>_<i>.h5")
    p.add_argument("dir", help="output directory")
    p.add_argument("--files-per-class", type=int, default=2, help="files per particle class")
    p.add_argument("--events-per-file", type=int, default=1000, help="events per file")
    p.add_argument("--classes", default="Ele,Gamma,Pi0,ChPi", help="comma-separated: Ele, Gamma, Pi0, ChPi")
    p.add_argument("--seed", type=int, default=0, help="one seed gives the same files")
    p.add_argument("--chunk-events", type=int, default=100, help="events per HDF5 chunk")
    p.add_argument("--compression", choices=["gzip", "lzf", "none"], default="lzf", help="HDF5 compression")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=cmd_make_calo)

    bench = sub.add_parser("bench", help="benchmarks").add_subparsers(metavar="BENCHMARK")
    p = bench.add_parser("overhead", help="steps/s of fit (events and probes on) ÷ a hand-written loop")
    p.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    p.add_argument("--steps", type=int, default=600, help="timed steps per loop and repeat")
    p.add_argument("--repeats", type=int, default=3, help="alternating repeats; the best of each is kept")
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    p.add_argument("--write", metavar="FILE", help="also record the figures in this markdown file")
    p.add_argument("--case", action="append", help="only this case (repeatable): digits-mlp, wide-mlp-…, resnet")
    p.set_defaults(handler=cmd_bench_overhead)
    p = bench.add_parser("examples", help="time each preset in examples/ to the figure its description states")
    p.add_argument("names", nargs="*", help="only these presets (file names without .json)")
    p.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    p.add_argument("--write", metavar="FILE", help="also record the figures in this markdown file")
    p.set_defaults(handler=cmd_bench_examples)
    p = bench.add_parser("loader", help="events/s of the h5 streaming loader ÷ a naive Dataset, MB/s ÷ a raw read")
    p.add_argument("dir", help="a make-calo directory")
    p.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    p.add_argument("--workers", type=int, default=2, help="DataLoader workers, the same for both loaders")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--repeats", type=int, default=3, help="alternating repeats; the best of each is kept")
    p.add_argument("--events", type=int, default=12000, help="events per timed pass (at most the data set's)")
    p.add_argument("--write", metavar="FILE", help="also record the figures in this markdown file")
    p.set_defaults(handler=cmd_bench_loader)
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
    if args.init_from or args.freeze:
        spec = _with_init_from(spec, args.init_from, args.freeze)
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


def _with_init_from(spec: Any, checkpoint: str | None, freeze: str | None) -> Any:
    """`--init-from` replaces the spec's init_from.checkpoint, `--freeze` its freeze list (transfer presets)."""
    from trainer.graph.spec import InitFromSpec

    current = spec.init_from or InitFromSpec(checkpoint=checkpoint or "")
    update: dict[str, Any] = {}
    if checkpoint:
        update["checkpoint"] = checkpoint
    if freeze is not None:
        update["freeze"] = [part.strip() for part in freeze.split(",") if part.strip()]
    return spec.model_copy(update={"init_from": current.model_copy(update=update)})


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

    return run_overhead(
        steps=args.steps, repeats=args.repeats, device=args.device, as_json=args.json, write=args.write, only=args.case
    )


def cmd_bench_examples(args: argparse.Namespace) -> int:
    from trainer.bench.examples import run_examples

    return run_examples(names=args.names, device=args.device, as_json=args.json, write=args.write)


def cmd_make_calo(args: argparse.Namespace) -> int:
    from trainer.data.calo import CLASSES, CaloConfig, make_calo

    classes = tuple(c.strip() for c in args.classes.split(",") if c.strip())
    unknown = [c for c in classes if c not in CLASSES]
    if unknown or not classes:
        print(f"unknown class(es) {', '.join(unknown) or '(none)'} (known: {', '.join(CLASSES)})", file=sys.stderr)
        return EXIT_USAGE
    if args.files_per_class < 1 or args.events_per_file < 1 or args.chunk_events < 1:
        print("--files-per-class, --events-per-file and --chunk-events must be ≥ 1", file=sys.stderr)
        return EXIT_USAGE
    config = CaloConfig(
        files_per_class=args.files_per_class,
        events_per_file=args.events_per_file,
        classes=classes,
        seed=args.seed,
        chunk_events=args.chunk_events,
        compression=args.compression,
    )
    bar = _ProgressBar(enabled=not args.quiet)
    total, done = len(classes) * args.files_per_class, [0]

    def on_file(path: Path) -> None:
        done[0] += 1
        bar.update(done[0], total)

    started = time.perf_counter()
    try:
        make_calo(args.dir, config, on_file=on_file)
    except OSError as exc:
        print(f"could not write {args.dir}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        bar.close()
    events = total * args.events_per_file
    print(f"wrote {total} file(s), {events:,} events in {time.perf_counter() - started:.1f} s to {args.dir}")
    return EXIT_OK


def cmd_bench_loader(args: argparse.Namespace) -> int:
    from trainer.bench.loader import run_loader

    return run_loader(
        Path(args.dir),
        workers=args.workers,
        batch_size=args.batch_size,
        repeats=args.repeats,
        events=args.events,
        as_json=args.json,
        write=args.write,
    )


if __name__ == "__main__":
    sys.exit(main())
