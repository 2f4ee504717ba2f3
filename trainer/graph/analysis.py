"""Graph analysis: structure checks (ids, edges, ports, cycles, sharing) and shape inference by a dry run on the
`meta` device. Its result, a GraphPlan, is what validation reports and what the compiler builds from."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from trainer.catalog import Issue, check_params
from trainer.graph.registry import LayerEntry, Shape, fmt_shape
from trainer.graph.spec import GraphSpec, NodeSpec

_META_BATCH = 2  # BatchNorm refuses a batch of 1 in training mode, even on meta
_RESERVED_IDS = frozenset(name for name in dir(nn.ModuleDict()) if not name.startswith("__"))


@dataclass
class NodePlan:
    spec: NodeSpec
    entry: LayerEntry | None  # None for an unknown type
    params: dict[str, Any]  # clean: defaults filled, values coerced
    owner: str  # the node whose module this node runs (itself unless it shares weights)
    inputs: list[tuple[str, str]] = field(default_factory=list)  # (source node, source port), in port order
    out_shapes: dict[str, Shape] | None = None  # by output port; None when unknown (an upstream error)
    param_count: int = 0
    inner: list[dict[str, Any]] = field(default_factory=list)  # a block's inner nodes, per repeat (expanded view)


@dataclass
class NetworkPlan:
    role: str
    order: list[str]  # node ids in topological order
    input_ids: list[str]
    output_ids: list[str]


@dataclass
class GraphPlan:
    nodes: dict[str, NodePlan]
    networks: dict[str, NetworkPlan]
    issues: list[Issue]

    def shape(self, node_id: str, port: str | None = None) -> Shape | None:
        plan = self.nodes.get(node_id)
        if plan is None or plan.out_shapes is None:
            return None
        if port is None:
            return next(iter(plan.out_shapes.values()), None)
        return plan.out_shapes.get(port)


def _node_msg(node_id: str, text: str) -> str:
    return f'node "{node_id}": {text}'


def analyze_graph(
    graph: GraphSpec, field_shapes: dict[str, Shape] | None, *, layers: Mapping[str, LayerEntry] | None = None
) -> GraphPlan:
    """Check the graph and infer every node's output shape. `field_shapes` maps the data set's input fields to
    one example's shape (None when the data set itself is invalid: shapes then come only from Input params).
    `layers` is the scope of node types (a block's inner graph passes its own); by default the catalog plus the
    graph's own blocks. Never raises on user input."""
    if layers is None:
        from trainer.graph.blocks import using_blocks

        with using_blocks(graph.blocks) as scope:
            plan = analyze_graph(graph, field_shapes, layers=scope.layers)
        plan.issues[:0] = scope.issues
        return plan
    issues: list[Issue] = []
    nodes: dict[str, NodePlan] = {}

    for i, node in enumerate(graph.nodes):
        if node.id in nodes:
            issues.append(
                Issue(
                    type="duplicate_id",
                    message=_node_msg(node.id, "the id is used by another node too"),
                    node_id=node.id,
                    field=f"nodes[{i}].id",
                )
            )
            continue
        if node.id in _RESERVED_IDS:
            issues.append(
                Issue(
                    type="reserved_id",
                    message=_node_msg(node.id, "this id is reserved; rename the node"),
                    node_id=node.id,
                    field="id",
                )
            )
        entry = layers.get(node.type)
        if entry is None:
            issues.append(
                Issue(
                    type="unknown_type",
                    message=_node_msg(
                        node.id, f"unknown layer type {node.type!r} (known: {', '.join(sorted(layers))})"
                    ),
                    node_id=node.id,
                    field="type",
                )
            )
            params: dict[str, Any] = {}
        else:
            params, param_issues = check_params(entry.params, node.params, node_id=node.id, what=f'node "{node.id}": ')
            issues += param_issues
        nodes[node.id] = NodePlan(spec=node, entry=entry, params=params, owner=node.id)

    _resolve_sharing(nodes, issues)
    _connect(graph, nodes, issues)
    order = _topological_order(nodes, issues)
    networks = _networks(nodes, order, issues)
    if order is not None:
        _infer_shapes(nodes, order, field_shapes or {}, field_shapes is not None, issues)
    return GraphPlan(nodes=nodes, networks=networks, issues=issues)


def _resolve_sharing(nodes: dict[str, NodePlan], issues: list[Issue]) -> None:
    for plan in nodes.values():
        target = plan.spec.shares
        if target is None:
            continue
        nid = plan.spec.id
        seen = {nid}
        owner = target
        while owner in nodes and nodes[owner].spec.shares is not None and owner not in seen:
            seen.add(owner)
            owner = nodes[owner].spec.shares  # type: ignore[assignment]
        problem = None
        if target not in nodes:
            problem = f"shares weights with {target!r}, which does not exist"
        elif owner in seen:
            problem = f"weight sharing forms a loop through {target!r}"
        elif plan.entry is None or nodes[owner].entry is None:
            problem = None  # the unknown type is reported already
        elif plan.entry.type == "input" or plan.entry.build is None:
            problem = "an input node has no weights to share"
        elif nodes[owner].spec.type != plan.spec.type:
            problem = (
                f"cannot share weights with {owner!r}: it is a {nodes[owner].spec.type}, this is a {plan.spec.type}"
            )
        elif nodes[owner].params != plan.params:
            problem = (
                f"cannot share weights with {owner!r}: its parameters differ ({nodes[owner].params} vs {plan.params})"
            )
        if problem:
            issues.append(Issue(type="invalid_sharing", message=_node_msg(nid, problem), node_id=nid, field="shares"))
        else:
            plan.owner = owner


def _connect(graph: GraphSpec, nodes: dict[str, NodePlan], issues: list[Issue]) -> None:
    """Assign every edge to an input port; report dangling edges, unknown ports and unconnected inputs."""
    by_port: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
    for i, edge in enumerate(graph.edges):
        where = f"edges[{i}]"
        src, dst = nodes.get(edge.source), nodes.get(edge.target)
        if src is None or dst is None:
            missing, end = (edge.source, "source") if src is None else (edge.target, "target")
            other = edge.target if src is None else edge.source
            issues.append(
                Issue(
                    type="dangling_edge",
                    message=f"edge {edge.source} → {edge.target}: {end} node {missing!r} does not exist",
                    node_id=other if other in nodes else None,
                    field=f"{where}.{end}",
                )
            )
            continue
        if src.entry is None or dst.entry is None:
            continue
        if src.spec.network != dst.spec.network:
            issues.append(
                Issue(
                    type="cross_network_edge",
                    message=_node_msg(
                        dst.spec.id,
                        f"edge from {edge.source!r} crosses networks "
                        f"({src.spec.network} → {dst.spec.network}); the program "
                        "connects networks, not edges",
                    ),
                    node_id=dst.spec.id,
                    field=f"{where}.source",
                )
            )
            continue
        out_port = edge.source_port or src.entry.outputs[0] if src.entry.outputs else None
        if out_port not in src.entry.outputs:
            issues.append(
                Issue(
                    type="unknown_port",
                    message=_node_msg(
                        src.spec.id, f"has no output port {edge.source_port!r} (ports: {', '.join(src.entry.outputs)})"
                    ),
                    node_id=src.spec.id,
                    field=f"{where}.source_port",
                )
            )
            continue
        if dst.entry.type == "input":
            issues.append(
                Issue(
                    type="input_has_inputs",
                    message=_node_msg(dst.spec.id, f"an input node cannot receive an edge (from {edge.source!r})"),
                    node_id=dst.spec.id,
                    field=f"{where}.target",
                )
            )
            continue
        ports = by_port[dst.spec.id]
        if edge.target_port is not None:
            if edge.target_port not in dst.entry.inputs:
                issues.append(
                    Issue(
                        type="unknown_port",
                        message=_node_msg(
                            dst.spec.id,
                            f"has no input port {edge.target_port!r} (ports: {', '.join(dst.entry.inputs)})",
                        ),
                        node_id=dst.spec.id,
                        field=f"{where}.target_port",
                    )
                )
                continue
            port = edge.target_port
        else:
            free = [p for p in dst.entry.inputs if dst.entry.variadic or not ports[p]]
            if not free:
                taken = ", ".join(f"{p} ← {ports[p][0][0]}" for p in dst.entry.inputs)
                issues.append(
                    Issue(
                        type="port_taken",
                        message=_node_msg(
                            dst.spec.id, f"all inputs are connected already ({taken}); cannot also take {edge.source!r}"
                        ),
                        node_id=dst.spec.id,
                        field=f"{where}.target",
                    )
                )
                continue
            port = free[0]
        if ports[port] and not dst.entry.variadic:
            issues.append(
                Issue(
                    type="port_taken",
                    message=_node_msg(
                        dst.spec.id, f"input port {port!r} is connected already (from {ports[port][0][0]!r})"
                    ),
                    node_id=dst.spec.id,
                    field=f"{where}.target_port",
                )
            )
            continue
        ports[port].append((src.spec.id, out_port))

    for nid, plan in nodes.items():
        entry = plan.entry
        if entry is None or entry.type == "input":
            continue
        ports = by_port[nid]
        for port in entry.inputs:
            if not ports[port]:
                issues.append(
                    Issue(
                        type="unconnected_input",
                        message=_node_msg(nid, f"input port {port!r} is not connected"),
                        node_id=nid,
                        field=f"inputs.{port}",
                    )
                )
            elif entry.variadic and len(ports[port]) < 2:
                issues.append(
                    Issue(
                        type="unconnected_input",
                        message=_node_msg(nid, f"a {entry.type} needs at least 2 inputs, got 1"),
                        node_id=nid,
                        field=f"inputs.{port}",
                    )
                )
        plan.inputs = [src for port in entry.inputs for src in ports[port]]


def _topological_order(nodes: dict[str, NodePlan], issues: list[Issue]) -> list[str] | None:
    """Kahn's algorithm in node-list order (so the order, and with it the weight init, is stable)."""
    indegree = {nid: len(plan.inputs) for nid, plan in nodes.items()}
    children: dict[str, list[str]] = defaultdict(list)
    for nid, plan in nodes.items():
        for src, _ in plan.inputs:
            children[src].append(nid)
    ready = [nid for nid in nodes if indegree[nid] == 0]
    order: list[str] = []
    while ready:
        nid = ready.pop(0)
        order.append(nid)
        for child in children[nid]:
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    if len(order) == len(nodes):
        return order
    for nid in nodes:
        if indegree[nid] > 0:
            issues.append(
                Issue(
                    type="cycle",
                    message=_node_msg(
                        nid,
                        "is part of a cycle; a network must be acyclic "
                        f"(its inputs: {', '.join(s for s, _ in nodes[nid].inputs)})",
                    ),
                    node_id=nid,
                    field="inputs",
                )
            )
    return None


def _networks(nodes: dict[str, NodePlan], order: list[str] | None, issues: list[Issue]) -> dict[str, NetworkPlan]:
    has_children = {src for plan in nodes.values() for src, _ in plan.inputs}
    networks: dict[str, NetworkPlan] = {}
    for nid in order or list(nodes):
        role = nodes[nid].spec.network
        net = networks.setdefault(role, NetworkPlan(role=role, order=[], input_ids=[], output_ids=[]))
        net.order.append(nid)
        entry = nodes[nid].entry
        if entry is not None and entry.type == "input":
            net.input_ids.append(nid)
            if nid not in has_children:
                issues.append(
                    Issue(
                        type="unused_input",
                        message=_node_msg(nid, "this input feeds no layer"),
                        node_id=nid,
                        field="id",
                    )
                )
        elif nid not in has_children:
            net.output_ids.append(nid)
    if not nodes:
        issues.append(
            Issue(type="empty_graph", message="the graph has no nodes; add an input and a layer", field="graph.nodes")
        )
    for net in networks.values():
        if not net.input_ids:
            issues.append(
                Issue(type="no_input", message=f"network {net.role!r} has no input node", field="graph.nodes")
            )
        if not net.output_ids:
            issues.append(
                Issue(
                    type="no_output",
                    message=f"network {net.role!r} has no output: every layer feeds another",
                    field="graph.nodes",
                )
            )
    return networks


def _infer_shapes(
    nodes: dict[str, NodePlan], order: list[str], field_shapes: dict[str, Shape], data_known: bool, issues: list[Issue]
) -> None:
    modules: dict[str, nn.Module] = {}
    for nid in order:
        plan = nodes[nid]
        entry = plan.entry
        if entry is None:
            continue
        if entry.type == "input":
            plan.out_shapes = _input_shape(plan, field_shapes, data_known, issues)
            continue
        in_shapes = [(nodes[src].out_shapes or {}).get(port) for src, port in plan.inputs]
        if not in_shapes or any(s is None for s in in_shapes):
            continue  # an upstream problem, reported there
        shapes: list[Shape] = in_shapes  # type: ignore[assignment]
        if entry.infer is not None:  # a block: its inside is analysed node by node, errors name the inner node
            inference = entry.infer(nid, plan.params, shapes)
            issues += inference.issues
            plan.out_shapes, plan.inner = inference.out_shapes, inference.inner
            plan.param_count = inference.param_count if plan.owner == nid else 0
            continue
        message = entry.check(plan.params, shapes) if entry.check else None
        if message is None:
            message = _dry_run(plan, shapes, modules)
        if message:
            sources = ", ".join(f"{fmt_shape(s)} from {src!r}" for s, (src, _) in zip(shapes, plan.inputs))
            issues.append(
                Issue(
                    type="shape_mismatch",
                    message=_node_msg(nid, f"{message} (input: {sources})"),
                    node_id=nid,
                    field="inputs",
                )
            )


def _input_shape(
    plan: NodePlan, field_shapes: dict[str, Shape], data_known: bool, issues: list[Issue]
) -> dict[str, Shape] | None:
    nid, given, fld = plan.spec.id, plan.params["shape"], plan.params["field"]
    data_shape = field_shapes.get(fld)
    # An input with its own shape may be fed by the program (a generator's noise), not by the data set.
    if data_known and data_shape is None and given is None:
        issues.append(
            Issue(
                type="unknown_field",
                message=_node_msg(
                    nid, f"the data set has no input {fld!r} (it has: {', '.join(field_shapes) or 'none'})"
                ),
                node_id=nid,
                field="params.field",
            )
        )
        return None
    if given is not None:
        if data_shape is not None and tuple(given) != tuple(data_shape):
            issues.append(
                Issue(
                    type="shape_mismatch",
                    message=_node_msg(
                        nid,
                        f"shape {fmt_shape(tuple(given))} does not match the data set's "
                        f"{fld!r}, which is {fmt_shape(data_shape)}",
                    ),
                    node_id=nid,
                    field="params.shape",
                )
            )
        return {"out": tuple(given)}
    return {"out": tuple(data_shape)} if data_shape is not None else None


def _dry_run(plan: NodePlan, shapes: list[Shape], modules: dict[str, nn.Module]) -> str | None:
    """Build the module on the meta device and run it on meta tensors: shapes and parameter counts, no memory."""
    entry = plan.entry
    assert entry is not None and entry.build is not None, f"{plan.spec.id} has no builder"
    try:
        with torch.device("meta"):
            module = modules.get(plan.owner)
            if module is None:
                module = modules[plan.owner] = entry.build(plan.params, shapes)
            xs = [torch.empty((_META_BATCH, *s), device="meta") for s in shapes]
            out = module(*xs)
    except Exception as exc:  # noqa: BLE001 — any failure of a user's layer combination is a user error
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    outs = out if isinstance(out, (tuple, list)) else (out,)
    if len(outs) != len(entry.outputs):
        return f"produced {len(outs)} outputs, the catalog declares {len(entry.outputs)}"
    plan.out_shapes = {port: tuple(t.shape[1:]) for port, t in zip(entry.outputs, outs)}
    if plan.owner == plan.spec.id:
        plan.param_count = sum(p.numel() for p in module.parameters())
    return None
