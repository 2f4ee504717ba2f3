"""`playground bench overhead`: what the engine costs. Steps/s of `fit` (events serialised to JSON Lines, default
probes, validation with per-class accuracy and AUCs) ÷ steps/s of a hand-written PyTorch loop on the same
module, batches and optimiser, with a validation pass (loss, accuracy) after the same steps; measured side by
side, alternating, in one process."""

from __future__ import annotations

import copy
import datetime
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

import torch

from trainer.bench.report import replace_section
from trainer.graph.spec import RunSpec, load_spec

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _wide_mlp_spec() -> dict[str, Any]:
    """4 × 1024 ReLU layers on 784-dim inputs (MNIST-sized), 10 classes."""
    nodes: list[dict[str, Any]] = [{"id": "x", "type": "input"}]
    edges, prev = [], "x"
    for i in range(1, 5):
        nodes += [{"id": f"dense{i}", "type": "dense", "params": {"units": 1024}}, {"id": f"relu{i}", "type": "relu"}]
        edges += [{"source": prev, "target": f"dense{i}"}, {"source": f"dense{i}", "target": f"relu{i}"}]
        prev = f"relu{i}"
    nodes += [{"id": "scores", "type": "dense", "params": {"units": 10}}, {"id": "probs", "type": "softmax"}]
    edges += [{"source": prev, "target": "scores"}, {"source": "scores", "target": "probs"}]
    return {
        "name": "wide MLP 4×1024 on 784",
        "graph": {"version": 1, "nodes": nodes, "edges": edges},
        "data": {"name": "blobs", "params": {"n": 4000, "dims": 784, "classes": 10}, "val_fraction": 0.2},
        "loss": {"name": "cross_entropy"},
        "optimizer": {"name": "sgd", "lr": 0.01, "params": {"momentum": 0.9}},
        "batch_size": 128,
        "epochs": 1000,
    }


def cases() -> list[tuple[str, RunSpec, float]]:
    """(name, spec, share of --steps it times: the wide MLP's steps are ~100× slower on a CPU)."""
    digits = load_spec(EXAMPLES / "digits-mlp.json").model_copy(update={"epochs": 100000})
    # ResNet: four residual_basic block nodes (repeat 2 each) on 32 × 32 shapes; ~300× slower steps than digits.
    resnet = load_spec(EXAMPLES / "resnet.json").model_copy(update={"epochs": 100000})
    return [
        ("digits-mlp", digits, 1.0),
        ("wide-mlp-4x1024-784", load_spec(_wide_mlp_spec()), 1 / 6),
        ("resnet", resnet, 1 / 2),  # long enough (~10 s) that the probes run at their steady rate, not at start-up
    ]


