"""Probes of convolutional networks: the feature maps of chosen nodes for one fixed validation example, and the
first convolution's filters. A node "has feature maps" when its output is (N, C, L), (N, C, H, W) or
(N, C, D, H, W) — a property of its shape, not of its layer type, so pooling, activations and blocks qualify."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn

from trainer.catalog import Param
from trainer.graph.registry import fmt_shape
from trainer.train import png
from trainer.train.events import EventStream
from trainer.train.probe_nodes import EvalMode, NodeFacts, example_label, facts_from_model, parse_node_ids
from trainer.train.probes import PROBES, ProbeContext, ProbeEntry
from trainer.train.probes_sequence import is_recurrent

if TYPE_CHECKING:
    from trainer.data.registry import DataInfo

MAP_RANKS = (2, 3, 4)  # one example's (C, L), (C, H, W), (C, D, H, W)
AUTO_NODES = 4  # feature maps watched when the spec names none
INPUT_INTERVAL_S = 30.0  # the example itself never changes: resent now and then for clients that join late
MAX_FILTER_TILES = 64
STRIP_PX = 8  # height of one channel of a 1-D feature map (N, C, L)


def is_image(info: DataInfo) -> bool:
    """(C, H, W) or (C, D, H, W) inputs."""
    return len(info.input_shape) in (3, 4)


def has_maps(info: DataInfo) -> bool:
    return len(info.input_shape) in MAP_RANKS


def planes(x: np.ndarray) -> np.ndarray:
    """(C, *spatial) → (C, h, w): a length-L signal is a 1-pixel-high strip, a volume its middle depth slice."""
    if x.ndim == 2:
        return x[:, None, :]
    if x.ndim == 4:
        return x[:, x.shape[1] // 2]
    return x


def example_image(x: np.ndarray) -> np.ndarray:
    """One input example (C, *spatial) → (h, w, 3) uint8: RGB when it has 3 channels, else its first channel in
    grey; stretched to the full range (the data are scaled, so absolute values mean little)."""
    p = planes(np.asarray(x, dtype=np.float32))
    if p.shape[0] == 3:
        rgb = png.unit_range(p, axes=(0, 1, 2)).transpose(1, 2, 0)
    else:
        rgb = np.repeat(png.unit_range(p[:1], axes=(0, 1, 2)).transpose(1, 2, 0), 3, axis=2)
    return np.rint(rgb * 255).astype(np.uint8)


def _map_nodes(facts: list[NodeFacts]) -> list[str]:
    """The first nodes with feature maps, inputs and recurrent layers left out (a (T, H) sequence is no map)."""
    picked = []
    for f in facts:
        if f.type == "input" or f.shape is None or len(f.shape) not in MAP_RANKS:
            continue
        module = f.module()
        if module is not None and is_recurrent(module):
            continue
        picked.append(f.id)
    return picked[:AUTO_NODES]


def _check_maps(params: dict[str, Any], facts: list[NodeFacts]) -> list[tuple[str, str]]:
    ids = parse_node_ids(params["nodes"])
    by_id = {f.id: f for f in facts}
    problems = []
    for nid in ids:
        f = by_id.get(nid)
        if f is None:
            problems.append(("params.nodes", f"node {nid!r} is not in the model (nodes: {', '.join(by_id)})"))
        elif f.shape is not None and len(f.shape) not in MAP_RANKS:
            problems.append(
                (
                    "params.nodes",
                    f'node "{nid}" outputs {fmt_shape(f.shape)}: feature maps need (N, C, L), (N, C, H, W) or '
                    "(N, C, D, H, W); pick a convolution, pooling or activation node before any flatten",
                )
            )
    if not ids and all(f.shape is not None for f in facts) and not _map_nodes(facts):
        problems.append(("name", "no node outputs feature maps ((N, C, H, W) and the like): add a convolution"))
    return problems


class FeatureMapsProbe:
    """For one fixed validation example (the probe batch's first): the example ("features/input") and, per
    watched node, a grid of its channel maps ("features/<node_id>"), each map stretched to the whole colour range."""

    def __init__(self, params: dict[str, Any], ctx: ProbeContext, nodes: list[str]):
        self.ctx, self.nodes, self.channels = ctx, nodes, int(params["channels"])
        self.example = tuple(x[:1] for x in ctx.batch)  # (1, *input_shape) each
        self.meta = {"example": 0, "label": example_label(ctx, 0)}

    @classmethod
    def make(cls, params: dict[str, Any], ctx: ProbeContext) -> FeatureMapsProbe | None:
        facts = facts_from_model(ctx)
        wanted = parse_node_ids(params["nodes"])
        if wanted:  # validation reported the ids that do not fit; a run watches the rest
            fits = {f.id for f in facts if f.shape is not None and len(f.shape) in MAP_RANKS}
            nodes = [nid for nid in wanted if nid in fits]
        else:
            nodes = _map_nodes(facts)
        return cls(params, ctx, nodes) if nodes else None

    @torch.no_grad()
    def run(self, stream: EventStream, *, step: int, epoch: float) -> None:
        due = [nid for nid in self.nodes if stream.image_due(f"features/{nid}")]
        if stream.due("features/input", INPUT_INTERVAL_S):
            rgb, layout = png.grid(example_image(self.example[0][0].float().cpu().numpy())[None], min_tile_px=96)
            self._emit(stream, "features/input", rgb, step, {"shape": list(self.example[0].shape[1:]), **layout})
        if not due:
            return
        model: Any = self.ctx.model
        with EvalMode(model):
            outputs = model.forward_all(*self.example)
        for nid in due:
            out = outputs[nid][0]  # (C, *spatial)
            maps = planes(out[: self.channels].float().cpu().numpy())  # (K, h, w)
            tiles = png.sequential(png.unit_range(maps, axes=(1, 2)))  # (K, h, w, 3)
            if out.ndim == 2:
                tiles = np.repeat(tiles, STRIP_PX, axis=1)  # a signal's 1-pixel strip, made visible
            rgb, layout = png.grid(tiles)
            meta = {"node": nid, "shape": list(out.shape), "channels_shown": len(maps), **layout}
            if out.ndim == 4:
                meta["depth_slice"] = int(out.shape[1] // 2)
            self._emit(stream, f"features/{nid}", rgb, step, meta)

    def _emit(self, stream: EventStream, key: str, rgb: np.ndarray, step: int, meta: dict[str, Any]) -> None:
        meta = {**meta, **self.meta}
        stream.image(step=step, key=key, png=png.encode_png(rgb), width=rgb.shape[1], height=rgb.shape[0], meta=meta)


def kernel(module: nn.Module | None) -> torch.Tensor | None:
    """A convolution's kernel — its first weight with ≥ 3 dimensions, (out, in, *k) — or None."""
    if module is None:
        return None
    return next((p for name, p in module.named_parameters() if name.endswith("weight") and p.ndim >= 3), None)


def _first_conv(facts: list[NodeFacts]) -> str | None:
    return next((f.id for f in facts if f.type != "input" and kernel(f.module()) is not None), None)


def _check_filters(params: dict[str, Any], facts: list[NodeFacts]) -> list[tuple[str, str]]:
    if _first_conv(facts) is None and not any(f.unknown for f in facts):
        return [("name", "needs a convolution layer (a node with a kernel) in the model; there is none")]
    return []


class FiltersProbe:
    """The first convolution's kernels as a grid ("filters/<node_id>"): one tile per output channel, in colour
    when it reads 3 input channels (an RGB image), else grey (the mean over its input channels)."""

    def __init__(self, params: dict[str, Any], ctx: ProbeContext, node: NodeFacts):
        self.ctx, self.node = ctx, node.id
        self.module = node.module()

    @classmethod
    def make(cls, params: dict[str, Any], ctx: ProbeContext) -> FiltersProbe | None:
        facts = facts_from_model(ctx)
        node = _first_conv(facts)
        return cls(params, ctx, next(f for f in facts if f.id == node)) if node is not None else None

    @torch.no_grad()
    def run(self, stream: EventStream, *, step: int, epoch: float) -> None:
        key = f"filters/{self.node}"
        if not stream.image_due(key):
            return
        weight = kernel(self.module)
        assert weight is not None, f"node {self.node} lost its kernel"
        w = weight.detach().float().cpu().numpy()[:MAX_FILTER_TILES]  # (K, in, *k)
        w = np.stack([planes(f) for f in w])  # (K, in, kh, kw): 1-D kernels as strips, 3-D by their middle slice
        if w.shape[1] == 3:
            tiles = np.rint(png.unit_range(w, axes=(1, 2, 3)).transpose(0, 2, 3, 1) * 255).astype(np.uint8)
        else:
            grey = png.unit_range(w.mean(axis=1), axes=(1, 2))  # (K, kh, kw)
            tiles = np.repeat(np.rint(grey * 255).astype(np.uint8)[..., None], 3, axis=3)
        rgb, layout = png.grid(tiles)
        meta = {"node": self.node, "shape": list(weight.shape), "colour": "rgb" if w.shape[1] == 3 else "grey"}
        stream.image(
            step=step,
            key=key,
            png=png.encode_png(rgb),
            width=rgb.shape[1],
            height=rgb.shape[0],
            meta={**meta, **layout},
        )


PROBES.register(
    "feature_maps",
    ProbeEntry(
        name="feature_maps",
        help="What chosen layers see in one validation example: a grid of each node's channel maps. For "
        "convolutional networks.",
        params=(
            Param(
                "nodes",
                "str",
                "",
                "Node ids to watch, comma-separated; empty: the first four nodes with feature maps.",
            ),
            Param("channels", "int", 16, "Most channel maps shown per node.", min=1, max=256),
        ),
        applies=has_maps,
        default=True,
        default_when=is_image,
        make=FeatureMapsProbe.make,
        needs="images or signals: inputs (N, C, L), (N, C, H, W) or (N, C, D, H, W)",
        check=_check_maps,
    ),
)

PROBES.register(
    "filters",
    ProbeEntry(
        name="filters",
        help="The first convolution layer's kernels as small pictures (in colour for RGB input).",
        params=(),
        applies=has_maps,
        default=True,
        default_when=is_image,
        make=FiltersProbe.make,
        needs="images or signals: inputs (N, C, L), (N, C, H, W) or (N, C, D, H, W)",
        check=_check_filters,
    ),
)
