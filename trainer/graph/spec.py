"""The run specification: the single contract between the editor, the API, the CLI and the engine.

A RunSpec is plain JSON: a versioned graph of layer nodes, the data set, the loss, the optimiser and schedule,
and the training settings. Structure is checked here by pydantic (strict, unknown keys refused); everything
that needs the catalogs (layer parameters, shapes, loss expressions) is checked by `trainer.validate`, which
turns every problem into an Issue naming the node and field. The JSON Schema of these models is what
`playground schema` prints and what the frontend's TypeScript types are generated from.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

NodeId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_\-]{0,63}$",
        description="Unique node name: a letter or _, then letters, digits, _ or -; at most 64 characters.",
    ),
]
Role = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z_]{0,31}$",
        description="The network this node belongs to: model; or generator/discriminator, encoder/decoder, "
        "classifier/adversary for programs with several networks.",
    ),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Position(_Strict):
    """Where the editor draws a node; ignored by the trainer."""

    x: float
    y: float


class NodeSpec(_Strict):
    """One layer of the graph. `params` are checked against the layer catalog entry named by `type`."""

    id: NodeId
    type: str = Field(description="A layer type from the catalog (`GET /api/catalog`, `trainer.catalog()`).")
    params: dict[str, Any] = Field(default_factory=dict)
    shares: NodeId | None = Field(
        default=None,
        description="Reuse the weights of this other node (same type and parameters): weight sharing, "
        "as in a Siamese network. The two nodes then have one set of weights.",
    )
    network: Role = "model"
    position: Position | None = None
    label: str | None = Field(default=None, max_length=200, description="Free text shown in the editor.")


class EdgeSpec(_Strict):
    """A tensor flowing from one node's output port to another node's input port."""

    source: NodeId
    target: NodeId
    source_port: str | None = Field(default=None, max_length=64, description="Output port; default: the first.")
    target_port: str | None = Field(
        default=None, max_length=64, description="Input port; default: the next free one, in edge order."
    )


class BlockParamSpec(_Strict):
    """A parameter of a block, declared like a catalog parameter (the palette shows it the same way). Inner
    nodes refer to it by writing the string `"$<name>"` as a parameter value."""

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
    kind: Literal["int", "float", "bool", "choice", "str", "ints"]
    default: Any = None
    help: str = Field(default="", max_length=500)
    min: float | None = None
    max: float | None = None
    choices: list[str] | None = Field(default=None, max_length=100)
    nullable: bool = False
    first_only: bool = Field(
        default=False,
        description="Applies to the first repeat only; later repeats take the default (a stride that halves the "
        "image once per stage).",
    )


class BlockSpec(_Strict):
    """A sub-graph used as one node (`type` = its name) with a repeat count. Its `input` nodes are its input
    ports (by id); `output` names the inner node whose result leaves the block."""

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$", description="The node type that uses it.")
    help: str = Field(default="", max_length=2000)
    params: list[BlockParamSpec] = Field(default_factory=list, max_length=50)
    nodes: list[NodeSpec] = Field(max_length=500)
    edges: list[EdgeSpec] = Field(default_factory=list, max_length=2000)
    output: NodeId


class GraphSpec(_Strict):
    """A directed acyclic graph of layers. Nodes without outgoing edges are the network's outputs."""

    version: Literal[1] = 1
    nodes: list[NodeSpec] = Field(max_length=2000)
    edges: list[EdgeSpec] = Field(default_factory=list, max_length=10000)
    blocks: list[BlockSpec] = Field(
        default_factory=list, max_length=100, description="The graph's own blocks; a node's type may name one."
    )


class DataSpec(_Strict):
    """Which data set, how it is split, scaled and how class targets are encoded."""

    name: str = Field(description="A data set from the catalog.")
    params: dict[str, Any] = Field(default_factory=dict)
    val_fraction: float = Field(default=0.2, ge=0.0, le=0.9, description="Share of examples held out.")
    scaling: Literal["none", "standardize", "minmax"] = Field(
        default="standardize", description="Input scaling, fitted on the training split only."
    )
    targets: Literal["index", "onehot"] = Field(
        default="index", description="Class targets as indices or one-hot vectors (for MSE on classes)."
    )
    data_dir: str | None = Field(default=None, description="Directory for data sets read from files.")


class LossSpec(_Strict):
    """The training objective. `expression` is used when name is `expression`."""

    name: str = Field(default="cross_entropy", description="A loss from the catalog, or `expression`.")
    params: dict[str, Any] = Field(default_factory=dict)
    expression: str | None = Field(
        default=None,
        max_length=2000,
        description="A formula over named tensors, e.g. `mean((prediction - target)**2)`; "
        "see docs/graph-format.md for the names and functions allowed.",
    )
    output: NodeId | None = Field(
        default=None, description="The output node the loss applies to; default: the only one."
    )


