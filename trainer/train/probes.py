"""Probes: views of the network streamed while it trains — the decision boundary of the model and of every hidden
neuron on 2-D data (the TensorFlow Playground picture), and histograms of weights and activations per layer. The
views of images, sequences and classes live in probes_vision, probes_sequence and probes_classes.

A probe is one registry entry (name, help, declared params, which data it applies to, which graphs it can watch,
whether it is on by default) and a small class whose `run` emits events. The engine calls `run` about twice a
second, within its probe time budget."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import torch

from trainer.catalog import Issue, Param, Registry, check_params
from trainer.graph.spec import ProbeSpec
from trainer.train import png
from trainer.train.events import EventStream
from trainer.train.probe_nodes import EvalMode, NodeFacts, facts_from_plan

BACKGROUND_FADE = 0.45  # share of white mixed into the model's decision map under the data points

if TYPE_CHECKING:
    from trainer.data.registry import DataInfo
    from trainer.graph.analysis import GraphPlan


@dataclass
class ProbeContext:
    """What a probe may look at. `batch` holds scaled inputs (≤ 512 validation examples, else training ones),
    one tensor per model input, already on `device`."""

    model: torch.nn.Module  # a GraphModule: forward_all, node_types, input_ids, output_ids, node_parameters
    info: DataInfo
    batch: tuple[torch.Tensor, ...]
    targets: torch.Tensor
    scaler: Any  # .transform(raw) -> scaled, .inverse(scaled) -> raw
    raw_bounds: tuple[np.ndarray, np.ndarray] | None  # per-feature min and max of the raw 2-D inputs
    device: torch.device
    # The whole validation split (inputs, targets) for confusion, ROC and worst examples; None: `batch` stands in.
    validation: tuple[tuple[torch.Tensor, ...], torch.Tensor] | None = None
    cache: dict[str, Any] = field(default_factory=dict)  # shared by a run's probes: node facts, outputs by step


class Probe(Protocol):
    def run(self, stream: EventStream, *, step: int, epoch: float) -> None:
        """Emit this probe's events; under torch.no_grad, checking `stream.image_due(key)` before rendering."""


@dataclass(frozen=True)
class ProbeEntry:
    name: str
    help: str
    params: tuple[Param, ...]
    applies: Callable[[DataInfo], bool]
    default: bool  # on when a spec's probes is null and `applies` holds (and `default_when`, if given)
    make: Callable[[dict[str, Any], ProbeContext], Probe | None]  # None: nothing in this model to watch
    needs: str = ""  # what `applies` asks of the data, for the error when it does not hold
    # Whether the graph has what the probe watches: (field under probes[i], message) per problem.
    check: Callable[[dict[str, Any], list[NodeFacts]], list[tuple[str, str]]] | None = None
    default_when: Callable[[DataInfo], bool] | None = None  # narrower than `applies` for the default use


PROBES: Registry[ProbeEntry] = Registry("probe")


def check_probes(specs: list[ProbeSpec] | None, info: DataInfo | None, plan: GraphPlan | None = None) -> list[Issue]:
    """Unknown names, bad parameters, probes that do not fit the data (`info` None: not checked) and probes that
    find nothing to watch in the graph, or are told to watch a node that does not exist or does not fit
    (`plan` None: not checked)."""
    issues: list[Issue] = []
    seen: set[str] = set()
    for i, spec in enumerate(specs or []):
        entry = PROBES.entries.get(spec.name)
        if entry is None:
            issues.append(PROBES.unknown(spec.name, field=f"probes[{i}].name"))
            continue
        if spec.name in seen:
            issues.append(
                Issue(
                    type="duplicate_probe",
                    field=f"probes[{i}].name",
                    message=f"probe {spec.name} is listed twice; keep one",
                )
            )
        seen.add(spec.name)
        params, param_issues = check_params(
            entry.params, spec.params, prefix=f"probes[{i}].params", what=f"probe {spec.name}: "
        )
        issues += param_issues
        if info is not None and not entry.applies(info):
            shape = tuple(info.input_shape)
            issues.append(
                Issue(
                    type="probe_not_applicable",
                    field=f"probes[{i}].name",
                    message=f"probe {spec.name} needs {entry.needs or 'other data'}; the data's inputs "
                    f"are {shape}: remove it from probes",
                )
            )
        elif entry.check is not None and plan is not None and "model" in plan.networks and not param_issues:
            for where, message in entry.check(params, facts_from_plan(plan)):
                issues.append(
                    Issue(
                        type="probe_not_applicable",
                        field=f"probes[{i}].{where}",
                        message=f"probe {spec.name}: {message}",
                    )
                )
    return issues


