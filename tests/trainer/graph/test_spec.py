"""The RunSpec contract: parsing, strictness, errors that name the field, the JSON Schema."""

from __future__ import annotations

import json

import pytest

from tests.conftest import mlp_spec
from trainer.graph.spec import RunSpec, json_schema, load_spec
from trainer.graph.validate import SpecError


def test_loads_a_dict_a_json_string_and_a_file(tmp_path):
    raw = mlp_spec()
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(raw))
    for source in (raw, json.dumps(raw), path, str(path)):
        spec = load_spec(source)
        assert isinstance(spec, RunSpec)
        assert [n.id for n in spec.graph.nodes] == ["x", "dense1", "act1", "out", "p"]


def test_defaults_are_filled():
    spec = load_spec(mlp_spec())
    assert spec.graph.version == 1
    assert spec.program.kind == "supervised"
    assert spec.device == "auto"
    assert spec.graph.nodes[0].network == "model"


def test_unknown_top_level_key_is_refused_and_named():
    with pytest.raises(SpecError) as err:
        load_spec(mlp_spec(epohcs=3))
    assert any(i.field == "epohcs" for i in err.value.issues)


def test_node_field_error_names_the_node():
    raw = mlp_spec()
    raw["graph"]["nodes"][1]["params"] = "wide"
    with pytest.raises(SpecError) as err:
        load_spec(raw)
    issue = err.value.issues[0]
    assert issue.node_id == "dense1"
    assert issue.field == "params"


def test_bad_node_id_is_refused():
    raw = mlp_spec()
    raw["graph"]["nodes"][1]["id"] = "has space"
    with pytest.raises(SpecError) as err:
        load_spec(raw)
    assert (err.value.issues[0].node_id, err.value.issues[0].field) == ("has space", "id")


def test_strings_are_not_coerced_to_numbers():
    with pytest.raises(SpecError) as err:
        load_spec(mlp_spec(batch_size="32"))
    assert err.value.issues[0].field == "batch_size"


def test_batch_size_full_means_gradient_descent():
    assert load_spec(mlp_spec(batch_size="full")).batch_size == "full"


def test_graph_version_must_be_1():
    raw = mlp_spec()
    raw["graph"]["version"] = 2
    with pytest.raises(SpecError) as err:
        load_spec(raw)
    assert err.value.issues[0].field == "graph.version"


def test_invalid_json_and_missing_file_are_spec_errors(tmp_path):
    with pytest.raises(SpecError, match="not valid JSON"):
        load_spec("{not json")
    with pytest.raises(SpecError, match="cannot read"):
        load_spec(tmp_path / "absent.json")


def test_nan_is_not_json():
    raw = mlp_spec()
    raw["optimizer"]["lr"] = float("nan")
    with pytest.raises(SpecError, match="not plain JSON"):
        load_spec(raw)


def test_json_schema_describes_the_contract():
    schema = json_schema()
    assert schema["title"] == "RunSpec"
    assert set(schema["required"]) == {"graph", "data"}
    assert "NodeSpec" in schema["$defs"]
    assert "shares" in schema["$defs"]["NodeSpec"]["properties"]
    json.dumps(schema)  # serialisable as it is
