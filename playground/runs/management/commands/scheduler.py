"""`manage.py scheduler`: twice a second, reap what died and hand queued runs to free worker slots."""

from __future__ import annotations

import logging
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from playground.runs import scheduler

log = logging.getLogger("playground.scheduler")


class Command(BaseCommand):
    help = "Run the scheduler loop (reap dead jobs, assign queued runs to free worker slots)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between rounds")
        parser.add_argument("--once", action="store_true", help="one round, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = {"now": False}

        def stop(signum: int, frame: Any) -> None:
            stopping["now"] = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write("scheduler: running")
        while not stopping["now"]:
            try:
                close_old_connections()
                for line in scheduler.reap():
                    self.stdout.write(f"scheduler: {line}")
                for a in scheduler.schedule():
                    self.stdout.write(f"scheduler: run {a.run_id} → {a.queue}")
            except Exception:
                log.exception("scheduler round failed")
            if options["once"]:
                break
            time.sleep(options["interval"])
