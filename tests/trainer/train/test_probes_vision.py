"""Feature maps and first-layer filters: their events, the checks that pin a wrong probe to its field, the
defaults per kind of data, and the probes' share of a conv net's training time."""

from __future__ import annotations

import time

import pytest
import torch
from torch import nn

from tests.trainer.train.probe_nets import ChainNet, context, conv_net, info, lstm_net
from trainer.graph.analysis import analyze_graph
from trainer.graph.spec import GraphSpec, ProbeSpec
from trainer.train.events import EventStream
from trainer.train.png import decode_png
from trainer.train.probes import check_probes, make_probes
from trainer.train.probes_vision import FeatureMapsProbe, FiltersProbe
from trainer.train.sinks import ListSink


def images(sink: ListSink) -> dict[str, object]:
    return {e.key: e for e in sink.events if e.type == "image"}


def run(probe, step: int = 0) -> ListSink:
    sink = ListSink()
    probe.run(EventStream(sink), step=step, epoch=0.0)
    return sink


def image_data(n: int = 20, channels: int = 1, side: int = 8) -> tuple[torch.Tensor, torch.Tensor]:
    torch.manual_seed(1)
    return torch.randn(n, channels, side, side), torch.arange(n) % 3


def test_feature_maps_watch_the_first_four_map_nodes_of_one_example():
    x, y = image_data()
    ctx = context(conv_net(), x, y, info((1, 8, 8)))
    probe = FeatureMapsProbe.make({"nodes": "", "channels": 16}, ctx)
    got = images(run(probe))
    assert set(got) == {"features/input", "features/conv1", "features/act1", "features/pool1", "features/conv2"}
    pool = got["features/pool1"]
    assert pool.meta["node"] == "pool1" and pool.meta["shape"] == [4, 4, 4]
    assert pool.meta["channels_shown"] == 4 and pool.meta["example"] == 0 and pool.meta["label"] == "c0"
    m = pool.meta
    assert m["tiles"] == 4 and pool.width == m["columns"] * (m["tile_width"] + m["pad"]) - m["pad"]
    assert decode_png(pool.data).shape == (pool.height, pool.width, 3)


def test_feature_maps_show_the_named_nodes_up_to_the_channel_limit():
    x, y = image_data()
    ctx = context(conv_net(), x, y, info((1, 8, 8)))
    got = images(run(FeatureMapsProbe.make({"nodes": "act2, conv1", "channels": 3}, ctx)))
    assert set(got) == {"features/input", "features/act2", "features/conv1"}
    assert got["features/act2"].meta["channels_shown"] == 3 and got["features/act2"].meta["tiles"] == 3


def test_each_channel_map_is_stretched_to_its_own_range():
    """A channel that is 1000× another still shows its pattern: both tiles span dark to bright."""
    conv = nn.Conv2d(1, 2, 1, bias=False)
    conv.weight.data = torch.tensor([1.0, 1000.0]).reshape(2, 1, 1, 1)
    net = ChainNet(("conv1", "conv2d", conv), ("flat", "flatten", nn.Flatten()))
    x = torch.arange(64.0).reshape(1, 1, 8, 8)
    ctx = context(net, x, torch.zeros(1, dtype=torch.long), info((1, 8, 8)))
    event = images(run(FeatureMapsProbe.make({"nodes": "conv1", "channels": 16}, ctx)))["features/conv1"]
    pixels, tw = decode_png(event.data).astype(int), event.meta["tile_width"]
    for k in range(2):
        tile = pixels[:, k * (tw + 1) : k * (tw + 1) + tw]
        assert tile.sum(axis=2).max() - tile.sum(axis=2).min() > 300


