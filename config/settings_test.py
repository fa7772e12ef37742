"""Settings for the test suite: the normal settings with LYCEUM_TESTING on."""

import os

os.environ["LYCEUM_TESTING"] = "1"

from config.settings import *  # noqa: E402, F403

# Tasks run in-process in tests even when REDIS_URL is set (as under .ci/run): Redis still
# backs the cache and throttles, and a test that needs a real broker turns this off itself.
CELERY_TASK_ALWAYS_EAGER = True
