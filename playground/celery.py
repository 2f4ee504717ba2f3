"""The Celery app. Workers start with `celery -A playground worker -Q <slot queue> -c 1`; settings come from
Django's (CELERY_*). The parent process never initialises CUDA: jobs run in a fresh child each."""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")

log = logging.getLogger(__name__)

app = Celery("playground")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["playground.runs"])


def _beat(queue: str, hostname: str, gpu: int | None) -> None:
    from django.db import close_old_connections

    from playground.runs import services

    try:
        close_old_connections()
        services.heartbeat_slot(queue, hostname, gpu)
    except Exception:
        log.exception("heartbeat of slot %s failed", queue)


def _warm_up() -> None:
    """Import what every job needs before the job processes fork, so a run starts in well under a second instead
    of paying ~2 s of lazy imports each time (each job is a fresh process). Validating a tiny graph runs the
    meta-device dry run: no data, no kernels, no threads, no CUDA."""
    import trainer.train.engine  # noqa: F401
    from trainer.graph.validate import validate

    validate({"graph": {"version": 1, "nodes": [{"id": "x", "type": "input", "params": {"shape": [2]}},
                                                {"id": "d", "type": "dense", "params": {"units": 2}},
                                                {"id": "p", "type": "softmax"}],
                        "edges": [{"source": "x", "target": "d"}, {"source": "d", "target": "p"}]},
              "data": {"name": "xor"}, "loss": {"name": "cross_entropy"}})


class SlotHeartbeat(bootsteps.StartStopStep):
    """Registers the worker's slot (PLAYGROUND_SLOT_QUEUE, PLAYGROUND_SLOT_GPU) and heartbeats it from the parent's
    timer, in the thread that also forks the job processes, so no lock is ever held across a fork."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker: Any, **kwargs: Any):
        super().__init__(worker, **kwargs)
        self.tref: Any = None

    def start(self, worker: Any) -> None:
        queue = os.environ.get("PLAYGROUND_SLOT_QUEUE")
        if not queue:
            return
        from django.conf import settings

        gpu_env = os.environ.get("PLAYGROUND_SLOT_GPU", "").strip()
        args = (queue, worker.hostname, int(gpu_env) if gpu_env.isdigit() else None)
        _warm_up()  # before the first beat: the scheduler sends nothing to a slot that is not warm yet
        _beat(*args)

        self.tref = worker.timer.call_repeatedly(settings.PLAYGROUND["HEARTBEAT_S"], _beat, args, priority=10)

    def stop(self, worker: Any) -> None:
        if self.tref is not None:
            self.tref.cancel()


app.steps["worker"].add(SlotHeartbeat)
