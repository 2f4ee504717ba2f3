"""Blocks: catalog entries with their inner graph, expansion per repeat, first-only params, errors that name the
block and the inner node, recursion refused, stable state_dict keys, print, torch.compile."""

from __future__ import annotations

from typing import Any

import torch

from trainer.catalogs import catalog
from trainer.graph.analysis import analyze_graph
from trainer.graph.compile import build_networks
from trainer.graph.registry import all_layers
from trainer.graph.spec import GraphSpec, load_spec
from trainer.graph.validate import validate

IMAGE = (3, 16, 16)


def chain(*nodes: dict[str, Any], blocks: list[dict[str, Any]] | None = None) -> GraphSpec:
    """x (an image input) → nodes in order."""
    all_nodes = [{"id": "x", "type": "input"}, *nodes]
    edges = [{"source": a["id"], "target": b["id"]} for a, b in zip(all_nodes, all_nodes[1:])]
    return GraphSpec.model_validate({"nodes": all_nodes, "edges": edges, "blocks": blocks or []})


def node(nid: str, type_: str, **params: Any) -> dict[str, Any]:
    return {"id": nid, "type": type_, "params": params}


def mlp_block(**param_overrides: Any) -> dict[str, Any]:
    """A user block: dense($units) → relu, added to its input (widths must match)."""
    units = {"name": "units", "kind": "int", "default": 8, **param_overrides}
    return {
        "name": "mlp_block",
        "params": [units],
        "nodes": [node("inp", "input"), node("fc", "dense", units="$units"), node("act", "relu"), node("sum", "add")],
        "edges": [
            {"source": "inp", "target": "fc"},
            {"source": "fc", "target": "act"},
            {"source": "act", "target": "sum"},
            {"source": "inp", "target": "sum"},
        ],
        "output": "sum",
    }


def resnet_spec(**stage2: Any) -> dict[str, Any]:
    nodes = [
        node("x", "input"),
        node("stem", "conv2d", filters=8, kernel_size=3, padding="1"),
        node("stage1", "residual_basic", channels=8, repeat=2),
        node("stage2", "residual_basic", **{"channels": 16, "stride": 2, "repeat": 2, **stage2}),
        node("gap", "global_avg_pool"),
        node("head", "dense", units=3),
        node("p", "softmax"),
    ]
    edges = [{"source": a["id"], "target": b["id"]} for a, b in zip(nodes, nodes[1:])]
    return {
        "graph": {"nodes": nodes, "edges": edges},
        "data": {"name": "shapes", "params": {"n": 60, "size": 16}},
        "probes": [],
    }


def test_builtin_blocks_are_in_the_catalog_with_their_inner_graph() -> None:
    entries = {e["type"]: e for e in catalog()["layers"] if e["category"] == "block"}
    assert {"residual_basic", "residual_bottleneck", "inception"} <= set(entries)
    basic = entries["residual_basic"]
    params = {p["name"]: p for p in basic["params"]}
    assert params["repeat"]["default"] == 1 and params["repeat"]["min"] == 1
    assert params["stride"].get("first_only") is True and "first_only" not in params["channels"]
    inner_ids = {n["id"] for n in basic["block"]["nodes"]}
    assert basic["block"]["output"] in inner_ids and "shortcut" in inner_ids


def test_builtin_blocks_use_only_known_layer_types() -> None:
    layers = all_layers()
    for name in layers.names():
        entry = layers.get(name)
        if entry.category == "block" and hasattr(entry, "decl"):
            missing = [n.type for n in entry.decl.nodes if n.type not in layers]
            assert not missing, f"{name} uses unknown types {missing}"


def test_repeat_chains_the_block_and_counts_every_copy() -> None:
    once = analyze_graph(chain(node("s", "residual_basic", channels=3)), {"x": IMAGE})
    thrice = analyze_graph(chain(node("s", "residual_basic", channels=3, repeat=3)), {"x": IMAGE})
    assert not once.issues and not thrice.issues
    assert thrice.shape("s") == once.shape("s") == IMAGE
    assert thrice.nodes["s"].param_count == 3 * once.nodes["s"].param_count > 0


def test_first_only_stride_halves_the_image_once_per_stage() -> None:
    plan = analyze_graph(chain(node("s", "residual_basic", channels=8, stride=2, repeat=3)), {"x": IMAGE})
    assert plan.shape("s") == (8, 8, 8)  # not 2 × 2: repeats 2 and 3 take the default stride 1
    conv_a = {r["repeat"]: r["output_shape"] for r in plan.nodes["s"].inner if r["id"] == "conv_a"}
    assert conv_a == {1: [None, 8, 8, 8], 2: [None, 8, 8, 8], 3: [None, 8, 8, 8]}


def test_shortcut_projects_only_where_the_shape_changes() -> None:
    model = build_networks(load_spec(resnet_spec()))["model"]
    stage2 = model.layers["stage2"]
    assert isinstance(stage2[0]["shortcut"], torch.nn.Sequential)  # 8 → 16 channels, stride 2: 1×1 conv + BN
    assert isinstance(stage2[1]["shortcut"], torch.nn.Identity)
    assert isinstance(model.layers["stage1"][0]["shortcut"], torch.nn.Identity)


def test_bottleneck_outputs_four_times_its_channels() -> None:
    plan = analyze_graph(chain(node("b", "residual_bottleneck", channels=4, stride=2)), {"x": IMAGE})
    assert not plan.issues and plan.shape("b") == (16, 8, 8)


def test_inception_concatenates_its_branches() -> None:
    plan = analyze_graph(chain(node("inc", "inception", f1=2, f3=3, f5=4, pool_proj=5)), {"x": IMAGE})
    assert not plan.issues and plan.shape("inc") == (2 + 3 + 4 + 5, 16, 16)


