"""The training engine: one readable loop (batch → forward → loss → backward → clip → step) with its hooks —
events, control, evaluation, probes, checkpoints — called at named points.

On a GPU nothing in the step synchronises with the host: losses stay on the device in a list and are read when
a metrics event is due (about 20 per second), which is also where a NaN loss is caught, with its exact step.

A batch is a tuple of input tensors, one per Input node of the model in `model.input_ids` order, each
(B, *shape of its field); `field_index` maps them to the data set's fields (`DataInfo.fields` order, as
`Split.inputs` holds them), so `x` and `adj` for graphs or `left` and `right` for pairs reach their nodes. A
single-input model gets a 1-tuple: the step is `model(*xb)` either way. Targets are (B, *target_shape)."""

from __future__ import annotations

import math
import random
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from trainer.graph.compile import GraphModule, build_networks
from trainer.graph.spec import RunSpec, load_spec
from trainer.graph.validate import SpecError, graph_plan, validate
from trainer.train.checkpoint import latest_checkpoint, load_checkpoint, save_checkpoint
from trainer.train.control import Control
from trainer.train.events import EventStream
from trainer.train.metrics import classification_metrics
from trainer.train.optim import clip_gradients
from trainer.train.schedules import LearningRate, Progress
from trainer.train.sinks import NullSink, Sink

METRICS_INTERVAL_S = 0.05  # scalars coalesced to about 20 events/s
PROBE_INTERVAL_S = 0.5  # probes (images, histograms) about 2/s…
PROBE_BUDGET = 0.02  # …but never more than 2% of the wall time: a slow probe on a big network runs less often
FIRST_PROBE_MAX_GAP_S = 1.0  # the first round pays one-off costs; the budget applies from the second on
PROBE_BATCH = 512
EVAL_BATCH = 4096


@dataclass
class FitResult:
    status: str  # finished | failed | cancelled
    message: str | None
    step: int
    epoch: int
    metrics: dict[str, float]  # the last value of every scalar emitted
    model: GraphModule
    last_seq: int
    checkpoint: Path | None = None
    history: list[dict[str, Any]] = field(default_factory=list)  # every metrics event's values, with step


