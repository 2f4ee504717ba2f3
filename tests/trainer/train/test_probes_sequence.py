"""Hidden-state heatmaps of recurrent layers: what they show, which nodes they watch, and the checks that pin a
wrong one to its field."""

from __future__ import annotations

import numpy as np
import torch

from tests.trainer.train.probe_nets import context, info, lstm_net
from trainer.graph.analysis import analyze_graph
from trainer.graph.spec import GraphSpec, ProbeSpec
from trainer.train.events import EventStream
from trainer.train.png import decode_png
from trainer.train.probes import check_probes
from trainer.train.probes_sequence import HiddenStatesProbe
from trainer.train.sinks import ListSink

STEPS, FEATURES = 7, 2


def sequences(n: int = 12) -> tuple[torch.Tensor, torch.Tensor]:
    torch.manual_seed(2)
    return torch.randn(n, STEPS, FEATURES), torch.arange(n) % 2


def heatmap(net, nodes: str = "") -> object:
    x, y = sequences()
    sink = ListSink()
    probe = HiddenStatesProbe.make({"nodes": nodes}, context(net, x, y, info((STEPS, FEATURES), classes=2)))
    probe.run(EventStream(sink), step=0, epoch=0.0)
    (event,) = sink.events
    return event


def test_hidden_states_are_a_units_by_steps_heatmap_of_the_first_sequence():
    net = lstm_net(units=5)
    event = heatmap(net)
    m = event.meta
    assert event.key == "hidden/lstm1" and m["node"] == "lstm1" and m["steps"] == STEPS and m["units"] == 5
    assert m["example"] == 0 and m["label"] == "c0"
    assert (event.width, event.height) == (STEPS * m["cell_width"], 5 * m["cell_height"])
    x, _ = sequences()
    with torch.no_grad():
        states = net.layers["lstm1"].rnn(x[:1])[0][0].T.numpy()  # (units, steps)
    pixels = decode_png(event.data).astype(int)
    centres = pixels[m["cell_height"] // 2 :: m["cell_height"], m["cell_width"] // 2 :: m["cell_width"]]
    blue = centres[..., 2] > centres[..., 0]  # blue above 0, orange below
    strong = np.abs(states) > 0.05 * m["scale"]
    assert (blue == (states > 0))[strong].all()


def test_a_bidirectional_layer_shows_both_directions_units():
    assert heatmap(lstm_net(units=3, bidirectional=True)).meta["units"] == 6


def test_hidden_states_watch_only_recurrent_nodes():
    assert HiddenStatesProbe.make({"nodes": ""}, context(lstm_net(), *sequences(), info((STEPS, 2)))).nodes.keys() == {
        "lstm1"
    }
    from tests.trainer.train.probe_nets import conv_net

    x = torch.randn(4, 1, 8, 8)
    assert HiddenStatesProbe.make({"nodes": ""}, context(conv_net(), x, torch.zeros(4), info((1, 8, 8)))) is None


def recurrent_graph() -> GraphSpec:
    nodes = [
        {"id": "x", "type": "input"},
        {"id": "rnn1", "type": "lstm", "params": {"units": 4}},
        {"id": "out", "type": "dense", "params": {"units": 2}},
    ]
    edges = [{"source": "x", "target": "rnn1"}, {"source": "rnn1", "target": "out"}]
    return GraphSpec.model_validate({"version": 1, "nodes": nodes, "edges": edges})


def test_wrong_hidden_state_nodes_are_pinned_to_the_nodes_param():
    plan = analyze_graph(recurrent_graph(), {"x": (STEPS, FEATURES)})
    data = info((STEPS, FEATURES), classes=2)
    issues = check_probes([ProbeSpec(name="hidden_states", params={"nodes": "rnn1, out, ghost"})], data, plan)
    assert [i.field for i in issues] == ["probes[0].params.nodes"] * 2
    assert '"out" is not a recurrent layer (recurrent layers: rnn1)' in issues[0].message
    assert "'ghost' is not in the model" in issues[1].message
    assert check_probes([ProbeSpec(name="hidden_states")], data, plan) == []


def test_hidden_states_without_a_recurrent_layer_is_an_error_on_the_name():
    dense = GraphSpec.model_validate(
        {
            "version": 1,
            "nodes": [{"id": "x", "type": "input"}, {"id": "out", "type": "dense"}],
            "edges": [{"source": "x", "target": "out"}],
        }
    )
    plan = analyze_graph(dense, {"x": (3,)})
    (issue,) = check_probes([ProbeSpec(name="hidden_states")], info((3,)), plan)
    assert issue.field == "probes[0].name" and "recurrent layer" in issue.message