def _default_for(entry: ProbeEntry, info: DataInfo) -> bool:
    return entry.default and (entry.default_when is None or entry.default_when(info))


def make_probes(specs: list[ProbeSpec] | None, ctx: ProbeContext) -> list[Probe]:
    """The probes a spec asks for (None: every default one that applies), with their parameters filled in.
    Probes that do not apply are left out; `check_probes` reports them before a run starts."""
    if specs is None:
        specs = [ProbeSpec(name=name) for name in PROBES.names() if _default_for(PROBES.get(name), ctx.info)]
    probes = []
    for spec in specs:
        entry = PROBES.get(spec.name)
        if entry.applies(ctx.info):
            params, _ = check_params(entry.params, spec.params)
            probe = entry.make(params, ctx)
            if probe is not None:
                probes.append(probe)
    return probes


def _hidden_ids(model: Any) -> list[str]:
    skip = set(model.input_ids) | set(model.output_ids)
    return [nid for nid in model.node_types if nid not in skip]


# ----- boundary -------------------------------------------------------------------------------------------------
MODEL_IMAGE_PX = 256  # the model's heatmap is enlarged to about this size, so data points can be drawn on it
MAX_NEURONS = 64  # hidden nodes wider than this get no mosaic


class BoundaryProbe:
    """On 2-D data: what the model predicts over the plane ("boundary/model", with the probe batch's points),
    and the response of every neuron of every hidden node ("boundary/<node_id>", one tile per neuron)."""

    def __init__(self, params: dict[str, Any], ctx: ProbeContext):
        self.ctx, self.g = ctx, int(params["resolution"])
        self.margin = float(params["margin"])
        assert ctx.raw_bounds is not None, "the boundary probe needs raw_bounds (2-D inputs)"
        lo, hi = (np.asarray(b, dtype=np.float64) for b in ctx.raw_bounds)
        span = np.where(hi - lo > 0, hi - lo, 2.0)
        self.lo, self.hi = lo - self.margin * span, hi + self.margin * span  # (2,), (2,): x and y extents
        cell = (self.hi - self.lo) / self.g
        xs = self.lo[0] + (np.arange(self.g) + 0.5) * cell[0]  # pixel centres, left to right
        ys = self.hi[1] - (np.arange(self.g) + 0.5) * cell[1]  # top to bottom: y grows upwards
        gx, gy = np.meshgrid(xs, ys)  # (G, G) each, [row, column]
        raw = torch.tensor(np.stack([gx.ravel(), gy.ravel()], axis=1), dtype=torch.float32, device=ctx.device)
        self.grid = ctx.scaler.transform(raw).to(ctx.batch[0].dtype)  # (G·G, 2), row-major over the image
        self.factor = max(1, MODEL_IMAGE_PX // self.g)
        bounds = {"x": [float(self.lo[0]), float(self.hi[0])], "y": [float(self.lo[1]), float(self.hi[1])]}
        self.meta = {"bounds": bounds, "resolution": self.g}  # bounds: the image's raw extents, edge to edge
        self.points = self._points()

    def _points(self) -> np.ndarray:
        """The probe batch's positions (x, y) in the enlarged image's pixels, from their raw coordinates."""
        raw = self.ctx.scaler.inverse(self.ctx.batch[0]).detach().float().cpu().numpy()  # (N, 2)
        px = (raw[:, 0] - self.lo[0]) / (self.hi[0] - self.lo[0]) * self.g * self.factor
        py = (self.hi[1] - raw[:, 1]) / (self.hi[1] - self.lo[1]) * self.g * self.factor
        return np.stack([px, py], axis=1) - 0.5  # pixel i spans [i, i + 1): its centre is i + 0.5

    def _point_colours(self, columns: int) -> np.ndarray:
        """(N, 3) uint8: each point coloured as the heatmap colours its class (or its value, for regression)."""
        targets = self.ctx.targets.detach().float().cpu().numpy()
        targets = targets.reshape(len(targets), -1)  # (N, 1) index, 0/1 or value; (N, C) one-hot
        if self.ctx.info.task != "classification":
            scale = float(np.abs(targets[:, 0]).max()) or 1.0
            return png.diverging(targets[None, :, 0], -scale, scale)[0]
        if columns == 1:  # binary with one output column: 0 (or −1) orange, 1 blue, like the heatmap
            return np.where(targets[:, :1] > 0.5, png.POSITIVE, png.NEGATIVE).astype(np.uint8)
        classes = targets.argmax(1) if targets.shape[1] > 1 else targets[:, 0].astype(np.int64)
        return png.PALETTE[classes % len(png.PALETTE)]

    @torch.no_grad()
    def run(self, stream: EventStream, *, step: int, epoch: float) -> None:
        model: Any = self.ctx.model
        if len(model.input_ids) != 1:
            return  # a plane has one 2-D input to sweep; several inputs have no single picture
        hidden = [nid for nid in _hidden_ids(model) if stream.image_due(f"boundary/{nid}")]
        want_model = stream.image_due("boundary/model")
        if not hidden and not want_model:
            return
        with EvalMode(model):
            outputs = model.forward_all(self.grid)
        if want_model:
            self._model_image(stream, outputs[model.output_ids[0]], step)
        for nid in hidden:
            out = outputs[nid]
            if out.ndim == 2 and 0 < out.shape[1] <= MAX_NEURONS:
                self._neuron_mosaic(stream, nid, out, step)

    def _model_image(self, stream: EventStream, out: torch.Tensor, step: int) -> None:
        out = out.float().reshape(self.g * self.g, -1)
        if out.shape[1] == 1:
            v = out[:, 0]
            lo, hi = float(v.min()), float(v.max())
            if 0.0 <= lo and hi <= 1.0:  # a probability (after a sigmoid): 0.5 is the boundary
                kind, scale, rgb = "binary", 1.0, png.diverging((2 * v - 1).cpu().numpy().reshape(self.g, self.g))
            else:  # a score or a regression: 0 is white, the sign is the colour
                kind, scale = "regression", max(1.0, abs(lo), abs(hi))
                rgb = png.diverging(v.cpu().numpy().reshape(self.g, self.g), -scale, scale)
        else:
            probs = out
            if out.min() < 0 or not torch.allclose(out.sum(1), torch.ones_like(out[:, 0]), atol=1e-3):
                probs = out.softmax(1)  # logits: no final softmax in the graph
            top, cls = probs.max(1)
            c = out.shape[1]
            confidence = ((top - 1 / c) / (1 - 1 / c)).cpu().numpy().reshape(self.g, self.g)
            kind, scale = "categorical", 1.0
            rgb = png.categorical(cls.cpu().numpy().reshape(self.g, self.g), confidence)
        colours = self._point_colours(out.shape[1])
        # A paler background, as in TensorFlow Playground, so a point of the region's own class still stands out.
        pale = (rgb.astype(np.float32) * (1 - BACKGROUND_FADE) + 255 * BACKGROUND_FADE).astype(np.uint8)
        rgb = png.draw_points(png.upscale(pale, self.factor), self.points, colours, radius=2)
        meta = {**self.meta, "kind": kind, "scale": scale, "points": len(self.points)}
        if self.ctx.info.class_names:
            meta["classes"] = list(self.ctx.info.class_names)
        stream.image(
            step=step, key="boundary/model", png=png.encode_png(rgb), width=rgb.shape[1], height=rgb.shape[0], meta=meta
        )

    def _neuron_mosaic(self, stream: EventStream, nid: str, out: torch.Tensor, step: int) -> None:
        k = out.shape[1]
        values = out.float().T.reshape(k, self.g, self.g)  # (k, G, G): one tile per neuron
        scale = float(values.abs().max()) or 1.0
        tiles = png.diverging((values / scale).cpu().numpy())  # (k, G, G, 3)
        columns = int(np.ceil(np.sqrt(k)))
        rgb = png.mosaic(tiles, columns=columns, pad=1)
        meta = {**self.meta, "tiles": k, "columns": columns, "tile_size": self.g, "pad": 1, "scale": scale}
        stream.image(
            step=step,
            key=f"boundary/{nid}",
            png=png.encode_png(rgb),
            width=rgb.shape[1],
            height=rgb.shape[0],
            meta=meta,
        )


# ----- histograms -----------------------------------------------------------------------------------------------
def _histogram(x: torch.Tensor, bins: int) -> torch.Tensor:
    """(bins + 2,) float64 on x's device: [min, max, counts…] of every value, with no host sync. Non-finite values are
    counted in the end bins (NaN in the first), so the counts always add up to x.numel()."""
    x = x.detach().reshape(-1).float()
    finite = torch.isfinite(x)
    lo = torch.where(finite, x, torch.full_like(x, torch.inf)).min()
    hi = torch.where(finite, x, torch.full_like(x, -torch.inf)).max()
    empty = ~torch.isfinite(lo)  # no finite value at all
    lo = torch.where(empty, torch.zeros_like(lo), lo)
    hi = torch.where(empty, torch.ones_like(hi), torch.where(hi > lo, hi, lo + 1))
    x = torch.where(finite, x, torch.where(x > 0, hi, lo))  # +inf to the last bin; −inf and NaN to the first
    idx = ((x - lo) / (hi - lo) * bins).floor().clamp(0, bins - 1).long()
    counts = torch.bincount(idx, minlength=bins).double()  # float64 counts exactly past 2**24
    return torch.cat([lo[None].double(), hi[None].double(), counts])


ACTIVATION_VALUES = 65536  # input values per activation-histogram pass…
ACTIVATION_MIN_EXAMPLES = 32  # …but never fewer examples than this


class HistogramsProbe:
    """Per node with parameters, its weights ("weights/<node_id>"); per hidden node, its outputs on the probe
    batch ("activations/<node_id>"). All computed on the device and read back in one transfer."""

    def __init__(self, params: dict[str, Any], ctx: ProbeContext):
        self.ctx, self.bins, self.interval_s = ctx, int(params["bins"]), float(params["interval_s"])
        model: Any = ctx.model
        self.hidden = _hidden_ids(model)
        shares = getattr(model, "shares", {})
        self.weighted = [nid for nid in model.node_types if nid not in shares and model.node_parameters(nid)]
        self.keys = [f"weights/{nid}" for nid in self.weighted] + [f"activations/{nid}" for nid in self.hidden]
        # A histogram's shape settles long before 512 images' feature maps: a forward pass of that many through a
        # ResNet was ~0.3 s a round on a CPU. Enough examples for ~64 Ki input values (all 512 for small inputs).
        per_example = max(1, sum(x[0].numel() for x in ctx.batch)) if ctx.batch and len(ctx.batch[0]) else 1
        self.examples = max(ACTIVATION_MIN_EXAMPLES, ACTIVATION_VALUES // per_example)

    def _weights(self, nid: str) -> torch.Tensor:
        params = self.ctx.model.node_parameters(nid)  # type: ignore[operator]
        kernels = [p for _, p in params if p.ndim >= 2] or [p for _, p in params]  # biases blur a weight picture
        return torch.cat([p.detach().reshape(-1) for p in kernels])

    @torch.no_grad()
    def run(self, stream: EventStream, *, step: int, epoch: float) -> None:
        if not self.keys or not any(stream.due(key, self.interval_s) for key in self.keys):
            return
        model: Any = self.ctx.model
        tensors = [self._weights(nid) for nid in self.weighted]
        if self.hidden:
            with EvalMode(model):
                outputs = model.forward_all(*(x[: self.examples] for x in self.ctx.batch))
            tensors += [outputs[nid] for nid in self.hidden]
        stats = torch.stack([_histogram(t, self.bins) for t in tensors]).cpu().numpy()  # the one host sync
        for key, row in zip(self.keys, stats, strict=True):
            edges = np.linspace(row[0], row[1], self.bins + 1).tolist()
            stream.histogram(step=step, key=key, edges=edges, counts=row[2:].astype(np.int64).tolist())


def _is_plane(info: DataInfo) -> bool:
    return tuple(info.input_shape) == (2,)


PROBES.register(
    "boundary",
    ProbeEntry(
        name="boundary",
        help="The decision boundary of the model over the plane, with the data, and the response of every hidden "
        "neuron (the TensorFlow Playground picture). For 2-D inputs.",
        params=(
            Param("resolution", "int", 64, "Grid points per side of the plane.", min=16, max=256),
            Param("margin", "float", 0.1, "Border around the data, as a fraction of its range.", min=0.0, max=2.0),
        ),
        applies=_is_plane,
        default=True,
        make=BoundaryProbe,
        needs="2-D inputs (input shape (2,))",
    ),
)

PROBES.register(
    "histograms",
    ProbeEntry(
        name="histograms",
        help="Histograms of every layer's weights and of every hidden node's outputs on a validation batch.",
        params=(
            Param("bins", "int", 30, "Bins per histogram.", min=2, max=256),
            Param(
                "interval_s",
                "float",
                0.5,
                "At most one histogram per layer this often, in seconds.",
                min=0.05,
                max=3600.0,
            ),
        ),
        applies=lambda info: True,
        default=True,
        make=HistogramsProbe,
    ),
)


# The probes of images, sequences and classes register themselves on import; after PROBES exists, as they use it.
from trainer.train import probes_classes, probes_sequence, probes_vision  # noqa: E402, F401
