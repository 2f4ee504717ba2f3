"""The streaming loader: labels from directories, mixing fractions, determinism, sharding without repeats or gaps,
normalisation statistics, bad files, and bounded memory on data larger than the memory it may use."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import h5py
import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from trainer.data.h5stream import (
    H5Stream,
    StreamConfig,
    StreamError,
    field_stats,
    open_stream,
    plan_epoch,
    scan,
)

CLASSES = ("A", "B", "C")
IMAGE = (4, 4, 3)  # a small (x, y, depth) grid


def write_ids(path: Path, first_id: int, n: int, *, chunk: int = 5, image: tuple[int, ...] = IMAGE) -> None:
    """A file whose events carry a unique `id` and an `img` whose every voxel equals that id."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ids = np.arange(first_id, first_id + n, dtype=np.float32)
    with h5py.File(path, "w") as f:
        f.create_dataset("id", data=ids, chunks=(chunk,))
        f.create_dataset(
            "img", data=np.broadcast_to(ids[:, None, None, None], (n, *image)).copy(), chunks=(chunk, *image)
        )


@pytest.fixture
def ids_dir(tmp_path: Path) -> Path:
    """Classes A, B, C with 3, 2, 2 files of 20 events (ids 0…139, unique)."""
    next_id = 0
    for name, files in zip(CLASSES, (3, 2, 2)):
        for i in range(files):
            write_ids(tmp_path / name / f"{name}_{i}.h5", next_id, 20)
            next_id += 20
    return tmp_path


def config(data_dir: Path, **kw: object) -> StreamConfig:
    base = dict(
        data_dir=data_dir,
        classes=tuple((c, f"{c}/*.h5") for c in CLASSES),
        fields=("id", "img"),
        field_shapes={"id": (), "img": IMAGE},
        batch_size=8,
        shuffle_buffer=16,
        flip=False,
        rotate=False,
        log_energy=False,
        scaling="none",
    )
    base.update(kw)
    return StreamConfig(**base)  # type: ignore[arg-type]


