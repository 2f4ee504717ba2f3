"""Probes: decision boundaries of the model and its neurons on 2-D data, weight and activation histograms, and
the checks that pin a wrong probe to its place in the spec."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch
from torch import nn

from tests.trainer.train.probe_nets import ChainNet
from trainer.graph.spec import ProbeSpec
from trainer.train.events import EventStream
from trainer.train.png import NEGATIVE, POSITIVE, decode_png
from trainer.train.probes import BoundaryProbe, HistogramsProbe, ProbeContext, _histogram, check_probes, make_probes
from trainer.train.sinks import ListSink


def tiny_net(classes: int = 1) -> ChainNet:
    """A stand-in for a compiled GraphModule: x → dense1(8) → act1(tanh) → out(C) → p (sigmoid or softmax)."""
    torch.manual_seed(0)
    final = nn.Sigmoid() if classes == 1 else nn.Softmax(dim=1)
    return ChainNet(
        ("dense1", "dense", nn.Linear(2, 8)),
        ("act1", "tanh", nn.Tanh()),
        ("out", "dense", nn.Linear(8, classes)),
        ("p", "sigmoid" if classes == 1 else "softmax", final),
    )


class Standardize:
    def __init__(self, mean: float, std: float):
        self.mean, self.std = mean, std

    def transform(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std

    def inverse(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.std + self.mean


def plane_info(classes: int = 2) -> SimpleNamespace:
    return SimpleNamespace(
        task="classification",
        input_shape=(2,),
        num_classes=classes,
        class_names=[str(c) for c in range(classes)],
        fields=["x"],
    )


def context(model: ChainNet, *, classes: int = 2) -> ProbeContext:
    raw = torch.tensor([[-3.0, -3.0], [5.0, 5.0], [-3.0, 5.0], [5.0, -3.0]])  # four corners, well apart
    scaler = Standardize(1.0, 4.0)
    targets = torch.tensor([0.0, 0.0, 1.0, 1.0]) if classes == 2 else torch.tensor([0, 1, 2, 0])
    return ProbeContext(
        model=model,
        info=plane_info(classes),
        batch=(scaler.transform(raw),),
        targets=targets,
        scaler=scaler,
        raw_bounds=(np.array([-3.0, -3.0]), np.array([5.0, 5.0])),
        device=torch.device("cpu"),
    )


def images(sink: ListSink) -> dict[str, object]:
    return {e.key: e for e in sink.events if e.type == "image"}


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_boundary_emits_the_model_and_a_mosaic_per_hidden_node():
    sink, model = ListSink(), tiny_net()
    BoundaryProbe({"resolution": 16, "margin": 0.1}, context(model)).run(EventStream(sink), step=0, epoch=0.0)
    found = images(sink)
    assert set(found) == {"boundary/model", "boundary/dense1", "boundary/act1", "boundary/out"}  # not x, not p
    act = found["boundary/act1"]
    assert act.meta["tiles"] == 8 and act.meta["columns"] == 3 and act.meta["tile_size"] == 16
    assert decode_png(act.data).shape == (3 * 17 - 1, 3 * 17 - 1, 3) == (act.height, act.width, 3)
    assert found["boundary/out"].meta["tiles"] == 1
    picture = found["boundary/model"]
    assert picture.meta["kind"] == "binary" and picture.meta["bounds"]["x"] == pytest.approx([-3.8, 5.8])
    assert decode_png(picture.data).shape == (256, 256, 3)


def test_the_data_points_are_drawn_in_their_class_colours():
    sink, model = ListSink(), tiny_net()
    probe = BoundaryProbe({"resolution": 16, "margin": 0.1}, context(model))
    probe.run(EventStream(sink), step=0, epoch=0.0)
    rgb = decode_png(images(sink)["boundary/model"].data)
    for (x, y), colour in zip(np.rint(probe.points).astype(int), [NEGATIVE, NEGATIVE, POSITIVE, POSITIVE], strict=True):
        assert np.array_equal(rgb[y, x], colour.astype(np.uint8))
    # (−3, 5) is the top-left data point: 0.1 of the range in from the left and the top edge
    assert np.rint(probe.points[2]).tolist() == [round(0.1 / 1.2 * 256 - 0.5), round(0.1 / 1.2 * 256 - 0.5)]


def test_the_picture_changes_when_the_weights_change():
    sink, model, clock = ListSink(), tiny_net(), FakeClock()
    stream = EventStream(sink, clock=clock)
    probe = BoundaryProbe({"resolution": 16, "margin": 0.1}, context(model))
    probe.run(stream, step=0, epoch=0.0)
    before = images(sink)
    with torch.no_grad():
        model.layers["dense1"].weight.mul_(-2.0)
    clock.now += 1.0
    probe.run(stream, step=10, epoch=1.0)
    after = images(sink)
    assert after["boundary/model"].step == 10
    assert after["boundary/model"].data != before["boundary/model"].data
    assert after["boundary/act1"].data != before["boundary/act1"].data


def test_boundary_skips_all_work_when_no_image_is_due_and_restores_training_mode():
    sink, model, clock = ListSink(), tiny_net(), FakeClock()
    stream = EventStream(sink, clock=clock)
    probe = BoundaryProbe({"resolution": 16, "margin": 0.1}, context(model))
    model.train()
    probe.run(stream, step=0, epoch=0.0)
    emitted, calls = len(sink.events), model.calls
    clock.now += 0.1
    probe.run(stream, step=1, epoch=0.0)
    assert len(sink.events) == emitted and model.calls == calls
    stream.reset_timers()
    probe.run(stream, step=2, epoch=0.0)
    assert len(sink.events) == 2 * emitted
    assert model.training


def test_several_classes_are_coloured_by_the_most_likely_one():
    sink = ListSink()
    BoundaryProbe({"resolution": 16, "margin": 0.1}, context(tiny_net(classes=3), classes=3)).run(
        EventStream(sink), step=0, epoch=0.0
    )
    picture = images(sink)["boundary/model"]
    assert picture.meta["kind"] == "categorical" and picture.meta["classes"] == ["0", "1", "2"]


def test_histogram_counts_add_up_to_the_values():
    sink, model = ListSink(), tiny_net()
    ctx = context(model)
    HistogramsProbe({"bins": 10, "interval_s": 0.5}, ctx).run(EventStream(sink), step=0, epoch=0.0)
    found = {e.key: e for e in sink.events if e.type == "histogram"}
    assert set(found) == {"weights/dense1", "weights/out", "activations/dense1", "activations/act1", "activations/out"}
    assert sum(found["weights/dense1"].counts) == 2 * 8  # the kernel; the bias is left out
    assert sum(found["activations/act1"].counts) == 4 * 8
    edges = found["weights/dense1"].edges
    weight = model.layers["dense1"].weight.detach()
    assert len(edges) == 11 and edges[0] == pytest.approx(float(weight.min()))
    assert edges[-1] == pytest.approx(float(weight.max()))


def test_histograms_run_at_most_every_interval():
    sink, clock = ListSink(), FakeClock()
    stream = EventStream(sink, clock=clock)
    probe = HistogramsProbe({"bins": 10, "interval_s": 2.0}, context(tiny_net()))
    probe.run(stream, step=0, epoch=0.0)
    first = len(sink.events)
    clock.now += 1.0
    probe.run(stream, step=1, epoch=0.0)
    assert len(sink.events) == first
    clock.now += 1.0
    probe.run(stream, step=2, epoch=0.0)
    assert len(sink.events) == 2 * first


def test_a_histogram_counts_non_finite_values_too():
    x = torch.tensor([0.0, 1.0, 2.0, float("nan"), float("inf"), -float("inf"), 1.5])
    row = _histogram(x, 4)
    assert row[:2].tolist() == [0.0, 2.0] and row[2:].sum() == 7
    assert _histogram(torch.full((5,), 3.0), 3)[2:].tolist() == [5.0, 0.0, 0.0]


def test_check_probes_pins_each_problem_to_its_field():
    digits = SimpleNamespace(task="classification", input_shape=(64,), num_classes=10, class_names=None, fields=["x"])
    issues = check_probes(
        [
            ProbeSpec(name="boundary"),
            ProbeSpec(name="saliency"),
            ProbeSpec(name="histograms", params={"bins": 1, "colour": "red"}),
        ],
        digits,
    )
    by_field = {i.field: i for i in issues}
    assert by_field["probes[0].name"].type == "probe_not_applicable"
    assert "2-D inputs" in by_field["probes[0].name"].message and "(64,)" in by_field["probes[0].name"].message
    assert by_field["probes[1].name"].type == "unknown_probe" and "boundary" in by_field["probes[1].name"].message
    assert by_field["probes[2].params.bins"].type == "invalid_param"
    assert by_field["probes[2].params.colour"].type == "unknown_param"
    assert check_probes([ProbeSpec(name="boundary", params={"resolution": 128})], plane_info()) == []
    assert check_probes(None, None) == []


def test_make_probes_picks_the_defaults_that_apply():
    ctx = context(tiny_net())
    picked = [type(p) for p in make_probes(None, ctx)]
    assert BoundaryProbe in picked and HistogramsProbe in picked
    ctx.info = SimpleNamespace(task="regression", input_shape=(64,), num_classes=None, class_names=None)
    assert [type(p) for p in make_probes(None, ctx)] == [HistogramsProbe]
    assert make_probes([], ctx) == []
    probe = make_probes([ProbeSpec(name="histograms", params={"bins": 7})], ctx)[0]
    assert probe.bins == 7


def test_boundary_through_a_compiled_spec():
    pytest.importorskip("trainer.data.registry")
    from tests.conftest import mlp_spec
    from trainer.graph.compile import build

    model = build(mlp_spec())
    sink = ListSink()
    ctx = context(model)
    BoundaryProbe({"resolution": 16, "margin": 0.1}, ctx).run(EventStream(sink), step=0, epoch=0.0)
    HistogramsProbe({"bins": 10, "interval_s": 0.5}, ctx).run(EventStream(sink), step=0, epoch=0.0)
    keys = {e.key for e in sink.events}
    assert {"boundary/model", "boundary/dense1", "boundary/act1", "weights/dense1", "activations/act1"} <= keys
    assert images(sink)["boundary/act1"].meta["tiles"] == 8
