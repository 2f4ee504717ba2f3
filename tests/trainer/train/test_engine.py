"""The engine: events, determinism, exact resume, control (cancel, pause, learning rate), failure messages."""

from __future__ import annotations

import threading

import pytest
import torch

from tests.conftest import mlp_spec
from trainer.graph.validate import SpecError
from trainer.train.control import Control
from trainer.train.engine import fit
from trainer.train.sinks import ListSink


def run(spec, **kwargs):
    sink = ListSink()
    result = fit(spec, sink=sink, **kwargs)
    return result, sink.events


def of_type(events, kind):
    return [e for e in events if e.type == kind]


def test_events_are_gap_free_and_end_with_a_final_status(xor_spec):
    result, events = run(xor_spec)
    assert result.status == "finished"
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert [e.t for e in events] == sorted(e.t for e in events)
    statuses = [e.status for e in of_type(events, "status")]
    assert statuses[0] == "running" and statuses[-1] == "finished"
    assert events[-1].type == "status"


def test_metrics_carry_train_and_validation_values(digits_spec):
    result, events = run(digits_spec)
    metrics = of_type(events, "metrics")
    assert all("train/lr" in m.values for m in metrics)
    final = {k: v for m in metrics for k, v in m.values.items()}
    for key in ("train/loss", "val/loss", "val/accuracy", "val/accuracy/3", "val/auc/0", "val/auc/9"):
        assert key in final, key
    assert 0.0 <= final["val/auc/9"] <= 1.0
    assert result.epoch == 2 and result.step == metrics[-1].step


def test_scalars_are_coalesced_not_one_event_per_step(digits_spec):
    spec = dict(digits_spec, epochs=4, batch_size=8)  # 720 steps
    result, events = run(spec)
    metrics = of_type(events, "metrics")
    assert result.step == 720
    assert len(metrics) < result.step / 3
    assert len(metrics) >= 4  # at least one per epoch's evaluation


def test_same_seed_same_weights_on_cpu(digits_spec):
    spec = dict(digits_spec)
    spec["graph"]["nodes"].insert(3, {"id": "drop", "type": "dropout", "params": {"rate": 0.3}})
    spec["graph"]["edges"] = [e for e in spec["graph"]["edges"] if e["source"] != "act1"] + [
        {"source": "act1", "target": "drop"},
        {"source": "drop", "target": "out"},
    ]
    a, _ = run(spec)
    b, _ = run(spec)
    c, _ = run(dict(spec, seed=1))
    sa, sb, sc = a.model.state_dict(), b.model.state_dict(), c.model.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert not all(torch.equal(sa[k], sc[k]) for k in sa)


def test_resume_is_exact(tmp_path, digits_spec):
    """N steps + resume + N steps == 2N steps straight: weights, optimiser, schedule, dropout RNG, batch order."""
    spec = dict(
        digits_spec,
        epochs=None,
        optimizer={"name": "adam", "lr": 0.01},
        schedule={"name": "lecture_decay", "params": {"delta": 0.1}},
    )
    spec["graph"]["nodes"].insert(3, {"id": "drop", "type": "dropout", "params": {"rate": 0.3}})
    spec["graph"]["edges"] = [e for e in spec["graph"]["edges"] if e["source"] != "act1"] + [
        {"source": "act1", "target": "drop"},
        {"source": "drop", "target": "out"},
    ]
    n = 70  # mid-epoch: 45 steps per epoch
    straight, _ = run(spec, max_steps=2 * n)
    first, first_events = run(spec, max_steps=n, checkpoint_dir=tmp_path)
    assert first.checkpoint is not None and first.step == n
    resumed, resumed_events = run(spec, max_steps=2 * n, resume_from=tmp_path)
    assert resumed.step == 2 * n
    s, r = straight.model.state_dict(), resumed.model.state_dict()
    assert all(torch.equal(s[k], r[k]) for k in s)
    assert resumed_events[0].seq == first_events[-1].seq + 1  # the event history continues without a gap


def test_nan_loss_fails_with_the_step_and_a_hint():
    spec = mlp_spec(dataset="sine", loss={"name": "mse"}, optimizer={"name": "sgd", "lr": 9.0}, epochs=50)
    spec["graph"]["nodes"] = [n for n in spec["graph"]["nodes"] if n["id"] != "p"]
    spec["graph"]["edges"] = [e for e in spec["graph"]["edges"] if e["target"] != "p"]
    result, events = run(spec)
    assert result.status == "failed"
    assert "at step" in result.message and "lower learning rate" in result.message
    assert of_type(events, "status")[-1].message == result.message


def test_cancel_from_another_thread_stops_promptly(digits_spec):
    control = Control()
    spec = dict(digits_spec, epochs=1000)

    def on_progress(step, total):
        if step >= 20:
            control.cancel("stop please")

    result = fit(spec, control=control, on_progress=on_progress)
    assert result.status == "cancelled" and result.message == "stop please"
    assert result.step < 200


def test_pause_then_resume(digits_spec):
    control = Control()
    sink = ListSink()
    paused = threading.Event()

    def on_progress(step, total):
        if step >= 10 and not paused.is_set():
            paused.set()
            control.pause()
            threading.Timer(0.3, control.resume).start()

    result = fit(digits_spec, sink=sink, control=control, on_progress=on_progress)
    statuses = [e.status for e in of_type(sink.events, "status")]
    assert result.status == "finished"
    assert statuses == ["running", "paused", "running", "finished"]


def test_learning_rate_changes_mid_run(digits_spec):
    control = Control()
    sink = ListSink()

    def on_progress(step, total):
        if step >= 10:
            control.set_lr(0.123)

    fit(digits_spec, sink=sink, control=control, on_progress=on_progress)
    lrs = [m.values["train/lr"] for m in of_type(sink.events, "metrics")]
    assert lrs[0] == pytest.approx(0.01)
    assert lrs[-1] == pytest.approx(0.123)


def test_early_stopping_ends_the_run_with_a_message(digits_spec):
    spec = dict(
        digits_spec,
        epochs=50,
        early_stopping={"metric": "val/accuracy", "mode": "max", "patience": 2, "min_delta": 0.5},
    )
    result, _ = run(spec)
    assert result.status == "finished"
    assert result.epoch == 3  # best at epoch 1, no improvement of 0.5 at epochs 2 and 3
    assert "stopped early" in result.message


def test_full_batch_gradient_descent_takes_one_step_per_epoch(xor_spec):
    result, _ = run(dict(xor_spec, batch_size="full", epochs=7, optimizer={"name": "gd", "lr": 0.5}))
    assert result.step == 7 and result.epoch == 7


def test_boundary_probe_streams_images_for_2d_data(xor_spec):
    _, events = run(xor_spec)
    keys = {e.key for e in of_type(events, "image")}
    assert "boundary/model" in keys and "boundary/act1" in keys
    assert any(e.key.startswith("weights/") for e in of_type(events, "histogram"))


def test_invalid_spec_raises_before_anything_runs(xor_spec):
    xor_spec["graph"]["nodes"][1]["params"]["units"] = -1
    with pytest.raises(SpecError) as err:
        fit(xor_spec)
    assert err.value.issues[0].node_id == "dense1"


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without a GPU")
def test_cuda_without_a_gpu_fails_with_a_clear_message(xor_spec):
    result, _ = run(dict(xor_spec, device="cuda"))
    assert result.status == "failed" and "no GPU is visible" in result.message