def read_epoch(cfg: StreamConfig, epoch: int = 0, workers: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(ids, labels) of one epoch, in the order the loader gives them."""
    files = scan(cfg).files
    loader = DataLoader(H5Stream(cfg, files, {}, epoch=epoch), batch_size=None, num_workers=workers)
    ids, labels = [], []
    for kind, payload in loader:
        assert kind == "batch", payload
        ids.append(payload[0].reshape(-1).numpy())
        labels.append(payload[-1].numpy())
    return np.concatenate(ids).astype(int), np.concatenate(labels)


def test_labels_come_from_the_directories(ids_dir: Path) -> None:
    ids, labels = read_epoch(config(ids_dir))
    expected = np.select([ids < 60, ids < 100], [0, 1], 2)  # A holds ids 0…59, B 60…99, C 100…139
    np.testing.assert_array_equal(labels, expected)


def test_an_epoch_reads_every_event_exactly_once(ids_dir: Path) -> None:
    ids, _ = read_epoch(config(ids_dir))
    assert sorted(ids.tolist()) == list(range(140))


def test_shards_over_ranks_and_workers_neither_repeat_nor_miss_an_event(ids_dir: Path) -> None:
    seen: list[int] = []
    for rank in range(2):
        ids, _ = read_epoch(config(ids_dir, rank=rank, world_size=2), workers=2)
        seen += ids.tolist()
    assert sorted(seen) == list(range(140))


@pytest.mark.parametrize("shards", [1, 2, 3, 4, 6])
def test_epoch_plans_partition_the_blocks(ids_dir: Path, shards: int) -> None:
    cfg = config(ids_dir)
    files = scan(cfg).files
    blocks = [(b.file, b.start) for s in range(shards) for b in plan_epoch(files, cfg, 5, s, shards)]
    assert len(blocks) == len(set(blocks)) == sum(f.events // 5 for f in files)


def test_same_seed_same_order_other_epoch_other_order(ids_dir: Path) -> None:
    first, _ = read_epoch(config(ids_dir, seed=7), epoch=0)
    again, _ = read_epoch(config(ids_dir, seed=7), epoch=0)
    other, _ = read_epoch(config(ids_dir, seed=7), epoch=1)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_events_are_shuffled_across_files_and_classes(ids_dir: Path) -> None:
    ids, labels = read_epoch(config(ids_dir))
    assert not np.array_equal(ids, np.sort(ids))
    assert len(set(labels[:24].tolist())) == 3  # the first three batches already mix the classes


def test_fractions_set_the_mix(ids_dir: Path) -> None:
    # A has 60 events, C 40: with 3 : 1 the epoch ends when A runs out, having taken about 20 of C
    _, labels = read_epoch(config(ids_dir, fractions=(3.0, 0.0, 1.0)))
    counts = Counter(labels.tolist())
    assert counts[1] == 0
    assert counts[0] == 60 and 15 <= counts[2] <= 25


def test_default_mix_follows_the_files_throughout_the_epoch(ids_dir: Path) -> None:
    _, labels = read_epoch(config(ids_dir))
    first_half = Counter(labels[:70].tolist())
    assert 20 <= first_half[0] <= 40  # A is 3/7 of the events: about 30 of the first 70


def test_statistics_are_cached_beside_the_data_and_refreshed_when_files_change(ids_dir: Path) -> None:
    cfg = config(ids_dir, log_energy=False)
    files = scan(cfg).files
    stats = field_stats(files, cfg)
    assert stats["id"]["mean"] == pytest.approx(69.5)
    assert (ids_dir / ".h5stream-stats.json").exists()
    write_ids(ids_dir / "A" / "A_0.h5", 1000, 20)  # new contents, new size/mtime
    assert field_stats(scan(cfg).files, cfg)["id"]["mean"] > 69.5 + 10


def test_standardisation_gives_mean_zero_unit_variance(ids_dir: Path) -> None:
    data = open_stream(config(ids_dir, scaling="standardize", log_energy=True), val_fraction=0, val_events=0, workers=0)
    values = torch.cat([x[0].reshape(-1) for x, _ in data.batches(0, torch.device("cpu"), print)])
    assert abs(float(values.mean())) < 1e-3 and float(values.std()) == pytest.approx(1.0, abs=0.02)


def test_augmentation_permutes_voxels_and_keeps_their_sum(tmp_path: Path) -> None:
    for i, name in enumerate(CLASSES):
        path = tmp_path / name / "f.h5"
        path.parent.mkdir()
        rng = np.random.default_rng(i)
        with h5py.File(path, "w") as f:
            f["img"] = rng.random((40, 5, 5, 3), dtype=np.float32)
    cfg = config(tmp_path, fields=("img",), field_shapes={"img": (5, 5, 3)}, flip=True, rotate=True, shuffle_buffer=1)
    plain = config(tmp_path, fields=("img",), field_shapes={"img": (5, 5, 3)}, shuffle_buffer=1)
    aug, _ = read_epoch_arrays(cfg)
    raw, _ = read_epoch_arrays(plain)
    aug, raw = aug[np.argsort(aug.sum(axis=(1, 2, 3, 4)))], raw[np.argsort(raw.sum(axis=(1, 2, 3, 4)))]
    assert not np.allclose(aug, raw)  # the same events, moved about
    np.testing.assert_allclose(np.sort(aug.reshape(len(aug), -1)), np.sort(raw.reshape(len(raw), -1)), rtol=1e-6)


def read_epoch_arrays(cfg: StreamConfig) -> tuple[np.ndarray, np.ndarray]:
    files = scan(cfg).files
    batches = [p for kind, p in H5Stream(cfg, files, {}, epoch=0) if kind == "batch"]
    return np.concatenate([b[0].numpy() for b in batches]), np.concatenate([b[-1].numpy() for b in batches])


# ----- bad files ---------------------------------------------------------------------------------------------------
def test_bad_files_are_skipped_by_name_and_counted(ids_dir: Path) -> None:
    good = (ids_dir / "A" / "A_0.h5").read_bytes()
    (ids_dir / "A" / "corrupt.h5").write_bytes(b"\x89HDF\r\n" + bytes(range(256)) * 8)
    (ids_dir / "A" / "truncated.h5").write_bytes(good[: len(good) // 2])
    with h5py.File(ids_dir / "B" / "missing.h5", "w") as f:
        f["id"] = np.zeros(4, np.float32)
    with h5py.File(ids_dir / "C" / "shape.h5", "w") as f:
        f["id"] = np.zeros(4, np.float32)
        f["img"] = np.zeros((4, 2, 2, 2), np.float32)
    found = scan(config(ids_dir))
    assert len(found.skipped) == 4
    text = "\n".join(found.skipped)
    for name in ("corrupt.h5", "truncated.h5", "missing.h5", "shape.h5"):
        assert name in text
    assert "field 'img' is missing" in text and "(2, 2, 2), expected (4, 4, 3)" in text
    assert sorted(read_epoch(config(ids_dir))[0].tolist()) == list(range(140))


def test_a_class_without_usable_files_is_a_clear_error(ids_dir: Path) -> None:
    for path in (ids_dir / "B").glob("*.h5"):
        path.write_bytes(b"junk")
    with pytest.raises(StreamError, match="class B: none of the 2 file"):
        scan(config(ids_dir))


def test_a_class_without_files_is_a_clear_error(ids_dir: Path) -> None:
    with pytest.raises(StreamError, match="class D: no files match 'D/\\*.h5'"):
        scan(config(ids_dir, classes=(("A", "A/*.h5"), ("D", "D/*.h5"))))


def test_a_file_damaged_inside_its_data_is_skipped_mid_epoch_with_a_warning(ids_dir: Path) -> None:
    path = ids_dir / "A" / "A_1.h5"
    with h5py.File(path, "w") as f:
        ids = np.arange(20, 40, dtype=np.float32)
        f.create_dataset("id", data=ids, chunks=(5,), compression="gzip")
        f.create_dataset(
            "img",
            data=np.broadcast_to(ids[:, None, None, None], (20, *IMAGE)).copy(),
            chunks=(5, *IMAGE),
            compression="gzip",
        )
    with h5py.File(path) as f:
        offset = f["img"].id.get_chunk_info(2).byte_offset  # the third chunk's compressed bytes
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(b"\xff" * 16)
    cfg = config(ids_dir)
    items = list(H5Stream(cfg, scan(cfg).files, {}, epoch=0))
    warnings = [p for kind, p in items if kind == "warning"]
    assert len(warnings) == 1 and "A_1.h5" in warnings[0]
    ids = np.concatenate([p[0].reshape(-1).numpy() for kind, p in items if kind == "batch"]).astype(int)
    assert len(ids) == len(set(ids)) and 120 <= len(ids) < 140  # the file's first chunks, then nothing of it


# ----- memory ------------------------------------------------------------------------------------------------------
MEMORY_SCRIPT = textwrap.dedent(
    """
    import json, resource, sys
    from pathlib import Path
    import h5py  # its libraries mapped before the limit
    import numpy as np
    import torch
    from trainer.data.h5stream import StreamConfig, open_stream

    torch.set_num_threads(1)
    np.log1p(np.ones(10**6, np.float32))  # allocator arenas and kernels warmed up before the limit
    vm = next(int(line.split()[1]) * 1024 for line in open("/proc/self/status") if line.startswith("VmSize"))
    margin = int(sys.argv[2]) * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (vm + margin, vm + margin))  # beyond this, allocations fail
    cfg = StreamConfig(Path(sys.argv[1]), (("A", "A/*.h5"), ("B", "B/*.h5")), ("img",), {"img": (25, 25, 25)},
                       batch_size=32, shuffle_buffer=128, smear=0.02)
    data = open_stream(cfg, val_fraction=0, val_events=0, workers=0)
    events = sum(len(y) for _, y in data.batches(0, torch.device("cpu"), print))
    print(json.dumps({"events": events}))
    """
)


def test_streams_data_several_times_larger_than_the_memory_it_may_use(tmp_path: Path) -> None:
    """~400 MB of float32 events (lzf-compressed on disk) through a loader allowed 100 MB more address space."""
    n_per_file, files, margin_mb = 800, 4, 100
    img = np.zeros((n_per_file, 25, 25, 25), np.float32)
    img[:, 12, 12, :] = np.arange(n_per_file, dtype=np.float32)[:, None]
    for name in ("A", "B"):
        for i in range(files):
            path = tmp_path / name / f"{name}_{i}.h5"
            path.parent.mkdir(exist_ok=True)
            with h5py.File(path, "w") as f:
                f.create_dataset("img", data=img, chunks=(50, 25, 25, 25), compression="lzf")
    data_mb = 2 * files * img.nbytes / 2**20
    assert data_mb > 3 * margin_mb
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_SCRIPT, str(tmp_path), str(margin_mb)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1])["events"] == 2 * files * n_per_file
