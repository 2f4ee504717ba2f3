"""`/api/blocks`: the user's block library. GET lists the declarations (the editor merges them into the
palette; `/api/catalog` stays the same for everyone), POST saves one (validated; same name replaces), DELETE
removes one by name."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.errors import HttpError

from playground.blocks import services
from playground.blocks.models import SavedBlock

router = Router(tags=["blocks"])

_BODY = {"requestBody": {"content": {"application/json": {"schema": {"type": "object", "description": "a BlockSpec"}}}}}


@router.get("", response=list[dict[str, Any]])
def list_blocks(request: HttpRequest) -> Any:
    return services.blocks_of(request.user)


@router.post("", response={200: dict, 201: dict, 422: dict}, openapi_extra=_BODY)
def save_block(request: HttpRequest) -> Any:
    try:
        raw = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError) as exc:
        raise HttpError(400, f"the request body is not JSON: {exc}") from None
    decl, issues = services.check_declaration(raw)
    if decl is None:
        return Status(422, {"detail": [i.model_dump() for i in issues]})
    block, created = services.save_block(request.user, decl)
    return Status(201 if created else 200, block.declaration)


@router.delete("/{name}", response={204: None})
def delete_block(request: HttpRequest, name: str) -> Any:
    get_object_or_404(SavedBlock, owner=request.user, name=name).delete()
    return Status(204, None)
