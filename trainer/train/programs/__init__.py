"""Training programs: how the networks of a spec are trained (supervised now; autoencoder, VAE, GAN, pivot later).

A program names the networks it needs by role; validation checks the graph provides exactly those."""

from __future__ import annotations

from dataclasses import dataclass

from trainer.catalog import Param, Registry


@dataclass(frozen=True)
class ProgramEntry:
    kind: str
    help: str
    roles: tuple[str, ...]  # the networks it trains, by role
    params: tuple[Param, ...] = ()

    def schema(self) -> dict:
        return {
            "kind": self.kind,
            "help": self.help,
            "roles": list(self.roles),
            "params": [p.schema() for p in self.params],
        }


PROGRAMS: Registry[ProgramEntry] = Registry(kind="program")

PROGRAMS.register(
    "supervised",
    ProgramEntry(
        kind="supervised",
        help="Fit one network's output to the data set's targets by minimising the loss.",
        roles=("model",),
    ),
)
