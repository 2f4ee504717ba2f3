"""The data-set catalog: complete declarations, info that matches the data, and issues (never exceptions)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from trainer.catalog import Param
from trainer.data.registry import DATASETS, DataInfo, DatasetEntry, all_datasets, dataset_info, register_dataset
from trainer.graph.spec import DataSpec

REQUIRED = {"circle", "xor", "gaussians", "spiral", "digits", "sine", "polynomial"}
SMALL = {"n": 40}  # every generated set takes n; digits is fixed


def small(name: str) -> dict:
    return dict(SMALL) if any(p.name == "n" for p in all_datasets().get(name).params) else {}


def test_catalog_has_the_issue_data_sets():
    assert REQUIRED <= set(all_datasets().names())


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_entry_is_declared_as_data(name):
    entry = all_datasets().get(name)
    assert entry.name == name and entry.help and "\n" not in entry.help
    json.dumps([p.schema() for p in entry.params])
    for p in entry.params:
        assert isinstance(p, Param) and p.help
        assert p.coerce(p.default) == p.default  # the default is itself valid


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_info_matches_what_generate_returns(name):
    entry = all_datasets().get(name)
    info, issues = dataset_info(DataSpec(name=name, params=small(name)))
    assert issues == [] and info is not None and info.task == entry.task
    x, y = entry.generate({p.name: p.default for p in entry.params} | small(name), np.random.default_rng(0))
    assert x.shape[1:] == info.input_shape and x.dtype.kind == "f"
    assert y.shape == (len(x), *info.target_shape)
    if info.task == "classification":
        assert y.dtype == np.int64 and set(np.unique(y)) == set(range(info.num_classes))
        assert len(info.class_names) == info.num_classes
    else:
        assert info.num_classes is None and info.class_names is None and y.dtype.kind == "f"


def test_unknown_name_is_an_issue_listing_the_known_ones():
    info, [issue] = dataset_info(DataSpec(name="mnist"))
    assert info is None
    assert issue.type == "unknown_dataset" and issue.field == "data.name"
    assert "'mnist'" in issue.message and "circle" in issue.message and "digits" in issue.message


def test_unknown_param_is_an_issue_naming_the_field():
    info, [issue] = dataset_info(DataSpec(name="xor", params={"n": 100, "radius": 3}))
    assert issue.type == "unknown_param" and issue.field == "data.params.radius"
    assert issue.message.startswith("data set xor: ") and "noise" in issue.message  # lists the known ones
    assert info is not None and info.input_shape == (2,)  # the graph can still be checked


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("circle", {"noise": 1.5}, "data.params.noise"),
        ("xor", {"n": 5}, "data.params.n"),
        ("spiral", {"classes": 7}, "data.params.classes"),
        ("polynomial", {"degree": 0}, "data.params.degree"),
        ("sine", {"n": "many"}, "data.params.n"),
        ("digits", {"image": 1}, "data.params.image"),
    ],
)
def test_wrong_values_are_issues_naming_the_field(name, params, field):
    info, [issue] = dataset_info(DataSpec(name=name, params=params))
    assert issue.type == "invalid_param" and issue.field == field
    assert issue.message.startswith(f"data set {name}: {field.rsplit('.', 1)[1]} ")
    assert info is not None


def test_onehot_targets_have_one_entry_per_class():
    info, _ = dataset_info(DataSpec(name="digits", targets="onehot"))
    assert info.target_shape == (10,) and info.num_classes == 10
    info, _ = dataset_info(DataSpec(name="spiral", params={"classes": 3}, targets="onehot"))
    assert info.target_shape == (3,)
    assert dataset_info(DataSpec(name="spiral", params={"classes": 3}))[0].target_shape == ()


def test_onehot_leaves_regression_targets_alone():
    info, issues = dataset_info(DataSpec(name="sine", targets="onehot"))
    assert issues == [] and info.target_shape == (1,) and info.task == "regression"


def test_digits_image_param_changes_the_input_shape():
    assert dataset_info(DataSpec(name="digits"))[0].input_shape == (64,)
    assert dataset_info(DataSpec(name="digits", params={"image": True}))[0].input_shape == (1, 8, 8)


def test_a_name_cannot_be_registered_twice():
    entry = all_datasets().get("xor")
    with pytest.raises(ValueError, match="data set 'xor' is registered twice"):
        register_dataset(entry)
    assert DATASETS.get("xor") is entry


def test_a_new_data_set_is_one_registration(monkeypatch):
    info = DataInfo(task="regression", input_shape=(3,), target_shape=(1,), num_classes=None, class_names=None)
    entry = DatasetEntry(
        name="cubes",
        help="test",
        task="regression",
        params=(),
        info=lambda p: info,
        generate=lambda p, rng: (rng.normal(size=(30, 3)), rng.normal(size=(30, 1))),
    )
    monkeypatch.setitem(DATASETS.entries, "cubes", entry)
    assert dataset_info(DataSpec(name="cubes")) == (info, [])


def test_blobs_any_dimension_and_class_count():
    from trainer.data.prepare import prepare
    from trainer.graph.spec import DataSpec

    bundle = prepare(DataSpec(name="blobs", params={"n": 300, "dims": 50, "classes": 5}), seed=0)
    assert bundle.info.input_shape == (50,) and bundle.info.num_classes == 5
    assert bundle.train.x.shape[1] == 50
    assert sorted(set(bundle.train.y.tolist())) == [0, 1, 2, 3, 4]
