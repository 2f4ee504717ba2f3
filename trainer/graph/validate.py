"""Whole-spec validation: one report with every node's shape and parameter count and every problem found, each
naming the node and the field. `validate` never raises on user input; `SpecError` carries the same issues for
callers that need a valid spec (build, fit, the CLI)."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from trainer.catalog import Issue, check_params
from trainer.graph.analysis import GraphPlan, analyze_graph
from trainer.graph.spec import RunSpec, load_spec

ShapeJSON = list[int | None]  # the batch dimension is null: [null, 64]


class SpecError(ValueError):
    """A spec that cannot be used; `issues` say why, each pinned to a node and field where one applies."""

    def __init__(self, issues: list[Issue]):
        self.issues = list(issues)
        super().__init__("\n".join(i.message for i in self.issues) or "invalid spec")

    @classmethod
    def single(cls, type_: str, message: str, field: str = "spec") -> SpecError:
        return cls([Issue(type=type_, message=message, field=field)])


class NodeReport(BaseModel):
    id: str
    type: str
    network: str
    output_shape: ShapeJSON | None  # the first output port's
    output_shapes: dict[str, ShapeJSON] | None
    params: int  # trainable and buffer-free parameter count; 0 for a node that shares another's weights
    shares: str | None = None
    # A block's inner nodes for the editor's expanded view: {repeat, id, type, output_shape, params} per repeat.
    inner: list[dict[str, Any]] | None = None


class EdgeReport(BaseModel):
    index: int
    source: str
    target: str
    shape: ShapeJSON | None  # the tensor that flows along the edge


class NetworkReport(BaseModel):
    role: str
    inputs: list[str]
    outputs: list[str]
    params: int


class ValidationReport(BaseModel):
    ok: bool
    nodes: list[NodeReport] = []
    edges: list[EdgeReport] = []
    networks: list[NetworkReport] = []
    total_params: int = 0
    issues: list[Issue] = []


def issues_from_pydantic(exc: ValidationError, raw: Any) -> list[Issue]:
    """Turn pydantic's errors into Issues: `("graph", "nodes", 3, "params")` names node 3's id and field params."""
    by_loc: dict[tuple[str | None, str], list[str]] = {}
    for err in exc.errors(include_url=False):
        loc = [part for part in err["loc"] if not _is_union_tag(part)]
        node_id, field = _locate(loc, raw)
        by_loc.setdefault((node_id, field), []).append(err["msg"])
    issues = []
    for (node_id, field), messages in by_loc.items():
        text = " or ".join(dict.fromkeys(messages))
        prefix = f'node "{node_id}": ' if node_id else ""
        issues.append(
            Issue(
                type="invalid_spec", message=f"{prefix}{field or 'spec'}: {text}", node_id=node_id, field=field or None
            )
        )
    return issues


def _is_union_tag(part: str | int) -> bool:
    # pydantic puts the union member it tried into the location: "int", "constrained-int", "literal['full']"
    return isinstance(part, str) and (part in {"int", "float", "str", "bool", "none"} or "[" in part or "-" in part)


def items_of(raw: Any, key: str) -> list[Any]:
    """raw["graph"][key] when it is a list, else []: the raw input may be anything."""
    graph = raw.get("graph") if isinstance(raw, dict) else None
    items = graph.get(key) if isinstance(graph, dict) else None
    return items if isinstance(items, list) else []


def _locate(loc: list[str | int], raw: Any) -> tuple[str | None, str]:
    if len(loc) >= 3 and loc[0] == "graph" and loc[1] in ("nodes", "edges") and isinstance(loc[2], int):
        items = items_of(raw, loc[1])
        item = items[loc[2]] if loc[2] < len(items) else None
        if loc[1] == "nodes":
            node_id = item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) else None
            rest = ".".join(str(p) for p in loc[3:])
            if node_id is None:
                return None, f"graph.nodes[{loc[2]}]" + (f".{rest}" if rest else "")
            return node_id, rest or "id"
        node_ids = {n["id"] for n in items_of(raw, "nodes") if isinstance(n, dict) and isinstance(n.get("id"), str)}
        ends = [item.get(end) for end in ("target", "source")] if isinstance(item, dict) else []
        node_id = next((e for e in ends if isinstance(e, str) and e in node_ids), None)
        return node_id, f"edges[{loc[2]}]" + "".join(f".{p}" for p in loc[3:])
    return None, ".".join(str(p) for p in loc) or "spec"


def graph_plan(spec: RunSpec) -> GraphPlan:
    """The graph analysed against the data set's input shapes; data-set problems are included in its issues."""
    from trainer.data.registry import dataset_info

    info, data_issues = dataset_info(spec.data)
    field_shapes = info.shapes() if info is not None else None
    plan = analyze_graph(spec.graph, field_shapes)
    plan.issues[:0] = data_issues
    return plan


def validate(source: RunSpec | dict[str, Any] | str | Path) -> ValidationReport:
    """Check a spec completely and infer shapes; never raises on user input."""
    try:
        spec = load_spec(source)
    except SpecError as exc:
        return ValidationReport(ok=False, issues=exc.issues)
    try:
        return _validate(spec)
    except Exception as exc:  # noqa: BLE001 — a bug must not crash the caller; the issue says it is ours
        detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return ValidationReport(
            ok=False, issues=[Issue(type="internal_error", message=f"internal error while validating: {detail}")]
        )


