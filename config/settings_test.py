"""Settings for the test suite: the normal settings with LYCEUM_TESTING on."""

import os

os.environ["LYCEUM_TESTING"] = "1"

from config.settings import *  # noqa: E402, F403

# Tasks run in-process in tests even when REDIS_URL is set (as under .ci/run): Redis still
# backs the cache and throttles, and a test that needs a real broker turns this off itself.
CELERY_TASK_ALWAYS_EAGER = True

if REDIS_URL:  # noqa: F405
    # The test cache (throttle counters, cleared around every test) gets a Redis database
    # of its own per xdist worker, so clearing it never touches the Celery broker's
    # queues or another worker's counters. It is counted from REDIS_URL's own database
    # (eight further on), so two suites given two databases never clear each other's
    # counters halfway through a rate-limit test.
    from urllib.parse import urlsplit, urlunsplit

    _worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    _parts = urlsplit(REDIS_URL)  # noqa: F405
    _base = int(_parts.path.strip("/") or 0) if _parts.path.strip("/").isdigit() else 0
    CACHES["default"]["LOCATION"] = urlunsplit(  # noqa: F405
        _parts._replace(path=f"/{(_base + 8 + _worker) % 16}")
    )