class StopRun(Exception):
    """Ends the loop early with a final status (cancelled, or failed with a message for the user)."""

    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def resolve_device(name: str) -> torch.device:
    """`auto` → the first CUDA device when one is visible, else the CPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise StopRun("failed", f"device {name!r} was asked for but no GPU is visible here; use device auto or cpu")
    return device


def fit(
    spec: RunSpec | dict[str, Any] | str | Path,
    *,
    sink: Sink | None = None,
    control: Control | None = None,
    max_steps: int | None = None,
    epochs: int | None = None,
    device: str | None = None,
    checkpoint_dir: str | Path | None = None,
    resume_from: str | Path | None = None,
    start_seq: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> FitResult:
    """Train the spec's model; the keyword arguments override the spec's settings. Raises SpecError for an
    invalid spec (nothing has run then); every problem after that ends in a status event and a FitResult.

    Events are numbered after `start_seq`; by default after the resumed checkpoint's events, or from 1. A caller
    that stored events past the checkpoint (a worker that died mid-run) passes the last seq it stored."""
    spec = load_spec(spec)
    report = validate(spec)
    if not report.ok:
        raise SpecError(report.issues)
    updates = {k: v for k, v in {"max_steps": max_steps, "epochs": epochs, "device": device}.items() if v is not None}
    if updates:
        spec = spec.model_copy(update=updates)
    resume_state = _load_resume(resume_from)
    if start_seq is None:
        start_seq = resume_state["seq"] if resume_state else 0
    stream = EventStream(sink or NullSink(), start_seq=start_seq)
    run = _Run(spec, stream, control or Control(), Path(checkpoint_dir) if checkpoint_dir else None, on_progress)
    try:
        run.setup(resume_state)
        run.train()
        status, message = "finished", run.finish_message
    except StopRun as stop:
        status, message = stop.status, stop.message
    except Exception as exc:  # noqa: BLE001 — the run fails with a message; the caller is never left hanging
        status = "failed"
        message = f"internal error: {type(exc).__name__}: {exc}"
        stream.log("error", "".join(traceback.format_exception(exc))[-4000:])
    run.end(status)
    stream.status(status, message=message, step=run.step)  # type: ignore[arg-type]
    stream.close()
    return FitResult(
        status=status,
        message=message,
        step=run.step,
        epoch=run.epoch,
        metrics=dict(run.last_values),
        model=run.model,
        last_seq=stream.seq,
        checkpoint=run.last_checkpoint,
        history=run.history,
    )


def _load_resume(resume_from: str | Path | None) -> dict[str, Any] | None:
    if resume_from is None:
        return None
    path = latest_checkpoint(resume_from)
    if path is None:
        raise SpecError.single("no_checkpoint", f"no checkpoint found in {resume_from}", field="resume")
    try:
        return load_checkpoint(path)
    except (OSError, ValueError) as exc:
        raise SpecError.single("bad_checkpoint", str(exc), field="resume") from None


class _Run:
    """The state of one fit. Methods are the loop's named points; `train` is the loop."""

    def __init__(
        self,
        spec: RunSpec,
        stream: EventStream,
        control: Control,
        checkpoint_dir: Path | None,
        on_progress: Callable[[int, int], None] | None,
    ):
        self.spec, self.stream, self.control = spec, stream, control
        self.checkpoint_dir, self.on_progress = checkpoint_dir, on_progress
        self.step = self.epoch = self.batch_in_epoch = 0
        self.last_values: dict[str, float] = {}
        self.history: list[dict[str, Any]] = []
        self.last_checkpoint: Path | None = None
        self.finish_message: str | None = None
        self.pending_losses: list[torch.Tensor] = []  # on the device until the next metrics event
        self.pending_first_step = 1
        self.best: float | None = None
        self.evals_since_best = 0
        self.last_eval_step, self.last_eval_time = -1, 0.0
        self.model: GraphModule = None  # type: ignore[assignment]

    # ----- set-up -----------------------------------------------------------------------------------------
    def setup(self, resume: dict[str, Any] | None) -> None:
        from trainer.data.prepare import DataError, prepare
        from trainer.train.losses import make_loss
        from trainer.train.optim import make_optimizer
        from trainer.train.probes import ProbeContext, make_probes
        from trainer.train.streaming import STREAM_EVAL_BATCH, open_streaming

        spec = self.spec
        self.stream.status("running", step=resume["step"] if resume else 0)
        self.device = resolve_device(spec.device)
        torch.manual_seed(spec.seed)
        random.seed(spec.seed)
        try:
            self.streaming = open_streaming(spec, self.stream, self.device)  # None: the data set fits in memory
            data = self.streaming.bundle if self.streaming else prepare(spec.data, spec.seed)
        except DataError as exc:
            raise StopRun("failed", f"data set {spec.data.name}: {exc}") from None
        self.info = data.info
        self.y_train, self.y_val = data.train.y.to(self.device), data.val.y.to(self.device)
        if len(self.y_train) == 0:
            raise StopRun("failed", "the training split is empty: lower data.val_fraction or add examples")

        plan = graph_plan(spec)
        self.model = build_networks(spec, plan)["model"].to(self.device)
        if spec.init_from is not None:  # transfer: weights by node id, frozen nodes fixed (a resumed run has its own)
            from trainer.train.transfer import apply_init_from

            try:
                self.stream.log("info", apply_init_from(self.model, spec.init_from, load=resume is None))
            except ValueError as exc:
                raise StopRun("failed", str(exc)) from None
        self.field_index = [self.info.fields.index(f) for f in self.model.input_fields]
        train_fields = [x.to(self.device) for x in data.train.inputs]  # DataInfo.fields order
        val_fields = [x.to(self.device) for x in data.val.inputs]
        self.x_train = tuple(train_fields[i] for i in self.field_index)  # one tensor per model input
        self.x_val = tuple(val_fields[i] for i in self.field_index)
        self.loss_fn, self.wants_logits = make_loss(spec.loss, self.info)
        self.output_index = self.model.output_ids.index(spec.loss.output) if spec.loss.output else 0
        self.optimizer = make_optimizer(spec.optimizer, self.model.parameters())
        self.lr = LearningRate(spec.optimizer.lr, spec.schedule)

        n = len(self.y_train)
        self.batch_size = n if spec.batch_size == "full" else min(int(spec.batch_size), n)
        self.steps_per_epoch = math.ceil(n / self.batch_size)
        self.eval_batch = STREAM_EVAL_BATCH if self.streaming else EVAL_BATCH
        if self.streaming:  # batches come from files; the in-memory split above is the validation set
            self.batch_size, self.steps_per_epoch = self.streaming.batch_size, self.streaming.steps_per_epoch
            n = self.streaming.train_events
        epochs = spec.total_epochs()
        limits = [x for x in (spec.max_steps, epochs * self.steps_per_epoch if epochs else None) if x is not None]
        self.total_steps = min(limits)
        self.eval_every = spec.eval_every_steps

        if resume:
            self._restore(resume)
        probe_n = min(PROBE_BATCH, self.eval_batch)
        probe_x = tuple(x[:probe_n] for x in (self.x_val if len(self.y_val) else self.x_train))
        probe_y = (self.y_val if len(self.y_val) else self.y_train)[:probe_n]
        ctx = ProbeContext(
            model=self.model,
            info=self.info,
            batch=probe_x,
            targets=probe_y,
            scaler=data.scaler,
            raw_bounds=data.raw_bounds,
            device=self.device,
            validation=(self.x_val, self.y_val) if len(self.y_val) else None,
        )
        self.probes = make_probes(spec.probes, ctx)
        params = sum(p.numel() for p in self.model.parameters())
        self.stream.log(
            "info",
            f"training {params:,} parameters on {self.device}: {self.total_steps:,} steps "
            f"({self.steps_per_epoch:,} per epoch, batch {self.batch_size:,} of {n:,} examples)",
        )

    def _restore(self, state: dict[str, Any]) -> None:
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.lr.load_state_dict(state["lr"])
        self.step, self.epoch, self.batch_in_epoch = state["step"], state["epoch"], state["batch_in_epoch"]
        self.best, self.evals_since_best = state.get("best"), state.get("evals_since_best", 0)
        self.pending_first_step = self.step + 1
        torch.set_rng_state(state["rng"]["torch"])
        random.setstate(state["rng"]["python"])
        if self.device.type == "cuda" and state["rng"].get("cuda") is not None:
            torch.cuda.set_rng_state(state["rng"]["cuda"], self.device)

    # ----- the loop ---------------------------------------------------------------------------------------
    def progress(self) -> Progress:
        return Progress(
            step=self.step, epoch=self.epoch, steps_per_epoch=self.steps_per_epoch, total_steps=self.total_steps
        )

    def train(self) -> None:
        from trainer.data.prepare import batch_order

        model, optimizer, loss_fn = self.model, self.optimizer, self.loss_fn
        clip = self.spec.optimizer.grad_clip_norm
        next_metrics = time.perf_counter() + METRICS_INTERVAL_S
        next_probe = 0.0  # probe once right at the start: the untrained network is worth seeing
        first_probe = True
        while self.step < self.total_steps:
            # In memory: this epoch's order of the examples. Streamed: the loader orders the files itself.
            order = None if self.streaming else batch_order(len(self.y_train), seed=self.spec.seed, epoch=self.epoch)
            lr = self.lr.apply(optimizer, self.progress())
            model.train()
            streamed = None
            if self.streaming:
                streamed = self.streaming.epoch(self.epoch, self.field_index, skip=self.batch_in_epoch)
            while self.batch_in_epoch < self.steps_per_epoch and self.step < self.total_steps:
                if time.perf_counter() >= next_probe:
                    started = time.perf_counter()
                    self.run_probes()
                    took = time.perf_counter() - started
                    gap = took / PROBE_BUDGET
                    if first_probe:  # one-off warm-up (lazy imports, first kernels): must not delay the second view
                        gap, first_probe = min(gap, FIRST_PROBE_MAX_GAP_S), False
                    next_probe = started + took + max(PROBE_INTERVAL_S, gap)
                if streamed is not None:  # from files; None when files failed mid-epoch (warned about)
                    got = next(streamed, None)
                    if got is None and self.batch_in_epoch == 0:
                        raise StopRun("failed", "no training events could be read: every file failed (see warnings)")
                    if got is None:
                        self.batch_in_epoch = self.steps_per_epoch
                        break
                    xb, yb = got
                else:
                    assert order is not None
                    idx = order[self.batch_in_epoch * self.batch_size : (self.batch_in_epoch + 1) * self.batch_size]
                    xb, yb = [x[idx] for x in self.x_train], self.y_train[idx]  # (B, *field shape) each, (B, *target)
                out = model(*xb, logits=self.wants_logits)
                if isinstance(out, tuple):
                    out = out[self.output_index]
                loss = loss_fn(out, yb)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                clip_gradients(model.parameters(), clip)
                optimizer.step()
                self.step += 1
                self.batch_in_epoch += 1
                self.pending_losses.append(loss.detach())

                if self.control.pending():
                    self.on_control()
                lr = self.lr.apply(optimizer, self.progress())  # cosine moves every step; a few µs
                now = time.perf_counter()
                if now >= next_metrics:
                    self.emit_train_metrics(lr)
                    next_metrics = now + METRICS_INTERVAL_S
                if self.eval_every and self.step % self.eval_every == 0:
                    self.evaluate(lr)
                every = self.spec.checkpoint_every_steps
                if every and self.step % every == 0 and self.step < self.total_steps:
                    self.save()
            if streamed is not None:
                streamed.close()  # ends the epoch's reader processes now, not at garbage collection
            if self.batch_in_epoch >= self.steps_per_epoch:
                self.epoch += 1
                self.batch_in_epoch = 0
                # Every epoch, but at most ~20 times a second (tiny epochs), unless early stopping counts them.
                due = time.perf_counter() - self.last_eval_time >= METRICS_INTERVAL_S
                if not self.eval_every and (due or self.spec.early_stopping is not None):
                    self.evaluate(lr)
        if self.last_eval_step != self.step:
            self.evaluate(self.lr.at(self.progress()))
        self.stream.reset_timers()  # the final pictures are never skipped as "too soon"
        self.run_probes()

    # ----- hooks ------------------------------------------------------------------------------------------
    def emit_train_metrics(self, lr: float, extra: dict[str, float] | None = None) -> None:
        """Coalesce the losses since the last event into their mean; a non-finite one fails the run."""
        values: dict[str, float] = {}
        if self.pending_losses:
            losses = torch.stack(self.pending_losses).float().cpu()  # the one host sync, ~20 times a second
            bad = (~torch.isfinite(losses)).nonzero()
            if len(bad):
                at = self.pending_first_step + int(bad[0, 0])
                raise StopRun(
                    "failed",
                    f"the loss became {float(losses[bad[0, 0]])} at step {at} (epoch {self.epoch + 1}): "
                    f"training diverged; try a lower learning rate than {lr:g}",
                )
            values["train/loss"] = float(losses.mean())
            self.pending_losses.clear()
            self.pending_first_step = self.step + 1
        if extra:
            values.update(extra)
        if not values:
            return
        values["train/lr"] = lr
        epoch = self.epoch + self.batch_in_epoch / self.steps_per_epoch
        self.stream.metrics(step=self.step, epoch=round(epoch, 6), values=values)
        self.last_values.update(values)
        self.history.append({"step": self.step, **values})
        if self.on_progress:
            self.on_progress(self.step, self.total_steps)

    @torch.no_grad()
    def evaluate(self, lr: float) -> None:
        """Loss and metrics on the validation split, emitted together with the pending training loss."""
        self.last_eval_step, self.last_eval_time = self.step, time.perf_counter()
        if len(self.y_val) == 0:
            self.emit_train_metrics(lr)
            return
        self.model.eval()
        outs, total = [], torch.zeros((), device=self.device)
        for start in range(0, len(self.y_val), self.eval_batch):
            stop = start + self.eval_batch
            xb, yb = [x[start:stop] for x in self.x_val], self.y_val[start:stop]
            out = self.model(*xb, logits=self.wants_logits)
            if isinstance(out, tuple):
                out = out[self.output_index]
            total += self.loss_fn(out, yb) * len(yb)
            outs.append(out)
        self.model.train()
        values = {"val/loss": float(total) / len(self.y_val)}
        if self.info.task == "classification" and self.info.class_names:
            values.update(classification_metrics(torch.cat(outs), self.y_val, self.info.class_names))
        self.emit_train_metrics(lr, extra=values)
        self.check_early_stopping(values)

    def check_early_stopping(self, values: dict[str, float]) -> None:
        rule = self.spec.early_stopping
        if rule is None:
            return
        value = values.get(rule.metric, self.last_values.get(rule.metric))
        if value is None or not math.isfinite(value):
            return
        better = self.best is None or (
            value < self.best - rule.min_delta if rule.mode == "min" else value > self.best + rule.min_delta
        )
        if better:
            self.best, self.evals_since_best = value, 0
            return
        self.evals_since_best += 1
        if self.evals_since_best >= rule.patience:
            self.finish_message = (
                f"stopped early at step {self.step}: {rule.metric} has not improved for "
                f"{rule.patience} evaluations (best {self.best:.4g})"
            )
            self.total_steps = self.step  # ends the loop at the next check

    def run_probes(self) -> None:
        if not self.probes:
            return
        was_training = self.model.training
        self.model.eval()
        epoch = self.epoch + self.batch_in_epoch / self.steps_per_epoch
        with torch.no_grad():
            for probe in self.probes:
                probe.run(self.stream, step=self.step, epoch=epoch)
        self.model.train(was_training)

    def on_control(self) -> None:
        """Apply the caller's commands: a new learning rate, pause (wait here), cancel."""
        commands = self.control.take()
        if commands.lr is not None:
            self.lr.set(commands.lr, self.progress())
            self.stream.log("info", f"learning rate set to {commands.lr:g} at step {self.step}")
        if commands.paused and not commands.cancelled:
            self.emit_train_metrics(self.lr.at(self.progress()))
            self.stream.status("paused", step=self.step)
            while commands.paused and not commands.cancelled:
                self.control.wait(0.5)
                commands = self.control.take()
                if commands.lr is not None:
                    self.lr.set(commands.lr, self.progress())
            if not commands.cancelled:
                self.stream.status("running", step=self.step)
        if commands.cancelled:
            self.emit_train_metrics(self.lr.at(self.progress()))
            raise StopRun("cancelled", commands.reason or f"cancelled at step {self.step}")

    def save(self, *, events_after: int = 0) -> None:
        """`events_after`: events known to follow the checkpoint event (the final status), so that a run resumed
        from it numbers its events after them."""
        if self.checkpoint_dir is None:
            return
        rng = {
            "torch": torch.get_rng_state(),
            "python": random.getstate(),
            "cuda": torch.cuda.get_rng_state(self.device) if self.device.type == "cuda" else None,
        }
        state = {
            "step": self.step,
            "epoch": self.epoch,
            "batch_in_epoch": self.batch_in_epoch,
            "seq": self.stream.seq + 1 + events_after,  # the checkpoint event below is part of the history
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "lr": self.lr.state_dict(),
            "rng": rng,
            "best": self.best,
            "evals_since_best": self.evals_since_best,
            "spec": self.spec.model_dump(mode="json"),
        }
        self.last_checkpoint = save_checkpoint(self.checkpoint_dir, state)
        self.stream.checkpoint(step=self.step, path=str(self.last_checkpoint))

    def end(self, status: str) -> None:
        """Final checkpoint for a run that got somewhere (not for one that failed before its first step)."""
        if self.model is not None and self.step > 0 and status != "failed":
            try:
                self.save(events_after=1)
            except OSError as exc:
                self.stream.log("error", f"could not write the final checkpoint: {exc}")
