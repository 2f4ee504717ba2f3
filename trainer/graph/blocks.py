"""Blocks: a sub-graph used as one node with a repeat count (ResNet's residual blocks, the Inception module, a
user's own). A block is declared as data (`BlockSpec`: params, inner nodes and edges, the output node) and turned
into a catalog entry here, so it appears in the palette, the API and the CLI like any layer.

Inside a block a parameter value `"$name"` (or `"$name*4"`) refers to the block's parameter `name`; the inner
`input` nodes are its input ports. A block node analyses its inner graph once per repeat (repeat r > 1 takes
repeat r − 1's output, and `first_only` parameters fall back to their defaults there), so an error names the
block node, the block type, the repeat and the inner node. It compiles to a `BlockModule`: one `ModuleDict` of
inner layers per repeat, so state_dict keys read `layers.stage2.0.conv_a.weight`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, cast

import torch
from torch import nn

from trainer.catalog import Issue, Param
from trainer.graph.registry import LAYERS, Inference, LayerEntry, Shape, all_layers
from trainer.graph.spec import BlockSpec, GraphSpec, NodeSpec

MAX_REPEAT = 64
_REF = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)(?:\*([0-9]{1,4}))?$")  # "$channels" or "$channels*4"
_REPEAT = Param("repeat", "int", 1, "How many copies of the block, one after the other.", min=1, max=MAX_REPEAT)


@dataclass(frozen=True)
class BlockEntry(LayerEntry):
    """A layer entry whose module is a sub-graph. `decl` is the declaration; `scope` the layer types its inner
    nodes may name (the catalog plus the graph's own blocks); `problem` is set for a block that cannot be used
    (it uses itself), and reported wherever a node uses it."""

    decl: BlockSpec | None = None
    scope: Mapping[str, LayerEntry] = field(default_factory=dict, repr=False, compare=False)
    problem: str | None = None

    def schema(self) -> dict[str, Any]:
        out = super().schema()
        assert self.decl is not None
        first_only = {p.name for p in self.decl.params if p.first_only}
        for p in out["params"]:
            if p["name"] in first_only:
                p["first_only"] = True
        out["block"] = {
            "nodes": [n.model_dump(mode="json", exclude_none=True) for n in self.decl.nodes],
            "edges": [e.model_dump(mode="json", exclude_none=True) for e in self.decl.edges],
            "output": self.decl.output,
        }
        return out


def block_entry(
    decl: BlockSpec, scope: Mapping[str, LayerEntry] | None = None, problem: str | None = None
) -> BlockEntry:
    """The catalog entry of a declared block: its params plus `repeat`, one input port per inner input node."""
    params = tuple(_param(p) for p in decl.params) + (_REPEAT,)
    inputs = tuple(n.id for n in decl.nodes if n.type == "input")
    entry = BlockEntry(
        type=decl.name,
        category="block",
        help=decl.help or f"the block {decl.name}",
        params=params,
        inputs=inputs or ("in",),
        decl=decl,
        scope=scope if scope is not None else {},
        problem=problem,
    )
    object.__setattr__(entry, "build", lambda p, s: build_block(entry, p, s))
    object.__setattr__(entry, "infer", lambda nid, p, s: infer_block(entry, nid, p, s))
    return entry


def register_block(decl: dict[str, Any]) -> BlockEntry:
    """Register a built-in block (a declaration as JSON-like data) in the layer catalog."""
    spec = BlockSpec.model_validate(decl)
    problems = declaration_issues(spec, 0, None, field_prefix="block")  # inner types may register later
    assert not problems, f"built-in block {spec.name}: {[i.message for i in problems]}"
    entry = block_entry(spec)
    LAYERS.register(spec.name, entry)
    return entry


def _param(p: Any) -> Param:
    return Param(
        p.name,
        p.kind,
        p.default,
        p.help,
        min=p.min,
        max=p.max,
        choices=tuple(p.choices) if p.choices is not None else None,
        nullable=p.nullable,
    )


# ----- the graph's own blocks --------------------------------------------------------------------------------------
@dataclass
class BlockScope:
    """Every layer type a graph may name (the catalog plus its own blocks) and the problems of its declarations."""

    layers: dict[str, LayerEntry]
    issues: list[Issue]


_SCOPE: ContextVar[Mapping[str, LayerEntry] | None] = ContextVar("block_scope", default=None)


@contextmanager
def using_blocks(decls: list[BlockSpec]) -> Iterator[BlockScope]:
    """Analyse or compile a graph with its own blocks in scope (`find_block` sees them: time_distributed)."""
    scope = graph_scope(decls)
    token = _SCOPE.set(scope.layers)
    try:
        yield scope
    finally:
        _SCOPE.reset(token)


def find_block(name: str) -> LayerEntry | None:
    """The block called `name`: the graph's own (while one is analysed or compiled) or a built-in one."""
    layers = _SCOPE.get() or all_layers().entries
    entry = layers.get(name)
    return entry if isinstance(entry, BlockEntry) else None


def block_names() -> list[str]:
    layers = _SCOPE.get() or all_layers().entries
    return sorted(name for name, e in layers.items() if isinstance(e, BlockEntry))


def graph_scope(decls: list[BlockSpec]) -> BlockScope:
    """Turn a graph's block declarations into entries; a clash, a bad declaration or recursion is an issue."""
    layers: dict[str, LayerEntry] = dict(all_layers().entries)
    issues: list[Issue] = []
    names = [d.name for d in decls]
    valid: dict[str, BlockSpec] = {}
    for i, decl in enumerate(decls):
        where = f"graph.blocks[{i}]"
        if decl.name in layers:
            issues.append(
                Issue(
                    type="block_name_clash",
                    field=f"{where}.name",
                    message=f'block "{decl.name}": the name is a layer type already; rename the block',
                )
            )
            continue
        if names.index(decl.name) != i:
            issues.append(
                Issue(
                    type="duplicate_block",
                    field=f"{where}.name",
                    message=f'block "{decl.name}" is declared twice',
                )
            )
            continue
        problems = declaration_issues(decl, i, set(layers) | set(names))
        issues += problems
        if not problems:
            valid[decl.name] = decl
    cycles = _recursive(valid)
    for name, decl in valid.items():
        problem = None
        if name in cycles:
            problem = f'block "{name}" uses itself ({cycles[name]}); a block cannot contain itself'
            issues.append(
                Issue(type="recursive_block", field=f"graph.blocks[{names.index(name)}].nodes", message=problem)
            )
        layers[name] = block_entry(decl, layers, problem)  # `layers` is filled further: nested blocks see all
    return BlockScope(layers=layers, issues=issues)


def declaration_issues(
    decl: BlockSpec, index: int, known_types: set[str] | None, field_prefix: str = ""
) -> list[Issue]:
    """Problems of one declaration that need no shapes: params, references, ports, the output node."""
    where = field_prefix or f"graph.blocks[{index}]"
    what = f'block "{decl.name}": '
    issues: list[Issue] = []
    declared: dict[str, Any] = {}
    for j, p in enumerate(decl.params):
        if p.name == "repeat" or p.name in declared:
            why = "is always there" if p.name == "repeat" else "is declared twice"
            issues.append(
                Issue(
                    type="invalid_block", field=f"{where}.params[{j}].name", message=f"{what}parameter {p.name} {why}"
                )
            )
            continue
        try:
            declared[p.name] = _param(p).coerce(p.default)
        except (ValueError, AssertionError) as exc:
            issues.append(
                Issue(
                    type="invalid_block",
                    field=f"{where}.params[{j}].default",
                    message=f"{what}parameter {p.name}: the default {exc}",
                )
            )
    ids = [n.id for n in decl.nodes]
    for j, node in enumerate(decl.nodes):
        if known_types is not None and node.type not in known_types:
            issues.append(
                Issue(
                    type="unknown_type",
                    field=f"{where}.nodes[{j}].type",
                    message=f'{what}node "{node.id}": unknown layer type {node.type!r}',
                )
            )
        for key, value in node.params.items():
            ref = _REF.match(value) if isinstance(value, str) else None
            if ref and ref.group(1) not in declared:
                issues.append(
                    Issue(
                        type="unknown_block_param",
                        field=f"{where}.nodes[{j}].params.{key}",
                        message=f'{what}node "{node.id}": {value!r} names no parameter of the block '
                        f"(it has: {', '.join(declared) or 'none'})",
                    )
                )
    if not any(n.type == "input" for n in decl.nodes):
        issues.append(
            Issue(type="invalid_block", field=f"{where}.nodes", message=f"{what}it needs an input node (its port)")
        )
    if decl.output not in ids:
        issues.append(
            Issue(
                type="invalid_block",
                field=f"{where}.output",
                message=f"{what}output {decl.output!r} is not one of its nodes ({', '.join(ids)})",
            )
        )
    elif any(n.type == "input" for n in decl.nodes if n.id == decl.output):
        issues.append(Issue(type="invalid_block", field=f"{where}.output", message=f"{what}output is an input node"))
    return issues


def _uses(decl: BlockSpec) -> set[str]:
    used = {n.type for n in decl.nodes}
    used |= {
        n.params["block"] for n in decl.nodes if n.type == "time_distributed" and isinstance(n.params.get("block"), str)
    }
    return used


def _recursive(decls: dict[str, BlockSpec]) -> dict[str, str]:
    """Blocks on a cycle of use, each with the path that shows it (`a → b → a`)."""
    found: dict[str, str] = {}

    def walk(name: str, path: list[str]) -> None:
        for used in sorted(_uses(decls[name])):
            if used not in decls:
                continue
            if used in path:
                cycle = path[path.index(used) :] + [used]
                for member in cycle[:-1]:
                    found.setdefault(member, " → ".join(cycle))
            elif used not in found:
                walk(used, [*path, used])

    for name in decls:
        walk(name, [name])
    return found


# ----- analysis ----------------------------------------------------------------------------------------------------
@dataclass
class _Repeat:
    plan: Any  # GraphPlan of one repeat
    params: dict[str, Any]


def _expand(entry: BlockEntry, params: dict[str, Any], in_shapes: list[Shape], repeat: int) -> GraphSpec:
    """The inner graph of one repeat (0-based) with `$refs` resolved and the inputs' shapes fixed."""
    assert entry.decl is not None
    values = dict(params)
    if repeat > 0:
        for p in entry.decl.params:
            if p.first_only:
                values[p.name] = _param(p).coerce(p.default)
    shapes = dict(zip(entry.inputs, in_shapes))
    nodes = []
    for node in entry.decl.nodes:
        if node.type == "input":
            new = {"shape": list(shapes[node.id])}
        else:
            new = {k: _resolve(v, values) for k, v in node.params.items()}
        nodes.append(NodeSpec.model_construct(**{**node.__dict__, "params": new}))
    return GraphSpec.model_construct(version=1, nodes=nodes, edges=list(entry.decl.edges), blocks=[])


def _resolve(value: Any, values: dict[str, Any]) -> Any:
    ref = _REF.match(value) if isinstance(value, str) else None
    if ref is None:
        return value
    got = values.get(ref.group(1))
    if ref.group(2) is not None and isinstance(got, (int, float)) and not isinstance(got, bool):
        return got * int(ref.group(2))
    return list(got) if isinstance(got, tuple) else got


def analyse_repeats(
    entry: BlockEntry, params: dict[str, Any], in_shapes: list[Shape]
) -> tuple[list[_Repeat], list[tuple[int, Issue]]]:
    """Analyse each repeat in turn; stops at the first repeat with problems (later shapes are unknown)."""
    from trainer.graph.analysis import analyze_graph

    assert entry.decl is not None
    repeats: list[_Repeat] = []
    shapes = list(in_shapes)
    cache: dict[str, Any] = {}  # repeats 2…n usually look the same: analyse once
    for r in range(params["repeat"]):
        graph = _expand(entry, params, shapes, r)
        key = repr((graph.nodes, shapes))
        plan = cache.get(key)
        if plan is None:
            plan = cache[key] = analyze_graph(graph, None, layers=entry.scope or all_layers().entries)
        if plan.issues:
            return repeats, [(r, i) for i in plan.issues]
        repeats.append(_Repeat(plan=plan, params=params))
        out = plan.shape(entry.decl.output)
        if out is None:
            return repeats, []
        shapes = [out]
    return repeats, []


def infer_block(entry: BlockEntry, node_id: str, params: dict[str, Any], in_shapes: list[Shape]) -> Inference:
    """Shapes, parameter count and inner reports of a block node; issues name the inner node and the repeat."""
    assert entry.decl is not None
    head = f'block "{node_id}" ({entry.type})'
    if entry.problem:
        return Inference(
            None, issues=[Issue(type="recursive_block", node_id=node_id, field="type", message=entry.problem)]
        )
    if params["repeat"] > 1 and len(entry.inputs) != 1:
        return Inference(
            None,
            issues=[
                Issue(
                    type="invalid_repeat",
                    node_id=node_id,
                    field="repeat",
                    message=f"{head}: a block with {len(entry.inputs)} inputs cannot repeat (its output feeds one)",
                )
            ],
        )
    repeats, problems = analyse_repeats(entry, params, in_shapes)
    if problems:
        return Inference(None, issues=[_wrap(head, node_id, r, issue) for r, issue in problems])
    if len(repeats) < params["repeat"]:
        return Inference(None)
    out = repeats[-1].plan.shape(entry.decl.output)
    inner = [
        {
            "repeat": r + 1,
            "id": nid,
            "type": node.spec.type,
            "output_shape": None if node.out_shapes is None else [None, *repeat.plan.shape(nid)],
            "params": node.param_count,
        }
        for r, repeat in enumerate(repeats)
        for nid, node in repeat.plan.nodes.items()
    ]
    count = sum(node.param_count for repeat in repeats for node in repeat.plan.nodes.values())
    return Inference({"out": out}, param_count=count, inner=inner)


def _wrap(head: str, node_id: str, repeat: int, issue: Issue) -> Issue:
    inner = issue.node_id
    text = issue.message
    if inner is not None and text.startswith(f'node "{inner}": '):
        text = text[len(f'node "{inner}": ') :]
    where = f"{head}, repeat {repeat + 1}" + (f', node "{inner}"' if inner else "")
    field_ = f"{inner}.{issue.field}" if inner and issue.field else (inner or issue.field)
    return Issue(type=issue.type, node_id=node_id, field=field_, message=f"{where}: {text}")


# ----- the module --------------------------------------------------------------------------------------------------
class _Program:
    """One repeat's execution plan: slots for every inner output, steps in topological order."""

    def __init__(self, plan: Any, input_ids: tuple[str, ...], output: str):
        slot: dict[tuple[str, str], int] = {}
        for nid, node in plan.nodes.items():
            for port in node.entry.outputs:
                slot[(nid, port)] = len(slot)
        order = next(iter(plan.networks.values())).order
        self.n_slots = len(slot)
        self.input_slots = [slot[(nid, "out")] for nid in input_ids]
        self.steps = [
            (
                plan.nodes[nid].owner,
                tuple(slot[s] for s in plan.nodes[nid].inputs),
                tuple(slot[(nid, p)] for p in plan.nodes[nid].entry.outputs),
            )
            for nid in order
            if plan.nodes[nid].entry.type != "input"
        ]
        self.output_slot = slot[(output, plan.nodes[output].entry.outputs[0])]

    def run(self, layers: nn.ModuleDict, xs: tuple[torch.Tensor, ...]) -> torch.Tensor:
        values: list[Any] = [None] * self.n_slots
        for i, x in zip(self.input_slots, xs):
            values[i] = x
        for key, args, outs in self.steps:
            y = layers[key](*[values[a] for a in args])
            if len(outs) == 1:
                values[outs[0]] = y
            else:
                for o, t in zip(outs, y):
                    values[o] = t
        return values[self.output_slot]


class BlockModule(nn.ModuleList):
    """(N, *in) → (N, *out): the block's repeats in order, each a ModuleDict of its inner layers by node id."""

    def __init__(self, block_type: str, repeats: list[tuple[dict[str, nn.Module], _Program]]):
        super().__init__([nn.ModuleDict(layers) for layers, _ in repeats])
        self.block_type = block_type
        self.programs = [program for _, program in repeats]

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        for layers, program in zip(self, self.programs):
            xs = (program.run(cast(nn.ModuleDict, layers), xs),)
        return xs[0]

    def _get_name(self) -> str:
        return f"Block[{self.block_type} ×{len(self.programs)}]"


def build_block(entry: BlockEntry, params: dict[str, Any], in_shapes: list[Shape]) -> BlockModule:
    """Compile a block node (after validation: a problem here is a bug, not user input)."""
    assert entry.decl is not None
    repeats, problems = analyse_repeats(entry, params, in_shapes)
    if problems or len(repeats) < params["repeat"]:
        raise ValueError(f"block {entry.type} cannot be built: {'; '.join(i.message for _, i in problems)}")
    built = []
    for repeat in repeats:
        plan = repeat.plan
        layers: dict[str, nn.Module] = {}
        for nid in next(iter(plan.networks.values())).order:
            node = plan.nodes[nid]
            if node.entry.build is None or node.owner in layers:
                continue
            owner = plan.nodes[node.owner]
            shapes = [plan.shape(src, port) for src, port in owner.inputs]
            layers[node.owner] = owner.entry.build(owner.params, shapes)
        built.append((layers, _Program(plan, entry.inputs, entry.decl.output)))
    return BlockModule(entry.type, built)