def test_volumes_show_their_middle_depth_slice_and_signals_a_strip_per_channel():
    volume = ChainNet(("conv1", "conv3d", nn.Conv3d(1, 2, 3, padding=1)), ("flat", "flatten", nn.Flatten()))
    ctx = context(volume, torch.randn(4, 1, 5, 6, 6), torch.zeros(4, dtype=torch.long), info((1, 5, 6, 6)))
    event = images(run(FeatureMapsProbe.make({"nodes": "", "channels": 16}, ctx)))["features/conv1"]
    assert event.meta["depth_slice"] == 2 and event.meta["shape"] == [2, 5, 6, 6] and event.meta["tile_height"] % 6 == 0
    signal = ChainNet(("conv1", "conv1d", nn.Conv1d(2, 3, 3)), ("flat", "flatten", nn.Flatten()))
    ctx = context(signal, torch.randn(4, 2, 40), torch.zeros(4, dtype=torch.long), info((2, 40)))
    event = images(run(FeatureMapsProbe.make({"nodes": "", "channels": 16}, ctx)))["features/conv1"]
    assert event.meta["shape"] == [3, 38] and event.meta["tile_width"] == 38 and event.meta["tile_height"] == 8


def test_feature_maps_skip_rendering_until_due():
    x, y = image_data()
    net = conv_net()
    ctx = context(net, x, y, info((1, 8, 8)))
    probe, sink = FeatureMapsProbe.make({"nodes": "", "channels": 16}, ctx), ListSink()
    stream = EventStream(sink)
    probe.run(stream, step=0, epoch=0.0)
    calls, count = net.calls, len(sink.events)
    probe.run(stream, step=1, epoch=0.0)
    assert net.calls == calls and len(sink.events) == count


def test_filters_are_colour_for_rgb_input_and_grey_otherwise():
    x, y = image_data(channels=3)
    event = images(run(FiltersProbe.make({}, context(conv_net(channels=3), x, y, info((3, 8, 8))))))["filters/conv1"]
    pixels = decode_png(event.data)
    assert event.meta["node"] == "conv1" and event.meta["shape"] == [4, 3, 3, 3] and event.meta["tiles"] == 4
    assert (pixels[..., 0] != pixels[..., 1]).any()
    x, y = image_data(channels=1)
    event = images(run(FiltersProbe.make({}, context(conv_net(channels=1), x, y, info((1, 8, 8))))))["filters/conv1"]
    pixels = decode_png(event.data)
    assert event.meta["shape"] == [4, 1, 3, 3] and (pixels[..., 0] == pixels[..., 1]).all()


def conv_graph() -> GraphSpec:
    nodes = [
        {"id": "x", "type": "input"},
        {"id": "conv1", "type": "conv2d", "params": {"filters": 4, "kernel_size": 3}},
        {"id": "flat", "type": "flatten"},
        {"id": "out", "type": "dense", "params": {"units": 3}},
    ]
    edges = [{"source": a, "target": b} for a, b in [("x", "conv1"), ("conv1", "flat"), ("flat", "out")]]
    return GraphSpec.model_validate({"version": 1, "nodes": nodes, "edges": edges})


def dense_graph() -> GraphSpec:
    nodes = [{"id": "x", "type": "input"}, {"id": "flat", "type": "flatten"}, {"id": "out", "type": "dense"}]
    edges = [{"source": "x", "target": "flat"}, {"source": "flat", "target": "out"}]
    return GraphSpec.model_validate({"version": 1, "nodes": nodes, "edges": edges})


def test_wrong_feature_map_nodes_are_pinned_to_the_nodes_param():
    plan = analyze_graph(conv_graph(), {"x": (1, 8, 8)})
    issues = check_probes([ProbeSpec(name="feature_maps", params={"nodes": "conv1,nope,out"})], info((1, 8, 8)), plan)
    assert [i.field for i in issues] == ["probes[0].params.nodes"] * 2
    assert "'nope' is not in the model" in issues[0].message
    assert '"out" outputs (N, 3)' in issues[1].message and "(N, C, H, W)" in issues[1].message
    assert check_probes([ProbeSpec(name="feature_maps", params={"nodes": "conv1"})], info((1, 8, 8)), plan) == []


def test_feature_maps_and_filters_need_maps_to_show():
    points = check_probes([ProbeSpec(name="feature_maps")], info((2,)))
    assert points[0].field == "probes[0].name" and "(2,)" in points[0].message
    plan = analyze_graph(dense_graph(), {"x": (1, 8, 8)})
    issues = check_probes([ProbeSpec(name="feature_maps"), ProbeSpec(name="filters")], info((1, 8, 8)), plan)
    assert [i.field for i in issues] == ["probes[0].name", "probes[1].name"]
    assert "convolution" in issues[0].message and "convolution" in issues[1].message