def _validate(spec: RunSpec) -> ValidationReport:
    from trainer.data.registry import dataset_info
    from trainer.train.losses import check_loss
    from trainer.train.optim import check_optimizer
    from trainer.train.probes import check_probes
    from trainer.train.programs import PROGRAMS
    from trainer.train.schedules import check_schedule

    info, _ = dataset_info(spec.data)
    plan = graph_plan(spec)
    issues = list(plan.issues)

    program = PROGRAMS.entries.get(spec.program.kind)
    if program is None:
        issues.append(PROGRAMS.unknown(spec.program.kind, field="program.kind"))
    else:
        issues += check_params(
            program.params, spec.program.params, prefix="program.params", what=f"program {program.kind}: "
        )[1]
        for role in program.roles:
            if role not in plan.networks and spec.graph.nodes:
                issues.append(
                    Issue(
                        type="missing_network",
                        field="graph.nodes",
                        message=f"program {program.kind} needs a network {role!r}: set the nodes' network to {role!r}",
                    )
                )
        for role in plan.networks:
            if role not in program.roles:
                nid = plan.networks[role].order[0]
                issues.append(
                    Issue(
                        type="unknown_network",
                        node_id=nid,
                        field="network",
                        message=f'node "{nid}": program {program.kind} has no network {role!r} '
                        f"(it uses: {', '.join(program.roles)})",
                    )
                )

    if info is not None and "model" in plan.networks:
        for nid in plan.networks["model"].input_ids:
            fld = plan.nodes[nid].params.get("field")
            if fld not in info.fields:
                issues.append(
                    Issue(
                        type="unknown_field",
                        node_id=nid,
                        field="params.field",
                        message=f'node "{nid}": the data set has no input {fld!r} (it has: {", ".join(info.fields)})',
                    )
                )
    if spec.loss.expression is not None and spec.loss.name != "expression":
        issues.append(
            Issue(
                type="unused_expression",
                field="loss.name",
                message=f"loss.expression is set but loss.name is {spec.loss.name!r}: set it to "
                '"expression" to train on the formula, or remove the expression',
            )
        )
    output_node, out_shape = _loss_output(spec, plan, issues)
    issues += check_loss(spec.loss, out_shape, info, output_node=output_node)
    issues += check_optimizer(spec.optimizer)
    issues += check_schedule(spec.schedule)
    issues += check_probes(spec.probes, info, plan)
    if spec.init_from is not None:
        from trainer.train.transfer import check_init_from, meta_state

        issues += check_init_from(spec, set(plan.nodes), meta_state(spec, plan))
    if spec.early_stopping and spec.early_stopping.metric.startswith("val/") and spec.data.val_fraction == 0:
        issues.append(
            Issue(
                type="no_validation_split",
                field="early_stopping.metric",
                message=f"early stopping on {spec.early_stopping.metric} needs a validation split: "
                "set data.val_fraction above 0",
            )
        )
    return _report(spec, plan, issues)


def _loss_output(spec: RunSpec, plan: GraphPlan, issues: list[Issue]) -> tuple[str | None, tuple[int, ...] | None]:
    """The output node the loss applies to, and its shape (None when unknown)."""
    network = plan.networks.get("model")
    if network is None:
        return None, None
    wanted = spec.loss.output
    if wanted is not None:
        if wanted not in network.output_ids:
            issues.append(
                Issue(
                    type="unknown_output",
                    field="loss.output",
                    message=f"loss.output {wanted!r} is not an output of the model "
                    f"(outputs: {', '.join(network.output_ids) or 'none'})",
                )
            )
            return None, None
        return wanted, plan.shape(wanted)
    if len(network.output_ids) > 1:
        issues.append(
            Issue(
                type="ambiguous_output",
                field="loss.output",
                message=f"the model has several outputs ({', '.join(network.output_ids)}): "
                "name the one the loss applies to in loss.output",
            )
        )
        return None, None
    if not network.output_ids:
        return None, None
    return network.output_ids[0], plan.shape(network.output_ids[0])


def _shape_json(shape: tuple[int, ...] | None) -> ShapeJSON | None:
    return None if shape is None else [None, *shape]


def _report(spec: RunSpec, plan: GraphPlan, issues: list[Issue]) -> ValidationReport:
    nodes = [
        NodeReport(
            id=nid,
            type=node.spec.type,
            network=node.spec.network,
            output_shape=_shape_json(plan.shape(nid)),
            output_shapes={p: [None, *s] for p, s in node.out_shapes.items()} if node.out_shapes else None,
            params=node.param_count,
            shares=node.owner if node.owner != nid else None,
            inner=node.inner or None,
        )
        for nid, node in plan.nodes.items()
    ]
    edges = [
        EdgeReport(index=i, source=e.source, target=e.target, shape=_shape_json(plan.shape(e.source, e.source_port)))
        for i, e in enumerate(spec.graph.edges)
    ]
    networks = [
        NetworkReport(
            role=n.role,
            inputs=n.input_ids,
            outputs=n.output_ids,
            params=sum(plan.nodes[i].param_count for i in n.order),
        )
        for n in plan.networks.values()
    ]
    return ValidationReport(
        ok=not issues,
        nodes=nodes,
        edges=edges,
        networks=networks,
        total_params=sum(n.params for n in nodes),
        issues=_dedupe(issues),
    )


def _dedupe(issues: list[Issue]) -> list[Issue]:
    seen: set[tuple[str, str | None, str | None]] = set()
    out = []
    for issue in issues:
        key = (issue.message, issue.node_id, issue.field)
        if key not in seen:
            seen.add(key)
            out.append(issue)
    return out