def test_inner_param_error_names_block_repeat_and_inner_node() -> None:
    graph = chain(node("head", "mlp_block", units=0), blocks=[mlp_block()])
    issue = next(i for i in analyze_graph(graph, {"x": (8,)}).issues if i.type == "invalid_param")
    assert issue.node_id == "head" and issue.field == "fc.params.units"
    assert issue.message.startswith('block "head" (mlp_block), repeat 1, node "fc": ')


def test_shape_error_in_a_later_repeat_names_that_repeat() -> None:
    # units applies to the first repeat only: repeat 2 goes back to the default 4, which cannot add to width 8
    graph = chain(node("b", "mlp_block", units=8, repeat=2), blocks=[mlp_block(default=4, first_only=True)])
    issues = analyze_graph(graph, {"x": (8,)}).issues
    assert [(i.node_id, i.field) for i in issues] == [("b", "sum.inputs")]
    assert 'block "b" (mlp_block), repeat 2, node "sum"' in issues[0].message
    assert "(N, 8)" in issues[0].message and "(N, 4)" in issues[0].message


def test_validation_report_gives_a_blocks_shape_count_and_inner_nodes() -> None:
    report = validate(resnet_spec())
    assert report.ok, report.issues
    stage2 = next(n for n in report.nodes if n.id == "stage2")
    assert stage2.output_shape == [None, 16, 8, 8]
    assert stage2.inner is not None and stage2.params == sum(r["params"] for r in stage2.inner) > 0
    assert {r["repeat"] for r in stage2.inner} == {1, 2}


def test_blocks_that_use_each_other_are_refused() -> None:
    a = {**mlp_block(), "name": "a", "nodes": [*mlp_block()["nodes"][:3], node("sum", "b")]}
    b = {**mlp_block(), "name": "b", "nodes": [*mlp_block()["nodes"][:3], node("sum", "a")]}
    for blk in (a, b):
        blk["edges"] = [e for e in blk["edges"] if not (e["source"] == "inp" and e["target"] == "sum")]
    issues = analyze_graph(chain(node("n", "a"), blocks=[a, b]), {"x": (8,)}).issues
    recursive = [i for i in issues if i.type == "recursive_block"]
    assert {i.field for i in recursive} >= {"graph.blocks[0].nodes", "graph.blocks[1].nodes"}
    assert any(i.node_id == "n" for i in recursive)
    assert "a → b → a" in recursive[0].message


def test_a_block_named_like_a_layer_is_an_error() -> None:
    issues = analyze_graph(chain(node("d", "dense"), blocks=[{**mlp_block(), "name": "dense"}]), {"x": (8,)}).issues
    assert [(i.type, i.field) for i in issues] == [("block_name_clash", "graph.blocks[0].name")]


def test_a_reference_to_an_undeclared_param_is_an_error() -> None:
    blk = mlp_block()
    blk["nodes"][1] = node("fc", "dense", units="$width")
    issues = analyze_graph(chain(node("b", "mlp_block"), blocks=[blk]), {"x": (8,)}).issues
    assert any(i.field == "graph.blocks[0].nodes[1].params.units" and "$width" in i.message for i in issues)


def test_a_block_with_two_inputs_cannot_repeat() -> None:
    blk = mlp_block()
    blk["nodes"][0] = node("left", "input")
    blk["nodes"].append(node("right", "input"))
    blk["edges"] = [
        {"source": "left", "target": "fc"},
        {"source": "fc", "target": "act"},
        {"source": "act", "target": "sum"},
        {"source": "right", "target": "sum"},
    ]
    graph = GraphSpec.model_validate(
        {
            "nodes": [node("x", "input"), node("pair", "mlp_block", repeat=2)],
            "edges": [{"source": "x", "target": "pair"}, {"source": "x", "target": "pair"}],
            "blocks": [blk],
        }
    )
    issues = analyze_graph(graph, {"x": (8,)}).issues
    assert [(i.node_id, i.field) for i in issues] == [("pair", "repeat")]


def test_state_dict_keys_name_the_block_the_repeat_and_the_inner_node() -> None:
    keys = build_networks(load_spec(resnet_spec()))["model"].state_dict().keys()
    assert "layers.stage2.0.conv_a.weight" in keys
    assert "layers.stage2.1.bn_b.running_mean" in keys
    assert "layers.stage2.0.shortcut.0.weight" in keys  # the projection's 1×1 conv


def test_print_shows_the_block_type_and_inner_ids() -> None:
    text = str(build_networks(load_spec(resnet_spec()))["model"])
    assert "(stage2): Block[residual_basic ×2]" in text
    assert "(conv_a): Conv2d(8, 16" in text


def test_spec_block_compiles_and_runs() -> None:
    spec = {
        "graph": {
            "nodes": [node("x", "input"), node("b", "mlp_block", units=16, repeat=2), node("out", "dense", units=1)],
            "edges": [{"source": "x", "target": "b"}, {"source": "b", "target": "out"}],
            "blocks": [mlp_block()],
        },
        "data": {"name": "blobs", "params": {"n": 40, "dims": 16}},
        "loss": {"name": "mse"},
    }
    assert validate(spec).ok
    model = build_networks(load_spec(spec))["model"]
    assert model(torch.randn(5, 16)).shape == (5, 1)
    assert "layers.b.1.fc.weight" in model.state_dict()


def test_torch_compile_matches_eager() -> None:
    model = build_networks(load_spec(resnet_spec()))["model"].eval()
    x = torch.randn(2, 1, 16, 16)
    compiled = torch.compile(model, backend="eager", fullgraph=True)
    torch.testing.assert_close(compiled(x), model(x))
