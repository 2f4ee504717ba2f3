"""Websocket routes: `/ws/runs/<id>/?since=N` streams a run's events (see docs/api.md)."""

from django.urls import re_path

from playground.runs.auth import TokenOrSessionAuthStack
from playground.runs.consumers import RunConsumer

websocket_urlpatterns = [re_path(r"^ws/runs/(?P<run_id>\d+)/?$", RunConsumer.as_asgi())]

__all__ = ["TokenOrSessionAuthStack", "websocket_urlpatterns"]
