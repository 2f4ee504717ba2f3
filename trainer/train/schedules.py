"""Learning-rate schedules: the lecture's per-epoch decay ε_i = ε_{i−1}/(1+δ), step, exponential and cosine, as
pure functions of the run's progress; and `LearningRate`, which a running fit asks for ε and which the user can
change mid-run (the schedule then continues from the new value).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from trainer.catalog import Issue, Param, Registry, check_params
from trainer.graph.spec import ScheduleSpec

MIN_REBASE_FACTOR = 1e-9  # below this a schedule has (nearly) reached 0 and cannot be rescaled from a new value


@dataclass(frozen=True)
class Progress:
    """Where a run is: `step` optimiser steps done, `epoch` full passes done (0 during the first)."""

    step: int
    epoch: int
    steps_per_epoch: int
    total_steps: int | None  # None: the run's length is not known


@dataclass(frozen=True)
class ScheduleEntry:
    """A schedule: `factor(params, progress)` is the multiplier on the base learning rate; a pure function."""

    name: str
    help: str
    params: tuple[Param, ...]
    factor: Callable[[dict[str, Any], Progress], float]


SCHEDULES: Registry[ScheduleEntry] = Registry(kind="schedule")


def register_schedule(entry: ScheduleEntry) -> ScheduleEntry:
    return SCHEDULES.register(entry.name, entry)


register_schedule(
    ScheduleEntry(
        name="constant",
        help="The same learning rate throughout.",
        params=(),
        factor=lambda p, progress: 1.0,
    )
)
register_schedule(
    ScheduleEntry(
        name="lecture_decay",
        help="The lecture's decay: at each new epoch i, ε_i = ε_{i−1} / (1 + δ), so ε_i = ε_0 / (1 + δ)^i.",
        params=(Param("delta", "float", 0.1, "Decay δ per epoch (0: constant).", min=0.0, max=10.0),),
        factor=lambda p, progress: (1.0 + p["delta"]) ** -progress.epoch,
    )
)
register_schedule(
    ScheduleEntry(
        name="step",
        help="Multiply the learning rate by gamma every step_epochs epochs.",
        params=(
            Param("step_epochs", "int", 10, "Epochs between two drops.", min=1, max=1_000_000),
            Param("gamma", "float", 0.1, "Factor at each drop.", min=1e-6, max=1.0),
        ),
        factor=lambda p, progress: p["gamma"] ** (progress.epoch // p["step_epochs"]),
    )
)
register_schedule(
    ScheduleEntry(
        name="exponential",
        help="Multiply the learning rate by gamma at each new epoch: ε_i = ε_0 γ^i.",
        params=(Param("gamma", "float", 0.95, "Factor per epoch.", min=1e-6, max=1.0),),
        factor=lambda p, progress: p["gamma"] ** progress.epoch,
    )
)


def _cosine(p: dict[str, Any], progress: Progress) -> float:
    """Linear warm-up over warmup_steps, then half a cosine from 1 down to min_factor at the horizon, then flat."""
    horizon = p["period_steps"] if p["period_steps"] is not None else progress.total_steps
    if horizon is None:
        raise ValueError("the cosine schedule needs the run's length (epochs or max_steps) or period_steps")
    warmup, step = p["warmup_steps"], progress.step
    if step < warmup:
        return (step + 1) / (warmup + 1)
    ratio = min(1.0, (step - warmup) / max(1, horizon - warmup))
    return p["min_factor"] + (1.0 - p["min_factor"]) * 0.5 * (1.0 + math.cos(math.pi * ratio))


register_schedule(
    ScheduleEntry(
        name="cosine",
        help="Optional linear warm-up, then a cosine from the base rate down to min_factor × base over the run "
        "(or over period_steps), updated every step.",
        params=(
            Param("min_factor", "float", 0.0, "The final rate as a share of the base rate.", min=0.0, max=1.0),
            Param(
                "warmup_steps", "int", 0, "Steps of linear warm-up from ~0 to the base rate.", min=0, max=100_000_000
            ),
            Param(
                "period_steps",
                "int",
                None,
                "Anneal over this many steps instead of the whole run; null: the run's length.",
                min=1,
                max=100_000_000,
                nullable=True,
            ),
        ),
        factor=_cosine,
    )
)


def check_schedule(spec: ScheduleSpec, *, horizon_known: bool = True) -> list[Issue]:
    """Every problem with the schedule, as Issues; never raises on user input. `horizon_known`: whether the run
    has a known number of steps (epochs or max_steps), which cosine needs unless it has period_steps."""
    entry = SCHEDULES.entries.get(spec.name)
    if entry is None:
        return [SCHEDULES.unknown(spec.name, field="schedule.name")]
    params, issues = check_params(entry.params, spec.params, prefix="schedule.params", what=f"schedule {entry.name}: ")
    if entry.name == "cosine":
        period = params["period_steps"]
        if period is None and not horizon_known:
            issues.append(
                Issue(
                    type="invalid_param",
                    field="schedule.params.period_steps",
                    message="schedule cosine: the run has no known length; set epochs or max_steps, or period_steps",
                )
            )
        if period is not None and params["warmup_steps"] >= period:
            issues.append(
                Issue(
                    type="invalid_param",
                    field="schedule.params.warmup_steps",
                    message=f"schedule cosine: warmup_steps ({params['warmup_steps']}) must be shorter "
                    f"than period_steps ({period})",
                )
            )
    return issues


class LearningRate:
    """The learning rate of a run: base × schedule factor; set() changes it mid-run and the schedule continues
    from the new value."""

    def __init__(self, base: float, schedule: ScheduleSpec) -> None:
        if not base > 0:
            raise ValueError(f"learning rate must be > 0, got {base}")
        issues = check_schedule(schedule)
        if issues:
            raise ValueError("; ".join(issue.message for issue in issues))
        self.entry = SCHEDULES.get(schedule.name)
        self.params, _ = check_params(self.entry.params, schedule.params)
        self.base = float(base)
        self.held = False  # set() at a factor of ~0: the rate stays where the user put it

    def at(self, progress: Progress) -> float:
        """ε at this point of the run."""
        if self.held:
            return self.base
        return self.base * self.entry.factor(self.params, progress)

    def set(self, lr: float, progress: Progress) -> None:
        """Make ε equal `lr` now; later steps keep the schedule's shape (its ratios) from here.

        A schedule that has decayed to ~0 (cosine at its end) has no shape left to scale: the rate is then held
        at `lr` for the rest of the run."""
        if not lr > 0:
            raise ValueError(f"learning rate must be > 0, got {lr}")
        factor = self.entry.factor(self.params, progress)
        self.held = factor < MIN_REBASE_FACTOR
        self.base = float(lr) if self.held else float(lr) / factor

    def apply(self, optimizer: torch.optim.Optimizer, progress: Progress) -> float:
        """Set every parameter group's learning rate to ε at `progress`; returns ε."""
        lr = self.at(progress)
        for group in optimizer.param_groups:
            if isinstance(group["lr"], torch.Tensor):  # capturable/fused optimisers keep it on the device
                group["lr"].fill_(lr)
            else:
                group["lr"] = lr
        return lr

    def state_dict(self) -> dict[str, Any]:
        return {"base": self.base, "held": self.held, "schedule": self.entry.name}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.base, self.held = float(state["base"]), bool(state["held"])
