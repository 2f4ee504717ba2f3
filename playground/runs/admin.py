"""The admin: runs (with their control flags), worker slots (enable/disable a GPU), saved graphs, tokens."""

from __future__ import annotations

from django.contrib import admin

from playground.runs.models import ApiToken, Checkpoint, Run, SavedGraph, WorkerSlot


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "owner", "status", "step", "total_steps", "slot", "attempts", "created_at")
    list_filter = ("status",)
    search_fields = ("name", "owner__username", "message")
    readonly_fields = ("created_at", "started_at", "finished_at", "heartbeat_at", "assigned_at", "last_seq")


@admin.register(WorkerSlot)
class WorkerSlotAdmin(admin.ModelAdmin):
    list_display = ("queue", "hostname", "gpu", "enabled", "run", "heartbeat_at")
    list_editable = ("enabled",)


admin.site.register(Checkpoint)
admin.site.register(SavedGraph)
admin.site.register(ApiToken)
