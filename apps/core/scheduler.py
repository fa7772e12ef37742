"""The embedded periodic scheduler, for running without Redis.

With ``REDIS_URL`` unset there is no Celery beat; ``make run`` sets
``LYCEUM_EMBEDDED_SCHEDULER=1`` and a daemon thread of the serving process runs every entry
of ``CELERY_BEAT_SCHEDULE`` in-process, so outbox sweeps, webhook retries and pruning still
happen. Production runs ``celery beat`` instead (see Procfile) on the same schedule.

Entries are read the way beat reads them (``celery.schedules.maybe_schedule``): a number
of seconds, a ``timedelta``, or a ``crontab``. Interval entries run once at start-up
(nothing remembers their last run across restarts, so a restart catches up) and then on
their interval; crontab entries run at their next matching minute. Tasks are registered
before the first run, and an entry naming a task that does not exist stops start-up
instead of failing every few seconds.
"""

import logging
import os
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from celery import Celery
from celery.schedules import BaseSchedule, maybe_schedule
from celery.schedules import schedule as interval_schedule
from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import close_old_connections

logger = logging.getLogger(__name__)
_started = threading.Event()
TICK_SECONDS = 1.0
# ``rundemo`` is make run's runserver (apps/schools/management/commands/rundemo.py).


@dataclass
class Entry:
    """One scheduled task: its Celery schedule and when it last ran."""

    name: str
    task: str
    schedule: BaseSchedule
    last_run_at: datetime
    args: tuple = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


def register_tasks(app: Celery) -> None:
    """Import every installed app's ``tasks`` module, as a worker or beat does at start-up.

    ``config/celery.py`` asks Celery to autodiscover tasks, but that discovery runs only
    when a worker or beat starts; a web process otherwise knows only the tasks whose
    modules something happened to import. (Not ``loader.import_default_modules()``: its
    Django fix-up calls ``django.setup()``, which cannot run inside an ``AppConfig.ready``.)
    """
    app.autodiscover_tasks(force=True)


class EmbeddedScheduler:
    """Runs a beat schedule in this process; every entry's task is registered and exists."""

    def __init__(self, app: Celery, schedule: Mapping[str, Mapping[str, Any]]) -> None:
        register_tasks(app)
        self.app = app
        now = app.now()
        self.entries: list[Entry] = []
        for name, spec in schedule.items():
            if spec["task"] not in app.tasks:
                raise ImproperlyConfigured(
                    f"CELERY_BEAT_SCHEDULE[{name!r}] names task {spec['task']!r}, "
                    "which no installed app defines."
                )
            when = maybe_schedule(spec["schedule"], app=app)
            # An interval is due at start-up (a restart catches up); a crontab waits.
            last_run_at = now - when.run_every if isinstance(when, interval_schedule) else now
            self.entries.append(
                Entry(
                    name=name,
                    task=spec["task"],
                    schedule=when,
                    last_run_at=last_run_at,
                    args=tuple(spec.get("args", ())),
                    kwargs=dict(spec.get("kwargs", {})),
                )
            )

    def run_due(self) -> list[str]:
        """Run each entry that is due now, in this thread; return the names run."""
        ran = []
        for entry in self.entries:
            if not entry.schedule.is_due(entry.last_run_at).is_due:
                continue
            entry.last_run_at = self.app.now()
            try:
                self.app.tasks[entry.task].apply(args=entry.args, kwargs=entry.kwargs)
            except Exception:
                # Eager tasks propagate only under test settings; a failed run is retried
                # on the next due time either way, so the scheduler keeps going.
                logger.exception("scheduled task %s failed", entry.task)
            ran.append(entry.name)
        return ran

    def run_forever(self) -> None:
        """Check the schedule every second, for the life of the process."""
        # Started from an AppConfig.ready(): wait until every app is ready, so the event
        # subscribers (webhooks) exist before the first sweep hands events to them.
        while not django_apps.ready:
            time.sleep(0.05)
        while True:
            if self.run_due():
                # This thread is outside any request cycle: drop its connections as a
                # request would (CONN_MAX_AGE, broken connections).
                close_old_connections()
            time.sleep(TICK_SECONDS)


def start_if_embedded() -> bool:
    """Start the scheduler thread once, only in the serving process of an embedded setup.

    Raises ``ImproperlyConfigured`` when the schedule names a task that does not exist.
    """
    if not settings.LYCEUM_EMBEDDED_SCHEDULER or settings.REDIS_URL or _started.is_set():
        return False
    is_runserver = sys.argv[1:2] in (["runserver"], ["rundemo"])
    if is_runserver and os.environ.get("RUN_MAIN") != "true" and "--noreload" not in sys.argv:
        return False  # the autoreloader's parent process; its child serves requests
    from config.celery import app

    scheduler = EmbeddedScheduler(app, settings.CELERY_BEAT_SCHEDULE)
    _started.set()
    threading.Thread(target=scheduler.run_forever, name="lyceum-scheduler", daemon=True).start()
    logger.info("embedded scheduler started (%d entries)", len(scheduler.entries))
    return True