class OptimizerSpec(_Strict):
    name: str = Field(default="adam", description="An optimiser from the catalog (gd and sgd are the same update).")
    lr: float = Field(default=1e-3, gt=0.0, le=10.0, description="Learning rate ε.")
    params: dict[str, Any] = Field(default_factory=dict, description="momentum, nesterov, weight_decay, betas…")
    grad_clip_norm: float | None = Field(default=None, gt=0.0, description="Clip the gradients' global L2 norm.")


class ScheduleSpec(_Strict):
    name: str = Field(default="constant", description="A learning-rate schedule from the catalog.")
    params: dict[str, Any] = Field(default_factory=dict)


class ProgramSpec(_Strict):
    """How the networks are trained: `supervised` for one `model`; later autoencoder, vae, gan, pivot."""

    kind: str = "supervised"
    params: dict[str, Any] = Field(default_factory=dict)


class ProbeSpec(_Strict):
    """A view streamed while training (decision boundaries, histograms…)."""

    name: str
    params: dict[str, Any] = Field(default_factory=dict)


class EarlyStoppingSpec(_Strict):
    metric: str = Field(default="val/loss", max_length=200)
    mode: Literal["min", "max"] = "min"
    patience: int = Field(default=5, ge=1, le=10000, description="Evaluations without improvement before stopping.")
    min_delta: float = Field(default=0.0, ge=0.0)


class InitFromSpec(_Strict):
    """Transfer learning: start from another run's weights (matched by node id and tensor shape)."""

    checkpoint: str = Field(
        min_length=1,
        max_length=1000,
        description='A checkpoint file or a directory (its latest checkpoint); in the web app also "run:<id>".',
    )
    freeze: list[NodeId] = Field(
        default_factory=list, max_length=2000, description="Nodes whose loaded weights stay fixed (BN in eval mode)."
    )


class RunSpec(_Strict):
    """Everything needed to train: the graph, the data and the training settings."""

    name: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    graph: GraphSpec
    program: ProgramSpec = Field(default_factory=ProgramSpec)
    data: DataSpec
    loss: LossSpec = Field(default_factory=LossSpec)
    optimizer: OptimizerSpec = Field(default_factory=OptimizerSpec)
    schedule: ScheduleSpec = Field(default_factory=ScheduleSpec)
    epochs: int | None = Field(default=None, ge=1, le=1_000_000, description="Passes over the training set.")
    max_steps: int | None = Field(
        default=None, ge=1, le=100_000_000, description="Stop after this many optimiser steps (whichever comes first)."
    )
    batch_size: Annotated[int, Field(ge=1, le=1_000_000)] | Literal["full"] = Field(
        default=32, description='Examples per step; "full" is batch gradient descent (one step per epoch).'
    )
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    device: str = Field(default="auto", pattern=r"^(auto|cpu|cuda(:[0-9]{1,2})?)$")
    probes: list[ProbeSpec] | None = Field(
        default=None, max_length=50, description="Views to stream; null picks the defaults for the data."
    )
    early_stopping: EarlyStoppingSpec | None = None
    eval_every_steps: int | None = Field(
        default=None, ge=1, description="Evaluate on the validation split this often; default: every epoch."
    )
    checkpoint_every_steps: int | None = Field(default=None, ge=1, description="Also checkpoint at the end.")
    init_from: InitFromSpec | None = Field(default=None, description="Fine-tune from a checkpoint (transfer).")

    def total_epochs(self) -> int | None:
        """Epochs to run: the given number; 10 when neither epochs nor max_steps is set; None for steps only."""
        if self.epochs is None and self.max_steps is None:
            return 10
        return self.epochs


def load_spec(source: str | Path | dict[str, Any] | RunSpec) -> RunSpec:
    """Parse a RunSpec from a file path, a JSON string or a dict. Raises `SpecError` with the issues."""
    from trainer.graph.validate import SpecError, issues_from_pydantic

    if isinstance(source, RunSpec):
        return source
    raw: Any = source
    if isinstance(source, Path) or (isinstance(source, str) and not source.lstrip().startswith("{")):
        path = Path(source)
        try:
            text = path.read_text()
        except OSError as exc:
            raise SpecError.single("unreadable_file", f"cannot read {path}: {exc.strerror or exc}") from None
        source = text
    if isinstance(source, str):
        try:
            raw = json.loads(source)
        except json.JSONDecodeError as exc:
            raise SpecError.single(
                "invalid_json", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
            ) from None
    if not isinstance(raw, dict):
        raise SpecError.single("invalid_spec", f"a run spec must be a JSON object, got {type(raw).__name__}")
    try:
        # Strict validation in JSON mode accepts exactly what JSON can say (an integer where a float is due).
        text = json.dumps(raw, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise SpecError.single("invalid_spec", f"the spec is not plain JSON: {exc}") from None
    from pydantic import ValidationError

    try:
        return RunSpec.model_validate_json(text, strict=True)
    except ValidationError as exc:
        raise SpecError(issues_from_pydantic(exc, raw)) from None


def json_schema() -> dict[str, Any]:
    """The JSON Schema of RunSpec (what `playground schema` prints)."""
    return RunSpec.model_json_schema()
