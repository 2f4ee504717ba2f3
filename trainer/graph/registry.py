"""The layer catalog: every node type a graph may use, declared as data (ports, parameters, a builder).

A layer is one module in trainer/graph/layers/ that calls `register_layer(LayerEntry(...))`. The browser palette,
the API's catalog, the CLI and validation are all generated from these entries; nothing else needs editing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from torch import nn

from trainer.catalog import Issue, Param, Registry

Shape = tuple[int, ...]  # one example's shape, without the batch dimension


@dataclass
class Inference:
    """What a composite layer's `infer` found: its output shapes by port (None when an error hides them), its
    parameter count, the issues inside it (already naming the outer node) and the inner nodes' reports."""

    out_shapes: dict[str, Shape] | None
    param_count: int = 0
    issues: list[Issue] = field(default_factory=list)
    inner: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class LayerEntry:
    """A node type. `build(params, in_shapes)` returns the module; it may read the input shapes (Dense needs the
    width it receives). `check(params, in_shapes)` returns a user-facing message when the inputs cannot work,
    stated with both shapes; anything it misses is caught by the dry run on the meta device."""

    type: str
    category: str  # palette group: input, core, activation, normalization, merge, reshape
    help: str
    params: tuple[Param, ...] = ()
    build: Callable[[dict[str, Any], list[Shape]], nn.Module] | None = None  # None only for input nodes
    check: Callable[[dict[str, Any], list[Shape]], str | None] | None = None
    inputs: tuple[str, ...] = ("in",)  # port names; a variadic layer has one port that takes several edges
    variadic: bool = False  # merges: ≥ 2 edges into the single port, in edge order
    outputs: tuple[str, ...] = ("out",)
    final_activation: bool = False  # softmax/sigmoid: the engine may ask for its input (logits) instead
    # Composite layers (blocks, time_distributed): analyse their inside instead of the meta dry run, so that an
    # error names the inner node. Called as infer(node_id, params, in_shapes).
    infer: Callable[[str, dict[str, Any], list[Shape]], Inference] | None = None

    def schema(self) -> dict[str, Any]:
        """What the palette and the API show for this layer."""
        return {
            "type": self.type,
            "category": self.category,
            "help": self.help,
            "params": [p.schema() for p in self.params],
            "inputs": list(self.inputs) if not (self.type == "input") else [],
            "variadic": self.variadic,
            "outputs": list(self.outputs),
        }


LAYERS: Registry[LayerEntry] = Registry(kind="layer type")


def register_layer(entry: LayerEntry) -> LayerEntry:
    return LAYERS.register(entry.type, entry)


def all_layers() -> Registry[LayerEntry]:
    """The catalog with every built-in family imported (importing registers them)."""
    import trainer.graph.layers  # noqa: F401

    return LAYERS


def fmt_shape(shape: Shape | None) -> str:
    """`(N, 32, 8)` — the batch dimension is always shown as N."""
    if shape is None:
        return "(?)"
    return "(" + ", ".join(["N", *map(str, shape)]) + ")"
