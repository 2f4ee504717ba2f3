"""prepare and batch_order: reproducible splits, scaling fitted on the training split only, encoded targets."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from trainer.data.prepare import DataError, Scaler, batch_order, prepare
from trainer.data.registry import DATASETS, DataInfo, DatasetEntry
from trainer.graph.spec import DataSpec


def bundle(name: str = "gaussians", seed: int = 0, **fields):
    return prepare(DataSpec(name=name, **fields), seed)


def raw(split, scaler) -> torch.Tensor:
    return scaler.inverse(split.x)


def test_same_seed_gives_bit_identical_data_other_seed_other_data():
    a, b, c = bundle("spiral", seed=7), bundle("spiral", seed=7), bundle("spiral", seed=8)
    for split in ("train", "val"):
        assert torch.equal(getattr(a, split).x, getattr(b, split).x)
        assert torch.equal(getattr(a, split).y, getattr(b, split).y)
    assert not torch.equal(a.train.x, c.train.x)


def test_the_seed_also_reshuffles_a_fixed_data_set():
    a, b = bundle("digits", seed=0), bundle("digits", seed=1)
    assert not torch.equal(a.train.y, b.train.y)


@pytest.mark.parametrize(("n", "fraction", "n_val"), [(500, 0.2, 100), (101, 0.3, 30), (20, 0.9, 18), (20, 0.0, 0)])
def test_split_sizes(n, fraction, n_val):
    data = bundle("xor", params={"n": n}, val_fraction=fraction)
    assert len(data.val) == n_val and len(data.train) == n - n_val
    assert data.val.x.shape == (n_val, 2) and data.val.y.shape == (n_val,)


def test_zero_val_fraction_gives_an_empty_val_split_with_the_right_shapes():
    data = bundle("digits", val_fraction=0.0, targets="onehot", params={"image": True})
    assert len(data.val) == 0 and len(data.train) == 1797
    assert data.val.x.shape == (0, 1, 8, 8) and data.val.y.shape == (0, 10)


def test_splits_are_disjoint_and_together_the_whole_data_set():
    data = bundle("sine", seed=2, scaling="none", params={"n": 300})
    x, _ = DATASETS.get("sine").generate({"n": 300, "noise": 0.1, "periods": 1.0}, np.random.default_rng(2))
    together = torch.cat([data.train.x, data.val.x])[:, 0]
    assert torch.equal(together.sort().values, torch.as_tensor(x[:, 0], dtype=torch.float32).sort().values)
    assert not torch.equal(together, torch.as_tensor(x[:, 0], dtype=torch.float32))  # shuffled


def test_standardize_is_fitted_on_the_training_split_only():
    data = bundle("gaussians", params={"n": 400, "noise": 0.3})
    train, val = data.train.x, data.val.x
    torch.testing.assert_close(train.mean(dim=0), torch.zeros(2), atol=1e-5, rtol=0)
    torch.testing.assert_close(train.std(dim=0, correction=0), torch.ones(2), atol=1e-5, rtol=0)
    # The validation split keeps its own offsets: it was scaled with the training statistics, not its own.
    assert (val.mean(dim=0).abs() > 1e-3).any() and ((val.std(dim=0, correction=0) - 1).abs() > 1e-3).any()
    # And the scaler's statistics are exactly the raw training ones, not those of all the data.
    raw_train = raw(data.train, data.scaler)
    raw_all = torch.cat([raw_train, raw(data.val, data.scaler)])
    torch.testing.assert_close(data.scaler.shift, raw_train.mean(dim=0))
    assert not torch.allclose(data.scaler.shift, raw_all.mean(dim=0), atol=1e-4)


def test_minmax_maps_the_training_split_exactly_onto_zero_one():
    data = bundle("circle", scaling="minmax", params={"noise": 0.2})
    assert data.train.x.amin(dim=0).tolist() == [0.0, 0.0]
    assert data.train.x.amax(dim=0).tolist() == [1.0, 1.0]
    assert data.val.x.amin() != 0.0 or data.val.x.amax() != 1.0  # val's extremes are not the ones fitted


def test_constant_features_keep_scale_one():
    data = bundle("digits", scaling="standardize")  # pixel 0 is always blank
    assert data.scaler.scale[0] == 1.0 and torch.isfinite(data.train.x).all()
    assert (data.train.x[:, 0] == 0).all()


def test_no_scaling_leaves_the_raw_inputs():
    data = bundle("sine", scaling="none", params={"periods": 3.0})
    assert data.scaler.kind == "none" and data.train.x.abs().max() > 3  # raw x spans ±3π


def test_scaler_inverse_undoes_transform_and_follows_the_inputs_dtype():
    scaler = Scaler.fit("standardize", torch.randn(50, 1, 8, 8) * 3 + 2)
    assert scaler.shift.shape == (1, 8, 8)
    x = torch.randn(7, 1, 8, 8, dtype=torch.float64)
    assert scaler.transform(x).dtype == torch.float64
    torch.testing.assert_close(scaler.inverse(scaler.transform(x)), x)


def test_index_targets():
    data = bundle("spiral", params={"classes": 3})
    assert data.train.y.dtype == torch.int64 and data.train.y.shape == (len(data.train),)
    assert set(data.train.y.tolist()) == {0, 1, 2} and data.info.target_shape == ()


def test_onehot_targets_match_the_indices():
    index = bundle("spiral", seed=5, params={"classes": 3})
    onehot = bundle("spiral", seed=5, params={"classes": 3}, targets="onehot")
    assert onehot.train.y.dtype == torch.float32 and onehot.train.y.shape == (len(onehot.train), 3)
    assert onehot.info.target_shape == (3,)
    assert (onehot.train.y.sum(dim=1) == 1).all()
    assert torch.equal(onehot.train.y.argmax(dim=1), index.train.y)
    assert torch.equal(onehot.train.x, index.train.x)


def test_regression_targets_are_float_columns():
    data = bundle("polynomial", targets="onehot")  # one-hot does not apply to regression
    assert data.train.y.dtype == torch.float32 and data.train.y.shape == (len(data.train), 1)
    assert data.info.target_shape == (1,) and data.raw_bounds is None


def test_raw_bounds_are_the_extent_of_all_raw_2d_inputs():
    data = bundle("xor", scaling="minmax")
    everything = torch.cat([raw(data.train, data.scaler), raw(data.val, data.scaler)]).double().numpy()
    lo, hi = data.raw_bounds
    np.testing.assert_allclose(lo, everything.min(axis=0), atol=1e-6)
    np.testing.assert_allclose(hi, everything.max(axis=0), atol=1e-6)
    assert bundle("digits").raw_bounds is None


def test_bad_params_raise_a_data_error_naming_them():
    with pytest.raises(DataError, match="data set circle: noise must be ≤ 1"):
        bundle("circle", params={"noise": 2.0})
    with pytest.raises(DataError, match="unknown data set 'cifar'"):
        bundle("cifar")


def test_a_generator_that_breaks_its_declaration_is_a_data_error(monkeypatch):
    info = DataInfo(task="classification", input_shape=(3,), target_shape=(), num_classes=2, class_names=("a", "b"))
    wrong = DatasetEntry(
        name="wrong",
        help="test",
        task="classification",
        params=(),
        info=lambda p: info,
        generate=lambda p, rng: (np.zeros((30, 2)), np.zeros(30, dtype=np.int64)),
    )
    monkeypatch.setitem(DATASETS.entries, "wrong", wrong)
    with pytest.raises(DataError, match=r"data set wrong generated inputs \(30, 2\)"):
        bundle("wrong")
    labels = DatasetEntry(
        name="wrong",
        help="test",
        task="classification",
        params=(),
        info=lambda p: info,
        generate=lambda p, rng: (np.zeros((30, 3)), np.full(30, 2, dtype=np.int64)),
    )
    monkeypatch.setitem(DATASETS.entries, "wrong", labels)
    with pytest.raises(DataError, match="class labels from 2 to 2, outside 0…1"):
        bundle("wrong")


def test_batch_order_is_a_permutation_and_a_pure_function_of_seed_and_epoch():
    order = batch_order(1000, seed=3, epoch=2)
    assert order.dtype == torch.int64 and torch.equal(order.sort().values, torch.arange(1000))
    assert torch.equal(order, batch_order(1000, seed=3, epoch=2))
    torch.manual_seed(123)  # the global generator plays no part
    assert torch.equal(order, batch_order(1000, seed=3, epoch=2))


def test_batch_order_differs_between_epochs_and_seeds():
    orders = [batch_order(1000, seed=s, epoch=e) for s, e in [(3, 2), (3, 3), (4, 2), (4, 1)]]
    for i, a in enumerate(orders):
        for b in orders[i + 1 :]:
            assert not torch.equal(a, b)


def test_batch_order_without_shuffle_is_the_identity():
    assert torch.equal(batch_order(5, seed=3, epoch=9, shuffle=False), torch.arange(5))
    assert batch_order(0, seed=0, epoch=0).shape == (0,)
