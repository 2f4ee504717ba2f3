"""SavedBlock: one block declaration (trainer.graph.spec.BlockSpec as JSON) in a user's library."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from trainer.graph.spec import BlockSpec


class SavedBlock(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks")
    name = models.CharField(max_length=64)  # the node type that uses it; unique per user
    declaration: Any = models.JSONField()  # a BlockSpec, validated before it is stored
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="unique_block_name_per_user")]

    def __str__(self) -> str:
        return self.name

    def spec(self) -> BlockSpec:
        """The stored declaration, read back through the contract."""
        return BlockSpec.model_validate(self.declaration)
