"""Confusion matrix, ROC curves and worst examples on the whole validation split: their tables and images, their
rate bound, and the one model pass per step they share."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from tests.trainer.train.probe_nets import ChainNet, context, conv_net, info
from trainer.train.events import EventStream
from trainer.train.metrics import roc_auc_per_class, roc_curves
from trainer.train.png import decode_png
from trainer.train.probes_classes import ConfusionProbe, RocProbe, WorstExamplesProbe, probabilities
from trainer.train.sinks import ListSink


def scores_net(classes: int = 3) -> ChainNet:
    """The input (N, classes) is the logits: predictions are known from the data alone."""
    return ChainNet(("p", "softmax", nn.Softmax(dim=1)))


def scored_split(n: int = 700, classes: int = 3, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, classes, (n,), generator=g)
    x = torch.randn(n, classes, generator=g) + 1.5 * nn.functional.one_hot(y, classes)
    return x, y


def tables(sink: ListSink) -> dict[str, object]:
    return {e.key: e for e in sink.events if e.type == "table"}


def run(probe, stream: EventStream | None = None, step: int = 0) -> ListSink:
    sink = ListSink() if stream is None else stream.sink
    probe.run(stream or EventStream(sink), step=step, epoch=0.0)
    return sink


def test_confusion_counts_every_validation_example_once():
    x, y = scored_split(n=700)  # more than the 512-example probe batch: the whole split is counted
    ctx = context(scores_net(), x, y, info((3,)))
    table = tables(run(ConfusionProbe({}, ctx)))["confusion"]
    assert table.columns == ["true \\ predicted", "c0", "c1", "c2"]
    assert [row[0] for row in table.rows] == ["c0", "c1", "c2"]
    counts = np.array([row[1:] for row in table.rows])
    assert counts.sum() == 700
    predicted = x.argmax(1)
    for t in range(3):
        for p in range(3):
            assert counts[t, p] == int(((y == t) & (predicted == p)).sum())


def test_confusion_is_sent_at_most_once_a_second_but_always_after_a_reset():
    x, y = scored_split(n=50)
    probe, sink = ConfusionProbe({}, context(scores_net(), x, y, info((3,)))), ListSink()
    stream = EventStream(sink)
    probe.run(stream, step=1, epoch=0.0)
    probe.run(stream, step=2, epoch=0.0)
    assert len(sink.events) == 1
    stream.reset_timers()
    probe.run(stream, step=3, epoch=0.0)
    assert [e.step for e in sink.events] == [1, 3]


def test_roc_curves_run_from_0_0_to_1_1_monotonically_with_at_most_101_points():
    x, y = scored_split(n=2000)
    got = tables(run(RocProbe({}, context(scores_net(), x, y, info((3,))))))
    assert set(got) == {"roc/c0", "roc/c1", "roc/c2"}
    for table in got.values():
        curve = np.array(table.rows)
        assert table.columns == ["fpr", "tpr"] and len(curve) <= 101
        assert curve[0].tolist() == [0.0, 0.0] and curve[-1].tolist() == [1.0, 1.0]
        assert (np.diff(curve, axis=0) >= 0).all()


def test_the_area_under_the_full_curve_is_the_metrics_auc():
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 3, 80)
    scores = np.round(rng.normal(size=(80, 3)) + np.eye(3)[labels], 1)  # rounded: ties included
    aucs = roc_auc_per_class(scores, labels)
    for curve, auc in zip(roc_curves(scores, labels, max_points=1000), aucs):
        area = float(np.sum(np.diff(curve[:, 0]) * (curve[1:, 1] + curve[:-1, 1]) / 2))
        assert abs(area - auc) < 1e-9


def test_a_class_absent_from_validation_gets_no_curve():
    x, y = scored_split(n=60)
    y = torch.where(y == 2, torch.zeros_like(y), y)
    assert set(tables(run(RocProbe({}, context(scores_net(), x, y, info((3,))))))) == {"roc/c0", "roc/c1"}


def test_worst_examples_are_the_lowest_probabilities_of_the_true_class():
    x, y = scored_split(n=300)
    table = tables(run(WorstExamplesProbe({"count": 5}, context(scores_net(), x, y, info((3,))))))["worst"]
    assert table.columns == ["index", "true", "predicted", "p_true"]
    p_true = x.softmax(1)[torch.arange(300), y]
    expected = torch.sort(p_true).indices[:5].tolist()
    assert [row[0] for row in table.rows] == expected
    assert all(abs(row[3] - float(p_true[row[0]])) < 1e-5 for row in table.rows)
    assert all(row[1] == f"c{int(y[row[0]])}" and row[2] == f"c{int(x[row[0]].argmax())}" for row in table.rows)


def test_worst_images_are_a_captioned_grid():
    torch.manual_seed(0)
    x, y = torch.randn(40, 3, 8, 8), torch.arange(40) % 3
    sink = run(WorstExamplesProbe({"count": 6}, context(conv_net(channels=3), x, y, info((3, 8, 8)))))
    event = next(e for e in sink.events if e.key == "worst")
    assert event.type == "image" and len(event.meta["examples"]) == 6 and event.meta["tiles"] == 6
    assert set(event.meta["examples"][0]) == {"index", "true", "predicted", "p_true"}
    p = [e["p_true"] for e in event.meta["examples"]]
    assert p == sorted(p)
    assert decode_png(event.data).shape == (event.height, event.width, 3)


def test_the_class_probes_share_one_model_pass_per_step():
    x, y = scored_split(n=100)
    net = scores_net()
    ctx = context(net, x, y, info((3,)))
    probes = [ConfusionProbe({}, ctx), RocProbe({}, ctx), WorstExamplesProbe({"count": 4}, ctx)]
    stream = EventStream(ListSink())
    for probe in probes:
        probe.run(stream, step=7, epoch=0.0)
    assert net.calls == 1
    stream.reset_timers()
    probes[0].run(stream, step=8, epoch=0.0)
    assert net.calls == 2


def test_probabilities_from_softmax_logits_and_one_column():
    probs = torch.tensor([[0.2, 0.8], [0.5, 0.5]])
    assert torch.equal(probabilities(probs), probs)
    assert torch.allclose(probabilities(torch.tensor([[2.0, -1.0]])), torch.tensor([[2.0, -1.0]]).softmax(1))
    assert torch.allclose(probabilities(torch.tensor([[0.9]])), torch.tensor([[0.1, 0.9]]))
    assert torch.allclose(probabilities(torch.tensor([[3.0]])), torch.tensor([[1 - 0.9526, 0.9526]]), atol=1e-4)
