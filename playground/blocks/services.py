"""Saving and deleting a user's blocks. A declaration is checked like a graph's own block: strict structure,
then the catalog (a name that is a layer type, unknown inner types, `$refs` to undeclared params)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from playground.blocks.models import SavedBlock
from trainer.catalog import Issue
from trainer.graph.blocks import graph_scope
from trainer.graph.spec import BlockSpec

_PREFIX = "graph.blocks[0]"


def check_declaration(raw: Any) -> tuple[BlockSpec | None, list[Issue]]:
    """The declaration as a BlockSpec, or the issues that prevent it (fields relative to the declaration)."""
    try:
        decl = BlockSpec.model_validate_json(json.dumps(raw), strict=True)
    except (TypeError, ValueError) as exc:
        if not isinstance(exc, ValidationError):
            return None, [Issue(type="invalid_block", message=f"not a block declaration: {exc}")]
        return None, [
            Issue(
                type="invalid_block",
                field=".".join(str(p) for p in e["loc"]) or None,
                message=f"{'.'.join(str(p) for p in e['loc']) or 'block'}: {e['msg']}",
            )
            for e in exc.errors(include_url=False)
        ]
    issues = [
        issue.model_copy(update={"field": (issue.field or "").removeprefix(_PREFIX).lstrip(".") or None})
        for issue in graph_scope([decl]).issues
    ]
    return (None, issues) if issues else (decl, [])


def save_block(owner: Any, decl: BlockSpec) -> tuple[SavedBlock, bool]:
    """Store the declaration under its name, replacing the user's block of that name; True when it is new."""
    return SavedBlock.objects.update_or_create(
        owner=owner, name=decl.name, defaults={"declaration": decl.model_dump(mode="json", exclude_none=True)}
    )


def blocks_of(owner: Any) -> list[dict[str, Any]]:
    return [b.declaration for b in SavedBlock.objects.filter(owner=owner)]
