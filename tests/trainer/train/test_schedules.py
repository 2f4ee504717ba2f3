"""Learning-rate schedules: the lecture's decay exactly, the other schedules' values, and a rate changed mid-run
that the schedule then follows."""

from __future__ import annotations

import math

import pytest
import torch

from trainer.graph.spec import ScheduleSpec
from trainer.train.schedules import SCHEDULES, LearningRate, Progress, check_schedule

STEPS_PER_EPOCH = 10


def at_epoch(epoch: int, step: int | None = None, total: int | None = 100) -> Progress:
    step = epoch * STEPS_PER_EPOCH if step is None else step
    return Progress(step=step, epoch=epoch, steps_per_epoch=STEPS_PER_EPOCH, total_steps=total)


def at_step(step: int, total: int | None = 100) -> Progress:
    return at_epoch(step // STEPS_PER_EPOCH, step, total)


def rate(name: str, base: float = 1.0, **params: object) -> LearningRate:
    return LearningRate(base, ScheduleSpec(name=name, params=params))


def test_lecture_decay_divides_by_one_plus_delta_each_epoch():
    lr = rate("lecture_decay", 0.5, delta=0.25)
    previous = lr.at(at_epoch(0))
    assert previous == 0.5
    for epoch in range(1, 8):
        current = lr.at(at_epoch(epoch))
        assert current == pytest.approx(previous / 1.25, rel=1e-12)
        previous = current
    # constant within an epoch
    assert lr.at(at_step(35)) == lr.at(at_step(30))


def test_step_schedule_drops_by_gamma_every_step_epochs():
    lr = rate("step", 1.0, step_epochs=3, gamma=0.5)
    assert [lr.at(at_epoch(e)) for e in range(7)] == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]


def test_exponential_schedule():
    lr = rate("exponential", 2.0, gamma=0.9)
    assert lr.at(at_epoch(3)) == pytest.approx(2.0 * 0.9**3)


def test_cosine_goes_from_base_to_min_over_the_run():
    lr = rate("cosine", 1.0, min_factor=0.1)
    assert lr.at(at_step(0)) == pytest.approx(1.0)
    assert lr.at(at_step(50)) == pytest.approx(0.1 + 0.9 * 0.5)
    assert lr.at(at_step(100)) == pytest.approx(0.1)
    assert lr.at(at_step(25)) == pytest.approx(0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi / 4)))


def test_cosine_warmup_and_period():
    lr = rate("cosine", 1.0, warmup_steps=4, period_steps=24)
    assert [lr.at(at_step(s, total=None)) for s in range(5)] == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0])
    assert lr.at(at_step(14, total=None)) == pytest.approx(0.5)
    assert lr.at(at_step(24, total=None)) == pytest.approx(0.0)
    assert lr.at(at_step(50, total=None)) == pytest.approx(0.0)


def test_cosine_without_a_horizon_is_flagged():
    [issue] = check_schedule(ScheduleSpec(name="cosine"), horizon_known=False)
    assert issue.field == "schedule.params.period_steps"
    assert check_schedule(ScheduleSpec(name="cosine", params={"period_steps": 100}), horizon_known=False) == []
    with pytest.raises(ValueError, match="period_steps"):
        rate("cosine").at(at_step(3, total=None))


def test_set_rebases_and_the_schedule_continues():
    lr = rate("lecture_decay", 1.0, delta=1.0)  # halves every epoch
    assert lr.at(at_epoch(2)) == pytest.approx(0.25)
    lr.set(0.8, at_epoch(2, step=25))
    assert lr.at(at_epoch(2, step=25)) == pytest.approx(0.8)
    assert lr.at(at_epoch(3)) == pytest.approx(0.4)
    assert lr.at(at_epoch(5)) == pytest.approx(0.1)


def test_set_on_a_schedule_at_zero_holds_the_new_rate():
    lr = rate("cosine", 1.0)
    lr.set(0.01, at_step(100))
    assert lr.at(at_step(100)) == 0.01
    assert lr.at(at_step(120)) == 0.01


def test_apply_sets_every_param_group():
    a, b = torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([{"params": [a]}, {"params": [b]}], lr=1.0)
    lr = rate("exponential", 0.5, gamma=0.5)
    assert lr.apply(optimizer, at_epoch(1)) == pytest.approx(0.25)
    assert [g["lr"] for g in optimizer.param_groups] == pytest.approx([0.25, 0.25])


def test_state_dict_round_trip_resumes_exactly():
    lr = rate("step", 0.1, step_epochs=2, gamma=0.5)
    lr.set(0.3, at_epoch(3))
    resumed = rate("step", 0.1, step_epochs=2, gamma=0.5)
    resumed.load_state_dict(lr.state_dict())
    for epoch in range(10):
        assert resumed.at(at_epoch(epoch)) == lr.at(at_epoch(epoch))


def test_unknown_schedule_and_bad_params_are_issues():
    [unknown] = check_schedule(ScheduleSpec(name="cyclic"))
    assert unknown.field == "schedule.name" and "lecture_decay" in unknown.message
    [bad] = check_schedule(ScheduleSpec(name="lecture_decay", params={"delta": -1}))
    assert bad.field == "schedule.params.delta"
    [warm] = check_schedule(ScheduleSpec(name="cosine", params={"warmup_steps": 10, "period_steps": 5}))
    assert warm.field == "schedule.params.warmup_steps"
    with pytest.raises(ValueError, match="delta"):
        rate("lecture_decay", delta=-1)


def test_registry_names():
    assert SCHEDULES.names() == ["constant", "cosine", "exponential", "lecture_decay", "step"]