def hand_loop_rate(spec: RunSpec, steps: int, warmup: int, device: str, eval_steps: set[int]) -> float:
    """Steps/s of the loop a person would write: same module, data, batch order and optimiser, and a validation
    pass (loss and accuracy) after the same steps as `fit` evaluated at."""
    from trainer.data.prepare import batch_order, prepare
    from trainer.graph.compile import build_networks
    from trainer.train.losses import make_loss
    from trainer.train.optim import make_optimizer

    dev = torch.device(device)
    torch.manual_seed(spec.seed)
    data = prepare(spec.data, spec.seed)
    model = build_networks(spec)["model"].to(dev)
    loss_fn, wants_logits = make_loss(spec.loss, data.info)
    optimizer = make_optimizer(spec.optimizer, model.parameters())
    x, y = data.train.x.to(dev), data.train.y.to(dev)
    xv, yv = data.val.x.to(dev), data.val.y.to(dev)
    bs = len(x) if spec.batch_size == "full" else int(spec.batch_size)
    per_epoch = -(-len(x) // bs)
    step, epoch, started = 0, 0, 0.0
    while True:
        order = batch_order(len(x), seed=spec.seed, epoch=epoch).to(dev)
        model.train()
        for b in range(per_epoch):
            if step == warmup:
                if dev.type == "cuda":
                    torch.cuda.synchronize()
                started = time.perf_counter()
            idx = order[b * bs : (b + 1) * bs]
            loss = loss_fn(model(x[idx], logits=wants_logits), y[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            step += 1
            if step == warmup + steps:
                loss.item()  # wait for the device
                return steps / (time.perf_counter() - started)
            if step in eval_steps:
                model.eval()
                with torch.no_grad():
                    out = model(xv, logits=wants_logits)
                    float(loss_fn(out, yv)), float((out.argmax(1) == yv).float().mean())
                model.train()
        epoch += 1


def fit_rate(spec: RunSpec, steps: int, warmup: int, device: str) -> tuple[float, set[int]]:
    """Steps/s of `fit` inside its loop, and the steps after which it evaluated."""
    from trainer.train.engine import fit
    from trainer.train.sinks import JsonlSink, ListSink, TeeSink

    events = ListSink()
    with open(os.devnull, "w") as devnull:
        fit(spec, sink=TeeSink(JsonlSink(devnull), events), max_steps=warmup + steps, device=device)
    # Inside the loop only: from the first event after warm-up to the last one before the closing evaluation.
    points = [(e.step, e.t) for e in events.events if e.type == "metrics" and e.step < warmup + steps]
    inside = [p for p in points if p[0] >= warmup]
    if len(inside) < 2:  # a very short run: fall back to every event, the closing evaluation included
        inside = [(e.step, e.t) for e in events.events if e.type == "metrics"]
    start, end = inside[0], inside[-1]
    evaluated = {e.step for e in events.events if e.type == "metrics" and "val/loss" in e.values}
    return (end[0] - start[0]) / (end[1] - start[1]), evaluated


def run_overhead(
    *, steps: int, repeats: int, device: str, as_json: bool, write: str | None, only: list[str] | None = None
) -> int:
    results: dict[str, Any] = {}
    for name, spec, share in cases():
        if only and name not in only:
            continue
        n = max(int(steps * share), 50)
        warmup = max(n // 10, 10)
        spec = copy.deepcopy(spec)
        fits, hands = [], []
        for _ in range(repeats):  # alternate, so drift in machine load hits both alike
            rate, evaluated = fit_rate(spec, n, warmup, device)
            fits.append(rate)
            hands.append(hand_loop_rate(spec, n, warmup, device, evaluated))
        results[name] = {
            "fit_steps_per_s": max(fits),
            "hand_steps_per_s": max(hands),
            "ratio": max(fits) / max(hands),
            "steps": n,
            "repeats": repeats,
        }
        print(
            f"{name:24s} fit {max(fits):9.1f} steps/s   hand-written {max(hands):9.1f} steps/s   "
            f"ratio {max(fits) / max(hands):.3f}",
            flush=True,
        )
    summary = {
        "benchmark": "overhead",
        "ratio": min(r["ratio"] for r in results.values()),
        "cases": results,
        "device": device,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads",
        "date": datetime.date.today().isoformat(),
    }
    if write:
        record_overhead(Path(write), summary)
    if as_json:
        print(json.dumps(summary))
    return 0


def record_overhead(path: Path, summary: dict[str, Any]) -> None:
    """Replace the overhead section of the benchmarks page with these figures."""
    lines = [
        f"## Engine overhead ({summary['device']})",
        "",
        f"`playground bench overhead` on {summary['machine']}, {summary['date']}.",
        "",
        "| case | fit steps/s | hand-written steps/s | ratio |",
        "|---|---:|---:|---:|",
    ]
    for name, r in summary["cases"].items():
        lines.append(f"| {name} | {r['fit_steps_per_s']:.1f} | {r['hand_steps_per_s']:.1f} | {r['ratio']:.3f} |")
    lines.append("")
    replace_section(path, lines[0], "\n".join(lines))
