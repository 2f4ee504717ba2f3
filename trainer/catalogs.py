"""The whole catalog as data: every layer, data set, loss, optimiser, schedule, probe and program with its
declared parameters. The API's `GET /api/catalog`, the browser palette and `playground catalog` print this."""

from __future__ import annotations

from typing import Any


def _entries(registry: Any, extra: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    out = []
    for name in registry.names():
        entry = registry.get(name)
        item: dict[str, Any] = {"name": name, "help": entry.help, "params": [p.schema() for p in entry.params]}
        for attr in extra:
            value = getattr(entry, attr)
            item[attr] = sorted(value) if isinstance(value, frozenset) else value
        out.append(item)
    return out


def catalog() -> dict[str, Any]:
    """Everything a spec can name, with parameter schemas (type, range, default, help)."""
    from trainer.data.registry import all_datasets
    from trainer.graph.registry import all_layers
    from trainer.train.losses import LOSSES
    from trainer.train.optim import OPTIMIZERS
    from trainer.train.probes import PROBES
    from trainer.train.programs import PROGRAMS
    from trainer.train.schedules import SCHEDULES

    layers = all_layers()
    return {
        "layers": [layers.get(name).schema() for name in layers.names()],
        "datasets": _entries(all_datasets(), ("task",)),
        "losses": _entries(LOSSES, ("wants_logits", "tasks")),
        "optimizers": _entries(OPTIMIZERS),
        "schedules": _entries(SCHEDULES),
        "probes": _entries(PROBES, ("default",)),
        "programs": [PROGRAMS.get(name).schema() for name in PROGRAMS.names()],
    }
