"""The embedded periodic scheduler, for running without Redis.

With ``REDIS_URL`` unset there is no Celery beat; ``make run`` sets
``LYCEUM_EMBEDDED_SCHEDULER=1`` and this daemon thread runs every entry of
``CELERY_BEAT_SCHEDULE`` in-process on its interval, so outbox sweeps, webhook retries
and pruning still happen. Production runs ``celery beat`` instead (see Procfile).
"""

import logging
import os
import sys
import threading
import time

from django.conf import settings

logger = logging.getLogger(__name__)
_started = threading.Event()
TICK_SECONDS = 1.0


def run_due(last_run: dict[str, float], now: float) -> list[str]:
    """Run each scheduled task whose interval has passed; return the names run."""
    from config.celery import app

    ran = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        interval = float(entry["schedule"])
        if now - last_run.get(name, 0.0) < interval:
            continue
        last_run[name] = now
        try:
            app.tasks[entry["task"]].apply()
        except Exception:
            logger.exception("scheduled task %s failed", entry["task"])
        ran.append(name)
    return ran


def _loop() -> None:
    last_run: dict[str, float] = {}
    while True:
        run_due(last_run, time.monotonic())
        time.sleep(TICK_SECONDS)


def start_if_embedded() -> bool:
    """Start the scheduler thread once, only in the serving process of an embedded setup."""
    if not settings.LYCEUM_EMBEDDED_SCHEDULER or settings.REDIS_URL or _started.is_set():
        return False
    is_runserver = sys.argv[1:2] == ["runserver"]
    if is_runserver and os.environ.get("RUN_MAIN") != "true" and "--noreload" not in sys.argv:
        return False  # the autoreloader's parent process; its child serves requests
    _started.set()
    threading.Thread(target=_loop, name="lyceum-scheduler", daemon=True).start()
    logger.info("embedded scheduler started (%d entries)", len(settings.CELERY_BEAT_SCHEDULE))
    return True