def test_defaults_per_kind_of_data():
    x, y = image_data()
    names = lambda ctx: {type(p).__name__ for p in make_probes(None, ctx)}
    cnn = names(context(conv_net(), x, y, info((1, 8, 8))))
    assert {"FeatureMapsProbe", "FiltersProbe", "ConfusionProbe", "RocProbe", "WorstExamplesProbe"} <= cnn
    assert "HiddenStatesProbe" not in cnn
    mlp = ChainNet(("flat", "flatten", nn.Flatten()), ("out", "dense", nn.Linear(64, 3)))
    assert not {"FeatureMapsProbe", "FiltersProbe"} & names(context(mlp, x, y, info((1, 8, 8))))
    seq_x, seq_y = torch.randn(10, 7, 2), torch.arange(10) % 2
    rnn = names(context(lstm_net(), seq_x, seq_y, info((7, 2), classes=2)))
    assert {"HiddenStatesProbe", "ConfusionProbe", "RocProbe"} <= rnn
    assert not {"FeatureMapsProbe", "FiltersProbe", "WorstExamplesProbe"} & rnn
    regression = names(context(mlp, x, torch.randn(20, 3), info((1, 8, 8), classes=None)))
    assert not {"ConfusionProbe", "RocProbe", "WorstExamplesProbe"} & regression


@pytest.mark.slow
def test_probes_stay_within_the_time_budget_on_a_small_conv_net(monkeypatch):
    """Every probe round on a conv net after the first (which pays one-off costs and waits at most
    FIRST_PROBE_MAX_GAP_S) is followed by ≥ 1/PROBE_BUDGET times its length of training, so the probes' share of
    the wall time stays under the budget. The run is cancelled after five rounds: as long as that takes on this
    machine, no longer."""
    from tests.conftest import mlp_spec
    from trainer.train import engine
    from trainer.train.control import Control

    spec = mlp_spec(dataset="digits", widths=(), classes=10, max_steps=100_000, batch_size=32, epochs=10_000)
    spec["data"]["params"] = {"image": True}
    spec["graph"]["nodes"][1:1] = [
        {"id": "conv1", "type": "conv2d", "params": {"filters": 8, "kernel_size": 3, "padding": "same"}},
        {"id": "act1", "type": "relu"},
        {"id": "flat", "type": "flatten"},
    ]
    chain = [("x", "conv1"), ("conv1", "act1"), ("act1", "flat"), ("flat", "out"), ("out", "p")]
    spec["graph"]["edges"] = [{"source": a, "target": b} for a, b in chain]
    spec["probes"] = [{"name": n} for n in ("feature_maps", "filters", "confusion", "roc", "worst_examples")]
    engine.fit({**spec, "max_steps": 2})  # first calls (allocations, kernels) out of the way
    rounds: list[tuple[float, float]] = []
    original, control = engine._Run.run_probes, Control()

    def timed(self: engine._Run) -> None:
        started = time.perf_counter()
        original(self)
        rounds.append((started, time.perf_counter()))
        if len(rounds) == 5:
            control.cancel("enough rounds")

    monkeypatch.setattr(engine._Run, "run_probes", timed)
    sink = ListSink()
    result = engine.fit(spec, sink=sink, control=control)
    assert result.status == "cancelled", result.message
    keys = {e.key for e in sink.events if e.type in ("image", "table")}
    assert {"features/conv1", "filters/conv1", "confusion", "worst", "roc/0"} <= keys
    assert len(rounds) == 5
    first, steady = rounds[0], rounds[1:]
    assert steady[0][0] - first[1] <= max(engine.FIRST_PROBE_MAX_GAP_S, engine.PROBE_INTERVAL_S) + 1.0
    for (start, end), (next_start, _) in zip(steady, steady[1:]):
        assert end - start <= engine.PROBE_BUDGET * (next_start - end) * 1.1
    share = sum(end - start for start, end in steady[:-1]) / (steady[-1][0] - steady[0][0])
    assert share <= engine.PROBE_BUDGET * 1.1
