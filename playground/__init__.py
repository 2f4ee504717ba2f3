"""The Django project: the web playground (API, queue, streaming) around the `trainer` library."""

from playground.celery import app as celery_app

__all__ = ["celery_app"]
