"""The compiler: a validated graph becomes a real `nn.Module` whose submodules are named by node id."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from trainer.graph.analysis import GraphPlan, NetworkPlan
from trainer.graph.spec import RunSpec, load_spec


class GraphModule(nn.Module):
    """One network of a graph. `forward(*inputs)` takes one tensor per Input node (in `input_ids` order) and
    returns the output tensor, or a tuple in `output_ids` order when the network has several outputs.

    The execution plan is a flat list of (module key, argument slots, result slots) computed once, so the
    forward pass is a plain loop that `torch.compile` traces without graph breaks."""

    def __init__(self, plan: GraphPlan, network: NetworkPlan, layers: dict[str, nn.Module]):
        super().__init__()
        self.role = network.role
        self.layers = nn.ModuleDict(layers)  # owned modules only: a sharing node runs its owner's module
        self.input_ids = list(network.input_ids)
        self.output_ids = list(network.output_ids)
        self.input_fields = [plan.nodes[i].params["field"] for i in self.input_ids]
        self.node_types = {nid: plan.nodes[nid].spec.type for nid in network.order}
        self.shares = {nid: plan.nodes[nid].owner for nid in network.order if plan.nodes[nid].owner != nid}

        slot: dict[tuple[str, str], int] = {}
        for nid in network.order:
            entry = plan.nodes[nid].entry
            assert entry is not None, f"node {nid} has no catalog entry"
            for port in entry.outputs:
                slot[(nid, port)] = len(slot)
        self._n_slots = len(slot)
        self._input_slots = [slot[(nid, "out")] for nid in self.input_ids]
        self._program: list[tuple[str, tuple[int, ...], tuple[int, ...]]] = []
        self._first_slot: dict[str, int] = {}
        for nid in network.order:
            node = plan.nodes[nid]
            assert node.entry is not None
            self._first_slot[nid] = slot[(nid, node.entry.outputs[0])]
            if node.entry.type == "input":
                continue
            args = tuple(slot[src] for src in node.inputs)
            outs = tuple(slot[(nid, port)] for port in node.entry.outputs)
            self._program.append((node.owner, args, outs))
        self._output_slots = [self._first_slot[nid] for nid in self.output_ids]
        # The input of a final softmax/sigmoid: losses that want logits read it (stable cross-entropy).
        self._logit_slots = [
            slot[plan.nodes[nid].inputs[0]] if plan.nodes[nid].entry.final_activation else self._first_slot[nid]  # type: ignore[union-attr]
            for nid in self.output_ids
        ]

    def _run(self, xs: tuple[torch.Tensor, ...]) -> list[Any]:
        if len(xs) != len(self._input_slots):
            raise TypeError(
                f"network {self.role!r} takes {len(self._input_slots)} input tensor(s) "
                f"({', '.join(self.input_ids)}), got {len(xs)}"
            )
        values: list[Any] = [None] * self._n_slots
        for i, x in zip(self._input_slots, xs):
            values[i] = x
        for key, args, outs in self._program:
            y = self.layers[key](*[values[a] for a in args])
            if len(outs) == 1:
                values[outs[0]] = y
            else:
                for o, t in zip(outs, y):
                    values[o] = t
        return values

    def forward(self, *xs: torch.Tensor, logits: bool = False) -> torch.Tensor | tuple[torch.Tensor, ...]:
        """`logits=True` returns, for an output that ends in softmax or sigmoid, that layer's input instead."""
        values = self._run(xs)
        result = tuple(values[i] for i in (self._logit_slots if logits else self._output_slots))
        return result[0] if len(result) == 1 else result

    @torch.no_grad()
    def forward_all(self, *xs: torch.Tensor) -> dict[str, torch.Tensor]:
        """Every node's (first) output by node id, in graph order: for probes, never in the training step."""
        values = self._run(xs)
        return {nid: values[i] for nid, i in self._first_slot.items()}

    def node_parameters(self, node_id: str) -> list[tuple[str, nn.Parameter]]:
        """The (name, parameter) pairs a node uses (its owner's, when it shares weights)."""
        key = self.shares.get(node_id, node_id)
        if key not in self.layers:
            return []
        return list(self.layers[key].named_parameters())


def build_networks(spec: RunSpec, plan: GraphPlan | None = None) -> dict[str, GraphModule]:
    """Compile every network of the spec (by role) on the CPU, initialised from `spec.seed` without touching the
    caller's random state. Raises SpecError when the graph or the data set is invalid."""
    from trainer.graph.validate import SpecError, graph_plan

    if plan is None:
        plan = graph_plan(spec)
    if plan.issues:
        raise SpecError(plan.issues)
    networks: dict[str, GraphModule] = {}
    built: dict[str, nn.Module] = {}  # by owner id, across networks: tied weights may span two of them
    from trainer.graph.blocks import using_blocks

    # The graph's own blocks stay in scope while building: time_distributed finds the block it wraps by name.
    with torch.random.fork_rng(devices=[]), using_blocks(spec.graph.blocks):
        torch.manual_seed(spec.seed)
        for role, network in plan.networks.items():
            layers: dict[str, nn.Module] = {}
            for nid in network.order:
                node = plan.nodes[nid]
                if node.entry is None or node.entry.build is None:
                    continue
                if node.owner not in built:
                    owner = plan.nodes[node.owner]
                    in_shapes = [plan.shape(src, port) for src, port in owner.inputs]
                    build = owner.entry.build if owner.entry else None
                    assert build is not None, f"node {node.owner} has no builder"
                    built[node.owner] = build(owner.params, in_shapes)  # type: ignore[arg-type]
                layers[node.owner] = built[node.owner]
            networks[role] = GraphModule(plan, network, layers)
    return networks


def build(spec: RunSpec | dict[str, Any] | str) -> nn.Module | dict[str, nn.Module]:
    """The spec's network as an `nn.Module`, or a dict of them by role when the program has several."""
    networks = build_networks(load_spec(spec))
    if len(networks) == 1:
        return next(iter(networks.values()))
    return dict(networks)
