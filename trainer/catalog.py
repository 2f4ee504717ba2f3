"""Declared parameters and registries: the one mechanism behind every catalog (layers, data sets, losses,
optimisers, schedules, probes), so that the browser palette, the API and the CLI are generated from data."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel

ParamKind = Literal["int", "float", "bool", "choice", "str", "ints"]


class Issue(BaseModel):
    """A problem found in user input, pinned to what the user must fix.

    `type` is a stable short string (``unknown_param``, ``shape_mismatch``…); `node_id` names the graph node
    when the problem belongs to one; `field` is the dotted path of the offending value inside the node or
    the spec (``params.units``, ``loss.expression``)."""

    type: str
    message: str
    node_id: str | None = None
    field: str | None = None


@dataclass(frozen=True)
class Param:
    """One declared parameter of a catalog entry: its type, range, default and a one-line help."""

    name: str
    kind: ParamKind
    default: Any
    help: str
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] | None = None
    nullable: bool = False  # None is an accepted value (meaning "automatic" or "off", as `help` says)
    min_len: int = 0  # for "ints"
    max_len: int = 8  # for "ints"

    def schema(self) -> dict[str, Any]:
        """JSON-serialisable description for the palette, the API and the CLI."""
        out: dict[str, Any] = {"name": self.name, "kind": self.kind, "default": self.default, "help": self.help}
        for key in ("min", "max", "choices"):
            value = getattr(self, key)
            if value is not None:
                out[key] = list(value) if key == "choices" else value
        if self.nullable:
            out["nullable"] = True
        if self.kind == "ints":
            out["min_len"], out["max_len"] = self.min_len, self.max_len
        return out

    def coerce(self, value: Any) -> Any:
        """Return the value in its canonical Python type, or raise ValueError with a user-facing reason."""
        if value is None:
            if self.nullable:
                return None
            raise ValueError("must not be null")
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            raise ValueError(f"must be true or false, got {value!r}")
        if self.kind == "int":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"must be an integer, got {value!r}")
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(f"must be an integer, got {value!r}")
            return self._in_range(int(value))
        if self.kind == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"must be a number, got {value!r}")
            if not math.isfinite(value):
                raise ValueError(f"must be a finite number, got {value!r}")
            return self._in_range(float(value))
        if self.kind == "choice":
            assert self.choices is not None, f"param {self.name} declares no choices"
            if value not in self.choices:
                raise ValueError(f"must be one of {', '.join(self.choices)}; got {value!r}")
            return value
        if self.kind == "str":
            if not isinstance(value, str):
                raise ValueError(f"must be a string, got {value!r}")
            if len(value) > 2000:
                raise ValueError("is longer than 2000 characters")
            return value
        if self.kind == "ints":
            if not isinstance(value, (list, tuple)) or any(
                isinstance(v, bool) or not isinstance(v, int) for v in value
            ):
                raise ValueError(f"must be a list of integers, got {value!r}")
            if not self.min_len <= len(value) <= self.max_len:
                raise ValueError(f"must have {self.min_len} to {self.max_len} entries, got {len(value)}")
            return tuple(self._in_range(int(v)) for v in value)
        raise AssertionError(f"unknown param kind {self.kind}")

    def _in_range(self, value: float | int) -> Any:
        if self.min is not None and value < self.min:
            raise ValueError(f"must be ≥ {self.min:g}, got {value:g}")
        if self.max is not None and value > self.max:
            raise ValueError(f"must be ≤ {self.max:g}, got {value:g}")
        return value


def check_params(
    declared: tuple[Param, ...],
    given: Mapping[str, Any] | None,
    *,
    node_id: str | None = None,
    prefix: str = "params",
    what: str = "",
) -> tuple[dict[str, Any], list[Issue]]:
    """Fill defaults and coerce `given` against `declared`; never raises on user input.

    Returns the clean parameters (defaults for every value that failed) and one Issue per problem."""
    issues: list[Issue] = []
    known = {p.name: p for p in declared}
    given = given or {}
    if not isinstance(given, Mapping):
        return {p.name: p.default for p in declared}, [
            Issue(type="invalid_params", message=f"{what}params must be an object", node_id=node_id, field=prefix)
        ]
    for name in given:
        if name not in known:
            hint = f" (known: {', '.join(known)})" if known else " (it takes no parameters)"
            issues.append(
                Issue(
                    type="unknown_param",
                    message=f"{what}unknown parameter {name!r}{hint}",
                    node_id=node_id,
                    field=f"{prefix}.{name}",
                )
            )
    clean: dict[str, Any] = {}
    for p in declared:
        if p.name not in given:
            clean[p.name] = p.default
            continue
        try:
            clean[p.name] = p.coerce(given[p.name])
        except ValueError as exc:
            issues.append(
                Issue(
                    type="invalid_param", message=f"{what}{p.name} {exc}", node_id=node_id, field=f"{prefix}.{p.name}"
                )
            )
            clean[p.name] = p.default
    return clean, issues


E = TypeVar("E")


@dataclass
class Registry(Generic[E]):
    """A name → entry mapping with a clear error for unknown names. Entries register themselves at import."""

    kind: str  # "layer", "dataset", … — used in error messages
    entries: dict[str, E] = field(default_factory=dict)

    def register(self, name: str, entry: E) -> E:
        if name in self.entries:
            raise ValueError(f"{self.kind} {name!r} is registered twice")
        self.entries[name] = entry
        return entry

    def get(self, name: str) -> E:
        try:
            return self.entries[name]
        except KeyError:
            raise KeyError(f"unknown {self.kind} {name!r} (known: {', '.join(sorted(self.entries))})") from None

    def unknown(self, name: object, *, field: str) -> Issue:
        """The Issue for a name that is not registered: type `unknown_<kind>`, listing the known names."""
        return Issue(
            type=f"unknown_{self.kind.replace(' ', '')}",
            field=field,
            message=f"unknown {self.kind} {name!r} (known: {', '.join(self.names())})",
        )

    def __contains__(self, name: object) -> bool:
        return name in self.entries

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.entries))

    def names(self) -> list[str]:
        return sorted(self.entries)
